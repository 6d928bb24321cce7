//! One crawl pass over a set of sources, writing records into the store.
//!
//! Sources are crawled in parallel (politeness is per host, inside the [`Fetcher`]); inside one
//! source, pages are fetched one after another. Every detail page goes through a conditional GET
//! with the validators kept in the store, and a page whose body hash has not changed is not
//! extracted again. Records are only ever inserted or updated: a run that finds nothing never
//! deletes what earlier runs found.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::Utc;
use serde::Serialize;
use sha2::{Digest, Sha256};
use url::Url;

use indexer::store::{FrontierEntry, Store, UpsertOutcome, UrlState};

use crate::fetch::decode::decode_html;
use crate::fetch::{FetchError, FetchRequest, Fetched, Fetcher, HostScope, Page, Validators};
use crate::health::{DEFAULT_STALE_AFTER, Health, HealthStatus, RunSummary, assess};
use crate::schedule::jst;
use crate::source::ResultsConfig;
use crate::source::html::{
    ListItem, ListReader, MAX_ATTACHMENT_CHARS, MAX_ATTACHMENTS_READ, add_attachment_text,
    attachment_is_readable, extract_detail, extract_results_document,
};
use crate::source::{SourceConfig, SourceKind};

/// Pages fetched per run and source when the source sets no `max_pages`.
pub const DEFAULT_MAX_PAGES: usize = 5_000;

/// A frontier older than this is not resumed: the run starts afresh.
pub const MAX_RESUME_AGE: Duration = Duration::from_secs(3 * 24 * 3600);

const ROLE_LIST: &str = "list";
const ROLE_DETAIL: &str = "detail";
const ROLE_RESULTS: &str = "results";

/// A fetched HTML page's text, decoded as the page and the source declare.
fn page_html(source: &SourceConfig, page: &Page) -> String {
    let html = decode_html(
        &page.body,
        page.content_type.as_deref(),
        source.encoding.as_deref(),
    );
    if html.had_errors {
        tracing::warn!(source = %source.id, url = %page.url, encoding = html.encoding, "page has bytes invalid in its character set");
    }
    html.text
}

/// Delay between two requests to one host when the source sets none.
pub const DEFAULT_SOURCE_DELAY: Duration = Duration::from_secs(1);

/// The calendar date in Japan of an instant.
fn jst_date(t: chrono::DateTime<Utc>) -> chrono::NaiveDate {
    t.with_timezone(&jst()).date_naive()
}

/// What one run did for one source.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceReport {
    /// Source id.
    pub source: String,
    /// `ok`, `failed` (nothing could be fetched) or `empty` (fetched, but no items).
    pub status: String,
    /// Pages fetched with a 200.
    pub pages_fetched: u64,
    /// Pages answered 304 Not Modified.
    pub not_modified: u64,
    /// Pages fetched but unchanged (same body hash): not re-extracted.
    pub unchanged_pages: u64,
    /// URLs skipped because robots.txt disallows them.
    pub robots_skipped: u64,
    /// List items skipped by the source's include/exclude patterns.
    pub excluded_items: u64,
    /// Errors by kind (`http_404`, `network`, `foreign_host`, …).
    pub errors: BTreeMap<String, u64>,
    /// Records seen for the first time.
    pub records_new: u64,
    /// Records whose content changed (old version kept as history).
    pub records_changed: u64,
    /// Records extracted again with the same content.
    pub records_unchanged: u64,
    /// Counts and field coverage of the run, for comparing runs.
    pub summary: RunSummary,
    /// The source's health after the run.
    pub health: Option<Health>,
    /// Awards linked to their notice in this run.
    pub records_linked: u64,
    /// Attachments (PDF, Excel, CSV) fetched to read their text.
    pub attachments_fetched: u64,
    /// Time spent waiting for politeness, in milliseconds.
    pub politeness_wait_ms: u64,
    /// Wall time of the run, in milliseconds.
    pub duration_ms: u64,
    /// Problems worth an operator's attention.
    pub messages: Vec<String>,
}

