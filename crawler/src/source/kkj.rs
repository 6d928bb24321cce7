//! The `kkj` source kind: the 官公需情報ポータルサイト search API (中小企業庁).
//!
//! KKJ has no paging and returns at most 1000 records per request, with `SearchHits` telling how
//! many matched. A run harvests everything published (`CFT_Issue_Date`) in a date range:
//!
//! 1. The whole range is asked for at once, with a match-all query (`Query=NOT <token>`, which
//!    unlike an `LG_Code` filter keeps the records without an LgCode).
//! 2. A window whose `SearchHits` exceeds what came back is split: into date pieces (as many as
//!    the hit count calls for) down to single days; a single day into groups of prefecture codes
//!    (`LG_Code=01,02,…`, zero-padded), bisected down to one prefecture; one prefecture into the
//!    three categories. Whatever still exceeds the cap is logged as truncated.
//! 3. Records without an LgCode (national bodies) escape the prefecture split. Their number on a
//!    split day is known (day hits − prefecture hits); when fewer were seen, the day is queried
//!    by `Organization_Name` tokens (省, 庁, 機構, …) until all are found, and a shortfall is
//!    logged. Records are de-duplicated on `Key`.
//!
//! Errors come as HTTP 200 with `<Error>`: each is retried once, then counted (`kkj_error`) and
//! its days are left unmarked so that the next run asks again. Every completely harvested day is
//! marked in the store's URL state (the day's own query URL); the next run starts from the newest
//! marked day minus an overlap, and the first run from `from_date`.

pub mod decode;
pub mod record;
pub mod xml;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{Days, NaiveDate, Utc};
use indexer::store::{Store, UpsertOutcome, UrlState};
use url::Url;

use crate::crawl::{DEFAULT_SOURCE_DELAY, SourceReport};
use crate::fetch::{FetchRequest, Fetched, Fetcher, HostScope};
use crate::source::SourceConfig;

pub use record::{KKJ_ATTRIBUTION, to_record};
pub use xml::{KkjResponse, KkjResult, parse_response};

/// Most records KKJ returns for one request.
pub const KKJ_CAP: u64 = 1000;

/// A token no notice contains: `Query=NOT <token>` matches every record.
pub const MATCH_ALL_TOKEN: &str = "zqxjkvbwzq";

/// The 47 prefecture codes, zero-padded as `LG_Code` requires.
pub fn all_lg_codes() -> Vec<String> {
    (1..=47).map(|n| format!("{n:02}")).collect()
}

/// `Organization_Name` tokens that find national bodies (which have no LgCode), most
/// productive first.
pub const NATIONAL_TOKENS: &[&str] = &[
    "省",
    "庁",
    "機構",
    "法人",
    "局",
    "大学",
    "センター",
    "研究所",
    "事務所",
    "委員会",
    "裁判所",
    "院",
];

/// The next `Organization_Name` token to ask for: the one that finds the most bodies seen so far
/// that the tokens already asked for do not find (a greedy set cover); then the rest in order.
fn next_token(names: &HashSet<String>, asked: &[&str]) -> Option<&'static str> {
    let uncovered: Vec<&String> = names
        .iter()
        .filter(|n| !asked.iter().any(|t| n.contains(t)))
        .collect();
    let mut best: Option<(&'static str, usize)> = None;
    for token in NATIONAL_TOKENS
        .iter()
        .copied()
        .filter(|t| !asked.contains(t))
    {
        let covers = uncovered.iter().filter(|n| n.contains(token)).count();
        match best {
            Some((_, c)) if c >= covers => {}
            _ => best = Some((token, covers)),
        }
    }
    best.map(|(t, _)| t)
}

