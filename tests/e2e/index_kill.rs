//! `kill -9` of `tenders index` and `tenders index --rebuild` at random moments, again and
//! again: the index always opens, the last committed state stays searchable (a killed rebuild
//! leaves the previous content whole), and the next `tenders index` catches up to exactly the
//! store — nothing lost, nothing duplicated.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tenders::app::{DataDir, crawl, sources};
use tenders::config::Config;
use tenders::fixtures::FixtureServer;

use crate::common::fixtures;

fn index_command(data: &std::path::Path, rebuild: bool) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tenders"));
    cmd.arg("--data")
        .arg(data)
        .args(["index", "--batch", "10"])
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
    // How long the start-up (opening the store and index, loading the dictionary) and a whole
    // catch-up into an empty index take here, so that the kills land inside the work.
    let timed = |rebuild: bool| {
        let started = Instant::now();
        assert!(
            index_command(tmp.path(), rebuild)
                .status()
                .unwrap()
                .success()
        );
        started.elapsed().as_millis() as u64
    };
    let startup = timed(false);
    std::fs::remove_dir_all(data.index_path()).unwrap();
    let full = timed(false).max(startup + 1);
    let full_rebuild = timed(true).max(startup + 1);
    println!("start-up {startup} ms, a whole catch-up {full} ms, a rebuild {full_rebuild} ms");
    // Start from an empty index, so that the killed catch-ups have something to do.
    std::fs::remove_dir_all(data.index_path()).unwrap();
    let mut before = (0u64, 0u64);
    for round in 0..6 {
        let rebuild = round % 2 == 1;
        let mut child = index_command(tmp.path(), rebuild).spawn().unwrap();
        let work = if rebuild { full_rebuild } else { full };
        let after = startup + next() % (work - startup);
        std::thread::sleep(Duration::from_millis(after));
        child.kill().unwrap(); // SIGKILL, possibly mid-commit
        child.wait().unwrap();
        // Whatever was committed is readable and never more than the store holds.
        let index = data.open_index().unwrap();
        let now = (index.num_docs(), index.committed_seq().unwrap());
        assert!(
            now.0 <= total,
            "round {round}: {} documents for {total} records",
            now.0
        );
        if rebuild {
            // A rebuild commits once: either it finished, or the index is as it was.
            assert!(
                now == before || now.0 == total,
                "round {round}: a killed rebuild changed the index from {before:?} to {now:?}"
            );
        } else {
            assert!(
                now.0 >= before.0 && now.1 >= before.1,
                "round {round}: a catch-up went back from {before:?} to {now:?}"
            );
        }
        println!(
            "round {round} ({}): killed after {after} ms; {} of {total} documents committed",
            if rebuild { "rebuild" } else { "catch-up" },
            now.0
        );
        before = now;
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
