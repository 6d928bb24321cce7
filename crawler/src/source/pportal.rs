//! The `pportal` source kind: 調達ポータル 落札実績オープンデータ (national bodies' awards).
//!
//! The download endpoint (`base_url`, `…/pps-web-biz/UAB03/OAB0301`) serves, by
//! `?fileversion=v001&filename=<file>`:
//!
//! - `successful_bid_record_info_all_<YYYY>.zip`: a year's full data, as of the end of the
//!   previous month;
//! - `successful_bid_record_info_diff_<YYYYMMDD>.zip`: one day's difference, kept for about two
//!   months. A day without a file (404) is not an error.
//!
//! A run loads the full file of every year from `from_date`'s year (or this year) to this year
//! — again after [`PportalOptions::full_reload_days`], with a conditional GET — and then each
//! day's diff not loaded yet in the last [`PportalOptions::diff_days`] days (after a full load,
//! from the first of the month on). Each CSV row is one award record ([`rows`]); when a case
//! comes again, the award with the latest 落札決定日 is kept.

pub mod codes;
pub mod rows;

use std::sync::Mutex;
use std::time::Duration;

use chrono::{Datelike, Days, NaiveDate, Utc};
use indexer::store::{Store, UpsertOutcome, UrlState};
use sha2::{Digest, Sha256};
use url::Url;

use crate::crawl::{DEFAULT_SOURCE_DELAY, SourceReport};
use crate::fetch::{FetchError, FetchRequest, Fetched, Fetcher, HostScope, Validators};
use crate::normalize::date::fiscal_year;
use crate::source::SourceConfig;
use crate::source::kkj::today_jst;

pub use rows::{AwardRow, ParsedRows, award_id, read_csv, read_zip, to_record};

/// Tunables of a p-portal run; [`PportalOptions::default`] is what `tenders crawl` uses.
#[derive(Debug, Clone)]
pub struct PportalOptions {
    /// Today (JST); `None`: the real today.
    pub today: Option<NaiveDate>,
    /// How many days of diff files to look back over (the portal keeps about two months).
    pub diff_days: u64,
    /// A full file loaded longer ago than this is fetched again (conditional GET), to repair
    /// gaps.
    pub full_reload_days: i64,
    /// Days after which a missing diff file is taken as never coming.
    pub settle_days: i64,
}

impl Default for PportalOptions {
    fn default() -> Self {
        PportalOptions {
            today: None,
            diff_days: 60,
            full_reload_days: 30,
            settle_days: 3,
        }
    }
}

/// What a p-portal run did, beyond the [`SourceReport`] counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PportalStats {
    /// Files requested.
    pub requests: usize,
    /// Files loaded (200, changed).
    pub files_loaded: Vec<String>,
    /// Files not there (404).
    pub files_missing: Vec<String>,
    /// Rows read.
    pub rows: usize,
    /// Rows refused (bad columns).
    pub rows_rejected: usize,
    /// Rows not stored because a later award of the case was already stored.
    pub rows_superseded: usize,
}

/// The name of a year's full file.
pub fn full_file(year: i32) -> String {
    format!("successful_bid_record_info_all_{year}.zip")
}

/// The name of a day's diff file.
pub fn diff_file(day: NaiveDate) -> String {
    format!(
        "successful_bid_record_info_diff_{}.zip",
        day.format("%Y%m%d")
    )
}

/// The download URL of a file.
pub fn file_url(base: &Url, file: &str) -> Url {
    let mut url = base.clone();
    url.query_pairs_mut()
        .clear()
        .append_pair("fileversion", "v001")
        .append_pair("filename", file);
    url
}

struct Run<'a> {
    fetcher: &'a Fetcher,
    store: &'a Mutex<Store>,
    source: &'a SourceConfig,
    base: Url,
    scope: HostScope,
    delay: Duration,
    report: &'a mut SourceReport,
    stats: PportalStats,
}

/// How a file fetch ended.
enum FileOutcome {
    Loaded,
    Unchanged,
    Missing,
    Failed,
}

