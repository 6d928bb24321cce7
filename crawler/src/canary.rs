//! Canary checks: fetch one item per source and say whether the source still works.
//!
//! A canary writes nothing to the store. It catches a site redesign (selectors match nothing,
//! labels moved) before a scheduled crawl runs into it.

use serde::Serialize;
use url::Url;

use crate::crawl::DEFAULT_SOURCE_DELAY;
use crate::fetch::decode::decode_html;
use crate::fetch::{FetchError, FetchRequest, Fetched, Fetcher, HostScope, Page};
use crate::source::html::{ListReader, extract_detail};
use crate::source::{SourceConfig, SourceKind, kkj, pportal};

/// The outcome of a canary check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Canary {
    /// Source id.
    pub source: String,
    /// Whether the source yielded a usable item.
    pub healthy: bool,
    /// What was checked, or what went wrong.
    pub message: String,
    /// The sample item's title, when one was read.
    pub sample_title: Option<String>,
    /// Fields the sample item lacks among those a notice should have.
    pub missing_fields: Vec<String>,
}

impl Canary {
    fn unhealthy(source: &SourceConfig, message: impl Into<String>) -> Canary {
        Canary {
            source: source.id.clone(),
            healthy: false,
            message: message.into(),
            sample_title: None,
            missing_fields: Vec::new(),
        }
    }
}

/// How a fetch refused by robots.txt is reported.
const ROBOTS: &str = "robots.txt disallows it";

async fn fetch_page(
    fetcher: &Fetcher,
    url: &Url,
    scope: &HostScope,
    source: &SourceConfig,
) -> Result<Page, String> {
    let delay = source.delay().unwrap_or(DEFAULT_SOURCE_DELAY);
    match fetcher
        .get(FetchRequest {
            url,
            scope,
            delay,
            validators: None,
        })
        .await
    {
        Ok(Fetched::Page(page)) => Ok(page),
        Ok(Fetched::NotModified { .. }) => Err(format!("{url}: unexpected 304")),
        Err(e @ FetchError::DisallowedByRobots { .. }) => Err(format!("{ROBOTS}: {e}")),
        Err(e) => Err(e.to_string()),
    }
}

/// Checks one `html` source: its first list page must list items, and the first item's detail
/// page must yield a record with a title.
pub async fn check_html(fetcher: &Fetcher, source: &SourceConfig) -> Canary {
    let (Ok(starts), Some(list)) = (source.start_urls(), source.list.as_ref()) else {
        return Canary::unhealthy(source, "invalid start_urls or [list]");
    };
    let Some(first) = starts.first() else {
        return Canary::unhealthy(source, "no start_urls");
    };
    let reader = match ListReader::new(list) {
        Ok(r) => r,
        Err(e) => return Canary::unhealthy(source, e.to_string()),
    };
    let scope =
        HostScope::new(starts.iter()).with_hosts(source.allowed_hosts.iter().map(String::as_str));
    let page = match fetch_page(fetcher, first, &scope, source).await {
        Ok(p) => p,
        Err(e) => return Canary::unhealthy(source, e),
    };
    let html = decode_html(
        &page.body,
        page.content_type.as_deref(),
        source.encoding.as_deref(),
    );
    let listed = reader.read(&html.text, &page.url);
    if listed.items.is_empty() {
        return Canary::unhealthy(
            source,
            format!("{first}: the [list] item selector matched no items"),
        );
    }
    // The first item robots.txt lets us read (a list may link pages that are off limits).
    let mut read = None;
    for item in listed.items.iter().take(5) {
        match fetch_page(fetcher, &item.url, &scope, source).await {
            Ok(page) => {
                read = Some((item, page));
                break;
            }
            Err(e) if e.starts_with(ROBOTS) => continue,
            Err(e) => return Canary::unhealthy(source, e),
        }
    }
    let Some((item, detail)) = read else {
        return Canary::unhealthy(source, "robots.txt disallows the first five listed items");
    };
    let html = decode_html(
        &detail.body,
        detail.content_type.as_deref(),
        source.encoding.as_deref(),
    );
    let record = extract_detail(&html.text, &detail.url, source, item);
    let mut missing = Vec::new();
    if record.published.is_none() {
        missing.push("published".to_string());
    }
    if record.buyer.is_none() {
        missing.push("buyer".to_string());
    }
    if record.method.is_none() {
        missing.push("method".to_string());
    }
    let healthy = !record.title.is_empty();
    Canary {
        source: source.id.clone(),
        healthy,
        message: format!(
            "{} items on the first list page; read {}",
            listed.items.len(),
            item.url
        ),
        sample_title: Some(record.title),
        missing_fields: missing,
    }
}

