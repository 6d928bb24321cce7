//! `tenders run`: the operator's daemon — scheduled crawls per source plus the API, with a
//! graceful shutdown on SIGTERM or Ctrl-C.
//!
//! Each source has its own task, so one source never has two runs at once, while sources run in
//! parallel (politeness is per host, inside the shared fetcher). After every run the index
//! catches up with the store. On shutdown, waiting stops, crawls in flight are cancelled — their
//! frontier is in the store, so the next start resumes them — the index commits, and the process
//! exits 0.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use chrono::Utc;
use tokio::sync::watch;

use crawler::crawl::Crawler;
use crawler::fetch::{Fetcher, HostStat};
use crawler::schedule::Schedule;
use crawler::source::SourceConfig;
use indexer::index::{DEFAULT_BATCH, Index};
use indexer::store::Store;

use crate::app::{self, DataDir, shutdown_signal};
use crate::config::Config;

/// Options of `tenders run`.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunOptions {
    /// Crawl every source once at start, then follow the schedules.
    pub now: bool,
}

struct Shared {
    fetcher: Fetcher,
    store: Mutex<Store>,
    index: Index,
}

/// Runs the daemon until SIGTERM or Ctrl-C.
pub async fn run(config: &Config, data: &DataDir, options: RunOptions) -> Result<()> {
    let sources = app::sources(&config.sources_dir, &HashMap::new(), &[])?;
    let mut scheduled = Vec::new();
    for source in sources {
        match Schedule::for_source(&source.id, source.schedule.as_deref()) {
            Ok(schedule) => scheduled.push((source, schedule)),
            Err(e) => eprintln!("skipping source {}: {e}", source.id),
        }
    }
    let shared = Arc::new(Shared {
        fetcher: app::fetcher(config)?,
        store: Mutex::new(data.open_store()?),
        index: data.open_index()?,
    });
    catch_up(&shared)?;

    let (stop_tx, stop_rx) = watch::channel(false);
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    eprintln!(
        "tenders run: serving on http://{}/ with {} scheduled sources",
        listener.local_addr()?,
        scheduled.len()
    );
    let fetcher = shared.fetcher.clone();
    let state = search_api::AppState::new(shared.index.clone(), data.open_store()?)
        .with_extra_metrics(Arc::new(move || crawler_metrics(&fetcher)));
    let server = tokio::spawn(search_api::serve_on(
        state,
        listener,
        stopped(stop_rx.clone()),
    ));

    let mut tasks = tokio::task::JoinSet::new();
    for (source, schedule) in scheduled {
        tasks.spawn(source_loop(
            shared.clone(),
            source,
            schedule,
            options,
            stop_rx.clone(),
        ));
    }

    shutdown_signal().await;
    eprintln!("tenders run: shutting down");
    let _ = stop_tx.send(true);
    while tasks.join_next().await.is_some() {}
    catch_up(&shared)?;
    shared
        .index
        .close_writer()
        .context("cannot commit the index")?;
    server
        .await
        .context("server task failed")?
        .context("server failed")?;
    eprintln!("tenders run: stopped cleanly");
    Ok(())
}

async fn stopped(mut stop: watch::Receiver<bool>) {
    while !*stop.borrow() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

fn catch_up(shared: &Shared) -> Result<()> {
    let store = shared
        .store
        .lock()
        .map_err(|_| anyhow::anyhow!("store lock poisoned"))?;
    shared
        .index
        .catch_up(&store, DEFAULT_BATCH)
        .context("indexing failed")?;
    Ok(())
}

async fn source_loop(
    shared: Arc<Shared>,
    source: SourceConfig,
    schedule: Schedule,
    options: RunOptions,
    stop: watch::Receiver<bool>,
) {
    let mut first = options.now;
    loop {
        if !first {
            let Some(next) = schedule.next_after(Utc::now()) else {
                tracing::error!(source = %source.id, schedule = schedule.expr(), "schedule has no next run");
                return;
            };
            tracing::info!(source = %source.id, next = %next, "next crawl scheduled");
            let wait = (next - Utc::now()).to_std().unwrap_or_default();
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = stopped(stop.clone()) => return,
            }
        }
        first = false;
        let crawler = Crawler::new(&shared.fetcher, &shared.store);
        tokio::select! {
            report = crawler.crawl_source(&source) => {
                tracing::info!(
                    source = %source.id,
                    status = %report.status,
                    new = report.records_new,
                    changed = report.records_changed,
                    errors = report.error_count(),
                    "crawl finished"
                );
                if let Err(e) = catch_up(&shared) {
                    tracing::error!(source = %source.id, error = %e, "indexing after the crawl failed");
                }
            }
            _ = stopped(stop.clone()) => {
                tracing::info!(source = %source.id, "crawl interrupted by shutdown; the next start resumes it");
                return;
            }
        }
    }
}

/// A per-host counter of the crawler: its name, its help text and its value in a [`HostStat`].
type HostCounter = (&'static str, &'static str, fn(&HostStat) -> u64);

/// The crawler's requests and bytes by host and status, as Prometheus text.
fn crawler_metrics(fetcher: &Fetcher) -> String {
    use std::fmt::Write as _;
    let stats = fetcher.host_stats();
    let counters: [HostCounter; 2] = [
        (
            "tenders_crawler_requests_total",
            "Requests the crawler made, by host and status.",
            |s| s.requests,
        ),
        (
            "tenders_crawler_response_bytes_total",
            "Body bytes the crawler received, by host and status.",
            |s| s.bytes,
        ),
    ];
    let mut out = String::new();
    for (name, help, value) in counters {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
        for s in &stats {
            let _ = writeln!(
                out,
                "{name}{{host=\"{}\",status=\"{}\"}} {}",
                s.host,
                s.status,
                value(s)
            );
        }
    }
    out
}
