//! JSON handlers: `/api/search`, `/api/records/{id}`, `/healthz`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde_json::{Value, json};

use indexer::Kind;
use indexer::index::{SearchRequest, SearchResponse};

use crate::params::{pairs, parse_search};
use crate::{ApiError, AppState, today_jst};

/// Runs a search on a blocking thread (tantivy work is CPU-bound).
pub(crate) async fn run_search(state: &AppState, req: SearchRequest) -> Result<SearchResponse, ApiError> {
    let index = state.index.clone();
    tokio::task::spawn_blocking(move || index.search(&req, today_jst()))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
        .map_err(ApiError::from)
}

/// `GET /api/search`.
pub(crate) async fn search(State(state): State<AppState>, RawQuery(query): RawQuery) -> Result<Json<SearchResponse>, ApiError> {
    let req = parse_search(&pairs(query.as_deref()), &[])?;
    Ok(Json(run_search(&state, req).await?))
}

/// A record with its linked notice or award, as JSON.
pub(crate) fn record_json(state: &AppState, id: &str) -> Result<Value, ApiError> {
    let store = state.store.lock().map_err(|_| ApiError::Internal("store lock poisoned".into()))?;
    let record = store.get(id)?.ok_or_else(|| ApiError::NotFound(format!("no record with id {id:?}")))?;
    let linked = match record.kind {
        Kind::Award => match &record.linked_notice {
            Some(link) => store.get(&link.id)?,
            None => None,
        },
        Kind::Notice => store.award_for_notice(&record.id)?,
    };
    let mut value = serde_json::to_value(&record).map_err(|e| ApiError::Internal(e.to_string()))?;
    if let Some(obj) = value.as_object_mut() {
        let key = if record.kind == Kind::Award { "linked_notice_record" } else { "linked_award" };
        obj.insert(key.to_string(), serde_json::to_value(linked).unwrap_or(Value::Null));
    }
    Ok(value)
}

/// `GET /api/records/{id}`.
pub(crate) async fn record(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(record_json(&state, &id)?))
}

/// `GET /healthz`: liveness, with the number of indexed documents.
pub(crate) async fn healthz(State(state): State<AppState>) -> Json<Value> {
    Json(json!({ "status": "ok", "documents": state.index.num_docs() }))
}

/// Anything else: a JSON 404.
pub(crate) async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::NotFound(format!("no such path: {}", uri.path()))
}
