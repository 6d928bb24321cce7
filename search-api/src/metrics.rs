//! `/metrics`: Prometheus text exposition of request counts and index size.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

/// Request counters, by route pattern and status code.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
}

impl Metrics {
    fn record(&self, route: &str, status: u16) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((route.to_string(), status)).or_default() += 1;
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
    let resp = next.run(req).await;
    state.metrics.record(&route, resp.status().as_u16());
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
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}