/// Tunables of a KKJ run; [`KkjOptions::default`] is what `tenders crawl` uses.
#[derive(Debug, Clone)]
pub struct KkjOptions {
    /// Last day to harvest (JST); `None`: today.
    pub until: Option<NaiveDate>,
    /// Days re-harvested before the newest harvested day (late arrivals; KKJ lags about a day).
    pub overlap_days: u64,
    /// First run of a source without `from_date`: how many days back to start.
    pub first_run_days: u64,
    /// How far back the newest harvested day is looked for.
    pub max_lookback_days: u64,
    /// Bound on `ProjectDescription` (whale records of many megabytes exist).
    pub max_description_chars: usize,
    /// Requests one run may make at most.
    pub max_requests: usize,
}

impl Default for KkjOptions {
    fn default() -> Self {
        KkjOptions {
            until: None,
            overlap_days: 3,
            first_run_days: 30,
            max_lookback_days: 400,
            max_description_chars: 100_000,
            max_requests: 20_000,
        }
    }
}

/// What a KKJ run did, beyond the [`SourceReport`] counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KkjStats {
    /// First and last day harvested.
    pub range: Option<(NaiveDate, NaiveDate)>,
    /// Requests sent (retries of `<Error>` answers included).
    pub requests: usize,
    /// Distinct notices received.
    pub notices: usize,
    /// Distinct notices per `CftIssueDate` day.
    pub per_day: BTreeMap<NaiveDate, usize>,
    /// `<Error>` answers (after the retry).
    pub error_windows: usize,
    /// Windows that stayed above the cap after every split, with what they lost at most.
    pub truncated: Vec<String>,
    /// Records skipped because their XML was broken or they had no Key.
    pub broken_records: usize,
    /// Days marked as completely harvested.
    pub days_marked: usize,
}

impl KkjStats {
    /// The fewest requests that could have returned these notices one day at a time:
    /// Σ over days of ⌈notices / 1000⌉.
    pub fn per_day_lower_bound(&self) -> usize {
        self.per_day
            .values()
            .map(|n| n.div_ceil(KKJ_CAP as usize).max(1))
            .sum()
    }

    /// The fewest requests that could have returned these notices at all: ⌈notices / 1000⌉.
    pub fn absolute_lower_bound(&self) -> usize {
        self.notices.div_ceil(KKJ_CAP as usize)
    }
}

/// One query: a date range and optional narrowing filters.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Window {
    from: NaiveDate,
    to: NaiveDate,
    /// `from/`: open towards the future (the last piece of a range).
    open_end: bool,
    lg: Option<Vec<String>>,
    category: Option<u8>,
    organization: Option<String>,
}

impl Window {
    fn days(&self) -> u64 {
        (self.to - self.from).num_days().max(0) as u64 + 1
    }

    fn describe(&self) -> String {
        let mut s = if self.from == self.to && !self.open_end {
            self.from.to_string()
        } else if self.open_end {
            format!("{}/", self.from)
        } else {
            format!("{}/{}", self.from, self.to)
        };
        if let Some(lg) = &self.lg {
            s.push_str(&format!(" LG_Code={}", lg.join(",")));
        }
        if let Some(o) = &self.organization {
            s.push_str(&format!(" Organization_Name={o}"));
        }
        if let Some(c) = self.category {
            s.push_str(&format!(" Category={c}"));
        }
        s
    }
}

/// The request URL of a window.
fn window_url(base: &Url, w: &Window) -> Url {
    let mut url = base.clone();
    {
        let mut q = url.query_pairs_mut();
        q.clear();
        if let Some(lg) = &w.lg {
            q.append_pair("LG_Code", &lg.join(","));
        } else if let Some(o) = &w.organization {
            q.append_pair("Organization_Name", o);
        } else {
            q.append_pair("Query", &format!("NOT {MATCH_ALL_TOKEN}"));
        }
        if let Some(c) = w.category {
            q.append_pair("Category", &c.to_string());
        }
        let period = if w.open_end {
            format!("{}/", w.from)
        } else if w.from == w.to {
            w.from.to_string()
        } else {
            format!("{}/{}", w.from, w.to)
        };
        q.append_pair("CFT_Issue_Date", &period);
        q.append_pair("Count", &KKJ_CAP.to_string());
    }
    url
}

