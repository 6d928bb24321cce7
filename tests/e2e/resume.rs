//! `kill -9` at any point of `tenders crawl`, again and again: the next run finishes the job with no
//! record lost or duplicated, and no page that a killed run had stored is fetched again in full.

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tenders::app::DataDir;
use tenders::fixtures::{FixtureServer, LoggedRequest};

use crate::common::fixtures;

/// Writes the fixture sources with their placeholders filled in, and a `tenders.toml`.
pub fn write_config(dir: &Path, server: &FixtureServer, delay_ms: u64) -> std::path::PathBuf {
    let sources = dir.join("sources");
    std::fs::create_dir_all(&sources).unwrap();
    for entry in std::fs::read_dir(fixtures().join("sources")).unwrap() {
        let path = entry.unwrap().path();
        let mut text = std::fs::read_to_string(&path).unwrap();
        // The municipal sites only: the API look-alikes have tests of their own.
        if !text.contains("kind = \"html\"") {
            continue;
        }
        for (name, base) in server.vars() {
            text = text.replace(&format!("{{{{{name}}}}}"), &base);
        }
        text = text.replace("min_delay_ms = 50", &format!("min_delay_ms = {delay_ms}"));
        std::fs::write(sources.join(path.file_name().unwrap()), text).unwrap();
    }
    let config = dir.join("tenders.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = {:?}\nsources_dir = {:?}\n",
            dir.join("data").display(),
            sources.display()
        ),
    )
    .unwrap();
    config
}

/// Every expected record of every fixture site.
pub fn expected() -> Vec<serde_json::Value> {
    std::fs::read_dir(fixtures().join("expected"))
        .unwrap()
        .flat_map(|e| {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
            serde_json::from_str::<Vec<serde_json::Value>>(&text).unwrap()
        })
        .collect()
}

/// The pages that hold records (detail and results pages), by path.
fn record_pages() -> HashSet<String> {
    expected()
        .iter()
        .filter_map(|r| r["url_path"].as_str().map(str::to_string))
        .collect()
}

fn crawl_command(config: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tenders"));
    cmd.arg("--config")
        .arg(config)
        .arg("crawl")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Requests that are not robots.txt: the pages a crawl fetches.
fn page_requests(log: &[LoggedRequest]) -> Vec<LoggedRequest> {
    log.iter()
        .filter(|r| r.path != "/robots.txt")
        .cloned()
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_crawls_resume_without_loss_duplication_or_refetching() {
    let server = FixtureServer::start(&fixtures().join("sites"))
        .await
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &server, 80);

    let pages = record_pages();
    assert!(pages.len() > 30, "the golden files name the record pages");
    // Kill five times, each after a random number (2–7) of page requests, on the same data
    // directory. The seed is printed so a failure can be replayed.
    let data_dir = tmp.path().join("data");
    let mut stored_pages: HashSet<String> = HashSet::new();
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("kill-point seed: {seed}");
    let kill_points: Vec<usize> = (0..5)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            2 + (seed % 6) as usize
        })
        .collect();
    println!("killing after {kill_points:?} page requests");
    for kill_after in kill_points {
        let before = page_requests(&server.requests()).len();
        let mut child = crawl_command(&config).spawn().unwrap();
        let started = Instant::now();
        loop {
            if page_requests(&server.requests()).len() >= before + kill_after {
                break;
            }
            if let Some(status) = child.try_wait().unwrap() {
                panic!(
                    "crawl finished ({status}) before it could be killed after {kill_after} requests"
                );
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "crawl made no progress"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let run_requests = page_requests(&server.requests()).split_off(before);
        // A page whose record an earlier killed run had stored is never fetched in full again.
        for r in &run_requests {
            if !r.conditional && pages.contains(&r.path) {
                assert!(
                    !stored_pages.contains(&r.path),
                    "{} {} fetched in full again after a kill",
                    r.site,
                    r.path
                );
            }
        }
        let store = DataDir::create(&data_dir).unwrap().open_store().unwrap();
        for path in &pages {
            let stored = server
                .bases
                .values()
                .any(|base| store.url_state(&format!("{base}{path}")).unwrap().is_some());
            if stored {
                stored_pages.insert(path.clone());
            }
        }
    }
    assert!(!stored_pages.is_empty(), "the killed runs stored something");

    // The last run completes, again without fetching a stored page in full.
    let before = page_requests(&server.requests()).len();
    let status = crawl_command(&config).status().unwrap();
    assert!(status.success(), "final crawl failed: {status}");
    for r in page_requests(&server.requests()).split_off(before) {
        if !r.conditional && pages.contains(&r.path) {
            assert!(
                !stored_pages.contains(&r.path),
                "{} {} fetched in full again after a kill",
                r.site,
                r.path
            );
        }
    }

    let data = DataDir::create(&data_dir).unwrap();
    let store = data.open_store().unwrap();
    assert_eq!(
        store.count().unwrap() as usize,
        expected().len(),
        "records lost or duplicated"
    );
    for record in expected() {
        let path = record["url_path"].as_str().unwrap();
        let stored = server
            .bases
            .values()
            .any(|base| store.url_state(&format!("{base}{path}")).unwrap().is_some());
        assert!(stored, "{path} has no crawl state");
    }

    // The index agrees with the store.
    let index = data.open_index().unwrap();
    assert_eq!(index.num_docs() as usize, expected().len());
    let runs = store.recent_runs("mima-city", 20).unwrap();
    assert!(
        runs.iter().any(|r| r.status == "interrupted"),
        "killed runs are marked interrupted"
    );
    assert_eq!(runs.first().map(|r| r.status.as_str()), Some("ok"));
}
