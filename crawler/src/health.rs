//! Health of a source after each run, judged against its own history.
//!
//! A source is unhealthy when a run could fetch nothing, suddenly yields no items (or far fewer
//! than usual), loses a field its records used to have, or sees mostly errors. It is stale when
//! it has found nothing new for more business days than it usually goes quiet — weekends,
//! national holidays, the year-end closure and the fiscal-year change are not counted. An
//! unhealthy run never deletes anything: the records the source had are kept.

use chrono::{Datelike, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// Health of one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HealthStatus {
    /// Working as usual.
    Healthy,
    /// Working, but nothing new for too long.
    Stale,
    /// Broken: see the reasons.
    Unhealthy,
}

impl HealthStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            HealthStatus::Healthy => "healthy",
            HealthStatus::Stale => "stale",
            HealthStatus::Unhealthy => "unhealthy",
        }
    }
}

/// The verdict with its reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Health {
    /// The verdict.
    pub status: HealthStatus,
    /// Why, in words an operator can act on.
    pub reasons: Vec<String>,
}

/// What one run looked like, for comparing runs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Pages fetched (200 and 304).
    pub pages: u64,
    /// Errors.
    pub errors: u64,
    /// Items seen (new, changed, unchanged).
    pub items: u64,
    /// New records.
    pub new: u64,
    /// Records written or seen, for field coverage.
    pub covered: u64,
    /// Records that have each field, among `covered`.
    pub fields: Vec<(String, u64)>,
}

/// Fields whose sudden loss makes a source unhealthy.
pub const WATCHED_FIELDS: [&str; 5] = [
    "title",
    "published",
    "deadline",
    "estimated_price",
    "winner",
];

/// Earlier runs needed before a run's item count is judged against them (the first run of an
/// incremental source is a backfill, far larger than the runs after it).
pub const MIN_HISTORY: usize = 3;

/// Business days without new items after which a source is stale (default).
pub const DEFAULT_STALE_AFTER: u32 = 10;

fn median(mut v: Vec<u64>) -> u64 {
    if v.is_empty() {
        return 0;
    }
    v.sort_unstable();
    v[v.len() / 2]
}

fn share(summary: &RunSummary, field: &str) -> Option<f64> {
    let have = summary
        .fields
        .iter()
        .find(|(f, _)| f == field)
        .map(|(_, n)| *n)?;
    (summary.covered > 0).then(|| have as f64 / summary.covered as f64)
}

/// Judges a run against earlier runs (newest first) and the date new items were last found.
pub fn assess(
    run: &RunSummary,
    history: &[RunSummary],
    last_new: Option<NaiveDate>,
    today: NaiveDate,
    stale_after: u32,
) -> Health {
    let mut reasons = Vec::new();
    let usual_items = median(history.iter().map(|h| h.items).collect());
    if run.pages == 0 && run.errors > 0 {
        reasons.push(format!("nothing could be fetched ({} errors)", run.errors));
    } else if run.pages > 0 && run.items == 0 && usual_items > 0 {
        reasons.push(format!("yielded 0 items; it usually yields {usual_items} — the site may have changed its layout"));
    } else if history.len() >= MIN_HISTORY && usual_items >= 10 && run.items * 5 < usual_items {
        reasons.push(format!(
            "yielded {} items, far below its usual {usual_items}",
            run.items
        ));
    }
    if run.errors > 0 && run.errors * 2 > run.pages + run.errors {
        reasons.push(format!(
            "{} of {} requests failed",
            run.errors,
            run.pages + run.errors
        ));
    }
    if run.covered >= 5 {
        for field in WATCHED_FIELDS {
            let before: Vec<f64> = history.iter().filter_map(|h| share(h, field)).collect();
            let usual = if before.is_empty() {
                0.0
            } else {
                before.iter().sum::<f64>() / before.len() as f64
            };
            if usual >= 0.5 && share(run, field) == Some(0.0) {
                reasons.push(format!(
                    "lost the field {field}: none of {} records has it (usually {:.0}%)",
                    run.covered,
                    usual * 100.0
                ));
            }
        }
    }
    if !reasons.is_empty() {
        return Health {
            status: HealthStatus::Unhealthy,
            reasons,
        };
    }
    if let Some(last) = last_new {
        let quiet = business_days_between(last, today);
        if quiet > stale_after {
            return Health {
                status: HealthStatus::Stale,
                reasons: vec![format!(
                    "no new items for {quiet} business days (since {last})"
                )],
            };
        }
    }
    Health {
        status: HealthStatus::Healthy,
        reasons,
    }
}

