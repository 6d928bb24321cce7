//! A loopback HTTP server for fetch tests that logs every request with its arrival time, and
//! the fetcher and source settings shared by the API-source tests.
#![allow(dead_code, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use crawler::fetch::{FetchConfig, Fetcher, HostScope};
use crawler::source::{SourceConfig, parse_source};
use url::Url;

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    /// Path and query.
    pub path: String,
    /// Arrival time (monotonic).
    pub at: Instant,
    /// Arrival time (wall clock), for HTTP-date comparisons.
    pub wall: SystemTime,
    /// Request headers.
    pub headers: HeaderMap,
}

impl Logged {
    /// A request header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

type Handler = dyn Fn(&Logged, usize) -> Response + Send + Sync;

/// A server on a loopback address with a request log.
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    log: Arc<Mutex<Vec<Logged>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    /// Starts a server on `ip` (e.g. `127.0.0.1`, `127.0.0.2`) on a free port. The handler gets
    /// the request and how many requests for the same path came before it.
    pub async fn start(
        ip: &str,
        handler: impl Fn(&Logged, usize) -> Response + Send + Sync + 'static,
    ) -> TestServer {
        let listener = tokio::net::TcpListener::bind(format!("{ip}:0"))
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        let log: Arc<Mutex<Vec<Logged>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let app_log = log.clone();
        let app = axum::Router::new().fallback(move |req: Request| {
            let log = app_log.clone();
            let handler = handler.clone();
            async move {
                let path = req
                    .uri()
                    .path_and_query()
                    .map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
                let entry = Logged {
                    path,
                    at: Instant::now(),
                    wall: SystemTime::now(),
                    headers: req.headers().clone(),
                };
                let seen = {
                    let mut log = log.lock().unwrap();
                    let seen = log.iter().filter(|l| l.path == entry.path).count();
                    log.push(entry.clone());
                    seen
                };
                handler(&entry, seen)
            }
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        TestServer { addr, log, task }
    }

    /// An absolute URL on this server.
    pub fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://{}{path}", self.addr)).unwrap()
    }

    /// A scope naming this server only.
    pub fn scope(&self) -> HostScope {
        HostScope::new(&[self.url("/")])
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Logged> {
        self.log.lock().unwrap().clone()
    }

    /// The paths requested so far, in arrival order.
    pub fn paths(&self) -> Vec<String> {
        self.requests().into_iter().map(|l| l.path).collect()
    }

    /// Requests for one path.
    pub fn requests_for(&self, path: &str) -> Vec<Logged> {
        self.requests()
            .into_iter()
            .filter(|l| l.path == path)
            .collect()
    }

    /// Gaps between consecutive arrivals.
    pub fn gaps(&self) -> Vec<Duration> {
        let reqs = self.requests();
        reqs.windows(2).map(|w| w[1].at - w[0].at).collect()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A response with a status, headers and body.
pub fn respond(status: u16, headers: &[(&str, &str)], body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = StatusCode::from_u16(status).unwrap();
    for (k, v) in headers {
        r.headers_mut().append(
            header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    r
}

/// A 200 text/html page.
pub fn html(body: impl Into<Body>) -> Response {
    respond(200, &[("content-type", "text/html; charset=utf-8")], body)
}

/// A 200 robots.txt.
pub fn robots(text: &'static str) -> Response {
    respond(200, &[("content-type", "text/plain")], text)
}

/// Fetch settings for tests: small back-offs, the default 1 s floor (which loopback sources
/// may go below) and a small jitter.
pub fn test_config() -> FetchConfig {
    FetchConfig {
        user_agent: "tenders/0.1 (+https://example.invalid/tenders/contact)".into(),
        backoff_base: Duration::from_millis(50),
        max_backoff: Duration::from_millis(200),
        connect_timeout: Duration::from_secs(2),
        read_timeout: Duration::from_secs(5),
        request_timeout: Duration::from_secs(10),
        ..FetchConfig::default()
    }
}

/// The fetcher of the API-source tests: no jitter, one attempt (the look-alikes' errors must
/// show in the reports, not be retried away).
pub fn api_fetcher() -> Fetcher {
    Fetcher::new(FetchConfig {
        user_agent: "tenders-test/0.1 (+https://example.invalid/contact)".into(),
        jitter: 0.0,
        max_attempts: 1,
        ..FetchConfig::default()
    })
    .unwrap()
}

/// An API source of `kind` at `base_url` with no pacing (loopback only), plus `extra` TOML.
pub fn api_source(kind: &str, name: &str, base_url: &str, extra: &str) -> SourceConfig {
    let text = format!(
        "id = \"{kind}\"\nname = \"{name}\"\nkind = \"{kind}\"\nbase_url = \"{base_url}\"\nmin_delay_ms = 0\n{extra}\n"
    );
    let file = format!("{kind}.toml");
    parse_source(
        std::path::Path::new(&file),
        &text,
        &std::collections::HashMap::new(),
    )
    .unwrap()
}
