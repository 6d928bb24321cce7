//! Atom (RFC 4287) rendering of search results: newest first, stable entry ids, updated times.

use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};

use indexer::Record;

use super::{entry_id, published_utc, record_url};
use crate::ui::format::{kind_label, yen};

/// Escapes text for XML content and attribute values.
pub(crate) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// When an entry last changed: the store's `updated_at`, else its publication date.
fn updated(r: &Record) -> DateTime<Utc> {
    if r.updated_at > DateTime::<Utc>::UNIX_EPOCH {
        r.updated_at
    } else {
        r.published
            .as_ref()
            .map(|p| published_utc(p.date))
            .unwrap_or(DateTime::<Utc>::UNIX_EPOCH)
    }
}

fn summary(r: &Record) -> String {
    let mut parts = vec![kind_label(r.kind).to_string()];
    if let Some(b) = &r.buyer {
        parts.push(format!("発注機関: {b}"));
    }
    let place: Vec<&str> = [r.prefecture.as_deref(), r.municipality.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !place.is_empty() {
        parts.push(format!("所在地: {}", place.join(" ")));
    }
    if let Some(m) = r.method {
        parts.push(format!("入札方式: {}", m.label()));
    }
    if r.kind == indexer::Kind::Notice {
        parts.push(match &r.deadline {
            Some(d) => format!("提出期限: {}", d.date),
            None => "提出期限: 不明".to_string(),
        });
    }
    if let Some(m) = &r.estimated_price {
        parts.push(format!("予定価格: {}", yen(m.yen)));
    }
    if let Some(m) = &r.amount {
        parts.push(format!("落札金額: {}", yen(m.yen)));
    }
    if let Some(w) = &r.winner {
        parts.push(format!("落札者: {w}"));
    }
    parts.join(" / ")
}

/// The feed's metadata.
pub(crate) struct FeedMeta<'a> {
    /// Feed title.
    pub title: &'a str,
    /// Stable id of the search.
    pub id: &'a str,
    /// The feed's own URL.
    pub self_url: &'a str,
    /// The search page for the same query.
    pub html_url: &'a str,
    /// Scheme and authority for links to records.
    pub base: &'a str,
}

/// Renders the feed; `records` are the matching records, newest first.
pub(crate) fn render(meta: &FeedMeta<'_>, records: &[Record]) -> String {
    let feed_updated = records
        .iter()
        .map(updated)
        .max()
        .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"ja\">\n",
    );
    let _ = writeln!(out, "<title>{}</title>", xml(meta.title));
    let _ = writeln!(out, "<id>{}</id>", xml(meta.id));
    let _ = writeln!(out, "<updated>{}</updated>", rfc3339(feed_updated));
    let _ = writeln!(
        out,
        "<link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        xml(meta.self_url)
    );
    let _ = writeln!(
        out,
        "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
        xml(meta.html_url)
    );
    out.push_str("<author><name>tenders</name></author>\n<generator>tenders</generator>\n");
    for r in records {
        out.push_str("<entry>\n");
        let _ = writeln!(out, "<title>{}</title>", xml(&r.title));
        let _ = writeln!(out, "<id>{}</id>", xml(&entry_id(&r.id)));
        let _ = writeln!(out, "<updated>{}</updated>", rfc3339(updated(r)));
        if let Some(p) = &r.published {
            let _ = writeln!(
                out,
                "<published>{}</published>",
                rfc3339(published_utc(p.date))
            );
        }
        let _ = writeln!(
            out,
            "<link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>",
            xml(&record_url(meta.base, &r.id))
        );
        let _ = writeln!(out, "<link rel=\"via\" href=\"{}\"/>", xml(&r.url));
        if let Some(c) = r.category {
            let _ = writeln!(out, "<category term=\"{}\"/>", xml(c.label()));
        }
        let _ = writeln!(out, "<summary>{}</summary>", xml(&summary(r)));
        if let Some(a) = &r.attribution {
            let _ = writeln!(out, "<rights>{}</rights>", xml(a));
        }
        out.push_str("</entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// Orders records newest first: by publication date, then by last change, then by id.
pub(crate) fn newest_first(records: &mut [Record]) {
    let key = |r: &Record| {
        r.published
            .as_ref()
            .map(|p| p.date)
            .unwrap_or(NaiveDate::MIN)
    };
    records.sort_by(|a, b| {
        key(b)
            .cmp(&key(a))
            .then_with(|| updated(b).cmp(&updated(a)))
            .then_with(|| a.id.cmp(&b.id))
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_drops_forbidden_characters() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
