//! The commands of the `tenders` binary, wiring the crawler, the indexer and the search API.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crawler::crawl::{Crawler, SourceReport};
use crawler::fetch::{FetchConfig, Fetcher};
use crawler::source::{SourceConfig, load_sources};
use indexer::index::{DEFAULT_BATCH, SyncReport};
use indexer::index::{Index, SearchRequest, SearchResponse};
use indexer::store::Store;

use crate::config::Config;

/// Paths of the data directory.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// The data directory at `root`, created if needed.
    pub fn create(root: &Path) -> Result<DataDir> {
        std::fs::create_dir_all(root)
            .with_context(|| format!("cannot create data directory {}", root.display()))?;
        Ok(DataDir {
            root: root.to_path_buf(),
        })
    }

    /// The SQLite store file.
    pub fn store_path(&self) -> PathBuf {
        self.root.join("tenders.sqlite")
    }

    /// The index directory.
    pub fn index_path(&self) -> PathBuf {
        self.root.join("index")
    }

    /// Opens the store.
    pub fn open_store(&self) -> Result<Store> {
        Store::open(&self.store_path())
            .with_context(|| format!("cannot open the store {}", self.store_path().display()))
    }

    /// Opens (creating) the index.
    pub fn open_index(&self) -> Result<Index> {
        let path = self.index_path();
        std::fs::create_dir_all(&path)?;
        Index::open_or_create(&path)
            .with_context(|| format!("cannot open the index {}", path.display()))
    }
}

/// The fetcher configured from `tenders.toml`.
pub fn fetcher(config: &Config) -> Result<Fetcher> {
    let fetch = FetchConfig {
        user_agent: config.user_agent_header(),
        min_delay: Duration::from_millis(config.politeness.min_delay_ms),
        ..FetchConfig::default()
    };
    Fetcher::new(fetch).context("cannot set up the HTTP client")
}

/// Loads the sources of `dir`, reporting broken files on stderr; keeps those in `only` if given.
pub fn sources(
    dir: &Path,
    vars: &HashMap<String, String>,
    only: &[String],
) -> Result<Vec<SourceConfig>> {
    let loaded = load_sources(dir, vars)
        .with_context(|| format!("cannot read the sources directory {}", dir.display()))?;
    for err in &loaded.errors {
        eprintln!("skipping source file: {err}");
    }
    let mut sources = loaded.sources;
    if !only.is_empty() {
        for id in only {
            if !sources.iter().any(|s| &s.id == id) {
                bail!("no source with id {id:?} in {}", dir.display());
            }
        }
        sources.retain(|s| only.contains(&s.id));
    }
    Ok(sources)
}

/// What a crawl pass did.
#[derive(Debug, Clone)]
pub struct CrawlOutcome {
    /// One report per source.
    pub reports: Vec<SourceReport>,
    /// What the index sync did.
    pub synced: SyncReport,
    /// Documents in the index afterwards.
    pub documents: u64,
}

impl CrawlOutcome {
    /// Prints the reports as a table.
    pub fn print(&self) {
        print_reports(&self.reports, &self.synced, self.documents);
    }
}

/// One crawl pass over `sources`, then an index sync.
pub async fn crawl(
    config: &Config,
    data: &DataDir,
    sources: &[SourceConfig],
) -> Result<CrawlOutcome> {
    let fetcher = fetcher(config)?;
    let store = Mutex::new(data.open_store()?);
    let bars = ProgressBars::new(sources);
    let progress = |source: &str, done: u64, pending: u64| bars.update(source, done, pending);
    let mut crawler = Crawler::new(&fetcher, &store);
    if bars.enabled() {
        crawler = crawler.with_progress(&progress);
    }
    let reports = crawler.crawl_all(sources).await;
    bars.finish();
    let store = store
        .into_inner()
        .map_err(|_| anyhow::anyhow!("store lock poisoned"))?;
    let index = data.open_index()?;
    let synced = index
        .catch_up(&store, DEFAULT_BATCH)
        .context("indexing failed")?;
    Ok(CrawlOutcome {
        reports,
        synced,
        documents: index.num_docs(),
    })
}

/// Brings the index up to date with the store, or rebuilds it, committing every `batch` records.
pub fn index(data: &DataDir, rebuild_all: bool, batch: usize) -> Result<SyncReport> {
    let store = data.open_store()?;
    let index = data.open_index()?;
    let report = if rebuild_all {
        index.rebuild(&store, batch)
    } else {
        index.catch_up(&store, batch)
    };
    report.context("indexing failed")
}

/// Runs a search against the index.
pub fn search(data: &DataDir, req: &SearchRequest) -> Result<SearchResponse> {
    let index = data.open_index()?;
    index
        .search(req, search_api::today_jst())
        .context("search failed")
}

/// Serves the API and UI on `addr` until Ctrl-C or SIGTERM.
pub async fn serve(data: &DataDir, addr: SocketAddr) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    serve_on(data, listener).await
}