/// Loads a `pportal` source into the store.
pub async fn crawl(
    fetcher: &Fetcher,
    store: &Mutex<Store>,
    source: &SourceConfig,
    report: &mut SourceReport,
    options: &PportalOptions,
) -> PportalStats {
    let Some(base) = source.api_base() else {
        report
            .messages
            .push("pportal: missing or invalid base_url".into());
        return PportalStats::default();
    };
    let mut run = Run {
        fetcher,
        store,
        source,
        scope: HostScope::new([&base]),
        base,
        delay: source.delay().unwrap_or(DEFAULT_SOURCE_DELAY),
        report,
        stats: PportalStats::default(),
    };
    let today = options.today.unwrap_or_else(today_jst);
    let now = Utc::now();
    // The files are named by year; one reader of the spec says 年度. Starting at the 年度 covers
    // both readings (a file that does not exist is only a message).
    let first_year = fiscal_year(source.from_date.unwrap_or(today).min(today));
    // The month in which the newest full file was fetched: it covers everything before.
    let mut full_month: Option<NaiveDate> = None;
    for year in first_year..=today.year() {
        let url = file_url(&run.base, &full_file(year));
        let state = run.state(url.as_str());
        let fetched = state
            .as_ref()
            .filter(|s| s.status == Some(200))
            .and_then(|s| s.fetched_at);
        let fresh = fetched.is_some_and(|t| (now - t).num_days() < options.full_reload_days);
        let outcome = if fresh {
            FileOutcome::Unchanged
        } else {
            run.load(&url, state.as_ref()).await
        };
        if matches!(outcome, FileOutcome::Missing) {
            run.report
                .messages
                .push(format!("pportal: no full file for {year} yet"));
        }
        let current = year == today.year() || year == fiscal_year(today);
        if current && matches!(outcome, FileOutcome::Loaded | FileOutcome::Unchanged) {
            let at = if fresh {
                fetched.map_or(today, |t| t.date_naive())
            } else {
                today
            };
            full_month = full_month.max(at.with_day(1));
        }
    }

    let mut first_diff = today
        .checked_sub_days(Days::new(options.diff_days))
        .unwrap_or(today);
    if let Some(from) = source.from_date {
        first_diff = first_diff.max(from);
    }
    if let Some(month_start) = full_month {
        // The full file runs to the end of the month before it was fetched.
        first_diff = first_diff.max(month_start);
    }
    for day in first_diff.iter_days().take_while(|d| *d <= today) {
        let url = file_url(&run.base, &diff_file(day));
        let state = run.state(url.as_str());
        let settled = state.as_ref().is_some_and(|s| match s.status {
            Some(200) => true,
            Some(404) => s
                .fetched_at
                .is_some_and(|t| (t.date_naive() - day).num_days() >= options.settle_days),
            _ => false,
        });
        if settled {
            continue;
        }
        run.load(&url, None).await;
    }
    let s = &run.stats;
    let summary = format!(
        "pportal: {} files requested, {} loaded, {} missing; {} rows ({} refused, {} superseded by a later award)",
        s.requests,
        s.files_loaded.len(),
        s.files_missing.len(),
        s.rows,
        s.rows_rejected,
        s.rows_superseded
    );
    tracing::info!(source = %source.id, "{summary}");
    run.report.messages.push(summary);
    run.stats
}

