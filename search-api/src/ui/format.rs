//! Japanese formatting of values for the web UI, feeds and exports.

use chrono::{Datelike, NaiveDate};

use indexer::Kind;

/// `3200000` → `3,200,000円`.
pub(crate) fn yen(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out + "円"
}

/// `2026-12-01` → `2026年12月1日（火）`.
pub(crate) fn date_ja(d: NaiveDate) -> String {
    const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    let w = WEEKDAYS[d.weekday().num_days_from_monday() as usize % 7];
    format!("{}年{}月{}日（{w}）", d.year(), d.month(), d.day())
}

/// 落札率 as a percentage with one decimal: `0.8523` → `85.2%`.
pub(crate) fn ratio(r: f64) -> String {
    format!("{:.1}%", r * 100.0)
}

/// 入札公告 or 落札結果.
pub(crate) fn kind_label(k: Kind) -> &'static str {
    match k {
        Kind::Notice => "入札公告",
        Kind::Award => "落札結果",
    }
}

/// The label of a facet value (wire names of kind and status become Japanese).
pub(crate) fn facet_label<'a>(param: &str, value: &'a str) -> &'a str {
    match (param, value) {
        ("status", "open") => "受付中",
        ("status", "closed") => "受付終了・期限不明",
        ("kind", "notice") => "入札公告",
        ("kind", "award") => "落札結果",
        (_, v) => v,
    }
}

/// A query string from pairs.
pub(crate) fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A path segment, percent-encoded.
pub(crate) fn segment(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(yen(3_200_000), "3,200,000円");
        assert_eq!(yen(999), "999円");
        assert_eq!(yen(0), "0円");
        assert_eq!(
            date_ja(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            "2026年12月1日（火）"
        );
        assert_eq!(ratio(0.8523), "85.2%");
        assert_eq!(segment("kkj:a b/c"), "kkj%3Aa%20b%2Fc");
    }
}
