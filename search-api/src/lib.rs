//! The HTTP interface of tenders (axum): the JSON API with its OpenAPI document, Atom and
//! iCalendar feeds, CSV and OCDS exports, the Japanese web UI, health and metrics.
//!
//! It depends on the indexer only and never links the crawler or an HTTP client. Build the
//! router with [`router`] and serve it with [`serve`]; tests call the router in-process.
//!
//! | module | routes |
//! |---|---|
//! | `api` | `/api/search`, `/api/records/{id}`, `/api/awards/stats`, `/healthz` |
//! | `export` | `/api/export.csv`, `/api/export.ocds.json` |
//! | `feeds` | `/feeds/search.atom`, `/feeds/deadlines.ics` |
//! | `ui` | `/`, `/records/{id}`, `/stats` |
//! | `openapi` | `/api/openapi.json` |
//! | `metrics` | `/metrics` |

mod api;
mod data;
mod error;
pub mod export;
mod feeds;
mod metrics;
mod openapi;
pub mod params;
mod ui;
mod views;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::{HeaderMap, Method, header};
use axum::routing::get;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use indexer::index::Index;
use indexer::store::Store;

pub use error::ApiError;
pub use metrics::Metrics;

/// Shared state of the handlers.
#[derive(Clone)]
pub struct AppState {
    /// The search index.
    pub index: Index,
    /// The store, for whole records.
    pub store: Arc<Mutex<Store>>,
    /// Request counters for `/metrics`.
    pub metrics: Arc<Metrics>,
    /// More Prometheus text appended to `/metrics` by the process that embeds the server (the
    /// daemon adds its crawler's requests by host and status).
    pub extra_metrics: Option<Arc<dyn Fn() -> String + Send + Sync>>,
}

impl AppState {
    /// State over an index and a store.
    pub fn new(index: Index, store: Store) -> AppState {
        AppState {
            index,
            store: Arc::new(Mutex::new(store)),
            metrics: Arc::new(Metrics::default()),
            extra_metrics: None,
        }
    }

    /// Appends the text `render` returns to every `/metrics` answer.
    pub fn with_extra_metrics(mut self, render: Arc<dyn Fn() -> String + Send + Sync>) -> AppState {
        self.extra_metrics = Some(render);
        self
    }
}

/// The documented routes and the OpenAPI document generated from them.
fn documented() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .routes(routes!(api::search))
        .routes(routes!(api::record))
        .routes(routes!(api::award_stats))
        .routes(routes!(export::csv))
        .routes(routes!(export::ocds))
        .routes(routes!(feeds::atom))
        .routes(routes!(feeds::ics))
        .routes(routes!(api::healthz))
        .routes(routes!(api::sources))
        .split_for_parts()
}

/// The application's routes.
pub fn router(state: AppState) -> Router {
    let (api, doc) = documented();
    let doc = Arc::new(doc);
    api.route(
        "/api/openapi.json",
        get(move || {
            let doc = doc.clone();
            async move { axum::Json(doc.as_ref().clone()) }
        }),
    )
    .route("/", get(ui::search_page))
    .route("/records/{id}", get(ui::record_page))
    .route("/stats", get(ui::stats_page))
    .route("/metrics", get(metrics::metrics))
    .fallback(ui::not_found)
    .layer(axum::middleware::from_fn_with_state(
        state.clone(),
        metrics::track,
    ))
    .layer(tower_http::compression::CompressionLayer::new())
    .layer(
        tower_http::cors::CorsLayer::new()
            .allow_methods([Method::GET, Method::HEAD])
            .allow_origin(tower_http::cors::Any)
            .expose_headers([
                header::CONTENT_DISPOSITION,
                header::HeaderName::from_static(export::TOTAL_HEADER),
                header::HeaderName::from_static(export::LIMIT_HEADER),
                header::HeaderName::from_static(export::TRUNCATED_HEADER),
            ]),
    )
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
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Today's date in Japan (JST, UTC+9): what "open" is measured against.
pub fn today_jst() -> chrono::NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(9)).date_naive()
}

/// The scheme and authority the client used, for absolute links in feeds and exports
/// (`Host`, and `X-Forwarded-Proto` from a reverse proxy).
pub(crate) fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let proto = match headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
    {
        Some("https") => "https",
        _ => "http",
    };
    format!("{proto}://{host}")
}