impl Run<'_> {
    fn state(&self, url: &str) -> Option<UrlState> {
        self.store.lock().ok()?.url_state(url).ok().flatten()
    }

    fn set_state(&mut self, state: &UrlState) {
        let result = match self.store.lock() {
            Ok(mut s) => s.set_url_state(state).map_err(|e| e.to_string()),
            Err(_) => Err("store lock poisoned".into()),
        };
        if let Err(e) = result {
            self.report
                .messages
                .push(format!("pportal: cannot store URL state: {e}"));
        }
    }

    /// Fetches one file (conditionally when `previous` has validators) and stores its rows.
    async fn load(&mut self, url: &Url, previous: Option<&UrlState>) -> FileOutcome {
        let validators = previous.map(|p| Validators {
            etag: p.etag.clone(),
            last_modified: p.last_modified.clone(),
        });
        let req = FetchRequest {
            url,
            scope: &self.scope,
            delay: self.delay,
            validators: validators.as_ref(),
        };
        self.stats.requests += 1;
        let file = url
            .query_pairs()
            .find(|(k, _)| k == "filename")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        let page = match self.fetcher.get(req).await {
            Ok(Fetched::Page(page)) => page,
            Ok(Fetched::NotModified { waited, .. }) => {
                self.report.not_modified += 1;
                self.report.politeness_wait_ms += waited.as_millis() as u64;
                if let Some(p) = previous {
                    self.set_state(&UrlState {
                        fetched_at: Some(Utc::now()),
                        ..p.clone()
                    });
                }
                return FileOutcome::Unchanged;
            }
            Err(FetchError::Http { status: 404, .. }) => {
                self.stats.files_missing.push(file);
                self.set_state(&UrlState {
                    url: url.to_string(),
                    source: self.source.id.clone(),
                    status: Some(404),
                    fetched_at: Some(Utc::now()),
                    ..UrlState::default()
                });
                return FileOutcome::Missing;
            }
            Err(e) => {
                tracing::warn!(source = %self.source.id, url = %url, error = %e, "pportal download failed");
                *self.report.errors.entry(e.kind().to_string()).or_default() += 1;
                return FileOutcome::Failed;
            }
        };
        self.report.pages_fetched += 1;
        self.report.politeness_wait_ms += page.waited.as_millis() as u64;
        let body_hash = hex::encode(Sha256::digest(&page.body));
        let state = UrlState {
            url: url.to_string(),
            source: self.source.id.clone(),
            etag: page.etag.clone(),
            last_modified: page.last_modified.clone(),
            body_hash: Some(body_hash.clone()),
            status: Some(page.status),
            fetched_at: Some(Utc::now()),
        };
        if previous.and_then(|p| p.body_hash.as_deref()) == Some(body_hash.as_str()) {
            self.report.unchanged_pages += 1;
            self.set_state(&state);
            return FileOutcome::Unchanged;
        }
        let parsed = match read_zip(&page.body) {
            Ok(p) => p,
            Err(e) => {
                *self.report.errors.entry("pportal_zip".into()).or_default() += 1;
                self.report.messages.push(format!("pportal: {file}: {e}"));
                return FileOutcome::Failed;
            }
        };
        self.stats.rows += parsed.rows.len();
        self.stats.rows_rejected += parsed.rejected.len();
        for (line, reason) in parsed.rejected.iter().take(5) {
            self.report
                .messages
                .push(format!("pportal: {file} line {line} refused: {reason}"));
        }
        if self.store_rows(&parsed.rows, url.as_str()) {
            self.set_state(&state);
            self.stats.files_loaded.push(file);
            FileOutcome::Loaded
        } else {
            FileOutcome::Failed
        }
    }

    /// Stores the rows' awards, keeping the latest award of a case. `false` when the store failed.
    fn store_rows(&mut self, rows: &[AwardRow], url: &str) -> bool {
        // Within the file: the latest award of each id wins.
        let mut latest: std::collections::HashMap<String, &AwardRow> =
            std::collections::HashMap::new();
        for row in rows {
            let id = award_id(row);
            match latest.get(&id) {
                Some(kept) if kept.award_date > row.award_date => self.stats.rows_superseded += 1,
                Some(_) => {
                    self.stats.rows_superseded += 1;
                    latest.insert(id, row);
                }
                None => {
                    latest.insert(id, row);
                }
            }
        }
        let Ok(mut store) = self.store.lock() else {
            *self.report.errors.entry("store".into()).or_default() += 1;
            return false;
        };
        let mut records = Vec::with_capacity(latest.len());
        for row in rows {
            let id = award_id(row);
            if !latest.get(&id).is_some_and(|kept| std::ptr::eq(*kept, row)) {
                continue;
            }
            // Across files: an award already stored with a later date is kept.
            let stored_date = store
                .get(&id)
                .ok()
                .flatten()
                .and_then(|r| r.published.map(|w| w.date));
            if stored_date.is_some_and(|d| d > row.award_date) {
                self.stats.rows_superseded += 1;
                continue;
            }
            records.push(to_record(row, &self.source.id, url));
        }
        match store.upsert_all(&records, Utc::now()) {
            Ok(outcomes) => {
                drop(store);
                for o in outcomes {
                    match o {
                        UpsertOutcome::New => self.report.records_new += 1,
                        UpsertOutcome::Changed => self.report.records_changed += 1,
                        UpsertOutcome::Unchanged => self.report.records_unchanged += 1,
                    }
                }
                true
            }
            Err(e) => {
                drop(store);
                tracing::error!(source = %self.source.id, error = %e, "cannot store pportal records");
                *self.report.errors.entry("store".into()).or_default() += 1;
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_and_urls() {
        assert_eq!(full_file(2026), "successful_bid_record_info_all_2026.zip");
        assert_eq!(
            diff_file(NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()),
            "successful_bid_record_info_diff_20261102.zip"
        );
        let base = Url::parse("https://api.p-portal.go.jp/pps-web-biz/UAB03/OAB0301").unwrap();
        assert_eq!(
            file_url(&base, &full_file(2026)).as_str(),
            "https://api.p-portal.go.jp/pps-web-biz/UAB03/OAB0301?fileversion=v001&filename=successful_bid_record_info_all_2026.zip"
        );
    }
}
