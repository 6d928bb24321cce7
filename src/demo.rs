//! `tenders demo`: serve the bundled fixture sites on loopback, crawl them, index, and serve.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::app::{DataDir, crawl, serve_on, sources};
use crate::config::Config;
use crate::fixtures::FixtureServer;

/// The fixtures directory of this checkout (the demo is run from a clone).
pub fn default_fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Runs the demo: data goes to `<data>/demo`, so a real store next to it is never touched.
pub async fn demo(
    config: &Config,
    data_root: &Path,
    fixtures: &Path,
    addr: SocketAddr,
) -> Result<()> {
    let server = FixtureServer::start_all(fixtures).await?;
    if let Some(apis) = server.apis() {
        println!("fixture api  {:<14} {}/api/", "kkj", apis.kkj.base_url);
        println!("fixture api  {:<14} {}/", "pportal", apis.pportal.base_url);
    }
    for (site, base) in &server.bases {
        println!("fixture site {site:<14} {base}/");
    }
    let sources = sources(&fixtures.join("sources"), &server.vars(), &[])?;
    let data = DataDir::create(&data_root.join("demo"))?;
    println!(
        "crawling {} fixture sources into {} …",
        sources.len(),
        data_root.join("demo").display()
    );
    crawl(config, &data, &sources).await?.print();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let bound = listener.local_addr()?;
    println!();
    println!("tenders demo is ready: open http://{bound}/  (e.g. http://{bound}/?q=給食)");
    println!("JSON API: http://{bound}/api/search?q=給食   — press Ctrl-C to stop");
    serve_on(&data, listener).await
}
