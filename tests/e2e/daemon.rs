//! `tenders run`: crawls on start (`--now`), serves alongside, stops cleanly on SIGTERM mid-crawl
//! with exit 0, and a restart resumes and finishes the job.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use tenders::fixtures::FixtureServer;

use crate::common::{fixtures, get_json};
use crate::resume::{expected, write_config};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(config: &std::path::Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_tenders"))
        .arg("--config")
        .arg(config)
        .args(["run", "--now"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "tenders run did not stop after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

async fn wait_for<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let started = Instant::now();
    loop {
        if let Some(v) = probe().await {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_serves_crawls_and_stops_cleanly_on_sigterm() {
    let server = FixtureServer::start(&fixtures().join("sites"))
        .await
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let config = write_config(tmp.path(), &server, 120);
    let port = free_port();
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&format!("listen = \"127.0.0.1:{port}\"\n"));
    std::fs::write(&config, text).unwrap();
    let base = format!("http://127.0.0.1:{port}");

    // SIGTERM in the middle of the first crawl: exit 0.
    let mut daemon = start(&config);
    wait_for("the first pages", async || {
        (server.requests().len() > 12).then_some(())
    })
    .await;
    let status = terminate(&mut daemon);
    assert!(
        status.success(),
        "SIGTERM mid-crawl must exit 0, got {status}"
    );
    let fetched_before = server.requests().len();

    // A restart resumes and finishes; the API serves the result.
    let mut daemon = start(&config);
    let sources: Vec<Value> = wait_for("every source to finish a run", async || {
        let resp = reqwest::get(format!("{base}/api/sources")).await.ok()?;
        let body: Value = resp.json().await.ok()?;
        let sources = body["sources"].as_array()?.clone();
        let done = sources.len() == 4 && sources.iter().all(|s| s["status"] == "ok");
        done.then_some(sources)
    })
    .await;
    for s in &sources {
        assert_eq!(s["health"], "healthy", "{s}");
    }
    let (status, body) = get_json(&format!("{base}/api/search?per_page=1")).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["total"].as_u64(),
        Some(expected().len() as u64),
        "{body}"
    );
    assert!(server.requests().len() > fetched_before);

    // The metrics show every source healthy and the searches made.
    let metrics = reqwest::get(format!("{base}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("tenders_source_healthy{source=\"mima-city\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("tenders_search_duration_seconds_count"),
        "{metrics}"
    );
    let mima = server.bases["mima-city"].trim_start_matches("http://");
    assert!(
        metrics.contains(&format!(
            "tenders_crawler_requests_total{{host=\"{mima}\",status=\"200\"}}"
        )),
        "{metrics}"
    );
    assert!(
        metrics.contains("tenders_crawler_response_bytes_total"),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!("tenders_index_documents {}", expected().len())),
        "{metrics}"
    );

    let status = terminate(&mut daemon);
    assert!(
        status.success(),
        "SIGTERM when idle must exit 0, got {status}"
    );
}
