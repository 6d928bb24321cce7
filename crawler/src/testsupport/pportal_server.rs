//! A look-alike of the p-portal open-data download endpoint on 127.0.0.1.
//!
//! `GET /pps-web-biz/UAB03/OAB0301?fileversion=v001&filename=<file>` answers the file of that
//! name from a directory (the zips under `fixtures/pportal/`), with an `ETag` and 304 for a
//! matching `If-None-Match`; any other name, or a missing file, is a 404, as a day without a
//! diff file is on the real portal. Requests are counted and logged.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use sha2::{Digest, Sha256};

use super::Loopback;

/// The download path of the real portal, below the look-alike's base URL.
pub const DOWNLOAD_PATH: &str = "/pps-web-biz/UAB03/OAB0301";

struct ServerState {
    dir: PathBuf,
    requests: AtomicUsize,
    log: Mutex<Vec<String>>,
}

/// A running look-alike; stops when dropped.
pub struct PportalServer {
    /// `http://127.0.0.1:<port>`.
    pub base_url: String,
    state: Arc<ServerState>,
    _server: Loopback,
}

impl PportalServer {
    /// Starts the look-alike serving the zips of `dir`.
    pub async fn start(dir: impl Into<PathBuf>) -> std::io::Result<PportalServer> {
        let state = Arc::new(ServerState {
            dir: dir.into(),
            requests: AtomicUsize::new(0),
            log: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route(DOWNLOAD_PATH, get(download))
            .with_state(state.clone());
        let server = Loopback::serve(app, "p-portal").await?;
        Ok(PportalServer {
            base_url: server.base_url.clone(),
            state,
            _server: server,
        })
    }

    /// The download endpoint, as a source's `base_url`.
    pub fn download_url(&self) -> String {
        format!("{}{DOWNLOAD_PATH}", self.base_url)
    }

    /// Download requests answered so far.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// The file names asked for, in order.
    pub fn requested_files(&self) -> Vec<String> {
        self.state.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

async fn download(
    State(state): State<Arc<ServerState>>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Response {
    state.requests.fetch_add(1, Ordering::SeqCst);
    let raw = raw.unwrap_or_default();
    let file = url::form_urlencoded::parse(raw.as_bytes())
        .find(|(k, _)| k == "filename")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if let Ok(mut log) = state.log.lock() {
        log.push(file.clone());
    }
    let safe = file.ends_with(".zip")
        && file
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.');
    let bytes = match safe.then(|| std::fs::read(state.dir.join(&file))) {
        Some(Ok(b)) => b,
        _ => return (StatusCode::NOT_FOUND, "not found").into_response(),
    };
    let etag = format!("\"{}\"", &hex::encode(Sha256::digest(&bytes))[..16]);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    let disposition = format!("attachment; filename=\"{file}\"");
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::ETAG, etag),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}
