//! `kill -9` of `tenders index --rebuild` at random moments, again and again: the index always
//! opens, the last committed state stays searchable, and the next `tenders index` catches up to
//! exactly the store — nothing lost, nothing duplicated.

use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tenders::app::{DataDir, crawl, sources};
use tenders::config::Config;
use tenders::fixtures::FixtureServer;

use crate::common::fixtures;

fn index_command(data: &std::path::Path, rebuild: bool) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tenders"));
    cmd.arg("--data")
        .arg(data)
        .args(["index", "--batch", "50"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if rebuild {
        cmd.arg("--rebuild");
    }
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_indexing_leaves_a_searchable_index_that_catches_up() {
    let fixtures = fixtures();
    let server = FixtureServer::start_all(&fixtures).await.unwrap();
    let sources = sources(&fixtures.join("sources"), &server.vars(), &[]).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::create(tmp.path()).unwrap();
    crawl(&Config::default(), &data, &sources).await.unwrap();
    let total = data.open_store().unwrap().count().unwrap();
    assert!(
        total > 500,
        "enough records to kill indexing half-way: {total}"
    );

    // A small deterministic generator, seeded from the clock and printed, picks the kill times.
    let mut seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("kill-time seed: {seed}");
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..6 {
        let mut child = index_command(tmp.path(), round % 2 == 0).spawn().unwrap();
        let after = 100 + next() % 1500;
        std::thread::sleep(Duration::from_millis(after));
        child.kill().unwrap(); // SIGKILL, possibly mid-commit
        child.wait().unwrap();
        // Whatever was committed is readable and never more than the store holds.
        let index = data.open_index().unwrap();
        let docs = index.num_docs();
        assert!(
            docs <= total,
            "round {round}: {docs} documents for {total} records"
        );
        println!("round {round}: killed after {after} ms; {docs} of {total} documents committed");
        drop(index);
    }
    let status = index_command(tmp.path(), false).status().unwrap();
    assert!(status.success());
    let index = data.open_index().unwrap();
    assert_eq!(
        index.num_docs(),
        total,
        "the index catches up to exactly the store"
    );
    let store = data.open_store().unwrap();
    assert_eq!(index.committed_seq().unwrap(), store.max_seq().unwrap());
    // And a search still finds the school-lunch notices.
    let resp = index
        .search(
            &indexer::index::SearchRequest::text("給食"),
            search_api::today_jst(),
        )
        .unwrap();
    assert!(resp.total >= 3, "{}", resp.total);
}