/// Serves on a bound listener until Ctrl-C or SIGTERM.
pub async fn serve_on(data: &DataDir, listener: tokio::net::TcpListener) -> Result<()> {
    let state = search_api::AppState::new(data.open_index()?, data.open_store()?);
    search_api::serve_on(state, listener, shutdown_signal())
        .await
        .context("server failed")
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// Prints per-source crawl reports as a table.
pub fn print_reports(reports: &[SourceReport], synced: &SyncReport, documents: u64) {
    println!(
        "{:<16} {:>8} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>8}",
        "source", "status", "pages", "304", "robots", "new", "chg", "same", "errors", "wait(s)"
    );
    for r in reports {
        println!(
            "{:<16} {:>8} {:>6} {:>6} {:>6} {:>6} {:>6} {:>7} {:>6} {:>8.1}",
            r.source,
            r.status,
            r.pages_fetched,
            r.not_modified,
            r.robots_skipped,
            r.records_new,
            r.records_changed,
            r.records_unchanged + r.unchanged_pages,
            r.error_count(),
            r.politeness_wait_ms as f64 / 1000.0
        );
        for (kind, n) in &r.errors {
            println!("    error {kind}: {n}");
        }
        for m in &r.messages {
            println!("    note: {m}");
        }
    }
    println!(
        "index: {} records applied, {documents} documents",
        synced.applied
    );
}

/// Prints search results for a terminal.
pub fn print_search(resp: &SearchResponse) {
    println!("{} 件", resp.total);
    for hit in &resp.hits {
        let deadline = hit
            .deadline
            .map(|d| d.to_string())
            .unwrap_or_else(|| "不明".into());
        println!(
            "- {}  [{}]  提出期限 {}  {}",
            hit.title,
            hit.buyer.as_deref().unwrap_or("-"),
            deadline,
            hit.id
        );
    }
}

/// Formats of `tenders export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportKind {
    /// One JSON record per line, every field (the store's own form).
    Jsonl,
    /// CSV, UTF-8 with a BOM, as `/api/export.csv`.
    Csv,
    /// An OCDS 1.1 release package, as `/api/export.ocds.json`.
    Ocds,
}

/// Writes every record of the store to `out`; returns how many.
pub fn export(
    data: &DataDir,
    kind: ExportKind,
    base_url: &str,
    out: &mut dyn std::io::Write,
) -> Result<u64> {
    let store = data.open_store()?;
    let mut failed: Option<indexer::store::StoreError> = None;
    let records = store.records(1000).map_while(|r| match r {
        Ok(r) => Some(r),
        Err(e) => {
            failed = Some(e);
            None
        }
    });
    let n = match kind {
        ExportKind::Jsonl => {
            let mut n = 0;
            for r in records {
                serde_json::to_writer(&mut *out, &r)?;
                out.write_all(b"\n")?;
                n += 1;
            }
            n
        }
        ExportKind::Csv => search_api::export::write_export(
            search_api::export::ExportFormat::Csv,
            records,
            base_url,
            out,
        )?,
        ExportKind::Ocds => search_api::export::write_export(
            search_api::export::ExportFormat::Ocds,
            records,
            base_url,
            out,
        )?,
    };
    if let Some(e) = failed {
        return Err(e).context("reading the store failed; the export is incomplete");
    }
    out.flush()?;
    Ok(n)
}

/// Writes a consistent snapshot of the store to `out` while crawls and the server keep running.
pub fn backup(data: &DataDir, out: &Path) -> Result<()> {
    if out.exists() {
        bail!("{} exists; choose a new file name", out.display());
    }
    data.open_store()?
        .backup_to(out)
        .with_context(|| format!("backup to {} failed", out.display()))
}

/// One progress bar per source when standard error is a terminal; nothing otherwise (the crawler
/// then logs its progress as plain lines).
struct ProgressBars {
    bars: Vec<(String, indicatif::ProgressBar)>,
}

impl ProgressBars {
    fn new(sources: &[SourceConfig]) -> ProgressBars {
        if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            return ProgressBars { bars: Vec::new() };
        }
        let multi = indicatif::MultiProgress::new();
        let style = indicatif::ProgressStyle::with_template(
            "{prefix:>16} [{bar:30}] {pos}/{len} pages {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> ");
        let bars = sources
            .iter()
            .map(|s| {
                let bar = multi.add(indicatif::ProgressBar::new(0));
                bar.set_style(style.clone());
                bar.set_prefix(s.id.clone());
                (s.id.clone(), bar)
            })
            .collect();
        ProgressBars { bars }
    }

    fn enabled(&self) -> bool {
        !self.bars.is_empty()
    }

    fn update(&self, source: &str, done: u64, pending: u64) {
        if let Some((_, bar)) = self.bars.iter().find(|(id, _)| id == source) {
            bar.set_length(done + pending);
            bar.set_position(done);
        }
    }

    fn finish(&self) {
        for (_, bar) in &self.bars {
            bar.finish();
        }
    }
}
