//! Serves the bundled fixture sites on loopback, one port per site, for the demo and the tests,
//! and (with [`FixtureServer::start_all`]) look-alikes of the KKJ search API and of p-portal's
//! award downloads.
//!
//! Each directory under `fixtures/sites/` is the document root of its own host
//! (`http://127.0.0.1:<port>/`), so each has its own robots.txt and its own politeness slot.
//! Files are served byte for byte (Shift_JIS pages stay Shift_JIS) with a `Content-Type` that has
//! no charset, like many municipal servers, and an `ETag` so that conditional GETs work. Every
//! request is logged with its time, so tests can check what the crawler asked for.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use anyhow::{Context, Result};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Request, Response, StatusCode, header};
use crawler::testsupport::kkj_data::{self, KkjDatasetConfig};
use crawler::testsupport::kkj_server::{KkjServer, KkjServerOptions};
use crawler::testsupport::pportal_server::PportalServer;

/// One logged request.
#[derive(Debug, Clone)]
pub struct LoggedRequest {
    /// The site (directory name).
    pub site: String,
    /// The request path and query.
    pub path: String,
    /// The User-Agent sent.
    pub user_agent: String,
    /// Whether it was a conditional GET (`If-None-Match` or `If-Modified-Since` sent).
    pub conditional: bool,
    /// When it arrived.
    pub at: Instant,
}

/// The running fixture sites.
pub struct FixtureServer {
    /// Site id → base URL (`http://127.0.0.1:<port>`).
    pub bases: HashMap<String, String>,
    log: Arc<Mutex<Vec<LoggedRequest>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    apis: Option<ApiLookalikes>,
}

/// The KKJ search API and p-portal download look-alikes (each stops when dropped).
pub struct ApiLookalikes {
    /// The KKJ look-alike, over a generated set of notices.
    pub kkj: KkjServer,
    /// The p-portal look-alike, serving `fixtures/pportal/`.
    pub pportal: PportalServer,
}

#[derive(Clone)]
struct SiteState {
    site: String,
    root: PathBuf,
    log: Arc<Mutex<Vec<LoggedRequest>>>,
}

impl FixtureServer {
    /// Starts one loopback server per directory of `sites_dir`.
    pub async fn start(sites_dir: &Path) -> Result<FixtureServer> {
        let log = Arc::new(Mutex::new(Vec::new()));
        let mut bases = HashMap::new();
        let mut tasks = Vec::new();
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(sites_dir)
            .with_context(|| format!("cannot read fixture sites in {}", sites_dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for root in dirs {
            let Some(site) = root
                .file_name()
                .and_then(|n| n.to_str())
                .map(str::to_string)
            else {
                continue;
            };
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
            let addr = listener.local_addr()?;
            let state = SiteState {
                site: site.clone(),
                root,
                log: log.clone(),
            };
            let app = Router::new().fallback(serve_file).with_state(state);
            tasks.push(tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, app).await {
                    tracing::error!(error = %e, "fixture server stopped");
                }
            }));
            bases.insert(site, format!("http://{addr}"));
        }
        Ok(FixtureServer {
            bases,
            log,
            tasks,
            apis: None,
        })
    }

    /// Starts the sites and the KKJ and p-portal look-alikes (`fixtures` is the fixtures
    /// directory: `sites/` and `pportal/` under it).
    pub async fn start_all(fixtures: &Path) -> Result<FixtureServer> {
        let mut server = FixtureServer::start(&fixtures.join("sites")).await?;
        let dataset = kkj_data::generate(&KkjDatasetConfig::default());
        let kkj = KkjServer::start(&dataset, KkjServerOptions::default()).await?;
        let pportal = PportalServer::start(fixtures.join("pportal")).await?;
        server.apis = Some(ApiLookalikes { kkj, pportal });
        Ok(server)
    }

    /// The API look-alikes, when started by [`FixtureServer::start_all`].
    pub fn apis(&self) -> Option<&ApiLookalikes> {
        self.apis.as_ref()
    }

    /// Placeholder values for source files: `fixture:<site>` → base URL, and `fixture:kkj`,
    /// `fixture:pportal` when the look-alikes run.
    pub fn vars(&self) -> HashMap<String, String> {
        let mut vars: HashMap<String, String> = self
            .bases
            .iter()
            .map(|(site, base)| (format!("fixture:{site}"), base.clone()))
            .collect();
        if let Some(apis) = &self.apis {
            vars.insert("fixture:kkj".into(), apis.kkj.base_url.clone());
            vars.insert("fixture:pportal".into(), apis.pportal.base_url.clone());
        }
        vars
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Drop for FixtureServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html",
        "txt" => "text/plain",
        "xml" => "application/xml",
        "csv" => "text/csv",
        "pdf" => "application/pdf",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xls" => "application/vnd.ms-excel",
        "zip" => "application/zip",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

async fn serve_file(State(state): State<SiteState>, req: Request<Body>) -> Response<Body> {
    let path = req.uri().path().to_string();
    let user_agent = header_str(req.headers(), header::USER_AGENT);
    if let Ok(mut log) = state.log.lock() {
        let path_and_query = req
            .uri()
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_else(|| path.clone());
        let conditional = req.headers().contains_key(header::IF_NONE_MATCH)
            || req.headers().contains_key(header::IF_MODIFIED_SINCE);
        log.push(LoggedRequest {
            site: state.site.clone(),
            path: path_and_query,
            user_agent,
            conditional,
            at: Instant::now(),
        });
    }
    let mut rel = PathBuf::new();
    for part in Path::new(path.trim_start_matches('/')).components() {
        match part {
            Component::Normal(p) => rel.push(p),
            _ => return status(StatusCode::BAD_REQUEST),
        }
    }
    let mut file = state.root.join(rel);
    if path.ends_with('/') || file.is_dir() {
        file = file.join("index.html");
    }
    let Ok(bytes) = tokio::fs::read(&file).await else {
        return status(StatusCode::NOT_FOUND);
    };
    let etag = format!("\"{:016x}\"", fnv1a(&bytes));
    if header_str(req.headers(), header::IF_NONE_MATCH) == etag {
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .header(header::ETAG, etag)
            .body(Body::empty())
            .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR));
    }
    Response::builder()
        .header(header::CONTENT_TYPE, content_type(&file))
        .header(header::ETAG, etag)
        .body(Body::from(bytes))
        .unwrap_or_else(|_| status(StatusCode::INTERNAL_SERVER_ERROR))
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> String {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

fn status(code: StatusCode) -> Response<Body> {
    let mut resp = Response::new(Body::empty());
    *resp.status_mut() = code;
    resp
}

/// FNV-1a, for ETags.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
