//! `/metrics`: Prometheus text exposition of request counts and index size.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Upper bounds (seconds) of the search latency histogram's buckets.
const LATENCY_BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

/// Routes whose latency is a search's latency.
const SEARCH_ROUTES: [&str; 2] = ["/api/search", "/"];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; LATENCY_BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Request counters, by route pattern and status code, and the search latency histogram.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<Histogram>,
}

impl Metrics {
    fn record(&self, route: &str, status: u16) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((route.to_string(), status)).or_default() += 1;
        }
    }

    fn observe_search(&self, seconds: f64) {
        if let Ok(mut h) = self.latency.lock() {
            for (i, bound) in LATENCY_BUCKETS.iter().enumerate() {
                if seconds <= *bound {
                    h.counts[i] += 1;
                }
            }
            h.count += 1;
            h.sum += seconds;
        }
    }

    fn snapshot(&self) -> Vec<((String, u16), u64)> {
        self.requests
            .lock()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
            .unwrap_or_default()
    }
}

/// Middleware: counts every request by its route pattern (not its raw path, which would let
/// clients create unbounded label values).
pub(crate) async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "other".into());
    let started = std::time::Instant::now();
    let resp = next.run(req).await;
    state.metrics.record(&route, resp.status().as_u16());
    if SEARCH_ROUTES.contains(&route.as_str()) {
        state
            .metrics
            .observe_search(started.elapsed().as_secs_f64());
    }
    resp
}

fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// `GET /metrics`.
pub(crate) async fn metrics(State(state): State<AppState>) -> Response {
    let mut out = String::new();
    out.push_str("# HELP tenders_index_documents Searchable documents in the index.\n# TYPE tenders_index_documents gauge\n");
    let _ = writeln!(out, "tenders_index_documents {}", state.index.num_docs());
    out.push_str("# HELP tenders_http_requests_total HTTP requests served, by route and status.\n# TYPE tenders_http_requests_total counter\n");
    for ((route, status), n) in state.metrics.snapshot() {
        let _ = writeln!(
            out,
            "tenders_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
            label(&route)
        );
    }
    if let Ok(h) = state.metrics.latency.lock().map(|h| h.clone()) {
        out.push_str("# HELP tenders_search_duration_seconds Time to answer a search (API and web page).\n# TYPE tenders_search_duration_seconds histogram\n");
        for (bound, n) in LATENCY_BUCKETS.iter().zip(h.counts) {
            let _ = writeln!(
                out,
                "tenders_search_duration_seconds_bucket{{le=\"{bound}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "tenders_search_duration_seconds_bucket{{le=\"+Inf\"}} {}",
            h.count
        );
        let _ = writeln!(out, "tenders_search_duration_seconds_sum {}", h.sum);
        let _ = writeln!(out, "tenders_search_duration_seconds_count {}", h.count);
    }
    write_source_metrics(&state, &mut out);
    if let Some(extra) = &state.extra_metrics {
        out.push_str(&extra());
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

/// Per-source gauges from each source's latest stored run: health, records, and what the run did.
fn write_source_metrics(state: &AppState, out: &mut String) {
    let Ok(sources) = crate::api::source_views(state) else {
        return;
    };
    let gauges: [(&str, &str, &str); 9] = [
        (
            "tenders_source_records",
            "Records the store holds per source.",
            "",
        ),
        (
            "tenders_source_run_pages_fetched",
            "Pages fetched (200) by the latest run.",
            "/pages_fetched",
        ),
        (
            "tenders_source_run_not_modified",
            "304 responses in the latest run.",
            "/not_modified",
        ),
        (
            "tenders_source_run_robots_skipped",
            "URLs skipped by robots.txt in the latest run.",
            "/robots_skipped",
        ),
        (
            "tenders_source_run_records_new",
            "Records new in the latest run.",
            "/records_new",
        ),
        (
            "tenders_source_run_records_changed",
            "Records changed in the latest run.",
            "/records_changed",
        ),
        (
            "tenders_source_run_politeness_wait_seconds",
            "Time the latest run waited for politeness.",
            "/politeness_wait_ms",
        ),
        (
            "tenders_source_run_duration_seconds",
            "Wall time of the latest run.",
            "/duration_ms",
        ),
        ("tenders_source_run_errors", "Errors of the latest run.", ""),
    ];
    for (name, help, pointer) in gauges {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
        for s in &sources {
            let value = match name {
                "tenders_source_records" => s.records as f64,
                "tenders_source_run_errors" => s
                    .report
                    .get("errors")
                    .and_then(|e| e.as_object())
                    .map(|m| m.values().filter_map(|v| v.as_u64()).sum::<u64>() as f64)
                    .unwrap_or(0.0),
                _ => {
                    let raw = s
                        .report
                        .pointer(pointer)
                        .and_then(|v| v.as_f64())
                        .unwrap_or(0.0);
                    if pointer.ends_with("_ms") {
                        raw / 1000.0
                    } else {
                        raw
                    }
                }
            };
            let _ = writeln!(out, "{name}{{source=\"{}\"}} {value}", label(&s.id));
        }
    }
    let _ = writeln!(
        out,
        "# HELP tenders_source_healthy 1 when the source's latest run was healthy, 0 when stale or unhealthy.\n# TYPE tenders_source_healthy gauge"
    );
    for s in &sources {
        let healthy = u8::from(s.health.as_deref() == Some("healthy"));
        let _ = writeln!(
            out,
            "tenders_source_healthy{{source=\"{}\"}} {healthy}",
            label(&s.id)
        );
    }
    let _ = writeln!(
        out,
        "# HELP tenders_source_run_errors_by_kind Errors of the latest run by kind.\n# TYPE tenders_source_run_errors_by_kind gauge"
    );
    for s in &sources {
        if let Some(errors) = s.report.get("errors").and_then(|e| e.as_object()) {
            for (kind, n) in errors {
                let _ = writeln!(
                    out,
                    "tenders_source_run_errors_by_kind{{source=\"{}\",kind=\"{}\"}} {}",
                    label(&s.id),
                    label(kind),
                    n.as_u64().unwrap_or(0)
                );
            }
        }
    }
}
