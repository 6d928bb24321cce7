//! `tenders`: a searchable database of Japanese public tenders and award results.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};

use tenders::app::{self, DataDir};
use tenders::config::Config;

/// mimalloc: indexing allocates and frees many small buffers on several threads, where it
/// is markedly faster than the system allocator (see the benchmark in the README).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "tenders",
    version,
    about = "Japanese public tenders and award results: polite crawlers, Japanese search"
)]
struct Cli {
    /// Configuration file (optional; default tenders.toml).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory (store and index); overrides `data_dir` of the configuration.
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve bundled fixture sites on loopback, crawl and index them, and serve the API and web UI.
    Demo {
        /// Address to serve on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Fixtures directory (default: the one in this checkout).
        #[arg(long, value_name = "DIR")]
        fixtures: Option<PathBuf>,
    },
    /// One polite crawl pass over the configured sources, then index.
    Crawl {
        /// Only this source (repeatable).
        #[arg(long = "source", value_name = "ID")]
        sources: Vec<String>,
    },
    /// Bring the index up to date with the store.
    Index {
        /// Rebuild the index from scratch, replacing its content in one commit at the end
        /// (searches see the old content until then; a kill leaves it in place).
        #[arg(long)]
        rebuild: bool,
        /// Records per commit when catching up (a kill loses at most the batch in progress);
        /// records per store read when rebuilding.
        #[arg(long, default_value_t = indexer::index::DEFAULT_BATCH)]
        batch: usize,
    },
    /// Serve the API, feeds and web UI.
    Serve {
        /// Address to listen on (default: `listen` of the configuration).
        #[arg(long)]
        addr: Option<SocketAddr>,
    },
    /// The operator's daemon: scheduled crawls per source plus `serve`; stops cleanly on SIGTERM.
    Run {
        /// Crawl every source once at start, then follow the schedules.
        #[arg(long)]
        now: bool,
    },
    /// Write a consistent snapshot of the store (safe while crawling and serving). The index is
    /// derived: `tenders index --rebuild` recreates it from a restored store.
    Backup {
        /// The snapshot file to create.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Export every record as JSON lines, CSV or an OCDS release package.
    Export {
        /// Output format.
        #[arg(long, value_enum, default_value = "jsonl")]
        format: app::ExportKind,
        /// Output file (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Public URL of the server, for record links in CSV and OCDS (default: http://<listen>).
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Search from the terminal.
    Search(Box<SearchArgs>),
    /// Inspect sources.
    Sources {
        #[command(subcommand)]
        command: SourcesCommand,
    },
}

#[derive(Subcommand)]
enum SourcesCommand {
    /// List the configured sources with their last run.
    List,
    /// Canary-fetch one item per source and say which sources are healthy.
    Check {
        /// Only this source (repeatable).
        #[arg(long = "source", value_name = "ID")]
        sources: Vec<String>,
    },
}

#[derive(Args)]
struct SearchArgs {
    /// Keywords (Japanese works as typed: 給食, 清掃 -除草, "学校給食").
    query: Option<String>,
    /// Print the JSON response.
    #[arg(long)]
    json: bool,
    /// notice or award.
    #[arg(long)]
    kind: Option<String>,
    /// Prefecture name (repeatable).
    #[arg(long)]
    prefecture: Vec<String>,
    /// Municipality name or code (repeatable).
    #[arg(long)]
    municipality: Vec<String>,
    /// 物品, 工事 or 役務 (repeatable).
    #[arg(long)]
    category: Vec<String>,
    /// Method label, e.g. 一般競争入札 (repeatable).
    #[arg(long)]
    method: Vec<String>,
    /// open or closed.
    #[arg(long)]
    status: Option<String>,
    /// Deadline on or after (YYYY-MM-DD).
    #[arg(long)]
    deadline_from: Option<String>,
    /// Deadline on or before (YYYY-MM-DD).
    #[arg(long)]
    deadline_to: Option<String>,
    /// relevance, deadline, published or amount.
    #[arg(long)]
    sort: Option<String>,
    /// Page (1-based).
    #[arg(long)]
    page: Option<u32>,
    /// Results per page (≤ 100).
    #[arg(long)]
    per_page: Option<u32>,
}

impl SearchArgs {
    /// The same parameters the HTTP API takes, so both are validated by one parser.
    fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut one = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                pairs.push((k.to_string(), v));
            }
        };
        one("q", self.query.clone());
        one("kind", self.kind.clone());
        one("status", self.status.clone());
        one("deadline_from", self.deadline_from.clone());
        one("deadline_to", self.deadline_to.clone());
        one("sort", self.sort.clone());
        one("page", self.page.map(|p| p.to_string()));
        one("per_page", self.per_page.map(|p| p.to_string()));
        for (k, values) in [
            ("prefecture", &self.prefecture),
            ("municipality", &self.municipality),
            ("category", &self.category),
            ("method", &self.method),
        ] {
            pairs.extend(values.iter().map(|v| (k.to_string(), v.clone())));
        }
        pairs
    }
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                "warn,tenders=info,crawler=info,indexer=info,search_api=info".into()
            }),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    let config = match &cli.config {
        Some(path) => Config::load(path, true)?,
        None => Config::load(std::path::Path::new("tenders.toml"), false)?,
    };
    let data_root = cli.data.clone().unwrap_or_else(|| config.data_dir.clone());
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(run(cli.command, config, data_root))
}