/// Today in Japan (JST has no daylight saving time).
pub fn today_jst() -> NaiveDate {
    (Utc::now() + chrono::Duration::hours(9)).date_naive()
}

/// Splits `items` into `k` contiguous groups of nearly equal size.
fn split_even<T: Clone>(items: &[T], k: usize) -> Vec<Vec<T>> {
    let k = k.clamp(1, items.len().max(1));
    let mut out = Vec::with_capacity(k);
    let mut start = 0;
    for i in 0..k {
        let end = items.len() * (i + 1) / k;
        if end > start {
            out.push(items[start..end].to_vec());
        }
        start = end;
    }
    out
}

/// Pieces a window with `hits` matches is split into: enough that each is likely under the cap.
fn pieces_for(hits: u64) -> usize {
    (hits.div_ceil(800) as usize).max(2)
}

/// One KKJ run over a source.
struct Run<'a> {
    fetcher: &'a Fetcher,
    store: &'a Mutex<Store>,
    source: &'a SourceConfig,
    base: Url,
    scope: HostScope,
    delay: Duration,
    options: &'a KkjOptions,
    report: &'a mut SourceReport,
    stats: KkjStats,
    /// Keys stored in this run (de-duplication across overlapping windows).
    seen: HashSet<String>,
    /// Per day, the keys of records without an LgCode seen in this run.
    national_seen: BTreeMap<NaiveDate, HashSet<String>>,
    /// Names of the bodies without an LgCode seen in this run (to pick tokens that find them).
    national_names: HashSet<String>,
    /// Days a window could not be harvested for (errors): not marked.
    failed_days: BTreeSet<NaiveDate>,
    /// Prefecture codes the source is restricted to (`lg_codes`), if any.
    restricted: Option<Vec<String>>,
}

/// Harvests a `kkj` source into the store. Counters go to `report`; the returned stats add the
/// request count and truncation details.
pub async fn crawl(
    fetcher: &Fetcher,
    store: &Mutex<Store>,
    source: &SourceConfig,
    report: &mut SourceReport,
    options: &KkjOptions,
) -> KkjStats {
    let Some(base) = source.api_base() else {
        report
            .messages
            .push("kkj: missing or invalid base_url".into());
        return KkjStats::default();
    };
    let restricted: Option<Vec<String>> = (!source.lg_codes.is_empty()).then(|| {
        source
            .lg_codes
            .iter()
            .map(|c| format!("{:0>2}", c.trim()))
            .collect()
    });
    let mut run = Run {
        fetcher,
        store,
        source,
        scope: HostScope::new([&base]),
        base,
        delay: source.delay().unwrap_or(DEFAULT_SOURCE_DELAY),
        options,
        report,
        stats: KkjStats::default(),
        seen: HashSet::new(),
        national_seen: BTreeMap::new(),
        national_names: HashSet::new(),
        failed_days: BTreeSet::new(),
        restricted,
    };
    let until = options.until.unwrap_or_else(today_jst);
    let from = run.start_date(until);
    run.stats.range = Some((from, until));
    let top = Window {
        from,
        to: until.max(from),
        open_end: true,
        lg: run.restricted.clone(),
        category: None,
        organization: None,
    };
    run.harvest_range(top).await;
    run.mark_days(from, until.max(from));
    let s = &run.stats;
    let summary = format!(
        "kkj {}..{}: {} requests for {} notices (lower bound {} one day at a time, {} at best); {} windows truncated, {} errors, {} broken records",
        from,
        until,
        s.requests,
        s.notices,
        s.per_day_lower_bound(),
        s.absolute_lower_bound(),
        s.truncated.len(),
        s.error_windows,
        s.broken_records
    );
    tracing::info!(source = %source.id, "{summary}");
    run.report.messages.push(summary);
    run.stats
}