/// Japanese national holidays of 2025–2027 (内閣府「国民の祝日」, substitute holidays included).
const HOLIDAYS: &[(i32, u32, u32)] = &[
    (2025, 1, 1),
    (2025, 1, 13),
    (2025, 2, 11),
    (2025, 2, 23),
    (2025, 2, 24),
    (2025, 3, 20),
    (2025, 4, 29),
    (2025, 5, 3),
    (2025, 5, 4),
    (2025, 5, 5),
    (2025, 5, 6),
    (2025, 7, 21),
    (2025, 8, 11),
    (2025, 9, 15),
    (2025, 9, 23),
    (2025, 10, 13),
    (2025, 11, 3),
    (2025, 11, 23),
    (2025, 11, 24),
    (2026, 1, 1),
    (2026, 1, 12),
    (2026, 2, 11),
    (2026, 2, 23),
    (2026, 3, 20),
    (2026, 4, 29),
    (2026, 5, 3),
    (2026, 5, 4),
    (2026, 5, 5),
    (2026, 5, 6),
    (2026, 7, 20),
    (2026, 8, 11),
    (2026, 9, 21),
    (2026, 9, 22),
    (2026, 9, 23),
    (2026, 10, 12),
    (2026, 11, 3),
    (2026, 11, 23),
    (2027, 1, 1),
    (2027, 1, 11),
    (2027, 2, 11),
    (2027, 2, 23),
    (2027, 3, 21),
    (2027, 3, 22),
    (2027, 4, 29),
    (2027, 5, 3),
    (2027, 5, 4),
    (2027, 5, 5),
    (2027, 7, 19),
    (2027, 8, 11),
    (2027, 9, 20),
    (2027, 9, 23),
    (2027, 10, 11),
    (2027, 11, 3),
    (2027, 11, 23),
];

/// Whether offices publish tenders on `d`: not a weekend, a national holiday, the year-end
/// closure (12/29–1/3) or the fiscal-year change (3/25–4/10), when few notices appear.
pub fn is_business_day(d: NaiveDate) -> bool {
    if matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
        return false;
    }
    let (m, day) = (d.month(), d.day());
    let year_end = (m == 12 && day >= 29) || (m == 1 && day <= 3);
    let fiscal_change = (m == 3 && day >= 25) || (m == 4 && day <= 10);
    !(year_end || fiscal_change || HOLIDAYS.contains(&(d.year(), m, day)))
}

/// Business days after `from` up to and including `to`.
pub fn business_days_between(from: NaiveDate, to: NaiveDate) -> u32 {
    from.iter_days()
        .skip(1)
        .take_while(|d| *d <= to)
        .filter(|d| is_business_day(*d))
        .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn run(items: u64, covered: u64, deadline: u64) -> RunSummary {
        RunSummary {
            pages: 10,
            errors: 0,
            items,
            new: 1,
            covered,
            fields: vec![("title".into(), covered), ("deadline".into(), deadline)],
        }
    }

    #[test]
    fn zero_items_after_a_normal_history_is_unhealthy() {
        let history = vec![run(40, 40, 30); 5];
        let h = assess(
            &run(0, 0, 0),
            &history,
            Some(d(2026, 11, 20)),
            d(2026, 11, 21),
            10,
        );
        assert_eq!(h.status, HealthStatus::Unhealthy);
        assert!(h.reasons[0].contains("0 items"), "{h:?}");
        let h = assess(
            &run(38, 38, 30),
            &history,
            Some(d(2026, 11, 20)),
            d(2026, 11, 21),
            10,
        );
        assert_eq!(h.status, HealthStatus::Healthy, "{h:?}");
        // A new source with no history is not judged by counts.
        assert_eq!(
            assess(&run(0, 0, 0), &[], None, d(2026, 11, 21), 10).status,
            HealthStatus::Healthy
        );
    }

    #[test]
    fn losing_a_field_is_unhealthy() {
        let history = vec![run(40, 40, 30); 3];
        let h = assess(&run(40, 40, 0), &history, None, d(2026, 11, 21), 10);
        assert_eq!(h.status, HealthStatus::Unhealthy);
        assert!(h.reasons.iter().any(|r| r.contains("deadline")), "{h:?}");
    }

    #[test]
    fn fetching_nothing_or_mostly_errors_is_unhealthy() {
        let mut failed = run(0, 0, 0);
        failed.pages = 0;
        failed.errors = 3;
        assert_eq!(
            assess(&failed, &[], None, d(2026, 11, 21), 10).status,
            HealthStatus::Unhealthy
        );
        let mut errors = run(5, 5, 5);
        errors.errors = 30;
        assert_eq!(
            assess(&errors, &[], None, d(2026, 11, 21), 10).status,
            HealthStatus::Unhealthy
        );
    }

    #[test]
    fn staleness_skips_weekends_holidays_year_end_and_fiscal_change() {
        // Fri 2026-12-25 → Mon 2027-01-11: Mon 12-28 and 01-04..08 count; the weekends, the
        // year-end closure and 成人の日 (01-11) do not.
        assert_eq!(business_days_between(d(2026, 12, 25), d(2027, 1, 11)), 6);
        // 2027-03-24 → 2027-04-12: only 04-12 counts.
        assert_eq!(business_days_between(d(2027, 3, 24), d(2027, 4, 12)), 1);
        let history = vec![run(40, 40, 30); 3];
        let quiet = assess(
            &run(40, 40, 30),
            &history,
            Some(d(2026, 10, 30)),
            d(2026, 11, 21),
            10,
        );
        assert_eq!(quiet.status, HealthStatus::Stale, "{quiet:?}");
        let holiday = assess(
            &run(40, 40, 30),
            &history,
            Some(d(2026, 12, 25)),
            d(2027, 1, 11),
            10,
        );
        assert_eq!(holiday.status, HealthStatus::Healthy);
    }
}