/// Checks a `kkj` source: one small search over the last week must answer without `<Error>`
/// and parse into at least one notice with a title.
pub async fn check_kkj(fetcher: &Fetcher, source: &SourceConfig) -> Canary {
    let Some(mut url) = source.api_base() else {
        return Canary::unhealthy(source, "invalid base_url");
    };
    let since = kkj::today_jst() - chrono::Duration::days(7);
    url.query_pairs_mut()
        .clear()
        .append_pair("Query", &format!("NOT {}", kkj::MATCH_ALL_TOKEN))
        .append_pair("CFT_Issue_Date", &format!("{since}/"))
        .append_pair("Count", "1");
    let scope = HostScope::new([&url]);
    let page = match fetch_page(fetcher, &url, &scope, source).await {
        Ok(p) => p,
        Err(e) => return Canary::unhealthy(source, e),
    };
    let response = kkj::parse_response(&page.body, 10_000);
    if let Some(error) = response.error {
        return Canary::unhealthy(source, format!("the API answered <Error>{error}</Error>"));
    }
    let Some(first) = response.results.first() else {
        return Canary::unhealthy(
            source,
            format!(
                "no notices since {since} ({} hits)",
                response.hits.unwrap_or(0)
            ),
        );
    };
    let Some(record) = kkj::to_record(first, &source.id, &url) else {
        return Canary::unhealthy(source, "the first notice could not be read");
    };
    Canary {
        source: source.id.clone(),
        healthy: !record.title.is_empty(),
        message: format!("{} notices since {since}", response.hits.unwrap_or(0)),
        sample_title: Some(record.title),
        missing_fields: Vec::new(),
    }
}

/// Checks a `pportal` source: the newest daily diff of the last week (or this year's full
/// file) must download and parse.
pub async fn check_pportal(fetcher: &Fetcher, source: &SourceConfig) -> Canary {
    let Some(base) = source.api_base() else {
        return Canary::unhealthy(source, "invalid base_url");
    };
    let scope = HostScope::new([&base]);
    let today = kkj::today_jst();
    let mut candidates: Vec<String> = (1..=7)
        .map(|d| pportal::diff_file(today - chrono::Duration::days(d)))
        .collect();
    candidates.push(pportal::full_file(chrono::Datelike::year(&today)));
    let mut last_error = String::from("no file found");
    for file in candidates {
        let url = pportal::file_url(&base, &file);
        match fetch_page(fetcher, &url, &scope, source).await {
            Ok(page) => {
                return match pportal::read_zip(&page.body) {
                    Ok(parsed) => Canary {
                        source: source.id.clone(),
                        healthy: true,
                        message: format!(
                            "{file}: {} award rows, {} refused",
                            parsed.rows.len(),
                            parsed.rejected.len()
                        ),
                        sample_title: parsed
                            .rows
                            .first()
                            .map(|r| pportal::to_record(r, &source.id, url.as_str()).title),
                        missing_fields: Vec::new(),
                    },
                    Err(e) => Canary::unhealthy(source, format!("{file}: {e}")),
                };
            }
            Err(e) => last_error = e,
        }
    }
    Canary::unhealthy(source, last_error)
}

/// Checks any source: dispatches on its kind.
pub async fn check(fetcher: &Fetcher, source: &SourceConfig) -> Canary {
    match source.kind {
        SourceKind::Html => check_html(fetcher, source).await,
        SourceKind::Kkj => check_kkj(fetcher, source).await,
        SourceKind::Pportal => check_pportal(fetcher, source).await,
    }
}