impl Run<'_> {
    fn lock(&self) -> Option<std::sync::MutexGuard<'_, Store>> {
        self.store.lock().ok()
    }

    /// The day query URL that marks a day as harvested.
    fn day_marker(&self, day: NaiveDate) -> String {
        let w = Window {
            from: day,
            to: day,
            open_end: false,
            lg: self.restricted.clone(),
            category: None,
            organization: None,
        };
        window_url(&self.base, &w).to_string()
    }

    /// Newest marked day minus the overlap; else `from_date`; else `first_run_days` back.
    fn start_date(&self, until: NaiveDate) -> NaiveDate {
        let floor = self.source.from_date;
        let newest = {
            let store = self.lock();
            let mut day = until;
            let mut found = None;
            for _ in 0..=self.options.max_lookback_days {
                if floor.is_some_and(|f| day < f) {
                    break;
                }
                let marker = self.day_marker(day);
                if let Some(s) = &store
                    && let Ok(Some(_)) = s.url_state(&marker)
                {
                    found = Some(day);
                    break;
                }
                let Some(prev) = day.pred_opt() else { break };
                day = prev;
            }
            found
        };
        let start = match newest {
            Some(d) => d
                .checked_sub_days(Days::new(self.options.overlap_days))
                .unwrap_or(d),
            None => floor.unwrap_or_else(|| {
                until
                    .checked_sub_days(Days::new(self.options.first_run_days))
                    .unwrap_or(until)
            }),
        };
        match floor {
            Some(f) if start < f => f,
            _ => start,
        }
    }

    fn mark_days(&mut self, from: NaiveDate, to: NaiveDate) {
        let now = Utc::now();
        let markers: Vec<String> = from
            .iter_days()
            .take_while(|d| *d <= to)
            .filter(|d| !self.failed_days.contains(d))
            .map(|d| self.day_marker(d))
            .collect();
        let Some(mut store) = self.lock() else { return };
        let mut marked = 0;
        for url in markers {
            let state = UrlState {
                url,
                source: self.source.id.clone(),
                status: Some(200),
                fetched_at: Some(now),
                ..UrlState::default()
            };
            if store.set_url_state(&state).is_ok() {
                marked += 1;
            }
        }
        drop(store);
        self.stats.days_marked = marked;
    }

    /// Sends one window's query (retrying an `<Error>` once) and stores its records.
    /// `None` when the window could not be harvested.
    async fn query(&mut self, w: &Window) -> Option<KkjResponse> {
        for attempt in 0..2 {
            if self.stats.requests >= self.options.max_requests {
                self.report.messages.push(format!(
                    "kkj: request limit {} reached",
                    self.options.max_requests
                ));
                self.fail(w);
                return None;
            }
            self.stats.requests += 1;
            let url = window_url(&self.base, w);
            let req = FetchRequest {
                url: &url,
                scope: &self.scope,
                delay: self.delay,
                validators: None,
            };
            let page = match self.fetcher.get(req).await {
                Ok(Fetched::Page(page)) => page,
                Ok(Fetched::NotModified { .. }) => {
                    // Never asked for (no validators sent); treat like an empty answer.
                    self.fail(w);
                    return None;
                }
                Err(e) => {
                    tracing::warn!(source = %self.source.id, url = %url, error = %e, "kkj request failed");
                    *self.report.errors.entry(e.kind().to_string()).or_default() += 1;
                    self.fail(w);
                    return None;
                }
            };
            self.report.pages_fetched += 1;
            self.report.politeness_wait_ms += page.waited.as_millis() as u64;
            let response = parse_response(&page.body, self.options.max_description_chars);
            if let Some(error) = &response.error {
                tracing::warn!(source = %self.source.id, window = %w.describe(), error = %error, attempt, "kkj answered an error");
                if attempt == 0 {
                    continue;
                }
                *self.report.errors.entry("kkj_error".into()).or_default() += 1;
                self.report
                    .messages
                    .push(format!("kkj error for {}: {error}", w.describe()));
                self.stats.error_windows += 1;
                self.fail(w);
                return None;
            }
            if response.hits.is_none() {
                *self.report.errors.entry("kkj_no_hits".into()).or_default() += 1;
                self.report.messages.push(format!(
                    "kkj answer without SearchHits for {}",
                    w.describe()
                ));
            }
            if response.repaired_chars + response.replaced_chars > 0 {
                tracing::warn!(source = %self.source.id, window = %w.describe(), repaired = response.repaired_chars, replaced = response.replaced_chars, "kkj answer had invalid UTF-8");
            }
            self.store_results(&response);
            return Some(response);
        }
        None
    }

    fn fail(&mut self, w: &Window) {
        let end = if w.open_end { w.to.max(w.from) } else { w.to };
        for d in w.from.iter_days().take_while(|d| *d <= end) {
            self.failed_days.insert(d);
        }
    }

    fn store_results(&mut self, response: &KkjResponse) {
        self.stats.broken_records += response.broken;
        let mut records = Vec::new();
        for r in &response.results {
            let Some(key) = r.key.as_deref().map(str::trim).filter(|k| !k.is_empty()) else {
                self.stats.broken_records += 1;
                continue;
            };
            let id = format!("kkj:{key}");
            let day = r.cft_issue_date.as_deref().and_then(record::date_of);
            if r.lg_code.is_none()
                && let Some(day) = day
            {
                self.national_seen
                    .entry(day)
                    .or_default()
                    .insert(id.clone());
            }
            if r.lg_code.is_none()
                && let Some(name) = &r.organization_name
            {
                self.national_names.insert(name.clone());
            }
            if self.seen.contains(&id) {
                continue;
            }
            let Some(record) = to_record(r, &self.source.id, &self.base) else {
                self.stats.broken_records += 1;
                continue;
            };
            self.seen.insert(id);
            self.stats.notices += 1;
            if let Some(day) = day {
                *self.stats.per_day.entry(day).or_default() += 1;
            }
            records.push(record);
        }
        if records.is_empty() {
            return;
        }
        let outcome = match self.lock() {
            Some(mut s) => s
                .upsert_all(&records, Utc::now())
                .map_err(|e| e.to_string()),
            None => Err("store lock poisoned".to_string()),
        };
        match outcome {
            Ok(outcomes) => {
                for o in outcomes {
                    match o {
                        UpsertOutcome::New => self.report.records_new += 1,
                        UpsertOutcome::Changed => self.report.records_changed += 1,
                        UpsertOutcome::Unchanged => self.report.records_unchanged += 1,
                    }
                }
            }
            Err(e) => {
                tracing::error!(source = %self.source.id, error = %e, "cannot store kkj records");
                *self.report.errors.entry("store".into()).or_default() += 1;
                for r in &records {
                    self.seen.remove(&r.id);
                }
            }
        }
    }

    fn truncated(&mut self, w: &Window, hits: u64, returned: usize) {
        let line = format!("{}: {} hits, {} returned", w.describe(), hits, returned);
        tracing::warn!(source = %self.source.id, "kkj window stays truncated: {line}");
        self.report
            .messages
            .push(format!("kkj window truncated: {line}"));
        self.stats.truncated.push(line);
    }

    /// Harvests a date range (with the source's prefecture restriction, if any).
    async fn harvest_range(&mut self, top: Window) {
        let mut stack = vec![top];
        while let Some(w) = stack.pop() {
            let Some(resp) = self.query(&w).await else {
                continue;
            };
            let hits = resp.hits.unwrap_or(0);
            if hits <= resp.results.len() as u64 {
                continue;
            }
            if w.days() > 1 {
                let days: Vec<NaiveDate> = w.from.iter_days().take(w.days() as usize).collect();
                let k = pieces_for(hits).min(days.len());
                let pieces = split_even(&days, k);
                let last = pieces.len().saturating_sub(1);
                // Pushed in reverse so that the oldest piece is asked first.
                for (i, piece) in pieces.iter().enumerate().rev() {
                    let (Some(first), Some(end)) = (piece.first(), piece.last()) else {
                        continue;
                    };
                    stack.push(Window {
                        from: *first,
                        to: *end,
                        open_end: w.open_end && i == last,
                        ..w.clone()
                    });
                }
            } else {
                let day = w.from;
                if w.open_end {
                    // The last day of an open range also holds any future-dated notices: ask for
                    // the day alone first.
                    stack.push(Window {
                        open_end: false,
                        ..w.clone()
                    });
                    continue;
                }
                self.harvest_day(day, hits, resp.results.len()).await;
            }
        }
    }

    /// A single day above the cap: split by prefecture groups, then find the national bodies.
    async fn harvest_day(&mut self, day: NaiveDate, hits: u64, returned: usize) {
        let codes = self.restricted.clone().unwrap_or_else(all_lg_codes);
        let prefectural = self.harvest_codes(day, &codes, hits).await;
        if self.restricted.is_some() {
            return;
        }
        let Some(prefectural) = prefectural else {
            return;
        };
        let expected = hits.saturating_sub(prefectural);
        self.harvest_national(day, expected, returned).await;
    }

    /// Splits `codes` into groups and harvests each; returns the sum of their hits (`None` if a
    /// group failed).
    async fn harvest_codes(&mut self, day: NaiveDate, codes: &[String], hits: u64) -> Option<u64> {
        let mut total = Some(0u64);
        // Breadth-first over groups, deeper splits as needed.
        let mut queue: Vec<(Vec<String>, bool)> =
            split_even(codes, pieces_for(hits).min(codes.len()))
                .into_iter()
                .rev()
                .map(|g| (g, true))
                .collect();
        while let Some((group, top_level)) = queue.pop() {
            let w = Window {
                from: day,
                to: day,
                open_end: false,
                lg: Some(group.clone()),
                category: None,
                organization: None,
            };
            let Some(resp) = self.query(&w).await else {
                if top_level {
                    total = None;
                }
                continue;
            };
            let h = resp.hits.unwrap_or(0);
            if top_level {
                total = total.map(|t| t + h);
            }
            if h <= resp.results.len() as u64 {
                continue;
            }
            if group.len() > 1 {
                for g in split_even(&group, pieces_for(h).min(group.len()))
                    .into_iter()
                    .rev()
                {
                    queue.push((g, false));
                }
            } else {
                self.harvest_categories(w, h).await;
            }
        }
        total
    }

    /// One window split by category (1 物品, 2 工事, 3 役務); records without a category, and
    /// categories still above the cap, are logged.
    async fn harvest_categories(&mut self, w: Window, hits: u64) {
        let mut sum = 0;
        for c in 1..=3u8 {
            let cw = Window {
                category: Some(c),
                ..w.clone()
            };
            let Some(resp) = self.query(&cw).await else {
                continue;
            };
            let h = resp.hits.unwrap_or(0);
            sum += h;
            if h > resp.results.len() as u64 {
                self.truncated(&cw, h, resp.results.len());
            }
        }
        if sum < hits {
            let line = format!(
                "{}: {} records without a category cannot be reached",
                w.describe(),
                hits - sum
            );
            tracing::warn!(source = %self.source.id, "{line}");
            self.report
                .messages
                .push(format!("kkj window truncated: {line}"));
            self.stats.truncated.push(line);
        }
    }

    /// Finds the `expected` records without an LgCode of a day by `Organization_Name` tokens.
    async fn harvest_national(&mut self, day: NaiveDate, expected: u64, day_returned: usize) {
        let seen = |run: &Self| run.national_seen.get(&day).map_or(0, |s| s.len() as u64);
        let mut asked: Vec<&str> = Vec::new();
        while let Some(token) = next_token(&self.national_names, &asked) {
            asked.push(token);
            if seen(self) >= expected {
                return;
            }
            let w = Window {
                from: day,
                to: day,
                open_end: false,
                lg: None,
                category: None,
                organization: Some((*token).to_string()),
            };
            let Some(resp) = self.query(&w).await else {
                continue;
            };
            let h = resp.hits.unwrap_or(0);
            if h > resp.results.len() as u64 {
                self.harvest_categories(w, h).await;
            }
        }
        let found = seen(self);
        if found < expected {
            let line = format!(
                "{day}: {} of {expected} records without an LgCode not reached (day answer returned {day_returned})",
                expected - found
            );
            tracing::warn!(source = %self.source.id, "kkj: {line}");
            self.report
                .messages
                .push(format!("kkj window truncated: {line}"));
            self.stats.truncated.push(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn window_urls_use_the_api_syntax() {
        let base = Url::parse("https://www.kkj.go.jp/api/").unwrap();
        let w = Window {
            from: d("2026-10-01"),
            to: d("2026-10-31"),
            open_end: false,
            lg: None,
            category: None,
            organization: None,
        };
        let u = window_url(&base, &w);
        assert_eq!(
            u.as_str(),
            "https://www.kkj.go.jp/api/?Query=NOT+zqxjkvbwzq&CFT_Issue_Date=2026-10-01%2F2026-10-31&Count=1000"
        );
        let w = Window {
            lg: Some(vec!["01".into(), "13".into()]),
            category: Some(2),
            to: d("2026-10-01"),
            ..w
        };
        let u = window_url(&base, &w);
        assert_eq!(
            u.query(),
            Some("LG_Code=01%2C13&Category=2&CFT_Issue_Date=2026-10-01&Count=1000")
        );
        let w = Window {
            open_end: true,
            lg: None,
            category: None,
            organization: Some("庁".into()),
            ..w
        };
        let q: Vec<(String, String)> = window_url(&base, &w).query_pairs().into_owned().collect();
        assert_eq!(q[0], ("Organization_Name".to_string(), "庁".to_string()));
        assert_eq!(
            q[1],
            ("CFT_Issue_Date".to_string(), "2026-10-01/".to_string())
        );
    }

    #[test]
    fn split_even_keeps_order_and_everything() {
        let codes = all_lg_codes();
        let groups = split_even(&codes, 4);
        assert_eq!(groups.len(), 4);
        assert_eq!(groups.concat(), codes);
        assert!(groups.iter().all(|g| (11..=12).contains(&g.len())));
        assert_eq!(split_even(&codes[..1], 3), vec![vec!["01".to_string()]]);
    }

    #[test]
    fn tokens_cover_the_bodies_seen_first() {
        let names: HashSet<String> = [
            "国土交通省 関東地方整備局",
            "農林水産省",
            "衆議院",
            "会計検査院",
            "デジタル庁",
        ]
        .map(String::from)
        .into();
        let mut asked = Vec::new();
        while let Some(t) = next_token(&names, &asked) {
            asked.push(t);
        }
        assert_eq!(&asked[..3], ["省", "院", "庁"]);
        assert_eq!(
            asked.len(),
            NATIONAL_TOKENS.len(),
            "every token stays available"
        );
        assert_eq!(next_token(&HashSet::new(), &[]), Some("省"));
    }

    #[test]
    fn lower_bounds() {
        let mut s = KkjStats {
            notices: 2501,
            ..KkjStats::default()
        };
        s.per_day.insert(d("2026-10-01"), 2400);
        s.per_day.insert(d("2026-10-02"), 100);
        s.per_day.insert(d("2026-10-03"), 1);
        assert_eq!(s.per_day_lower_bound(), 5);
        assert_eq!(s.absolute_lower_bound(), 3);
    }
}
