//! Fixture sites served on 127.0.0.1 → polite crawl → store → index → HTTP search.

use serde_json::Value;

use crate::common::{disallowed_prefixes, fixtures, get_json, serve};

use tenders::app::{DataDir, crawl, sources};
use tenders::config::Config;
use tenders::fixtures::FixtureServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_index_and_search_the_fixture_sites() {
    let fixtures = fixtures();
    let server = FixtureServer::start_all(&fixtures).await.unwrap();
    let sources = sources(&fixtures.join("sources"), &server.vars(), &[]).unwrap();
    assert!(
        sources.len() >= 6,
        "expected the fixture sources, got {}",
        sources.len()
    );
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::create(tmp.path()).unwrap();
    let config = Config::default();

    let outcome = crawl(&config, &data, &sources).await.unwrap();
    let reports = &outcome.reports;
    for r in reports {
        assert_eq!(r.status, "ok", "{r:?}");
        assert!(r.records_new > 0, "{r:?}");
        assert_eq!(r.error_count(), 0, "{r:?}");
    }
    assert!(outcome.documents > 0);

    // robots.txt: no disallowed path was ever requested, and every site was asked for it first.
    let requests = server.requests();
    for site in server.bases.keys() {
        let site_requests: Vec<_> = requests.iter().filter(|r| &r.site == site).collect();
        assert_eq!(
            site_requests.first().map(|r| r.path.as_str()),
            Some("/robots.txt"),
            "{site}"
        );
        let disallowed = disallowed_prefixes(&fixtures.join("sites").join(site));
        assert!(!disallowed.is_empty(), "{site} should disallow something");
        for r in &site_requests {
            assert!(
                !disallowed.iter().any(|p| r.path.starts_with(p.as_str())),
                "{site}: disallowed {} was requested",
                r.path
            );
            assert!(
                r.user_agent.starts_with("tenders/"),
                "honest User-Agent, got {:?}",
                r.user_agent
            );
        }
    }
    let robots_skipped: u64 = reports.iter().map(|r| r.robots_skipped).sum();
    assert!(
        robots_skipped > 0,
        "the list pages link disallowed pages; they must be skipped"
    );

    // Golden files: every expected record is in the store with the right fields — the
    // Shift_JIS site's titles included, which proves the decoding.
    let store = data.open_store().unwrap();
    for source in &sources {
        if source.kind != crawler::source::SourceKind::Html {
            continue;
        }
        let expected_path = fixtures
            .join("expected")
            .join(format!("{}.json", source.id));
        let expected: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
        let stored = store.count_by_source().unwrap();
        let n = stored
            .iter()
            .find(|(id, _)| *id == source.id)
            .map(|(_, n)| *n)
            .unwrap_or(0);
        assert_eq!(n as usize, expected.len(), "{}: record count", source.id);
        for e in &expected {
            let case = e["case_number"].as_str().unwrap();
            let id = format!("{}:{case}", source.id);
            let r = store
                .get(&id)
                .unwrap()
                .unwrap_or_else(|| panic!("{id} missing"));
            assert_eq!(r.title, e["title"].as_str().unwrap(), "{id} title");
            assert_eq!(r.kind.as_str(), e["kind"].as_str().unwrap(), "{id} kind");
            let date = |w: &Option<indexer::When>| w.as_ref().map(|w| w.date.to_string());
            assert_eq!(
                date(&r.published).as_deref(),
                e["published"].as_str(),
                "{id} published"
            );
            assert_eq!(
                date(&r.deadline).as_deref(),
                e["deadline"].as_str(),
                "{id} deadline"
            );
            assert_eq!(
                r.estimated_price.as_ref().map(|m| m.yen),
                e["estimated_price"].as_u64(),
                "{id} estimated_price"
            );
            assert_eq!(
                r.amount.as_ref().map(|m| m.yen),
                e["amount"].as_u64(),
                "{id} amount"
            );
            assert_eq!(r.winner.as_deref(), e["winner"].as_str(), "{id} winner");
            assert_eq!(
                r.method.map(|m| m.label()),
                e["method"].as_str(),
                "{id} method"
            );
            assert_eq!(
                r.category.map(|c| c.label()),
                e["category"].as_str(),
                "{id} category"
            );
        }
    }

    // The API look-alikes: every KKJ notice from `from_date` on is stored once, with its credit
    // line; p-portal awards carry normalised winners and 法人番号 as strings.
    let kkj_source = sources.iter().find(|s| s.id == "kkj").unwrap();
    let from = kkj_source.from_date.unwrap();
    let dataset = crawler::testsupport::kkj_data::generate(&Default::default());
    let expected_kkj: std::collections::HashSet<&str> = dataset
        .notices
        .iter()
        .filter(|n| n.cft_issue_date >= from)
        .map(|n| n.key.as_str())
        .collect();
    let counts = store.count_by_source().unwrap();
    let count = |id: &str| {
        counts
            .iter()
            .find(|(s, _)| s == id)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    };
    assert!(
        count("kkj") as usize >= expected_kkj.len(),
        "kkj: {} stored, {} expected",
        count("kkj"),
        expected_kkj.len()
    );
    for key in expected_kkj.iter().take(200) {
        let r = store
            .get(&format!("kkj:{key}"))
            .unwrap()
            .unwrap_or_else(|| panic!("kkj notice {key} missing"));
        assert_eq!(
            r.attribution.as_deref(),
            Some("出典: 中小企業庁 官公需情報ポータルサイト")
        );
    }
    assert!(count("pportal") > 0);

    // Search over HTTP.
    let served = serve(&data).await;
    let (status, body) =
        get_json(&format!("{}/api/search?q=%E7%B5%A6%E9%A3%9F", served.base)).await;
    assert_eq!(status, 200, "{body}");
    let titles: Vec<&str> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["title"].as_str())
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("学校給食")),
        "給食 must find the school-lunch notice: {titles:?}"
    );
    for hit in body["hits"].as_array().unwrap() {
        let text = format!("{}{}", hit["title"], hit["snippet"]);
        assert!(
            text.contains("給食"),
            "every hit for 給食 mentions it: {hit}"
        );
    }
    assert!(body["facets"]["municipality"].is_array());
    assert!(
        body["total"].as_u64().unwrap() >= 2,
        "both sites have a 給食 notice: {body}"
    );

    // The Shift_JIS site's records are searchable by their own words.
    let (_, body) = get_json(&format!(
        "{}/api/search?municipality=072117&per_page=100",
        served.base
    ))
    .await;
    let expected: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(fixtures.join("expected/tamura-city.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        body["total"].as_u64(),
        Some(expected.len() as u64),
        "{body}"
    );

    // Bad input is a 400 naming the parameter, never a 500.
    let (status, body) = get_json(&format!("{}/api/search?per_page=1000", served.base)).await;
    assert_eq!(status, 400);
    assert!(body["error"].as_str().unwrap().contains("per_page"));

    // The web page is Japanese and shows the hit.
    let html = reqwest::get(format!("{}/?q=%E7%B5%A6%E9%A3%9F", served.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("<html lang=\"ja\">"));
    assert!(html.contains("学校給食"));

    // Backup and exports hold every record.
    let total = store.count().unwrap();
    let snapshot = tmp.path().join("snapshot.sqlite");
    tenders::app::backup(&data, &snapshot).unwrap();
    assert_eq!(
        indexer::store::Store::open(&snapshot)
            .unwrap()
            .count()
            .unwrap(),
        total
    );
    assert!(
        tenders::app::backup(&data, &snapshot).is_err(),
        "never overwrites"
    );
    let mut jsonl = Vec::new();
    let n = tenders::app::export(
        &data,
        tenders::app::ExportKind::Jsonl,
        "http://x",
        &mut jsonl,
    )
    .unwrap();
    assert_eq!(n, total);
    let lines: Vec<Value> = String::from_utf8(jsonl)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, total);
    let mut csv = Vec::new();
    tenders::app::export(&data, tenders::app::ExportKind::Csv, "http://x", &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with('\u{FEFF}'));
    assert_eq!(csv.lines().count() as u64, total + 1);
    let mut ocds = Vec::new();
    tenders::app::export(&data, tenders::app::ExportKind::Ocds, "http://x", &mut ocds).unwrap();
    let ocds: Value = serde_json::from_slice(&ocds).unwrap();
    assert_eq!(ocds["releases"].as_array().unwrap().len() as u64, total);

    // A second crawl finds nothing new and changes nothing.
    let again = crawl(&config, &data, &sources).await.unwrap();
    for r in &again.reports {
        assert_eq!(r.records_new + r.records_changed, 0, "{r:?}");
        assert!(r.status == "ok" || r.status == "empty", "{r:?}");
        assert_eq!(r.error_count(), 0, "{r:?}");
        if r.source != "pportal" {
            // Pages answered 304 or unchanged, or (KKJ) records found unchanged; p-portal only
            // asks for daily files it has not loaded yet, and finds none.
            assert!(
                r.not_modified + r.unchanged_pages + r.records_unchanged > 0,
                "{r:?}"
            );
        }
    }
}

#[test]
fn bad_config_is_reported_by_name() {
    let err = format!(
        "{:#}",
        Config::parse("data_dir = \"x\"\nlisten_addr = \"1\"").unwrap_err()
    );
    assert!(err.contains("listen_addr"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canary_checks_every_fixture_source() {
    let fixtures = fixtures();
    let server = FixtureServer::start_all(&fixtures).await.unwrap();
    let mut sources = sources(&fixtures.join("sources"), &server.vars(), &[]).unwrap();
    let fetcher = tenders::app::fetcher(&Config::default()).unwrap();
    for source in &sources {
        let canary = crawler::canary::check(&fetcher, source).await;
        assert!(canary.healthy, "{canary:?}");
        assert!(
            canary
                .sample_title
                .as_deref()
                .is_some_and(|t| !t.is_empty()),
            "{canary:?}"
        );
    }
    // A redesigned site — the list selector matches nothing — is reported, not crawled blindly.
    let mut broken = sources.remove(0);
    if let Some(list) = broken.list.as_mut() {
        list.item = "table.no-such-list tr".into();
    }
    let canary = crawler::canary::check(&fetcher, &broken).await;
    assert!(!canary.healthy);
    assert!(canary.message.contains("matched no items"), "{canary:?}");
}
