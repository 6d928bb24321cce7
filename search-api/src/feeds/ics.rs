//! iCalendar (RFC 5545) rendering of notice deadlines, in Asia/Tokyo.

use chrono::{DateTime, Duration, Utc};

use indexer::Record;

use super::record_url;

/// The Asia/Tokyo time zone (no daylight saving since 1951).
const VTIMEZONE: [&str; 9] = [
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Tokyo",
    "BEGIN:STANDARD",
    "DTSTART:19700101T000000",
    "TZOFFSETFROM:+0900",
    "TZOFFSETTO:+0900",
    "TZNAME:JST",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// Escapes a TEXT value: backslash, semicolon, comma and newlines.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line so that no physical line exceeds 75 octets, never inside a UTF-8
/// character, and terminates it with CRLF.
pub(crate) fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

fn stamp(t: DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

/// A globally unique, stable UID for a record's deadline event.
fn uid(id: &str) -> String {
    let encoded: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!("deadline-{encoded}@tenders")
}

fn description(r: &Record, page: &str) -> String {
    let mut lines = Vec::new();
    if let Some(b) = &r.buyer {
        lines.push(format!("発注機関: {b}"));
    }
    if let Some(m) = r.method {
        lines.push(format!("入札方式: {}", m.label()));
    }
    if let Some(d) = &r.deadline {
        lines.push(format!("提出期限（原文）: {}", d.raw));
    }
    lines.push(format!("詳細: {page}"));
    lines.push(format!("公告ページ: {}", r.url));
    if let Some(a) = &r.attribution {
        lines.push(a.clone());
    }
    lines.join("\n")
}

/// Renders one VEVENT per record with a known deadline.
pub(crate) fn render(name: &str, base: &str, records: &[Record], now: DateTime<Utc>) -> String {
    let mut lines: Vec<String> = vec![
        "BEGIN:VCALENDAR".into(),
        "VERSION:2.0".into(),
        "PRODID:-//tenders//deadlines//JA".into(),
        "CALSCALE:GREGORIAN".into(),
        "METHOD:PUBLISH".into(),
        format!("X-WR-CALNAME:{}", text(name)),
        "X-WR-TIMEZONE:Asia/Tokyo".into(),
    ];
    lines.extend(VTIMEZONE.iter().map(|s| s.to_string()));
    for r in records {
        let Some(deadline) = &r.deadline else {
            continue;
        };
        let page = record_url(base, &r.id);
        lines.push("BEGIN:VEVENT".into());
        lines.push(format!("UID:{}", uid(&r.id)));
        lines.push(format!("DTSTAMP:{}", stamp(now)));
        match deadline.time {
            Some(t) => {
                lines.push(format!(
                    "DTSTART;TZID=Asia/Tokyo:{}T{}",
                    deadline.date.format("%Y%m%d"),
                    t.format("%H%M%S")
                ));
            }
            None => {
                lines.push(format!(
                    "DTSTART;VALUE=DATE:{}",
                    deadline.date.format("%Y%m%d")
                ));
                lines.push(format!(
                    "DTEND;VALUE=DATE:{}",
                    (deadline.date + Duration::days(1)).format("%Y%m%d")
                ));
            }
        }
        lines.push(format!(
            "SUMMARY:{}",
            text(&format!("【提出期限】{}", r.title))
        ));
        lines.push(format!("DESCRIPTION:{}", text(&description(r, &page))));
        let place: Vec<&str> = [r.prefecture.as_deref(), r.municipality.as_deref()]
            .into_iter()
            .flatten()
            .collect();
        if !place.is_empty() {
            lines.push(format!("LOCATION:{}", text(&place.join(" "))));
        }
        if let Some(c) = r.category {
            lines.push(format!("CATEGORIES:{}", text(c.label())));
        }
        lines.push(format!("URL:{page}"));
        lines.push("TRANSP:TRANSPARENT".into());
        lines.push("END:VEVENT".into());
    }
    lines.push("END:VCALENDAR".into());
    let mut out = String::new();
    for line in &lines {
        fold(line, &mut out);
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let line = format!("SUMMARY:{}", "給食".repeat(40));
        fold(&line, &mut out);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(
                physical.len() <= 75,
                "{} octets: {physical}",
                physical.len()
            );
        }
        let unfolded = out.trim_end_matches("\r\n").replace("\r\n ", "");
        assert_eq!(unfolded, line);
    }

    #[test]
    fn escapes_text() {
        assert_eq!(text("a,b;c\\d\r\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
