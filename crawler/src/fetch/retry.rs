//! Retry policy: which outcomes are retried, how long to back off, and `Retry-After`.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, NaiveDateTime, Utc};

/// Whether a status is transient: 408, 429 and 5xx are retried (GET only — we send nothing else).
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500..=599)
}

/// Exponential back-off for the retry after attempt number `attempt` (1-based):
/// `base × 2^(attempt−1)`, capped at `max`, plus a random extra of up to a quarter.
pub fn backoff(attempt: u32, base: Duration, max: Duration) -> Duration {
    let exp = attempt.saturating_sub(1).min(20);
    let d = base.saturating_mul(1u32 << exp).min(max);
    d + d.mul_f64(rand::random_range(0.0..0.25))
}

/// Parses a `Retry-After` value — delta-seconds or an HTTP-date (IMF-fixdate, RFC 850 or
/// asctime form) — into a wait from `now`. A date in the past means no wait; garbage means
/// `None`.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let secs: u64 = value.parse().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs));
    }
    let when = parse_http_date(value)?;
    let when = SystemTime::from(when);
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses an HTTP-date in any of the three forms RFC 9110 requires recipients to accept.
pub fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    let value = value.trim();
    if let Ok(d) = DateTime::parse_from_rfc2822(value) {
        return Some(d.with_timezone(&Utc));
    }
    // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
    if let Ok(d) = NaiveDateTime::parse_from_str(value, "%A, %d-%b-%y %H:%M:%S GMT") {
        return Some(d.and_utc());
    }
    // asctime: Sun Nov  6 08:49:37 1994
    let squeezed = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Ok(d) = NaiveDateTime::parse_from_str(&squeezed, "%a %b %e %H:%M:%S %Y") {
        return Some(d.and_utc());
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses() {
        for s in [408, 429, 500, 502, 503, 504, 599] {
            assert!(is_retryable_status(s), "{s}");
        }
        for s in [200, 304, 400, 401, 403, 404, 410, 451] {
            assert!(!is_retryable_status(s), "{s}");
        }
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        let base = Duration::from_millis(500);
        let max = Duration::from_secs(8);
        for attempt in 1..=10u32 {
            let d = backoff(attempt, base, max);
            let nominal = (base * 2u32.pow(attempt - 1)).min(max);
            assert!(d >= nominal, "{attempt}: {d:?}");
            assert!(d <= nominal + nominal / 4, "{attempt}: {d:?}");
        }
        // no overflow on silly attempt numbers
        assert!(backoff(u32::MAX, base, max) <= max + max / 4);
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:50:37 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(
            parse_retry_after("Sun Nov  6 08:51:37 1994", now),
            Some(Duration::from_secs(120))
        );
        // in the past: no wait
        assert_eq!(
            parse_retry_after("Sat, 05 Nov 1994 08:49:37 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
    }
}
