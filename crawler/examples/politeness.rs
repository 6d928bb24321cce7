//! Politeness benchmark (not a test): many loopback hosts crawled in parallel at 1 req/s each.
//!
//! ```text
//! cargo run --release -p crawler --example politeness -- [--hosts 200] [--pages 60] [--delay-ms 1000]
//! ```
//!
//! The servers run in a child process (this binary with `--serve`), so the CPU time and peak
//! memory printed are the crawler's own. Each host serves a robots.txt and `pages` HTML pages;
//! one task per host fetches them all through one shared [`Fetcher`] with the source delay
//! `delay-ms`. The politeness bound for a host is one request per delay, so `n` requests need at
//! least `(n − 1) × delay`; the achieved fraction is that bound divided by the time actually
//! taken (first request start to last response).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crawler::fetch::{FetchConfig, FetchRequest, Fetched, Fetcher, HostScope};
use url::Url;

#[derive(Debug, Clone, Copy)]
struct Args {
    hosts: usize,
    pages: usize,
    delay: Duration,
    serve: bool,
}

fn parse_args() -> Args {
    let mut args = Args {
        hosts: 200,
        pages: 60,
        delay: Duration::from_millis(1000),
        serve: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        match arg.as_str() {
            "--hosts" => args.hosts = value().max(1) as usize,
            "--pages" => args.pages = value().max(1) as usize,
            "--delay-ms" => args.delay = Duration::from_millis(value()),
            "--serve" => args.serve = true,
            _ => {}
        }
    }
    args
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args = parse_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    if args.serve {
        runtime.block_on(serve(args.hosts))
    } else {
        runtime.block_on(crawl(args))
    }
}

/// Child process: `hosts` servers on 127.0.0.1, one port each; prints the ports, then serves
/// until stdin closes.
async fn serve(hosts: usize) -> Result<(), Box<dyn std::error::Error>> {
    let page_body: Arc<str> = Arc::from(
        format!(
            "<!DOCTYPE html><html lang=ja><head><meta charset=utf-8><title>入札公告一覧</title></head><body>{}</body></html>",
            "<tr><td>令和7年度 道路改良工事（第2工区）</td><td>一般競争入札</td><td>2025年4月1日</td></tr>".repeat(30)
        )
        .as_str(),
    );
    let mut ports = Vec::with_capacity(hosts);
    for _ in 0..hosts {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        ports.push(listener.local_addr()?.port());
        let body = page_body.clone();
        let app = axum::Router::new()
            .route(
                "/robots.txt",
                axum::routing::get(|| async { "User-agent: *\nDisallow: /admin/\nAllow: /\n" }),
            )
            .fallback(move || {
                let body = body.clone();
                async move {
                    (
                        [("content-type", "text/html; charset=utf-8")],
                        body.to_string(),
                    )
                }
            });
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
    }
    let mut out = std::io::stdout().lock();
    for port in ports {
        writeln!(out, "{port}")?;
    }
    writeln!(out, "READY")?;
    out.flush()?;
    drop(out);
    // serve until the parent closes our stdin (or dies)
    tokio::task::spawn_blocking(|| {
        let mut sink = String::new();
        while std::io::stdin()
            .read_line(&mut sink)
            .map(|n| n > 0)
            .unwrap_or(false)
        {}
    })
    .await?;
    Ok(())
}

struct HostResult {
    requests: usize,
    elapsed: Duration,
    waited: Duration,
    errors: usize,
}

