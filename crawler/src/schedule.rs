//! When each source is crawled: cron expressions in Japan Standard Time, with jitter.
//!
//! A source's `schedule` is a five-field cron expression read in JST (`30 2 * * *` is 02:30 JST
//! every day). A source without one is crawled daily off-peak: at a time between 01:00 and 04:59
//! JST chosen from its id, so that many sources do not all start at once. Every run time gets a
//! further jitter of up to [`MAX_JITTER`], also derived from the id, so that two deployments of
//! tenders with the same config do not hit a site at the same second.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use croner::Cron;

/// Japan Standard Time (UTC+9, no daylight saving).
pub fn jst() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset")
}

/// Largest jitter added to a scheduled run.
pub const MAX_JITTER: Duration = Duration::from_secs(10 * 60);

/// A malformed schedule.
#[derive(Debug, thiserror::Error)]
#[error("schedule {expr:?} is not a valid cron expression: {message}")]
pub struct ScheduleError {
    /// The expression.
    pub expr: String,
    /// The parser's message.
    pub message: String,
}

/// When a source runs.
#[derive(Debug, Clone)]
pub struct Schedule {
    cron: Cron,
    jitter: Duration,
    expr: String,
}

/// A stable 64-bit hash of a source id (FNV-1a), for the default time and the jitter.
fn id_hash(id: &str) -> u64 {
    id.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

impl Schedule {
    /// The schedule of a source: its cron expression, or the daily off-peak default.
    pub fn for_source(id: &str, expr: Option<&str>) -> Result<Schedule, ScheduleError> {
        let hash = id_hash(id);
        let expr = match expr {
            Some(e) => e.trim().to_string(),
            None => format!("{} {} * * *", (hash >> 8) % 60, 1 + (hash >> 16) % 4),
        };
        let cron = Cron::from_str(&expr).map_err(|e| ScheduleError {
            expr: expr.clone(),
            message: e.to_string(),
        })?;
        let jitter = Duration::from_secs(hash % MAX_JITTER.as_secs().max(1));
        Ok(Schedule { cron, jitter, expr })
    }

    /// The cron expression in force.
    pub fn expr(&self) -> &str {
        &self.expr
    }

    /// The next run strictly after `after`, jitter included.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        // Search from `after - jitter`, so that a run whose jittered time is still ahead is found.
        let jitter = chrono::Duration::from_std(self.jitter).ok()?;
        let mut from = (after - jitter).with_timezone(&jst());
        loop {
            let next = self.cron.find_next_occurrence(&from, false).ok()?;
            let at = next.with_timezone(&Utc) + jitter;
            if at > after {
                return Some(at);
            }
            from = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap()
    }

    #[test]
    fn cron_is_read_in_jst() {
        let s = Schedule::for_source("mima-city", Some("30 2 * * *")).unwrap();
        // 2026-11-21 12:00 UTC is 21:00 JST; the next 02:30 JST is 2026-11-21 17:30 UTC.
        let next = s.next_after(utc(2026, 11, 21, 12, 0)).unwrap();
        let base = utc(2026, 11, 21, 17, 30);
        assert!(
            next >= base && next < base + chrono::Duration::from_std(MAX_JITTER).unwrap(),
            "{next}"
        );
        // The one after is a day later, with the same jitter.
        let after = s.next_after(next).unwrap();
        assert_eq!(after - next, chrono::Duration::days(1));
    }

    #[test]
    fn default_is_daily_off_peak_and_differs_by_source() {
        let a = Schedule::for_source("mima-city", None).unwrap();
        let b = Schedule::for_source("tamura-city", None).unwrap();
        for s in [&a, &b] {
            let next = s
                .next_after(utc(2026, 11, 21, 12, 0))
                .unwrap()
                .with_timezone(&jst());
            let hour = chrono::Timelike::hour(&next);
            assert!((1..=5).contains(&hour), "{} runs at {next}", s.expr());
        }
        assert_ne!(
            a.next_after(utc(2026, 11, 21, 12, 0)),
            b.next_after(utc(2026, 11, 21, 12, 0))
        );
    }

    #[test]
    fn bad_expressions_are_named() {
        let err = Schedule::for_source("x", Some("every day"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("every day"), "{err}");
        assert!(Schedule::for_source("x", Some("61 * * * *")).is_err());
    }
}
