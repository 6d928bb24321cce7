//! Loading the p-portal look-alike: the committed zips, the full and diff files, code tables,
//! winners, and incremental runs that fetch only what is new.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::NaiveDate;
use crawler::crawl::SourceReport;
use crawler::source::pportal::{self, PportalOptions};
use crawler::source::{SourceConfig, parse_source};
use crawler::testsupport::PportalServer;
use crawler::testsupport::pportal_data;
use indexer::store::Store;
use indexer::{Kind, Method};

mod common;
use common::{api_fetcher, api_source};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/pportal")
}

fn source(url: &str, from: &str) -> SourceConfig {
    api_source(
        "pportal",
        "調達ポータル 落札実績",
        url,
        &format!("from_date = \"{from}\""),
    )
}

fn opts(today: &str) -> PportalOptions {
    PportalOptions {
        today: Some(today.parse().unwrap()),
        ..PportalOptions::default()
    }
}

async fn crawl(
    store: &Mutex<Store>,
    src: &SourceConfig,
    o: &PportalOptions,
) -> (SourceReport, pportal::PportalStats) {
    let mut report = SourceReport::new(&src.id);
    let stats = pportal::crawl(&api_fetcher(), store, src, &mut report, o).await;
    (report, stats)
}

#[test]
fn committed_zips_match_the_generator() {
    let dir = fixtures();
    if std::env::var_os("REGENERATE_PPORTAL_FIXTURES").is_some() {
        pportal_data::write_fixtures(&dir).unwrap();
    }
    for (name, rows) in pportal_data::files() {
        let bytes = std::fs::read(dir.join(&name))
            .unwrap_or_else(|e| panic!("{name}: {e} (regenerate the fixtures)"));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut csv = String::new();
        std::io::Read::read_to_string(&mut archive.by_index(0).unwrap(), &mut csv).unwrap();
        assert_eq!(
            csv,
            pportal_data::csv_text(&name, &rows),
            "{name} is out of date: REGENERATE_PPORTAL_FIXTURES=1"
        );
        assert!(csv.starts_with('\u{FEFF}') && csv.ends_with("\r\n"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loads_the_full_and_diff_files_into_award_records() {
    let server = PportalServer::start(fixtures()).await.unwrap();
    let store = Mutex::new(Store::in_memory().unwrap());
    let src = source(&server.download_url(), "2025-04-01");
    let (report, stats) = crawl(&store, &src, &opts("2026-11-21")).await;

    // Both yearly files; diffs from the first of the month (the full file covers the rest).
    let files = server.requested_files();
    assert_eq!(
        &files[..2],
        [
            "successful_bid_record_info_all_2025.zip",
            "successful_bid_record_info_all_2026.zip"
        ]
    );
    assert_eq!(files.len(), 2 + 21, "{files:?}");
    assert_eq!(files[2], "successful_bid_record_info_diff_20261101.zip");
    assert_eq!(stats.files_loaded.len(), 6, "{stats:?}");
    assert_eq!(
        stats.files_missing.len(),
        21 - 4,
        "a missing day is not an error"
    );
    assert_eq!(report.error_count(), 0, "{report:?}");
    assert_eq!(stats.rows_rejected, 1, "the malformed line");
    assert!(
        report
            .messages
            .iter()
            .any(|m| m.contains("line") && m.contains("refused")),
        "{:?}",
        report.messages
    );

    let all_rows: usize = pportal_data::files().iter().map(|(_, r)| r.len()).sum();
    let s = store.lock().unwrap();
    // One record per row, except the re-awarded case (two rows, one award).
    assert_eq!(s.count().unwrap() as usize, all_rows - 1);
    assert_eq!(
        report.records_new as usize + report.records_changed as usize,
        all_rows
    );

    let spec = s.get("pportal:0000000000000496653").unwrap().unwrap();
    assert_eq!(spec.kind, Kind::Award);
    assert_eq!(spec.buyer.as_deref(), Some("デジタル庁"));
    assert_eq!(spec.method, Some(Method::OpenCompetitive));
    assert_eq!(spec.method_raw.as_deref(), Some("一般競争入札・最低価格"));
    assert_eq!(spec.winner.as_deref(), Some("Pole&Line合同会社"));
    assert_eq!(
        spec.winner_corporate_number.as_deref(),
        Some("7011003005763")
    );
    assert_eq!(spec.amount.as_ref().map(|m| m.yen), Some(31_389_000));
    assert_eq!(
        spec.published.as_ref().map(|w| w.date),
        NaiveDate::from_ymd_opt(2026, 4, 1)
    );
    assert_eq!(
        spec.title,
        "令和7年度デジタル人材採用に係る求人サービス等の利用支援"
    );

    // 複数落札: one award per winner.
    let id = |corp: u64| {
        format!(
            "pportal:0000000000000700001:{}",
            pportal_data::corporate_number(corp)
        )
    };
    let a = s.get(&id(20_200_400_002)).unwrap().unwrap();
    let b = s.get(&id(80_800_100_008)).unwrap().unwrap();
    assert_eq!(a.winner.as_deref(), Some("株式会社みなと清掃サービス"));
    assert_eq!(b.winner.as_deref(), Some("ミドリ建設株式会社"));
    assert_eq!(
        (
            a.amount.as_ref().unwrap().yen,
            b.amount.as_ref().unwrap().yen
        ),
        (4_180_000, 3_960_000)
    );
    assert_eq!(a.buyer.as_deref(), Some("内閣府"));

    // Re-awarded in the 11-10 diff: the later award is the record, the earlier one its history.
    let re = s.get("pportal:0000000000000700002").unwrap().unwrap();
    assert_eq!(
        re.published.as_ref().map(|w| w.date),
        NaiveDate::from_ymd_opt(2026, 11, 9)
    );
    assert_eq!(re.amount.as_ref().unwrap().yen, 8_250_000);
    assert_eq!(s.history("pportal:0000000000000700002").unwrap().len(), 1);

    // Unknown codes are kept visible, not guessed.
    let odd = s.get("pportal:0000000000000700003").unwrap().unwrap();
    assert_eq!(odd.buyer.as_deref(), Some("府省コード Z9"));
    assert_eq!(
        (odd.method, odd.method_raw.as_deref()),
        (None, Some("入札方式コード 8009999"))
    );

    // Rows without a winner, and 19-digit numbers kept as strings.
    let mut no_winner = 0;
    for (_, rows) in pportal_data::files() {
        for row in rows {
            let id = if row[5] == "8002050" {
                continue;
            } else {
                format!("pportal:{}", row[0])
            };
            let r = s.get(&id).unwrap().unwrap();
            assert_eq!(r.case_number.as_deref(), Some(row[0].as_str()));
            assert_eq!(r.id.len(), "pportal:".len() + 19);
            if row[6].is_empty() {
                no_winner += 1;
                assert_eq!(
                    (r.winner.as_ref(), r.winner_corporate_number.as_ref()),
                    (None, None)
                );
            }
        }
    }
    assert!(no_winner > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_fetches_only_what_may_have_changed() {
    let server = PportalServer::start(fixtures()).await.unwrap();
    let store = Mutex::new(Store::in_memory().unwrap());
    let src = source(&server.download_url(), "2026-04-01");
    crawl(&store, &src, &opts("2026-11-21")).await;
    let before = server.requests();

    let (report, stats) = crawl(&store, &src, &opts("2026-11-21")).await;
    let again: Vec<String> = server.requested_files()[before..].to_vec();
    // The full file is fresh and loaded diffs never change; only the last days' missing files
    // may still appear.
    assert!(
        again.iter().all(|f| f.contains("_diff_202611")),
        "{again:?}"
    );
    for f in &again {
        let day: u32 = f[f.len() - 6..f.len() - 4].parse().unwrap();
        assert!(day >= 18, "a settled day was asked again: {f}");
    }
    assert_eq!(stats.files_loaded.len(), 0);
    assert_eq!(report.records_new + report.records_changed, 0);

    // A month later the full file is checked again, conditionally: 304, nothing re-read.
    let later = crawl(
        &store,
        &src,
        &PportalOptions {
            full_reload_days: 0,
            ..opts("2026-11-21")
        },
    )
    .await;
    assert_eq!(later.0.not_modified, 1, "{:?}", later.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fixture_source_file_crawls_through_the_crawler() {
    let server = PportalServer::start(fixtures()).await.unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sources/pportal.toml");
    let vars = HashMap::from([("fixture:pportal".to_string(), server.base_url.clone())]);
    let src = parse_source(&path, &std::fs::read_to_string(&path).unwrap(), &vars).unwrap();
    let store = Mutex::new(Store::in_memory().unwrap());
    let fetcher = api_fetcher();
    let report = crawler::crawl::Crawler::new(&fetcher, &store)
        .crawl_source(&src)
        .await;
    assert_eq!(report.status, "ok", "{report:?}");
    assert_eq!(report.error_count(), 0, "{report:?}");
    // Whatever today is, both yearly files are loaded.
    let s = store.lock().unwrap();
    for (name, rows) in pportal_data::files()
        .into_iter()
        .filter(|(n, _)| n.contains("_all_"))
    {
        for row in rows.iter().filter(|r| r[5] != "8002050") {
            assert!(
                s.get(&format!("pportal:{}", row[0])).unwrap().is_some(),
                "{name}: {}",
                row[0]
            );
        }
    }
}
