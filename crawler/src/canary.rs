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
use crate::source::{SourceConfig, SourceKind};

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
        Err(e @ FetchError::DisallowedByRobots { .. }) => {
            Err(format!("robots.txt disallows the list page: {e}"))
        }
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
    let Some(item) = listed.items.first() else {
        return Canary::unhealthy(
            source,
            format!("{first}: the [list] item selector matched no items"),
        );
    };
    let detail = match fetch_page(fetcher, &item.url, &scope, source).await {
        Ok(p) => p,
        Err(e) => return Canary::unhealthy(source, e),
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

/// Checks any source: dispatches on its kind.
pub async fn check(fetcher: &Fetcher, source: &SourceConfig) -> Canary {
    match source.kind {
        SourceKind::Html => check_html(fetcher, source).await,
        other => Canary::unhealthy(
            source,
            format!("no canary for {} sources in this version", other.as_str()),
        ),
    }
}
