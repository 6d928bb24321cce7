//! JSON handlers: `/api/search`, `/api/records/{id}`, `/api/awards/stats`, `/healthz`.

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use serde_json::Value;

use indexer::Kind;

use crate::data::{self, RecordWithLink};
use crate::openapi::{SearchParams, StatsParams};
use crate::params::{pairs, parse_group_by, parse_search};
use crate::views::{AwardStatsView, ErrorBody, Health, SearchResponseView};
use crate::{ApiError, AppState};

/// Searches notices and awards.
#[utoipa::path(
    get,
    path = "/api/search",
    tag = "search",
    params(SearchParams),
    responses(
        (status = 200, description = "Matching records, one page, with facet counts", body = SearchResponseView),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
    )
)]
pub(crate) async fn search(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<SearchResponseView>, ApiError> {
    let req = parse_search(&pairs(query.as_deref()), &[])?;
    Ok(Json(data::search(&state, req).await?.into()))
}

/// The JSON of a record with its linked notice (`linked_notice_record`, for an award) or
/// award (`linked_award`, for a notice).
pub(crate) fn record_value(r: &RecordWithLink) -> Result<Value, ApiError> {
    let mut value =
        serde_json::to_value(&r.record).map_err(|e| ApiError::Internal(e.to_string()))?;
    let linked = serde_json::to_value(&r.linked).map_err(|e| ApiError::Internal(e.to_string()))?;
    if let Some(obj) = value.as_object_mut() {
        let key = if r.record.kind == Kind::Award {
            "linked_notice_record"
        } else {
            "linked_award"
        };
        obj.insert(key.to_string(), linked);
    }
    Ok(value)
}

/// One whole record.
#[utoipa::path(
    get,
    path = "/api/records/{id}",
    tag = "search",
    params(("id" = String, Path, description = "Record id, e.g. `kkj:0123`")),
    responses(
        (status = 200, description = "The whole record (every field of the record model, with the raw text \
each value was read from), plus `linked_award` (for a notice) or `linked_notice_record` (for an award)", body = Object),
        (status = 404, description = "No record with this id", body = ErrorBody),
    )
)]
pub(crate) async fn record(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    Ok(Json(record_value(&data::record(&state, id).await?)?))
}

/// Award statistics, grouped.
#[utoipa::path(
    get,
    path = "/api/awards/stats",
    tag = "statistics",
    params(StatsParams, SearchParams),
    responses(
        (status = 200, description = "Groups with n, total and median amount, median 落札率; overall n and period", body = AwardStatsView),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
    )
)]
pub(crate) async fn award_stats(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Json<AwardStatsView>, ApiError> {
    let pairs = pairs(query.as_deref());
    let req = parse_search(&pairs, &["group_by"])?;
    let group_by = parse_group_by(&pairs)?;
    Ok(Json(data::award_stats(&state, req, group_by).await?.into()))
}

/// Liveness, with the number of searchable documents.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub(crate) async fn healthz(State(state): State<AppState>) -> Json<Health> {
    Json(Health {
        status: "ok".to_string(),
        documents: state.index.num_docs(),
    })
}

/// One source as the last run left it.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SourceView {
    /// Source id.
    pub(crate) id: String,
    /// Records the store holds for it.
    pub(crate) records: u64,
    /// Status of the last run: `ok`, `empty`, `failed`, `unhealthy`, `running` or `interrupted`.
    status: String,
    /// Health after the last run: `healthy`, `stale` or `unhealthy`.
    pub(crate) health: Option<String>,
    /// Why it is not healthy.
    reasons: Vec<String>,
    /// When the last run started (RFC 3339).
    last_run_started: String,
    /// When it finished, if it did.
    last_run_finished: Option<String>,
    /// The last run's report (pages, 304s, robots skips, errors by kind, records new/changed …).
    #[schema(value_type = Object)]
    pub(crate) report: Value,
}

/// The sources list.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct SourcesView {
    /// Every source that has run.
    sources: Vec<SourceView>,
}

/// Sources with their health and last run, as stored by the crawler.
#[utoipa::path(get, path = "/api/sources", tag = "operations", responses((status = 200, body = SourcesView)))]
pub(crate) async fn sources(State(state): State<AppState>) -> Result<Json<SourcesView>, ApiError> {
    Ok(Json(SourcesView {
        sources: source_views(&state)?,
    }))
}

/// The latest run of every source, with its health.
pub(crate) fn source_views(state: &AppState) -> Result<Vec<SourceView>, ApiError> {
    let store = state
        .store
        .lock()
        .map_err(|_| ApiError::Internal("store lock poisoned".into()))?;
    let counts = store.count_by_source()?;
    let mut out = Vec::new();
    for run in store.latest_runs()? {
        let report: Value = serde_json::from_str(&run.report).unwrap_or(Value::Null);
        let health = report
            .pointer("/health/status")
            .and_then(Value::as_str)
            .map(str::to_string);
        let reasons = report
            .pointer("/health/reasons")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        out.push(SourceView {
            records: counts
                .iter()
                .find(|(id, _)| *id == run.source)
                .map(|(_, n)| *n)
                .unwrap_or(0),
            id: run.source,
            status: run.status,
            health,
            reasons,
            last_run_started: run.started_at.to_rfc3339(),
            last_run_finished: run.finished_at.map(|t| t.to_rfc3339()),
            report,
        });
    }
    Ok(out)
}
