//! Harvesting the KKJ look-alike: every notice stored exactly once, with a request count close
//! to the lower bound, despite the 1000 cap, errors answered with 200, broken UTF-8, shuffled
//! children and national bodies without an LgCode.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Mutex;

use chrono::NaiveDate;
use crawler::crawl::SourceReport;
use crawler::source::kkj::{self, KKJ_ATTRIBUTION, KkjOptions};
use crawler::source::{SourceConfig, parse_source};
use crawler::testsupport::{KkjDataset, KkjDatasetConfig, KkjServer, KkjServerOptions};
use indexer::store::Store;

mod common;
use common::{api_fetcher, api_source};

fn source(api: &str, extra: &str) -> SourceConfig {
    api_source("kkj", "官公需情報ポータルサイト", api, extra)
}

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn options(until: &str) -> KkjOptions {
    KkjOptions {
        until: Some(day(until)),
        ..KkjOptions::default()
    }
}

async fn crawl(
    store: &Mutex<Store>,
    src: &SourceConfig,
    opts: &KkjOptions,
) -> (SourceReport, kkj::KkjStats) {
    let mut report = SourceReport::new(&src.id);
    let stats = kkj::crawl(&api_fetcher(), store, src, &mut report, opts).await;
    (report, stats)
}

fn stored_ids(store: &Mutex<Store>, dataset: &KkjDataset) -> usize {
    let s = store.lock().unwrap();
    dataset
        .notices
        .iter()
        .filter(|n| s.get(&format!("kkj:{}", n.key)).unwrap().is_some())
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_harvest_stores_every_notice_once_with_few_requests() {
    let dataset = kkj_data_default();
    let server = KkjServer::start(
        &dataset,
        KkjServerOptions {
            fail_requests: vec![3],
        },
    )
    .await
    .unwrap();
    let store = Mutex::new(Store::in_memory().unwrap());
    let src = source(&server.api_url(), "from_date = \"2026-08-01\"");
    let (report, stats) = crawl(&store, &src, &options("2026-11-21")).await;

    let n = dataset.notices.len();
    assert_eq!(stored_ids(&store, &dataset), n, "every notice is stored");
    assert_eq!(
        store.lock().unwrap().count().unwrap() as usize,
        n,
        "and nothing else"
    );
    assert_eq!(
        report.records_new as usize, n,
        "each exactly once: {report:?}"
    );
    assert_eq!(report.records_changed + report.records_unchanged, 0);
    assert_eq!(stats.notices, n);
    assert!(stats.truncated.is_empty(), "{:?}", stats.truncated);
    assert_eq!(
        report.errors.get("kkj_error"),
        None,
        "the error answer was retried: {:?}",
        report.errors
    );

    // Requests against the lower bounds.
    let per_day: HashMap<NaiveDate, usize> = dataset.per_day().into_iter().collect();
    let busiest = per_day.values().max().copied().unwrap();
    assert!(busiest > 1000);
    let days = (day("2026-11-21") - day("2026-08-01")).num_days() as usize + 1;
    let per_day_bound: usize = (0..days)
        .map(|i| day("2026-08-01") + chrono::Days::new(i as u64))
        .map(|d| per_day.get(&d).copied().unwrap_or(0).div_ceil(1000).max(1))
        .sum();
    let absolute_bound = n.div_ceil(1000);
    let requests = server.requests();
    println!(
        "KKJ harvest: {n} notices over {days} days (busiest day {busiest}): {requests} requests; \
         lower bound one day at a time {per_day_bound} ({:.2}x), absolute {absolute_bound} ({:.2}x)",
        requests as f64 / per_day_bound as f64,
        requests as f64 / absolute_bound as f64
    );
    assert_eq!(requests, stats.requests);
    assert!(
        requests <= 3 * per_day_bound,
        "{requests} requests > 3 × {per_day_bound}"
    );
    assert!(
        requests <= 5 * absolute_bound,
        "{requests} requests > 5 × {absolute_bound}"
    );
    if std::env::var_os("KKJ_PRINT_QUERIES").is_some() {
        for q in server.queries() {
            let pairs: Vec<String> = url::form_urlencoded::parse(q.as_bytes())
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            println!("  {}", pairs.join(" "));
        }
    }
    for q in server.queries() {
        assert!(q.contains("Count=1000"), "{q}");
        assert!(
            !q.contains("LG_Code=1&") && !q.contains("LG_Code=1%2C"),
            "LG_Code must be zero-padded: {q}"
        );
    }
}

fn kkj_data_default() -> KkjDataset {
    crawler::testsupport::kkj_data::generate(&KkjDatasetConfig::default())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_carry_the_quirky_fields_right() {
    let dataset = kkj_data_default();
    let server = KkjServer::start(&dataset, KkjServerOptions::default())
        .await
        .unwrap();
    let store = Mutex::new(Store::in_memory().unwrap());
    let src = source(&server.api_url(), "from_date = \"2026-08-01\"");
    crawl(&store, &src, &options("2026-11-21")).await;
    let s = store.lock().unwrap();

    let mut deadlines_ok = 0;
    let mut prices_ok = 0;
    for n in &dataset.notices {
        let r = s.get(&format!("kkj:{}", n.key)).unwrap().unwrap();
        assert_eq!(r.attribution.as_deref(), Some(KKJ_ATTRIBUTION));
        assert!(
            !r.title.contains("KB)") && !r.title.starts_with('【'),
            "{}",
            r.title
        );
        assert_eq!(
            r.municipality_code, n.expected_municipality_code,
            "{}",
            n.organization_name
        );
        assert_eq!(r.published.as_ref().map(|w| w.date), Some(n.cft_issue_date));
        assert_eq!(r.url, n.external_document_uri);
        // The deadline comes from the text or not at all — never from the structured fields.
        let deadline = r.deadline.as_ref().map(|w| w.date);
        assert_ne!(
            deadline,
            Some(day("2027-03-31")),
            "PeriodEndTime is not a deadline"
        );
        if deadline == n.expected_deadline {
            deadlines_ok += 1;
        } else {
            assert_eq!(
                deadline, None,
                "a wrong deadline for {}: {:?}",
                r.title, r.deadline
            );
        }
        match (n.expected_price, &r.estimated_price) {
            (Some(p), Some(m)) if m.yen == p => prices_ok += 1,
            (None, None) => {}
            (expected, got) => panic!(
                "予定価格 of {}: expected {expected:?}, got {got:?}",
                r.title
            ),
        }
        assert!(r.body.chars().count() <= 100_000);
    }
    let n = dataset.notices.len();
    println!("deadlines read from the text: {deadlines_ok}/{n}; prices: {prices_ok}");
    assert!(deadlines_ok * 100 >= n * 95, "{deadlines_ok}/{n} deadlines");

    let broken = dataset.notices.iter().find(|n| n.cesu8).unwrap();
    let r = s.get(&format!("kkj:{}", broken.key)).unwrap().unwrap();
    assert!(
        r.body.contains("𠮷田建設"),
        "CESU-8 repaired: {}",
        &r.body[r.body.len().saturating_sub(80)..]
    );
    let whale = dataset
        .notices
        .iter()
        .find(|n| n.project_description.chars().count() > 100_000)
        .unwrap();
    let r = s.get(&format!("kkj:{}", whale.key)).unwrap().unwrap();
    assert_eq!(r.body.chars().count(), 100_000);
    let national = dataset
        .notices
        .iter()
        .find(|n| n.lg_code.is_none())
        .unwrap();
    let r = s.get(&format!("kkj:{}", national.key)).unwrap().unwrap();
    assert_eq!(
        (r.municipality_code.as_deref(), r.prefecture.as_deref()),
        (None, None)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_runs_start_from_the_newest_day_minus_the_overlap() {
    let dataset = kkj_data_default();
    let server = KkjServer::start(&dataset, KkjServerOptions::default())
        .await
        .unwrap();
    let store = Mutex::new(Store::in_memory().unwrap());
    let src = source(&server.api_url(), "from_date = \"2026-11-01\"");

    let (_, first) = crawl(&store, &src, &options("2026-11-10")).await;
    assert_eq!(first.range, Some((day("2026-11-01"), day("2026-11-10"))));
    let expected_first = dataset
        .notices
        .iter()
        .filter(|n| n.cft_issue_date >= day("2026-11-01") && n.cft_issue_date <= day("2026-11-10"))
        .count();
    // The open-ended window also returns anything dated later, so at least these are stored.
    assert!(first.notices >= expected_first);

    let before = server.requests();
    let (report, second) = crawl(&store, &src, &options("2026-11-20")).await;
    assert_eq!(
        second.range,
        Some((day("2026-11-07"), day("2026-11-20"))),
        "newest marked day 11-10 minus 3"
    );
    let in_nov = dataset
        .notices
        .iter()
        .filter(|n| n.cft_issue_date >= day("2026-11-01"))
        .count();
    assert_eq!(stored_ids(&store, &dataset), in_nov);
    assert_eq!(
        report.records_new, 0,
        "the open-ended first window already had the later days"
    );
    assert!(
        report.records_unchanged > 0,
        "the overlap is harvested again: {report:?}"
    );
    assert!(server.requests() > before);
    let first_query = &server.queries()[before];
    assert!(
        first_query.contains("CFT_Issue_Date=2026-11-07%2F"),
        "{first_query}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_persistent_error_is_reported_and_its_days_are_asked_again() {
    let dataset = kkj_data_default();
    // The first window fails twice (the retry too).
    let server = KkjServer::start(
        &dataset,
        KkjServerOptions {
            fail_requests: vec![1, 2],
        },
    )
    .await
    .unwrap();
    let store = Mutex::new(Store::in_memory().unwrap());
    let src = source(&server.api_url(), "from_date = \"2026-11-16\"");
    let (report, stats) = crawl(&store, &src, &options("2026-11-20")).await;
    assert_eq!(report.errors.get("kkj_error"), Some(&1), "{report:?}");
    assert!(
        report.messages.iter().any(|m| m.contains("internal error")),
        "{:?}",
        report.messages
    );
    assert_eq!(stats.days_marked, 0);
    assert_eq!(stats.notices, 0);

    // Nothing was marked, so the next run starts again at from_date and gets everything.
    let (_, again) = crawl(&store, &src, &options("2026-11-20")).await;
    assert_eq!(again.range, Some((day("2026-11-16"), day("2026-11-20"))));
    let expected: HashSet<_> = dataset
        .notices
        .iter()
        .filter(|n| n.cft_issue_date >= day("2026-11-16"))
        .map(|n| n.key.clone())
        .collect();
    assert_eq!(again.notices, expected.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lg_codes_restrict_the_harvest_to_prefectures() {
    let dataset = kkj_data_default();
    let server = KkjServer::start(&dataset, KkjServerOptions::default())
        .await
        .unwrap();
    let store = Mutex::new(Store::in_memory().unwrap());
    let src = source(
        &server.api_url(),
        "from_date = \"2026-09-28\"\nlg_codes = [\"13\", \"36\"]",
    );
    let (_, stats) = crawl(&store, &src, &options("2026-10-05")).await;
    let expected = dataset
        .notices
        .iter()
        .filter(|n| {
            n.cft_issue_date >= day("2026-09-28")
                && matches!(n.lg_code.as_deref(), Some("13" | "36"))
        })
        .count();
    assert_eq!(stats.notices, expected);
    assert!(
        server
            .queries()
            .iter()
            .all(|q| q.starts_with("LG_Code=13%2C36"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fixture_source_file_crawls_through_the_crawler() {
    let dataset = kkj_data_default();
    let server = KkjServer::start(&dataset, KkjServerOptions::default())
        .await
        .unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sources/kkj.toml");
    let vars = HashMap::from([("fixture:kkj".to_string(), server.base_url.clone())]);
    let src = parse_source(&path, &std::fs::read_to_string(&path).unwrap(), &vars).unwrap();
    let store = Mutex::new(Store::in_memory().unwrap());
    let fetcher = api_fetcher();
    let report = crawler::crawl::Crawler::new(&fetcher, &store)
        .crawl_source(&src)
        .await;
    assert_eq!(report.status, "ok", "{report:?}");
    let from = src.from_date.unwrap();
    let expected = dataset
        .notices
        .iter()
        .filter(|n| n.cft_issue_date >= from)
        .count();
    assert_eq!(report.records_new as usize, expected, "{report:?}");
    assert!(
        report
            .messages
            .iter()
            .any(|m| m.starts_with("kkj ") && m.contains("requests")),
        "{:?}",
        report.messages
    );
}