async fn crawl(args: Args) -> Result<(), Box<dyn std::error::Error>> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["--serve", "--hosts", &args.hosts.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()?;
    let stdout = child
        .stdout
        .take()
        .ok_or("no stdout from the server process")?;
    let mut ports = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line?;
        if line == "READY" {
            break;
        }
        ports.push(line.trim().parse::<u16>()?);
    }
    if ports.len() != args.hosts {
        return Err(format!("server process started {} hosts", ports.len()).into());
    }

    let fetcher = Fetcher::new(FetchConfig::default())?;
    let config = fetcher.config().clone();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(ports.len());
    for port in ports {
        let fetcher = fetcher.clone();
        let delay = args.delay;
        let pages = args.pages;
        tasks.push(tokio::spawn(async move {
            let base = Url::parse(&format!("http://127.0.0.1:{port}/"))?;
            let scope = HostScope::new(std::slice::from_ref(&base));
            let mut result = HostResult {
                requests: 1, // robots.txt
                elapsed: Duration::ZERO,
                waited: Duration::ZERO,
                errors: 0,
            };
            let first = Instant::now();
            for i in 0..pages {
                let url = base.join(&format!("nyusatsu/kokoku/{i:04}.html"))?;
                let outcome = fetcher
                    .get(FetchRequest {
                        url: &url,
                        scope: &scope,
                        delay,
                        validators: None,
                    })
                    .await;
                match outcome {
                    Ok(Fetched::Page(page)) => {
                        result.requests += page.attempts as usize;
                        result.waited += page.waited;
                    }
                    Ok(Fetched::NotModified { waited, .. }) => {
                        result.requests += 1;
                        result.waited += waited;
                    }
                    Err(_) => result.errors += 1,
                }
            }
            result.elapsed = first.elapsed();
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(result)
        }));
    }
    let mut results = Vec::with_capacity(tasks.len());
    for task in tasks {
        results.push(task.await?.map_err(|e| e.to_string())?);
    }
    let wall = started.elapsed();
    let cpu = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| after - before);
    // closing stdin ends the server process; kill it if it lingers
    drop(child.stdin.take());
    std::thread::sleep(Duration::from_millis(200));
    if child.try_wait()?.is_none() {
        child.kill()?;
    }
    let _ = child.wait();

    let delay = args.delay.as_secs_f64();
    let total: usize = results.iter().map(|r| r.requests).sum();
    let errors: usize = results.iter().map(|r| r.errors).sum();
    let fractions: Vec<f64> = results
        .iter()
        .map(|r| (r.requests - 1) as f64 * delay / r.elapsed.as_secs_f64())
        .collect();
    let mean = fractions.iter().sum::<f64>() / fractions.len() as f64;
    let min = fractions.iter().copied().fold(f64::INFINITY, f64::min);
    let max = fractions.iter().copied().fold(0.0, f64::max);
    let waited: Duration = results.iter().map(|r| r.waited).sum();
    let per_host = results.iter().map(|r| r.requests).max().unwrap_or(1);
    // the fastest a polite crawl can be: every host's requests one delay apart, all in parallel
    let bound_wall = (per_host - 1) as f64 * delay;
    let rate = total as f64 / wall.as_secs_f64();
    let bound_rate = total as f64 / bound_wall.max(f64::MIN_POSITIVE);

    println!("politeness benchmark");
    println!(
        "  hosts {} × pages {} (+ robots.txt), source delay {:?}, jitter {:.0}%, global concurrency {}",
        args.hosts,
        args.pages,
        args.delay,
        config.jitter * 100.0,
        config.global_concurrency
    );
    println!(
        "  requests {total}, errors {errors}, wall {:.2} s",
        wall.as_secs_f64()
    );
    println!(
        "  achieved {rate:.1} req/s vs. bound {bound_rate:.1} req/s: {:.1}% overall (wall {:.2} s vs. {bound_wall:.2} s minimum)",
        100.0 * rate / bound_rate,
        wall.as_secs_f64()
    );
    println!(
        "  per host: achieved / bound = mean {:.1}%, min {:.1}%, max {:.1}%",
        100.0 * mean,
        100.0 * min,
        100.0 * max
    );
    println!(
        "  politeness wait reported by the fetcher: {:.0} s in total, {:.2} s per request",
        waited.as_secs_f64(),
        waited.as_secs_f64() / total.max(1) as f64
    );
    match cpu {
        Some(cpu) => println!(
            "  crawler CPU {cpu:.2} s ({:.1}% of one core, {:.0} µs per request)",
            100.0 * cpu / wall.as_secs_f64(),
            1e6 * cpu / total.max(1) as f64
        ),
        None => println!("  crawler CPU: /proc/self/stat unavailable"),
    }
    match peak_rss_kib() {
        Some(kib) => println!("  crawler peak RSS (VmHWM) {:.1} MiB", kib as f64 / 1024.0),
        None => println!("  crawler peak RSS: /proc/self/status unavailable"),
    }
    Ok(())
}

/// User + system CPU seconds of this process (Linux; clock ticks assumed 100 Hz, the kernel's
/// USER_HZ on every mainstream architecture).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

/// Peak resident set size in KiB (VmHWM).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
