//! Exports of a search, streamed page by page from the index: `/api/export.csv` (UTF-8 with a
//! BOM, so that Excel reads the Japanese) and `/api/export.ocds.json` (an OCDS 1.1 release
//! package). At most [`EXPORT_LIMIT`] rows; the response headers say how many matched and
//! whether the export was cut.

pub(crate) mod csv;
pub(crate) mod ocds;

use std::collections::HashMap;

use axum::body::{Body, Bytes};
use axum::extract::{OriginalUri, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};

use indexer::index::{Hit, SearchRequest, SearchResponse};
use indexer::{Money, Record, When};

use crate::data;
use crate::openapi::SearchParams;
use crate::params::{pairs, parse_search};
use crate::views::ErrorBody;
use crate::{ApiError, AppState, base_url};

/// Most rows in one export (the index serves results up to this rank).
pub const EXPORT_LIMIT: u64 = indexer::index::search::MAX_OFFSET as u64;
/// Response header: how many records matched.
pub const TOTAL_HEADER: &str = "x-total-count";
/// Response header: the most rows an export holds.
pub const LIMIT_HEADER: &str = "x-export-limit";
/// Response header: `true` when more records matched than the export holds.
pub const TRUNCATED_HEADER: &str = "x-export-truncated";

/// A record rebuilt from its index entry, for the rare hit whose record the store lacks.
pub(crate) fn record_from_hit(h: &Hit) -> Record {
    let mut r = Record::new(h.id.clone(), h.kind, "", h.url.clone(), h.title.clone());
    r.source = h.id.split(':').next().unwrap_or("").to_string();
    r.buyer = h.buyer.clone();
    r.prefecture = h.prefecture.clone();
    r.municipality = h.municipality.clone();
    r.municipality_code = h.municipality_code.clone();
    r.category = h.category;
    r.method = h.method;
    let when = |d: Option<chrono::NaiveDate>| {
        d.map(|date| When {
            date,
            time: None,
            raw: date.to_string(),
            evidence: None,
        })
    };
    r.published = when(h.published);
    r.deadline = when(h.deadline);
    let money = |y: Option<u64>| {
        y.map(|yen| Money {
            yen,
            tax: indexer::Tax::Unknown,
            raw: yen.to_string(),
        })
    };
    r.estimated_price = money(h.estimated_price);
    r.amount = money(h.amount);
    r.winner = h.winner.clone();
    r
}

/// How an export writes its records.
/// Formats of [`write_export`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// CSV, UTF-8 with a BOM (Excel reads the Japanese), the same columns as `/api/export.csv`.
    Csv,
    /// An OCDS 1.1 release package, as `/api/export.ocds.json`.
    Ocds,
}

/// Writes records in an export format outside HTTP (`tenders export`); returns how many.
/// Record links point under `base` (the public URL of the server).
pub fn write_export(
    format: ExportFormat,
    records: impl IntoIterator<Item = Record>,
    base: &str,
    out: &mut dyn std::io::Write,
) -> std::io::Result<u64> {
    let mut f: Box<dyn Format> = match format {
        ExportFormat::Csv => Box::new(csv::Csv::new(base.to_string())),
        ExportFormat::Ocds => Box::new(ocds::Package::new(
            base.to_string(),
            format!("{base}/api/export.ocds.json"),
            chrono::Utc::now(),
        )),
    };
    out.write_all(f.prefix().as_bytes())?;
    let mut n = 0;
    for r in records {
        out.write_all(f.record(&r).as_bytes())?;
        n += 1;
    }
    out.write_all(f.suffix().as_bytes())?;
    Ok(n)
}

pub(crate) trait Format: Send + 'static {
    /// Written before the first record.
    fn prefix(&mut self) -> String;
    /// One record.
    fn record(&mut self, r: &Record) -> String;
    /// Written after the last record.
    fn suffix(&mut self) -> String;
}

struct Pager<F: Format> {
    state: AppState,
    req: SearchRequest,
    format: F,
    first: Option<(SearchResponse, HashMap<String, Record>)>,
    sent: u64,
    limit: u64,
    finished: bool,
}

impl<F: Format> Pager<F> {
    fn render(&mut self, resp: &SearchResponse, mut records: HashMap<String, Record>) -> String {
        let mut out = String::new();
        for h in &resp.hits {
            if self.sent >= self.limit {
                break;
            }
            let r = records.remove(&h.id).unwrap_or_else(|| record_from_hit(h));
            out.push_str(&self.format.record(&r));
            self.sent += 1;
        }
        out
    }

