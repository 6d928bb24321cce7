//! Benchmark of the index: indexing throughput against raw lindera tokenisation, query latency
//! with facets, index size, peak RSS, and SQLite FTS5 (trigram) on the same corpus and queries.
//!
//! `cargo bench -p indexer --bench search -- [RECORDS] [--fts-rounds K]` (default 100000
//! records and 5 timed FTS5 rounds after one warm-up round; `--fts-rounds 1` runs each FTS5
//! query once, without warm-up, and `--fts-rounds 0` skips FTS5). `--query-rounds K` times the
//! tantivy queries K times (default 5); `--index-only` skips the two analysis phases, for
//! profiling the indexer (no ratio to raw lindera is printed then). Not a test: it prints
//! numbers and asserts nothing.
//!
//! The machine may be shared: besides wall-clock times, each phase prints the CPU time the
//! process spent in it (user + system, all threads), which load from other processes does not
//! inflate.

#![allow(missing_docs, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use indexer::index::bigram::BigramTokenizer;
use indexer::index::morph::MorphTokenizer;
use indexer::index::{Index, SearchRequest, Sort, Status};
use indexer::record;
use indexer::{Category, Method, Record};
use rusqlite::{Connection, params};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};

#[path = "../src/index/synthetic.rs"]
mod synthetic;

/// The allocator of the `tenders` binary, so the numbers are those users get.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const BATCH: usize = 10_000;
const SEED: u64 = 7;

/// Streams `n` synthetic records in batches (the corpus is never held whole in memory).
fn batches(n: usize, mut f: impl FnMut(&[Record])) {
    let mut rng = synthetic::Rng::new(SEED);
    let topics = synthetic::TOPICS;
    let mut batch = Vec::with_capacity(BATCH);
    for i in 0..n {
        let topic = &topics[i % topics.len()];
        let mut r = synthetic::record(topic, i / topics.len(), &mut rng);
        r.id = format!("{}-{i}", topic.key);
        batch.push(r);
        if batch.len() == BATCH {
            f(&batch);
            batch.clear();
        }
    }
    if !batch.is_empty() {
        f(&batch);
    }
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time (user + system) of this process so far, all threads included, from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which may contain spaces) start at field 3 (`state`);
    // utime and stime are fields 14 and 15, in clock ticks (100 per second on Linux).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn dir_bytes(dir: &std::path::Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A query of the mixed set: text plus filters, with its class.
struct BenchQuery {
    class: &'static str,
    req: SearchRequest,
}

fn query_set() -> Vec<BenchQuery> {
    let text = |q: &str| SearchRequest::text(q);
    let mut out = Vec::new();
    for q in [
        "給食",
        "空港",
        "清掃",
        "サーバ",
        "LED",
        "除草",
        "耐震",
        "翻訳",
        "ｼｽﾃﾑ",
        "子ども食堂",
    ] {
        out.push(BenchQuery {
            class: "one word",
            req: text(q),
        });
    }
    for q in [
        "学校給食調理",
        "給食 配送",
        "庁舎 清掃",
        "道路 補修",
        "体育館 屋根",
        "高齢者 見守り",
        "防災 備蓄",
    ] {
        out.push(BenchQuery {
            class: "several words",
            req: text(q),
        });
    }
    for q in ["\"学校給食\"", "\"舗装補修\"", "清掃 -庁舎", "給食 OR 配食"] {
        out.push(BenchQuery {
            class: "phrase/not/or",
            req: text(q),
        });
    }
    let filtered = |q: Option<&str>, pref: &str| SearchRequest {
        q: q.map(str::to_string),
        prefecture: vec![pref.to_string()],
        category: vec![Category::Services],
        status: Some(Status::Open),
        sort: Sort::Deadline,
        ..SearchRequest::default()
    };
    for (q, p) in [
        (Some("給食"), "東京都"),
        (Some("清掃"), "大阪府"),
        (None, "北海道"),
        (None, "神奈川県"),
    ] {
        out.push(BenchQuery {
            class: "filters+sort",
            req: filtered(q, p),
        });
    }
    out.push(BenchQuery {
        class: "filters+sort",
        req: SearchRequest {
            method: vec![Method::Proposal],
            amount_min: Some(5_000_000),
            sort: Sort::Amount,
            ..SearchRequest::default()
        },
    });
    out
}

