//! CSV rows of records: RFC 4180 quoting, UTF-8 with a BOM, cells that a spreadsheet would run as
//! a formula defused.

use indexer::{Money, Record, When};

use super::Format;
use crate::feeds::record_url;

/// The column names.
pub(crate) const COLUMNS: [&str; 27] = [
    "id",
    "kind",
    "title",
    "buyer",
    "prefecture",
    "municipality",
    "municipality_code",
    "category",
    "category_raw",
    "method",
    "method_raw",
    "published",
    "deadline",
    "deadline_time",
    "deadline_raw",
    "opening",
    "estimated_price",
    "amount",
    "tax",
    "award_ratio",
    "winner",
    "winner_corporate_number",
    "bidders",
    "linked_notice",
    "url",
    "page",
    "attribution",
];

/// Quotes a cell when it needs it; a cell starting like a formula gets a leading `'`.
pub(crate) fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

fn row(cells: &[String]) -> String {
    let mut line = cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(",");
    line.push_str("\r\n");
    line
}

/// The CSV export.
pub(crate) struct Csv {
    base: String,
}

impl Csv {
    /// A CSV export linking records under `base`.
    pub(crate) fn new(base: String) -> Csv {
        Csv { base }
    }
}

fn s(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}
fn date(w: &Option<When>) -> String {
    w.as_ref().map(|w| w.date.to_string()).unwrap_or_default()
}
fn yen(m: &Option<Money>) -> String {
    m.as_ref().map(|m| m.yen.to_string()).unwrap_or_default()
}

impl Format for Csv {
    fn prefix(&mut self) -> String {
        format!("\u{FEFF}{}", row(&COLUMNS.map(String::from)))
    }

    fn record(&mut self, r: &Record) -> String {
        let tax = r
            .amount
            .as_ref()
            .or(r.estimated_price.as_ref())
            .map(|m| match m.tax {
                indexer::Tax::Included => "included",
                indexer::Tax::Excluded => "excluded",
                indexer::Tax::Unknown => "unknown",
            });
        row(&[
            r.id.clone(),
            r.kind.as_str().to_string(),
            r.title.clone(),
            s(&r.buyer),
            s(&r.prefecture),
            s(&r.municipality),
            s(&r.municipality_code),
            r.category
                .map(|c| c.label().to_string())
                .unwrap_or_default(),
            s(&r.category_raw),
            r.method.map(|m| m.label().to_string()).unwrap_or_default(),
            s(&r.method_raw),
            date(&r.published),
            date(&r.deadline),
            r.deadline
                .as_ref()
                .and_then(|d| d.time)
                .map(|t| t.format("%H:%M").to_string())
                .unwrap_or_default(),
            r.deadline
                .as_ref()
                .map(|d| d.raw.clone())
                .unwrap_or_default(),
            date(&r.opening),
            yen(&r.estimated_price),
            yen(&r.amount),
            tax.unwrap_or("").to_string(),
            r.award_ratio.map(|x| format!("{x:.4}")).unwrap_or_default(),
            s(&r.winner),
            s(&r.winner_corporate_number),
            r.bidders.map(|b| b.to_string()).unwrap_or_default(),
            r.linked_notice
                .as_ref()
                .map(|l| l.id.clone())
                .unwrap_or_default(),
            r.url.clone(),
            record_url(&self.base, &r.id),
            s(&r.attribution),
        ])
    }

    fn suffix(&mut self) -> String {
        String::new()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_defuses() {
        assert_eq!(cell("給食"), "給食");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
    }
}