    /// The next chunk of the body, or `None` when everything was sent.
    async fn next_chunk(&mut self) -> Option<Result<Bytes, std::io::Error>> {
        if self.finished {
            return None;
        }
        if let Some((resp, records)) = self.first.take() {
            let mut chunk = self.format.prefix();
            chunk.push_str(&self.render(&resp, records));
            if resp.hits.len() < self.req.per_page as usize {
                self.sent = self.limit;
            }
            return Some(Ok(Bytes::from(chunk)));
        }
        if self.sent >= self.limit {
            self.finished = true;
            return Some(Ok(Bytes::from(self.format.suffix())));
        }
        self.req.page += 1;
        match data::search_with_records(&self.state, self.req.clone()).await {
            Ok((resp, records)) => {
                let chunk = self.render(&resp, records);
                if resp.hits.len() < self.req.per_page as usize {
                    self.sent = self.limit;
                }
                Some(Ok(Bytes::from(chunk)))
            }
            Err(e) => {
                self.finished = true;
                tracing::error!(error = %e, "export failed mid-stream");
                Some(Err(std::io::Error::other(e.to_string())))
            }
        }
    }
}

/// Runs the first page, then streams the rest.
async fn stream<F: Format>(
    state: AppState,
    query: Option<&str>,
    make: impl FnOnce(&SearchRequest) -> F,
    content_type: &'static str,
    filename: &'static str,
) -> Result<Response, ApiError> {
    let mut req = parse_search(&pairs(query), &[])?;
    req.page = 1;
    req.per_page = indexer::index::search::MAX_PER_PAGE;
    let first = data::search_with_records(&state, req.clone()).await?;
    let total = first.0.total;
    let limit = total.min(EXPORT_LIMIT);
    let pager = Pager {
        format: make(&req),
        state,
        req,
        first: Some(first),
        sent: 0,
        limit,
        finished: false,
    };
    let body = Body::from_stream(futures_util::stream::unfold(pager, |mut p| async move {
        p.next_chunk().await.map(|chunk| (chunk, p))
    }));
    let mut resp = body.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(filename),
    );
    h.insert(TOTAL_HEADER, HeaderValue::from(total));
    h.insert(LIMIT_HEADER, HeaderValue::from(EXPORT_LIMIT));
    h.insert(
        TRUNCATED_HEADER,
        HeaderValue::from_static(if total > EXPORT_LIMIT {
            "true"
        } else {
            "false"
        }),
    );
    Ok(resp)
}

/// The matching records as CSV.
#[utoipa::path(
    get,
    path = "/api/export.csv",
    tag = "export",
    params(SearchParams),
    responses(
        (status = 200, description = "UTF-8 CSV with a BOM, one row per matching record (at most 10,000; \
`X-Total-Count`, `X-Export-Limit` and `X-Export-Truncated` tell whether rows were left out). `sort` applies; paging does not.",
            content_type = "text/csv"),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
    )
)]
pub(crate) async fn csv(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let base = base_url(&headers);
    stream(
        state,
        query.as_deref(),
        |_| csv::Csv::new(base),
        "text/csv; charset=utf-8",
        "attachment; filename=\"tenders.csv\"",
    )
    .await
}

/// The matching records as an OCDS 1.1 release package.
#[utoipa::path(
    get,
    path = "/api/export.ocds.json",
    tag = "export",
    params(SearchParams),
    responses(
        (status = 200, description = "OCDS 1.1 release package: one release per matching record (at most 10,000; \
see the `X-Export-*` headers). Notices are `tender` releases, awards `award` releases in the process of their notice.",
            content_type = "application/json"),
        (status = 400, description = "A parameter is wrong; the message names it", body = ErrorBody),
    )
)]
pub(crate) async fn ocds(
    State(state): State<AppState>,
    headers: HeaderMap,
    OriginalUri(uri): OriginalUri,
    RawQuery(query): RawQuery,
) -> Result<Response, ApiError> {
    let base = base_url(&headers);
    let package_uri = format!("{base}{uri}");
    stream(
        state,
        query.as_deref(),
        move |_| ocds::Package::new(base, package_uri, chrono::Utc::now()),
        "application/json",
        "attachment; filename=\"tenders-ocds.json\"",
    )
    .await
}