async fn run(command: Command, config: Config, data_root: PathBuf) -> Result<()> {
    match command {
        Command::Demo { addr, fixtures } => {
            let fixtures = fixtures.unwrap_or_else(tenders::demo::default_fixtures_dir);
            tenders::demo::demo(&config, &data_root, &fixtures, addr).await
        }
        Command::Crawl { sources } => {
            let data = DataDir::create(&data_root)?;
            let sources = app::sources(&config.sources_dir, &Default::default(), &sources)?;
            app::crawl(&config, &data, &sources).await?.print();
            Ok(())
        }
        Command::Index { rebuild, batch } => {
            let data = DataDir::create(&data_root)?;
            let report = app::index(&data, rebuild, batch)?;
            println!(
                "{} records applied in {} commits; index at store sequence {}",
                report.applied, report.commits, report.committed_seq
            );
            Ok(())
        }
        Command::Serve { addr } => {
            let data = DataDir::create(&data_root)?;
            let addr = addr.unwrap_or(config.listen);
            eprintln!("serving on http://{addr}/");
            app::serve(&data, addr).await
        }
        Command::Run { now } => {
            let data = DataDir::create(&data_root)?;
            tenders::daemon::run(&config, &data, tenders::daemon::RunOptions { now }).await
        }
        Command::Backup { out } => {
            let data = DataDir::create(&data_root)?;
            app::backup(&data, &out)?;
            eprintln!("store snapshot written to {}", out.display());
            Ok(())
        }
        Command::Export {
            format,
            out,
            base_url,
        } => {
            let data = DataDir::create(&data_root)?;
            let base = base_url.unwrap_or_else(|| format!("http://{}", config.listen));
            let n = match out {
                Some(path) => {
                    let file = std::fs::File::create(&path)
                        .with_context(|| format!("cannot create {}", path.display()))?;
                    app::export(&data, format, &base, &mut std::io::BufWriter::new(file))?
                }
                None => app::export(
                    &data,
                    format,
                    &base,
                    &mut std::io::BufWriter::new(std::io::stdout().lock()),
                )?,
            };
            eprintln!("{n} records exported");
            Ok(())
        }
        Command::Search(args) => {
            let data = DataDir::create(&data_root)?;
            let req = search_api::params::parse_search(&args.pairs(), &[])?;
            let resp = app::search(&data, &req)?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&resp)?);
            } else {
                app::print_search(&resp);
            }
            Ok(())
        }
        Command::Sources {
            command: SourcesCommand::List,
        } => {
            let data = DataDir::create(&data_root)?;
            let sources = app::sources(&config.sources_dir, &Default::default(), &[])?;
            let store = data.open_store()?;
            println!(
                "{:<16} {:<8} {:>8} {:<12} {:<10} name",
                "id", "kind", "records", "last run", "health"
            );
            let counts = store.count_by_source()?;
            for s in sources {
                let n = counts
                    .iter()
                    .find(|(id, _)| *id == s.id)
                    .map(|(_, n)| *n)
                    .unwrap_or(0);
                let last = store.recent_runs(&s.id, 1)?.into_iter().next();
                let status = last
                    .as_ref()
                    .map(|r| r.status.clone())
                    .unwrap_or_else(|| "never".into());
                let report: serde_json::Value = last
                    .as_ref()
                    .and_then(|r| serde_json::from_str(&r.report).ok())
                    .unwrap_or_default();
                let health = report
                    .pointer("/health/status")
                    .and_then(|v| v.as_str())
                    .unwrap_or("-");
                println!(
                    "{:<16} {:<8} {:>8} {:<12} {:<10} {}",
                    s.id,
                    s.kind.as_str(),
                    n,
                    status,
                    health,
                    s.name
                );
                if let Some(reasons) = report.pointer("/health/reasons").and_then(|v| v.as_array())
                {
                    for reason in reasons.iter().filter_map(|r| r.as_str()) {
                        println!("{:<16} {reason}", "");
                    }
                }
            }
            Ok(())
        }
        Command::Sources {
            command: SourcesCommand::Check { sources },
        } => {
            let sources = app::sources(&config.sources_dir, &Default::default(), &sources)?;
            let fetcher = app::fetcher(&config)?;
            let canaries = futures_util::future::join_all(
                sources.iter().map(|s| crawler::canary::check(&fetcher, s)),
            )
            .await;
            let mut unhealthy = 0;
            for c in &canaries {
                let state = if c.healthy { "healthy" } else { "UNHEALTHY" };
                println!("{:<16} {:<9} {}", c.source, state, c.message);
                if let Some(t) = &c.sample_title {
                    println!("{:<16} {:<9} sample: {t}", "", "");
                }
                if !c.missing_fields.is_empty() {
                    println!(
                        "{:<16} {:<9} sample lacks: {}",
                        "",
                        "",
                        c.missing_fields.join(", ")
                    );
                }
                unhealthy += usize::from(!c.healthy);
            }
            if unhealthy > 0 {
                anyhow::bail!("{unhealthy} of {} sources unhealthy", canaries.len());
            }
            Ok(())
        }
    }
}
