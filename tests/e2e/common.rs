//! Helpers shared by the end-to-end tests.

use std::path::{Path, PathBuf};

use serde_json::Value;

use tenders::app::DataDir;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The `Disallow:` prefixes of a site's robots.txt that apply to every crawler or to ours.
pub fn disallowed_prefixes(site_dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(site_dir.join("robots.txt")).unwrap_or_default();
    let mut applies = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or("").trim();
        if let Some(agent) = line
            .strip_prefix("User-agent:")
            .or_else(|| line.strip_prefix("user-agent:"))
        {
            let agent = agent.trim();
            applies = agent == "*" || agent.eq_ignore_ascii_case("tenders");
        } else if applies && let Some(path) = line.strip_prefix("Disallow:") {
            let path = path.trim();
            if !path.is_empty() {
                out.push(path.to_string());
            }
        }
    }
    out
}

pub struct Served {
    pub base: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub async fn serve(data: &DataDir) -> Served {
    let state = search_api::AppState::new(data.open_index().unwrap(), data.open_store().unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(search_api::serve_on(state, listener, async {
        let _ = rx.await;
    }));
    Served {
        base,
        shutdown: Some(tx),
    }
}

pub async fn get_json(url: &str) -> (u16, Value) {
    let resp = reqwest::get(url).await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap())
}