fn text_len(r: &Record) -> usize {
    r.title.chars().count() + r.body.chars().count()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let n: usize = args
        .iter()
        .enumerate()
        .find(|(i, a)| a.parse::<usize>().is_ok() && (*i == 0 || !args[i - 1].ends_with("-rounds")))
        .and_then(|(_, a)| a.parse().ok())
        .unwrap_or(100_000);
    let fts_rounds = flag("--fts-rounds").unwrap_or(5);
    // For profiling the indexer alone: skips the analysis phases (no ratio is printed).
    let index_only = args.iter().any(|a| a == "--index-only");
    let today = NaiveDate::from_ymd_opt(2024, 6, 1).unwrap();
    println!("records: {n}");

    // 1. Raw lindera tokenisation of the same text, one thread.
    let segmenter = indexer::index::morph::segmenter().unwrap();
    let mut worker = segmenter.new_worker();
    let (mut chars, mut bytes, mut tokens) = (0usize, 0usize, 0usize);
    let mut lindera_time = Duration::ZERO;
    let mut lindera_cpu = 0.0;
    batches(n, |batch| {
        for r in batch {
            chars += text_len(r);
            bytes += r.title.len() + r.body.len();
        }
        if index_only {
            return;
        }
        let cpu = cpu_seconds();
        let started = Instant::now();
        for r in batch {
            tokens += worker.segment(&r.title).map(|t| t.len()).unwrap_or(0);
            tokens += worker.segment(&r.body).map(|t| t.len()).unwrap_or(0);
        }
        lindera_time += started.elapsed();
        lindera_cpu += cpu_seconds() - cpu;
    });
    let lindera_rps = n as f64 / lindera_time.as_secs_f64();
    println!(
        "lindera raw (1 thread): {:.1} s (cpu {lindera_cpu:.1} s), {:.0} records/s, {:.2} M chars/s, {:.1} MB/s, {tokens} tokens",
        lindera_time.as_secs_f64(),
        lindera_rps,
        chars as f64 / lindera_time.as_secs_f64() / 1e6,
        bytes as f64 / lindera_time.as_secs_f64() / 1e6,
    );

    // 1b. Our two analyzers, through the same tantivy token streams the indexer uses
    // (normalisation once per text, lindera with POS lookups, filters, bigrams), one thread:
    // the analysis cost of one document.
    let mut morph = TextAnalyzer::from(MorphTokenizer::new().unwrap());
    let mut bigram = TextAnalyzer::from(BigramTokenizer);
    let mut analyzer_time = Duration::ZERO;
    let mut analyzer_cpu = 0.0;
    let mut analyzer_tokens = 0usize;
    batches(if index_only { 0 } else { n }, |batch| {
        let cpu = cpu_seconds();
        let started = Instant::now();
        for r in batch {
            for text in [&r.title, &r.body] {
                for analyzer in [&mut morph, &mut bigram] {
                    let mut stream = analyzer.token_stream(text);
                    while stream.advance() {
                        analyzer_tokens += 1;
                    }
                }
            }
        }
        analyzer_time += started.elapsed();
        analyzer_cpu += cpu_seconds() - cpu;
    });
    println!(
        "our analyzers, morph + bigram (1 thread): {:.1} s (cpu {analyzer_cpu:.1} s = {:.2}× raw lindera cpu), {:.0} records/s, {analyzer_tokens} tokens",
        analyzer_time.as_secs_f64(),
        analyzer_cpu / lindera_cpu.max(1e-9),
        n as f64 / analyzer_time.as_secs_f64()
    );

    // 2. tantivy indexing (both analyzers on title and body) the way `tenders index --rebuild`
    // does it: one bulk load, one commit.
    let dir = tempfile::tempdir().unwrap();
    let index = Index::open_or_create(dir.path()).unwrap();
    // Adding a batch only queues its documents for the writer's threads, which go on indexing
    // while the next batch is generated: the whole load is timed, generation included, and the
    // time and CPU that generating the records takes alone (measured first) are subtracted.
    let (gen_time, gen_cpu) = {
        let cpu = cpu_seconds();
        let started = Instant::now();
        batches(n, |batch| {
            std::hint::black_box(batch);
        });
        (started.elapsed(), cpu_seconds() - cpu)
    };
    let cpu = cpu_seconds();
    let started = Instant::now();
    let mut load = index.bulk_load().unwrap();
    batches(n, |batch| load.add(batch).unwrap());
    load.commit(n as u64).unwrap();
    index.close_writer().unwrap();
    let index_time = started.elapsed().saturating_sub(gen_time);
    let index_cpu = cpu_seconds() - cpu - gen_cpu;
    println!(
        "(generating the records alone: {:.1} s, subtracted)",
        gen_time.as_secs_f64()
    );
    let index_rps = n as f64 / index_time.as_secs_f64();
    let index_bytes = dir_bytes(dir.path());
    let against_lindera = if index_only {
        format!("), {index_rps:.0} records/s")
    } else {
        format!(
            " = {:.1}× raw lindera cpu), {index_rps:.0} records/s ({:.0}% of raw lindera)",
            index_cpu / lindera_cpu.max(1e-9),
            100.0 * index_rps / lindera_rps,
        )
    };
    println!(
        "tantivy indexing: {:.1} s (cpu {index_cpu:.1} s{against_lindera}, {:.2} M chars/s, index {:.1} MB = {:.0} bytes/record, {} docs in {} segments",
        index_time.as_secs_f64(),
        chars as f64 / index_time.as_secs_f64() / 1e6,
        index_bytes as f64 / 1e6,
        index_bytes as f64 / n as f64,
        index.num_docs(),
        index.num_segments(),
    );

    // 3. Query latency with facets (each query: hits, snippets, all facet counts).
    let queries = query_set();
    for q in &queries {
        index.search(&q.req, today).unwrap(); // warm up
    }
    let rounds = flag("--query-rounds").unwrap_or(5);
    let mut by_class: Vec<(&str, Vec<Duration>)> = Vec::new();
    let mut all = Vec::new();
    for _ in 0..rounds {
        for q in &queries {
            let started = Instant::now();
            let resp = index.search(&q.req, today).unwrap();
            let elapsed = started.elapsed();
            std::hint::black_box(resp);
            all.push(elapsed);
            match by_class.iter_mut().find(|(c, _)| *c == q.class) {
                Some((_, v)) => v.push(elapsed),
                None => by_class.push((q.class, vec![elapsed])),
            }
        }
    }
    all.sort();
    println!(
        "tantivy queries ({} × {rounds}): p50 {:.2} ms, p99 {:.2} ms",
        queries.len(),
        ms(percentile(&all, 0.5)),
        ms(percentile(&all, 0.99))
    );
    for (class, v) in &mut by_class {
        v.sort();
        println!(
            "  {class:<14} p50 {:.2} ms  p99 {:.2} ms",
            ms(percentile(v, 0.5)),
            ms(percentile(v, 0.99))
        );
    }
    println!("peak RSS after tantivy: {:.0} MB", peak_rss_mb());
    drop(index);
    if fts_rounds == 0 {
        return;
    }

    // 4. SQLite FTS5 trigram baseline: same corpus, same queries (text part + facet GROUP BYs).
    let sqlite_dir = tempfile::tempdir().unwrap();
    let db_path = sqlite_dir.path().join("fts.db");
    let mut conn = Connection::open(&db_path).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;
         CREATE TABLE rec(id INTEGER PRIMARY KEY, rid TEXT, kind TEXT, prefecture TEXT, municipality TEXT,
                          category TEXT, method TEXT, published INTEGER, deadline INTEGER, amount INTEGER);
         CREATE INDEX rec_pref ON rec(prefecture);
         CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='trigram');",
    )
    .unwrap();
    let mut fts_time = Duration::ZERO;
    let mut rowid = 0i64;
    batches(n, |batch| {
        let started = Instant::now();
        let tx = conn.transaction().unwrap();
        {
            let mut ins = tx
                .prepare_cached("INSERT INTO rec VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)")
                .unwrap();
            let mut fts = tx
                .prepare_cached("INSERT INTO fts(rowid, title, body) VALUES (?1,?2,?3)")
                .unwrap();
            for r in batch {
                rowid += 1;
                let day = |w: &Option<record::When>| w.as_ref().map(|w| w.date.to_string());
                ins.execute(params![
                    rowid,
                    r.id,
                    r.kind.as_str(),
                    r.prefecture,
                    r.municipality,
                    r.category.map(|c| c.label()),
                    r.method.map(|m| m.label()),
                    day(&r.published),
                    day(&r.deadline),
                    r.amount
                        .as_ref()
                        .or(r.estimated_price.as_ref())
                        .map(|m| m.yen as i64),
                ])
                .unwrap();
                fts.execute(params![rowid, r.title, r.body]).unwrap();
            }
        }
        tx.commit().unwrap();
        fts_time += started.elapsed();
    });
    drop(conn);
    let fts_bytes = std::fs::metadata(&db_path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(sqlite_dir.path().join("fts.db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "sqlite fts5 trigram indexing: {:.1} s, {:.0} records/s (fts5 time / tantivy time = {:.2}), db {:.1} MB = {:.0} bytes/record",
        fts_time.as_secs_f64(),
        n as f64 / fts_time.as_secs_f64(),
        fts_time.as_secs_f64() / index_time.as_secs_f64(),
        fts_bytes as f64 / 1e6,
        fts_bytes as f64 / n as f64
    );
    let conn = Connection::open(&db_path).unwrap();
    let mut fts_all = Vec::new();
    let mut fts_by_class: Vec<(&str, Vec<Duration>)> = Vec::new();
    let warm_up = usize::from(fts_rounds > 1);
    for round in 0..fts_rounds + warm_up {
        for q in &queries {
            let started = Instant::now();
            sqlite_query(&conn, &q.req, today);
            let elapsed = started.elapsed();
            if round < warm_up {
                continue;
            }
            fts_all.push(elapsed);
            match fts_by_class.iter_mut().find(|(c, _)| *c == q.class) {
                Some((_, v)) => v.push(elapsed),
                None => fts_by_class.push((q.class, vec![elapsed])),
            }
        }
    }
    fts_all.sort();
    println!(
        "sqlite fts5 queries ({} × {fts_rounds}): p50 {:.2} ms, p99 {:.2} ms",
        queries.len(),
        ms(percentile(&fts_all, 0.5)),
        ms(percentile(&fts_all, 0.99))
    );
    for (class, v) in &mut fts_by_class {
        v.sort();
        let tantivy = by_class
            .iter()
            .find(|(c, _)| c == class)
            .map(|(_, t)| percentile(t, 0.5));
        println!(
            "  {class:<14} p50 {:.2} ms  p99 {:.2} ms  (fts5 p50 / tantivy p50 = {:.1}×)",
            ms(percentile(v, 0.5)),
            ms(percentile(v, 0.99)),
            tantivy.map_or(0.0, |t| percentile(v, 0.5).as_secs_f64()
                / t.as_secs_f64().max(1e-9)),
        );
    }
    println!("peak RSS overall: {:.0} MB", peak_rss_mb());
}

/// The FTS5 version of a request: a WHERE clause over the trigram index (LIKE for terms shorter
/// than three characters, which trigram MATCH cannot serve), then the count, the 20 first rows,
/// and one GROUP BY per facet — what a user of SQLite would write.
fn sqlite_query(conn: &Connection, req: &SearchRequest, today: NaiveDate) -> usize {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<String> = Vec::new();
    let mut use_match = Vec::new();
    if let Some(q) = &req.q {
        for word in q.split_whitespace() {
            if word == "OR" {
                continue;
            }
            let (neg, w) = word.strip_prefix('-').map_or((false, word), |w| (true, w));
            let w = w.trim_matches('"');
            let not = if neg { "NOT " } else { "" };
            if w.chars().count() >= 3 && !neg {
                use_match.push(format!("\"{w}\""));
            } else {
                args.push(format!("%{w}%"));
                let i = args.len();
                args.push(format!("%{w}%"));
                conds.push(format!(
                    "{not}(fts.title LIKE ?{i} OR fts.body LIKE ?{})",
                    i + 1
                ));
            }
        }
    }
    if !use_match.is_empty() {
        args.push(use_match.join(" AND "));
        conds.push(format!("fts MATCH ?{}", args.len()));
    }
    if !req.prefecture.is_empty() {
        args.push(req.prefecture[0].clone());
        conds.push(format!("rec.prefecture = ?{}", args.len()));
    }
    if !req.category.is_empty() {
        args.push(req.category[0].label().to_string());
        conds.push(format!("rec.category = ?{}", args.len()));
    }
    if !req.method.is_empty() {
        args.push(req.method[0].label().to_string());
        conds.push(format!("rec.method = ?{}", args.len()));
    }
    if let Some(min) = req.amount_min {
        conds.push(format!("rec.amount >= {min}"));
    }
    if req.status == Some(Status::Open) {
        args.push(today.to_string());
        conds.push(format!(
            "rec.kind = 'notice' AND rec.deadline >= ?{}",
            args.len()
        ));
    }
    let where_ = if conds.is_empty() {
        "1".to_string()
    } else {
        conds.join(" AND ")
    };
    let from = "fts JOIN rec ON rec.id = fts.rowid";
    let order = match req.sort {
        Sort::Deadline => "rec.deadline IS NULL, rec.deadline",
        Sort::Amount => "rec.amount IS NULL, rec.amount DESC",
        _ if !use_match.is_empty() => "fts.rank",
        _ => "rec.published DESC",
    };
    let p = rusqlite::params_from_iter(args.iter());
    let total: i64 = conn
        .query_row(
            &format!("SELECT count(*) FROM {from} WHERE {where_}"),
            p,
            |r| r.get(0),
        )
        .unwrap_or(0);
    let mut stmt = conn
        .prepare(&format!(
            "SELECT rec.rid, snippet(fts, 1, '<mark>', '</mark>', '…', 16) FROM {from} WHERE {where_} ORDER BY {order} LIMIT 20"
        ))
        .unwrap();
    let hits = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            r.get::<_, String>(0)
        })
        .unwrap()
        .count();
    for col in ["prefecture", "category", "method", "kind"] {
        let mut stmt = conn
            .prepare(&format!(
                "SELECT rec.{col}, count(*) FROM {from} WHERE {where_} GROUP BY rec.{col}"
            ))
            .unwrap();
        let _ = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                r.get::<_, i64>(1)
            })
            .unwrap()
            .count();
    }
    total as usize + hits
}
