//! The Japanese web UI: server-rendered HTML (askama templates in `search-api/templates/`) that
//! works without JavaScript, on a phone, and with a keyboard or a screen reader.
//!
//! - `/`: search form, facet sidebar with counts, results with highlighted snippets, paging,
//!   subscribe (Atom, iCalendar) and export links.
//! - `/records/{id}`: every field of one record, its source, attachments, the linked
//!   notice or award, and the credit line its source requires.
//! - `/stats`: award statistics as a table and an SVG chart.

pub(crate) mod chart;
pub(crate) mod format;
mod record;
mod search;
mod stats;

use askama::Template;
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

use crate::ApiError;

pub(crate) use record::record_page;
pub(crate) use search::search_page;
pub(crate) use stats::stats_page;

/// Renders a template, or an error page if rendering fails.
fn render(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, Html("<!DOCTYPE html><html lang=\"ja\"><title>エラー</title><p>内部エラー</p></html>"))
                .into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    message: String,
    credits: Vec<String>,
}

/// An HTML error page with the given status.
pub(crate) fn error_page(status: StatusCode, title: &str, message: &str) -> Response {
    let page = ErrorPage {
        title: title.to_string(),
        message: message.to_string(),
        credits: Vec::new(),
    };
    let mut resp = render(&page);
    *resp.status_mut() = status;
    resp
}

/// The HTML error page for an [`ApiError`].
pub(crate) fn api_error_page(e: &ApiError) -> Response {
    match e {
        ApiError::BadParam(p) => error_page(
            StatusCode::BAD_REQUEST,
            "検索条件が正しくありません",
            &format!("パラメータ「{}」: {}", p.param, p.message),
        ),
        ApiError::NotFound(_) => error_page(
            StatusCode::NOT_FOUND,
            "見つかりません",
            "該当するページまたは案件がありません。",
        ),
        other => error_page(other.status(), "エラー", &other.public_message()),
    }
}

/// Any other path: a JSON 404 under `/api/` and `/feeds/`, an HTML page elsewhere.
pub(crate) async fn not_found(uri: Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") || path.starts_with("/feeds/") {
        ApiError::NotFound(format!("no such path: {path}")).into_response()
    } else {
        api_error_page(&ApiError::NotFound(path.to_string()))
    }
}
