//! Access to the index and the store from async handlers: every call runs on a blocking thread
//! (tantivy and SQLite work is synchronous and may be CPU-bound).

use std::collections::HashMap;

use indexer::index::{AwardStats, GroupBy, SearchRequest, SearchResponse};
use indexer::{Kind, Record};

use crate::{ApiError, AppState, today_jst};

/// Runs `f` with the state on a blocking thread.
async fn blocking<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || f(&state))
        .await
        .map_err(|e| ApiError::Internal(e.to_string()))?
}

/// Runs a search.
pub(crate) async fn search(
    state: &AppState,
    req: SearchRequest,
) -> Result<SearchResponse, ApiError> {
    blocking(state, move |s| Ok(s.index.search(&req, today_jst())?)).await
}

/// Computes award statistics.
pub(crate) async fn award_stats(
    state: &AppState,
    req: SearchRequest,
    group_by: GroupBy,
) -> Result<AwardStats, ApiError> {
    blocking(state, move |s| {
        Ok(s.index.award_stats(&req, group_by, today_jst())?)
    })
    .await
}

/// A record and the record it is linked to: for an award its notice, for a notice its award.
#[derive(Debug, Clone)]
pub(crate) struct RecordWithLink {
    /// The record.
    pub record: Record,
    /// The linked notice (of an award) or award (of a notice), when the store has it.
    pub linked: Option<Record>,
}

fn lock(state: &AppState) -> Result<std::sync::MutexGuard<'_, indexer::store::Store>, ApiError> {
    state
        .store
        .lock()
        .map_err(|_| ApiError::Internal("store lock poisoned".into()))
}

/// Fetches a record with its linked record; `NotFound` for an unknown id.
pub(crate) async fn record(state: &AppState, id: String) -> Result<RecordWithLink, ApiError> {
    blocking(state, move |s| {
        let store = lock(s)?;
        let record = store
            .get(&id)?
            .ok_or_else(|| ApiError::NotFound(format!("no record with id {id:?}")))?;
        let linked = match record.kind {
            Kind::Award => match &record.linked_notice {
                Some(link) => store.get(&link.id)?,
                None => None,
            },
            Kind::Notice => store.award_for_notice(&record.id)?,
        };
        Ok(RecordWithLink { record, linked })
    })
    .await
}

/// Fetches whole records by id (those the store has), keyed by id.
pub(crate) fn records_blocking(
    state: &AppState,
    ids: &[String],
) -> Result<HashMap<String, Record>, ApiError> {
    let store = lock(state)?;
    let mut out = HashMap::with_capacity(ids.len());
    for id in ids {
        if let Some(r) = store.get(id)? {
            out.insert(id.clone(), r);
        }
    }
    Ok(out)
}

/// Runs a search and fetches the whole records of its hits.
pub(crate) async fn search_with_records(
    state: &AppState,
    req: SearchRequest,
) -> Result<(SearchResponse, HashMap<String, Record>), ApiError> {
    blocking(state, move |s| {
        let resp = s.index.search(&req, today_jst())?;
        let ids: Vec<String> = resp.hits.iter().map(|h| h.id.clone()).collect();
        let records = records_blocking(s, &ids)?;
        Ok((resp, records))
    })
    .await
}

/// The distinct credit lines of `records`, in first-seen order.
pub(crate) fn attributions<'a>(records: impl IntoIterator<Item = &'a Record>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in records {
        if let Some(a) = &r.attribution
            && !out.contains(a)
        {
            out.push(a.clone());
        }
    }
    out
}
