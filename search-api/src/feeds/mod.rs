//! Feeds of a search: `/feeds/search.atom` (the newest matching records) and
//! `/feeds/deadlines.ics` (deadlines of the matching open notices). A saved search is just the
//! feed's URL: no accounts.

pub(crate) mod atom;
pub(crate) mod ics;

use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use indexer::index::{SearchRequest, Sort, Status};
use indexer::{Kind, Record};

use crate::data;
use crate::openapi::SearchParams;
use crate::params::{pairs, parse_search};
use crate::views::ErrorBody;
use crate::{ApiError, AppState, base_url};

/// Entries in an Atom feed unless `per_page` asks for fewer or more (at most 100).
const ATOM_ENTRIES: u32 = 50;
/// Most events in a calendar.
const ICS_EVENTS: usize = 1_000;

/// The stable id of a record's entry.
pub(crate) fn entry_id(id: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("urn:tenders:record:{encoded}")
}

/// The absolute URL of a record's page.
pub(crate) fn record_url(base: &str, id: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("{base}/records/{encoded}")
}

/// Midnight JST of a date, in UTC.
pub(crate) fn published_utc(date: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&(date.and_time(chrono::NaiveTime::MIN) - chrono::Duration::hours(9)))
}

/// The filters of a search as a canonical query string (sorted; no paging or order), for ids.
fn canonical_filters(pairs: &[(String, String)]) -> String {
    let mut kept: Vec<(&str, &str)> = pairs
        .iter()
        .filter(|(k, v)| {
            !v.trim().is_empty() && !matches!(k.as_str(), "page" | "per_page" | "sort")
        })
        .map(|(k, v)| (k.as_str(), v.trim()))
        .collect();
    kept.sort();
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(kept)
        .finish()
}

/// A human title for a search.
fn search_title(req: &SearchRequest) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(q) = &req.q {
        parts.push(format!("「{q}」"));
    }
    parts.extend(req.prefecture.iter().cloned());
    parts.extend(req.municipality.iter().cloned());
    parts.extend(req.category.iter().map(|c| c.label().to_string()));
    parts.extend(req.method.iter().map(|m| m.label().to_string()));
    if req.status == Some(Status::Open) {
        parts.push("受付中".into());
    }
    if parts.is_empty() {
        "すべての案件".to_string()
    } else {
        parts.join(" ")
    }
}

fn page_records(
    hits: &[indexer::index::Hit],
    mut records: std::collections::HashMap<String, Record>,
) -> Vec<Record> {
    hits.iter()
        .map(|h| {
            records
                .remove(&h.id)
                .unwrap_or_else(|| crate::export::record_from_hit(h))
        })
        .collect()
}

/// The newest matching records as Atom.
#[utoipa::path(
    get,
    path = "/feeds/search.atom",
    tag = "feeds",
    params(SearchParams),
    responses(
        (status = 200, description = "Atom feed, newest first (`per_page` entries, default 50)", content_type = "application/atom+xml"),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
    )
)]
pub(crate) async fn atom(
    State(state): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = pairs(query.as_deref());
    let mut req = parse_search(&pairs, &[])?;
    if !pairs
        .iter()
        .any(|(k, v)| k == "per_page" && !v.trim().is_empty())
    {
        req.per_page = ATOM_ENTRIES;
    }
    req.sort = Sort::Published;
    req.page = 1;
    let title = format!("tenders: {}", search_title(&req));
    let (resp, records) = data::search_with_records(&state, req).await?;
    let mut records = page_records(&resp.hits, records);
    atom::newest_first(&mut records);
    let base = base_url(&headers);
    let filters = canonical_filters(&pairs);
    let id = format!("urn:tenders:search:{filters}");
    let self_url = format!("{base}{uri}");
    let html_url = format!("{base}/?{filters}");
    let meta = atom::FeedMeta {
        title: &title,
        id: &id,
        self_url: &self_url,
        html_url: &html_url,
        base: &base,
    };
    let body = atom::render(&meta, &records);
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        body,
    )
        .into_response())
}

/// Deadlines of the matching open notices as iCalendar.
#[utoipa::path(
    get,
    path = "/feeds/deadlines.ics",
    tag = "feeds",
    params(SearchParams),
    responses(
        (status = 200, description = "iCalendar: one event per open notice with a known deadline, in Asia/Tokyo \
(`kind`, `status`, `sort` and paging are fixed)", content_type = "text/calendar"),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
    )
)]
pub(crate) async fn ics(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let pairs = pairs(query.as_deref());
    let mut req = parse_search(&pairs, &[])?;
    req.kind = Some(Kind::Notice);
    req.status = Some(Status::Open);
    req.sort = Sort::Deadline;
    req.per_page = indexer::index::search::MAX_PER_PAGE;
    let name = format!("入札締切: {}", search_title(&req));
    let mut records: Vec<Record> = Vec::new();
    for page in 1.. {
        req.page = page;
        let (resp, found) = data::search_with_records(&state, req.clone()).await?;
        let last = resp.hits.len() < req.per_page as usize;
        records.extend(page_records(&resp.hits, found));
        if last || records.len() >= ICS_EVENTS {
            break;
        }
    }
    records.truncate(ICS_EVENTS);
    let body = ics::render(&name, &base_url(&headers), &records, Utc::now());
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"deadlines.ics\"",
            ),
        ],
        body,
    )
        .into_response())
}