impl SourceReport {
    /// An empty report for the source with id `source`.
    pub fn new(source: &str) -> SourceReport {
        SourceReport {
            source: source.to_string(),
            ..SourceReport::default()
        }
    }

    fn error(&mut self, err: &FetchError) {
        if matches!(err, FetchError::DisallowedByRobots { .. }) {
            self.robots_skipped += 1;
        } else {
            *self.errors.entry(err.kind().to_string()).or_default() += 1;
        }
    }

    /// Items the run found on its pages: new + changed + unchanged records and unchanged pages.
    pub fn items_seen(&self) -> u64 {
        self.records_new
            + self.records_changed
            + self.records_unchanged
            + self.unchanged_pages
            + self.not_modified
    }

    /// Total errors.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
}

/// A progress callback: `(source, pages done, pages pending)`.
pub type Progress<'a> = dyn Fn(&str, u64, u64) + Send + Sync + 'a;

/// A crawl over sources sharing one fetcher and one store.
pub struct Crawler<'a> {
    fetcher: &'a Fetcher,
    store: &'a Mutex<Store>,
    progress: Option<&'a Progress<'a>>,
}

impl<'a> Crawler<'a> {
    /// A crawler writing into `store`.
    pub fn new(fetcher: &'a Fetcher, store: &'a Mutex<Store>) -> Crawler<'a> {
        Crawler {
            fetcher,
            store,
            progress: None,
        }
    }

    /// Calls `progress(source, pages done, pages pending)` after every page (for a progress bar
    /// on a terminal); without it, progress goes to the log every 50 pages.
    pub fn with_progress(mut self, progress: &'a Progress<'a>) -> Crawler<'a> {
        self.progress = Some(progress);
        self
    }

    /// Crawls every source, in parallel across sources; returns one report per source.
    pub async fn crawl_all(&self, sources: &[SourceConfig]) -> Vec<SourceReport> {
        futures_util::future::join_all(sources.iter().map(|s| self.crawl_source(s))).await
    }

    /// One run of one source, every log line of it tagged with the source id.
    pub async fn crawl_source(&self, source: &SourceConfig) -> SourceReport {
        use tracing::Instrument as _;
        let span = tracing::info_span!("crawl", source = %source.id);
        self.crawl_source_inner(source).instrument(span).await
    }

    /// One run of one source; the report is also stored with the run.
    async fn crawl_source_inner(&self, source: &SourceConfig) -> SourceReport {
        let started = Instant::now();
        let started_at = Utc::now();
        let run = self.with_store(|s| {
            // A run left `running` was killed; its frontier (if any) is resumed below.
            s.interrupt_stale_runs(&source.id)?;
            s.start_run(&source.id, Utc::now())
        });
        let mut report = SourceReport::new(&source.id);
        match source.kind {
            SourceKind::Html => self.crawl_html(source, &mut report).await,
            SourceKind::Kkj => {
                let options = crate::source::kkj::KkjOptions::default();
                crate::source::kkj::crawl(self.fetcher, self.store, source, &mut report, &options)
                    .await;
            }
            SourceKind::Pportal => {
                let options = crate::source::pportal::PportalOptions::default();
                crate::source::pportal::crawl(
                    self.fetcher,
                    self.store,
                    source,
                    &mut report,
                    &options,
                )
                .await;
            }
        }
        self.link_awards(source, &mut report);
        report.duration_ms = started.elapsed().as_millis() as u64;
        report.status =
            if report.pages_fetched + report.not_modified == 0 && report.error_count() > 0 {
                "failed".into()
            } else if report.items_seen() == 0 {
                "empty".into()
            } else {
                "ok".into()
            };
        self.assess_health(source, started_at, &mut report);
        if let Ok(Some(run)) = run {
            let json = serde_json::to_string(&report).unwrap_or_else(|_| "{}".into());
            if let Err(e) =
                self.with_store(|s| s.finish_run(run, &report.status, &json, Utc::now()))
            {
                tracing::error!(source = %source.id, error = %e, "cannot store the run report");
            }
        }
        report
    }

    fn with_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, indexer::store::StoreError>,
    ) -> Result<Option<T>, String> {
        let mut guard = self
            .store
            .lock()
            .map_err(|_| "store lock poisoned".to_string())?;
        f(&mut guard).map(Some).map_err(|e| e.to_string())
    }

    async fn crawl_html(&self, source: &SourceConfig, report: &mut SourceReport) {
        let (Ok(starts), Some(list)) = (source.start_urls(), source.list.as_ref()) else {
            report.messages.push("invalid start_urls or [list]".into());
            return;
        };
        let reader = match ListReader::new(list) {
            Ok(r) => r,
            Err(e) => {
                report.messages.push(e.to_string());
                return;
            }
        };
        let scope = HostScope::new(starts.iter())
            .with_hosts(source.allowed_hosts.iter().map(String::as_str));
        let delay = source.delay().unwrap_or(DEFAULT_SOURCE_DELAY);
        let max_pages = source.max_pages.unwrap_or(DEFAULT_MAX_PAGES);
        // Results pages are read as tables of awards, not as detail pages.
        let results_urls: Vec<(Url, &ResultsConfig)> = source
            .results
            .iter()
            .flat_map(|r| {
                r.urls
                    .iter()
                    .filter_map(move |u| Url::parse(u).ok().map(|u| (u, r)))
            })
            .collect();

        // The frontier lives in the store: a run killed half-way is finished by the next one,
        // which fetches none of the pages the killed run had done.
        let resumed = self.resume_or_seed(source, &starts, &results_urls, report);
        if resumed {
            tracing::info!(source = %source.id, "resuming an interrupted crawl");
        }
        let mut fetched = 0usize;
        while let Ok(Some(Some(entry))) = self.with_store(|s| s.frontier_next(&source.id)) {
            if fetched >= max_pages {
                report.messages.push(format!(
                    "page limit {max_pages} reached; the rest is left for the next run"
                ));
                return;
            }
            fetched += 1;
            let Ok(url) = Url::parse(&entry.url) else {
                self.mark_done(source, &entry.url, report);
                continue;
            };
            match entry.role.as_str() {
                ROLE_LIST => {
                    let discovered = self
                        .crawl_list_page(
                            source,
                            &scope,
                            delay,
                            &reader,
                            &url,
                            &results_urls,
                            report,
                        )
                        .await;
                    if let Err(e) =
                        self.with_store(|s| s.frontier_add(&source.id, &discovered, Utc::now()))
                    {
                        report.messages.push(e);
                        return;
                    }
                }
                ROLE_RESULTS => {
                    if let Some((_, results)) = results_urls.iter().find(|(u, _)| *u == url) {
                        // HTML, Excel, CSV or PDF: the body is sniffed.
                        self.crawl_page(source, &scope, delay, &url, report, |page| {
                            extract_results_document(
                                &page.body,
                                page.content_type.as_deref(),
                                &page.url,
                                source,
                                results,
                            )
                        })
                        .await;
                    }
                }
                _ => {
                    let item = ListItem {
                        url: url.clone(),
                        title: entry.title.clone(),
                        award: entry.award,
                    };
                    self.crawl_page(source, &scope, delay, &url, report, |page| {
                        vec![extract_detail(
                            &page_html(source, page),
                            &page.url,
                            source,
                            &item,
                        )]
                    })
                    .await;
                }
            }
            self.mark_done(source, &entry.url, report);
            if self.progress.is_some() || fetched.is_multiple_of(50) {
                let (done, pending) = self
                    .with_store(|s| s.frontier_counts(&source.id))
                    .ok()
                    .flatten()
                    .unwrap_or((0, 0));
                match self.progress {
                    Some(progress) => progress(&source.id, done, pending),
                    None => tracing::info!(source = %source.id, done, pending, "crawl progress"),
                }
            }
        }
        if report.pages_fetched + report.not_modified > 0 && report.items_seen() == 0 {
            report
                .messages
                .push("the pages yielded no items: check the [list] selectors".into());
        }
        if let Err(e) = self.with_store(|s| s.frontier_clear(&source.id)) {
            report.messages.push(e);
        }
    }

    /// Continues an interrupted run's frontier, or seeds a new one. Returns whether it resumed.
    fn resume_or_seed(
        &self,
        source: &SourceConfig,
        starts: &[Url],
        results: &[(Url, &ResultsConfig)],
        report: &mut SourceReport,
    ) -> bool {
        let started = self
            .with_store(|s| s.frontier_started(&source.id))
            .ok()
            .flatten()
            .flatten();
        let fresh = started.is_some_and(|t| {
            Utc::now() - t < chrono::Duration::from_std(MAX_RESUME_AGE).unwrap_or_default()
        });
        if fresh {
            return true;
        }
        let seeds: Vec<FrontierEntry> = starts
            .iter()
            .map(|u| FrontierEntry {
                url: u.to_string(),
                role: ROLE_LIST.into(),
                title: String::new(),
                award: false,
            })
            .chain(results.iter().map(|(u, _)| FrontierEntry {
                url: u.to_string(),
                role: ROLE_RESULTS.into(),
                title: String::new(),
                award: true,
            }))
            .collect();
        let seeded = self.with_store(|s| {
            s.frontier_clear(&source.id)?;
            s.frontier_add(&source.id, &seeds, Utc::now())
        });
        if let Err(e) = seeded {
            report.messages.push(e);
        }
        false
    }

    /// Judges the run against the source's history; an unhealthy run's status says so.
    fn assess_health(
        &self,
        source: &SourceConfig,
        started_at: chrono::DateTime<Utc>,
        report: &mut SourceReport,
    ) {
        let coverage = self
            .with_store(|s| s.field_coverage(&source.id, started_at))
            .ok()
            .flatten();
        let (covered, fields) = coverage.unwrap_or_default();
        report.summary = RunSummary {
            pages: report.pages_fetched + report.not_modified,
            errors: report.error_count(),
            items: report.items_seen(),
            new: report.records_new,
            covered,
            fields: fields
                .into_iter()
                .map(|(f, n)| (f.to_string(), n))
                .collect(),
        };
        let runs = self
            .with_store(|s| s.recent_runs(&source.id, 30))
            .ok()
            .flatten()
            .unwrap_or_default();
        let mut history = Vec::new();
        let mut last_new = (report.records_new > 0).then(|| jst_date(started_at));
        for run in runs.iter().filter(|r| r.finished_at.is_some()) {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(&run.report) else {
                continue;
            };
            let Some(summary) = value
                .get("summary")
                .and_then(|v| serde_json::from_value::<RunSummary>(v.clone()).ok())
            else {
                continue;
            };
            if last_new.is_none() && summary.new > 0 {
                last_new = Some(jst_date(run.started_at));
            }
            if history.len() < 10 && summary.pages > 0 {
                history.push(summary);
            }
        }
        let health = assess(
            &report.summary,
            &history,
            last_new,
            jst_date(Utc::now()),
            DEFAULT_STALE_AFTER,
        );
        if health.status == HealthStatus::Unhealthy {
            for reason in &health.reasons {
                tracing::warn!(source = %source.id, reason = %reason, "source unhealthy; its records are kept");
            }
            report.status = "unhealthy".into();
        }
        report.health = Some(health);
    }

    /// Links the source's unlinked awards to the notices they result from, where the evidence is
    /// strong (see [`crate::link`]); weak evidence makes no link.
    fn link_awards(&self, source: &SourceConfig, report: &mut SourceReport) {
        let linked = self.with_store(|s| {
            let awards = s.unlinked_awards(&source.id)?;
            let mut linked = Vec::new();
            for mut award in awards {
                let notices = s.linkable_notices(&source.id, award.municipality_code.as_deref())?;
                if let Some(link) = crate::link::link_award(&award, &notices) {
                    award.linked_notice = Some(link);
                    linked.push(award);
                }
            }
            s.upsert_all(&linked, Utc::now())?;
            Ok(linked.len() as u64)
        });
        match linked {
            Ok(Some(n)) => report.records_linked += n,
            Ok(None) => {}
            Err(e) => report.messages.push(format!("linking awards failed: {e}")),
        }
    }

    fn mark_done(&self, source: &SourceConfig, url: &str, report: &mut SourceReport) {
        if let Err(e) = self.with_store(|s| s.frontier_done(&source.id, url)) {
            report.messages.push(e);
        }
    }

    /// Fetches a list page; returns the detail pages and next list page it links to.
    #[allow(clippy::too_many_arguments)]
    async fn crawl_list_page(
        &self,
        source: &SourceConfig,
        scope: &HostScope,
        delay: Duration,
        reader: &ListReader,
        url: &Url,
        results: &[(Url, &ResultsConfig)],
        report: &mut SourceReport,
    ) -> Vec<FrontierEntry> {
        // List pages are always fetched in full: their items are needed even when unchanged.
        let req = FetchRequest {
            url,
            scope,
            delay,
            validators: None,
        };
        let page = match self.fetcher.get(req).await {
            Ok(Fetched::Page(page)) => page,
            Ok(Fetched::NotModified { waited, .. }) => {
                report.not_modified += 1;
                report.politeness_wait_ms += waited.as_millis() as u64;
                return Vec::new();
            }
            Err(e) => {
                tracing::warn!(source = %source.id, url = %url, error = %e, "list page failed");
                report.error(&e);
                return Vec::new();
            }
        };
        report.pages_fetched += 1;
        report.politeness_wait_ms += page.waited.as_millis() as u64;
        let html = decode_html(
            &page.body,
            page.content_type.as_deref(),
            source.encoding.as_deref(),
        );
        let list_page = reader.read(&html.text, &page.url);
        report.excluded_items += list_page.excluded as u64;
        let mut out: Vec<FrontierEntry> = list_page
            .items
            .into_iter()
            .filter(|i| !results.iter().any(|(u, _)| *u == i.url))
            .map(|i| FrontierEntry {
                url: i.url.to_string(),
                role: ROLE_DETAIL.into(),
                title: i.title,
                award: i.award,
            })
            .collect();
        if let Some(next) = list_page.next {
            out.push(FrontierEntry {
                url: next.to_string(),
                role: ROLE_LIST.into(),
                title: String::new(),
                award: false,
            });
        }
        out
    }

    /// Fetches the first [`MAX_ATTACHMENTS_READ`] readable attachments (PDF, Excel, CSV) of a
    /// record, through the same polite fetcher and scope as its page, and puts their text into
    /// the record. A failed attachment is counted as an error and leaves the record as it was.
    async fn read_attachments(
        &self,
        source: &SourceConfig,
        scope: &HostScope,
        delay: Duration,
        record: &mut indexer::Record,
        report: &mut SourceReport,
    ) {
        let wanted: Vec<(usize, String)> = record
            .attachments
            .iter()
            .enumerate()
            .filter(|(_, a)| a.text.is_none() && attachment_is_readable(a))
            .take(MAX_ATTACHMENTS_READ)
            .map(|(i, a)| (i, a.url.clone()))
            .collect();
        for (index, url) in wanted {
            let Ok(url) = Url::parse(&url) else { continue };
            let req = FetchRequest {
                url: &url,
                scope,
                delay,
                validators: None,
            };
            let page = match self.fetcher.get(req).await {
                Ok(Fetched::Page(page)) => page,
                Ok(Fetched::NotModified { .. }) => continue,
                Err(e) => {
                    tracing::warn!(source = %source.id, url = %url, error = %e, "attachment failed");
                    report.error(&e);
                    continue;
                }
            };
            report.attachments_fetched += 1;
            report.politeness_wait_ms += page.waited.as_millis() as u64;
            let media = page.content_type.clone().or_else(|| {
                record
                    .attachments
                    .get(index)
                    .and_then(|a| a.media_type.clone())
            });
            match crate::extract::document_text(
                &page.body,
                media.as_deref(),
                url.path(),
                MAX_ATTACHMENT_CHARS,
            ) {
                Ok(text) => add_attachment_text(record, index, &text),
                Err(e) => {
                    tracing::warn!(source = %source.id, url = %url, error = %e, "attachment unreadable");
                    *report
                        .errors
                        .entry("attachment_unreadable".into())
                        .or_default() += 1;
                }
            }
        }
    }

    /// Fetches one page with a conditional GET; when it changed, extracts records from it with
    /// `extract` and stores them.
    async fn crawl_page(
        &self,
        source: &SourceConfig,
        scope: &HostScope,
        delay: Duration,
        url: &Url,
        report: &mut SourceReport,
        extract: impl FnOnce(&Page) -> Vec<indexer::Record>,
    ) {
        let key = url.as_str();
        let previous = self
            .with_store(|s| s.url_state(key))
            .ok()
            .flatten()
            .flatten();
        let validators = previous.as_ref().map(|p| Validators {
            etag: p.etag.clone(),
            last_modified: p.last_modified.clone(),
        });
        let req = FetchRequest {
            url,
            scope,
            delay,
            validators: validators.as_ref(),
        };
        let page: Page = match self.fetcher.get(req).await {
            Ok(Fetched::Page(page)) => page,
            Ok(Fetched::NotModified { waited, .. }) => {
                report.not_modified += 1;
                report.politeness_wait_ms += waited.as_millis() as u64;
                return;
            }
            Err(e) => {
                tracing::warn!(source = %source.id, url = %url, error = %e, "page failed");
                report.error(&e);
                return;
            }
        };
        report.pages_fetched += 1;
        report.politeness_wait_ms += page.waited.as_millis() as u64;
        let body_hash = hex::encode(Sha256::digest(&page.body));
        let state = UrlState {
            url: key.to_string(),
            source: source.id.clone(),
            etag: page.etag.clone(),
            last_modified: page.last_modified.clone(),
            body_hash: Some(body_hash.clone()),
            status: Some(page.status),
            fetched_at: Some(Utc::now()),
        };
        let unchanged =
            previous.as_ref().and_then(|p| p.body_hash.as_deref()) == Some(body_hash.as_str());
        if unchanged {
            report.unchanged_pages += 1;
            if let Err(e) = self.with_store(|s| s.set_url_state(&state)) {
                report.messages.push(e);
            }
            return;
        }
        let mut records = extract(&page);
        for record in &mut records {
            self.read_attachments(source, scope, delay, record, report)
                .await;
        }
        // Records are written before the URL state: a crash between the two leaves the page
        // unmarked, so the next run fetches it again and finds the records unchanged — never a
        // page marked as seen whose records were lost.
        let outcome = self.with_store(|s| {
            let outcomes = s.upsert_all(&records, Utc::now())?;
            s.set_url_state(&state)?;
            Ok(outcomes)
        });
        match outcome {
            Ok(Some(outcomes)) => {
                for o in outcomes {
                    match o {
                        UpsertOutcome::New => report.records_new += 1,
                        UpsertOutcome::Changed => report.records_changed += 1,
                        UpsertOutcome::Unchanged => report.records_unchanged += 1,
                    }
                }
            }
            Ok(None) => {}
            Err(e) => {
                tracing::error!(source = %source.id, url = %page.url, error = %e, "cannot store records");
                *report.errors.entry("store".into()).or_default() += 1;
            }
        }
    }
}
