//! Loopback look-alikes of the API sources, for tests and for `tenders demo` (cargo feature
//! `testsupport`).
//!
//! - [`kkj_server`]: the KKJ search API with its quirks, over a generated set of notices
//!   ([`kkj_data`]).
//! - [`pportal_server`]: the p-portal open-data downloads, serving the zips committed under
//!   `fixtures/pportal/` (made by [`pportal_data`]).
//!
//! Everything is invented for this project; no server here ever talks to the internet.

pub mod kkj_data;
pub mod kkj_server;
pub mod pportal_data;
pub mod pportal_server;

pub use kkj_data::{KkjDataset, KkjDatasetConfig, KkjNotice};
pub use kkj_server::{KkjServer, KkjServerOptions};
pub use pportal_server::PportalServer;

/// A look-alike server on a free loopback port; the server stops when this is dropped.
pub(crate) struct Loopback {
    /// `http://127.0.0.1:<port>`.
    pub(crate) base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Loopback {
    /// Serves `app`, plus a robots.txt that allows everything, on a free loopback port.
    pub(crate) async fn serve(app: axum::Router, name: &'static str) -> std::io::Result<Loopback> {
        let app = app.route(
            "/robots.txt",
            axum::routing::get(|| async { "User-agent: *\nAllow: /\n" }),
        );
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!(error = %e, server = name, "look-alike stopped");
            }
        });
        Ok(Loopback {
            base_url: format!("http://{addr}"),
            task,
        })
    }
}

impl Drop for Loopback {
    fn drop(&mut self) {
        self.task.abort();
    }
}
