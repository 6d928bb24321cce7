//! The HTTP interface of tenders (axum): the JSON API, the Japanese web UI, health and metrics.
//!
//! It depends on the indexer only and never links the crawler or an HTTP client. Build the
//! router with [`router`] and serve it with [`serve`]; tests call the router in-process.

mod error;
mod handlers;
pub mod params;
mod ui;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::routing::get;

use indexer::index::Index;
use indexer::store::Store;

pub use error::ApiError;

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    /// The search index.
    pub index: Index,
    /// The store, for whole records.
    pub store: Arc<Mutex<Store>>,
}

impl AppState {
    /// State over an index and a store.
    pub fn new(index: Index, store: Store) -> AppState {
        AppState { index, store: Arc::new(Mutex::new(store)) }
    }
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(ui::search_page))
        .route("/records/{id}", get(ui::record_page))
        .route("/api/search", get(handlers::search))
        .route("/api/records/{id}", get(handlers::record))
        .route("/healthz", get(handlers::healthz))
        .fallback(handlers::not_found)
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(tower_http::cors::CorsLayer::new().allow_methods([axum::http::Method::GET]).allow_origin(tower_http::cors::Any))
        .with_state(state)
}

/// Serves the application on `addr` until `shutdown` resolves.
pub async fn serve(
    state: AppState,
    addr: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    serve_on(state, listener, shutdown).await
}

/// Serves the application on an already bound listener until `shutdown` resolves.
pub async fn serve_on(
    state: AppState,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state)).with_graceful_shutdown(shutdown).await
}

/// Today's date in Japan (JST, UTC+9): what "open" is measured against.
pub fn today_jst() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}
