//! Text and tables out of the documents that tender pages link: PDF (Japanese, CID-keyed fonts),
//! Excel (.xlsx / .xls) and CSV (UTF-8 or Shift_JIS).
//!
//! - [`pdf`]: [`pdf::pdf_text`] — the text of a PDF, one line per text line, columns apart by two
//!   spaces; [`pdf::text_table_rows`] splits such text into table rows.
//! - [`sheet`]: [`sheet::sheet_rows`] — the cells of a spreadsheet or CSV as strings.
//!
//! Nothing here panics on malformed input, and every output is bounded.

pub mod pdf;
pub mod sheet;

/// A document that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The PDF could not be parsed.
    #[error("unreadable PDF: {0}")]
    Pdf(String),
    /// The spreadsheet could not be parsed.
    #[error("unreadable spreadsheet: {0}")]
    Sheet(String),
    /// The CSV could not be parsed.
    #[error("unreadable CSV: {0}")]
    Csv(String),
    /// The parser gave up unexpectedly (a bug in it, triggered by this document).
    #[error("the {0} parser failed on this document")]
    Panicked(&'static str),
    /// The document is of a kind this module does not read.
    #[error("unsupported document type {0:?}")]
    Unsupported(String),
}

/// What kind of document a body is, judged by its first bytes, then its media type, then the
/// URL's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// A PDF (`%PDF-`).
    Pdf,
    /// An Office Open XML workbook (a zip).
    Xlsx,
    /// A legacy Excel workbook (an OLE compound file).
    Xls,
    /// Comma-separated values.
    Csv,
    /// Anything else: treated as HTML or text.
    Html,
}

impl DocumentKind {
    /// Sniffs `body`; `media_type` is the `Content-Type` (parameters allowed), `path` the URL path.
    pub fn detect(body: &[u8], media_type: Option<&str>, path: &str) -> DocumentKind {
        let head = &body[..body.len().min(1024)];
        if head.windows(5).any(|w| w == b"%PDF-") {
            return DocumentKind::Pdf;
        }
        if body.starts_with(b"PK\x03\x04") {
            return DocumentKind::Xlsx;
        }
        if body.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
            return DocumentKind::Xls;
        }
        let media = media_type
            .and_then(|m| m.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let path = path.to_ascii_lowercase();
        if media == "text/csv" || media == "application/csv" || path.ends_with(".csv") {
            return DocumentKind::Csv;
        }
        DocumentKind::Html
    }
}

/// The text of an attachment: a PDF's text, or a spreadsheet's / CSV's cells (tab-separated,
/// one row a line), at most `max_chars` characters. `path` is the URL path, for the extension.
pub fn document_text(
    bytes: &[u8],
    media_type: Option<&str>,
    path: &str,
    max_chars: usize,
) -> Result<String, ExtractError> {
    let mut text = match DocumentKind::detect(bytes, media_type, path) {
        DocumentKind::Pdf => pdf::pdf_text(bytes)?,
        DocumentKind::Xlsx | DocumentKind::Xls | DocumentKind::Csv => {
            let kind = DocumentKind::detect(bytes, media_type, path);
            let media = if kind == DocumentKind::Csv {
                Some("text/csv")
            } else {
                media_type
            };
            sheet::sheet_rows(bytes, media)?
                .iter()
                .map(|row| row.join("\t"))
                .collect::<Vec<_>>()
                .join("\n")
        }
        DocumentKind::Html => {
            return Err(ExtractError::Unsupported(
                media_type.unwrap_or("unknown").to_string(),
            ));
        }
    };
    truncate_chars(&mut text, max_chars);
    Ok(text)
}

/// Runs a parser that might panic on hostile input, turning a panic into an error.
pub(crate) fn guarded<T>(
    parser: &'static str,
    f: impl FnOnce() -> Result<T, ExtractError> + std::panic::UnwindSafe,
) -> Result<T, ExtractError> {
    std::panic::catch_unwind(f).unwrap_or(Err(ExtractError::Panicked(parser)))
}

/// The first `max` characters of `s`.
pub(crate) fn truncate_chars(s: &mut String, max: usize) {
    if let Some((cut, _)) = s.char_indices().nth(max) {
        s.truncate(cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_sniffed_before_names() {
        assert_eq!(
            DocumentKind::detect(b"%PDF-1.7\n", Some("text/html"), "/a.html"),
            DocumentKind::Pdf
        );
        assert_eq!(
            DocumentKind::detect(b"PK\x03\x04rest", None, "/a"),
            DocumentKind::Xlsx
        );
        assert_eq!(
            DocumentKind::detect(b"a,b\n", Some("text/csv; charset=Shift_JIS"), "/x"),
            DocumentKind::Csv
        );
        assert_eq!(
            DocumentKind::detect(b"a,b\n", None, "/KEKKA.CSV"),
            DocumentKind::Csv
        );
        assert_eq!(
            DocumentKind::detect(b"<html>", Some("text/html"), "/a.html"),
            DocumentKind::Html
        );
    }

    #[test]
    fn truncation_respects_characters() {
        let mut s = "入札結果一覧".to_string();
        truncate_chars(&mut s, 2);
        assert_eq!(s, "入札");
        truncate_chars(&mut s, 10);
        assert_eq!(s, "入札");
    }
}

#[cfg(test)]
mod fixture_tests {
    //! The committed fixture attachments, read as the crawler reads them.
    use super::*;

    fn fixture(rel: &str) -> Vec<u8> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/sites");
        std::fs::read(root.join(rel)).unwrap()
    }

    #[test]
    fn the_results_pdf_splits_into_its_columns() {
        let bytes = fixture("tamura-city/site/nyusatsu/kekka/r08-11-kekka.pdf");
        let rows = pdf::text_table_rows(&pdf::pdf_text(&bytes).unwrap());
        assert_eq!(
            rows[0],
            ["令和8年11月 入札結果一覧（田村市 財務部 契約検査課）"]
        );
        assert_eq!(rows[1].len(), 8, "{:?}", rows[1]);
        assert_eq!(rows[1][1], "案件名");
        assert_eq!(
            rows[4],
            [
                "第8276号",
                "田村市総合体育館清掃業務委託",
                "業務委託",
                "条件付一般競争入札",
                "令和8年11月10日",
                "4,180,000円",
                "3,762,000円",
                "田村ビルメンテナンス　株式会社",
            ]
        );
    }

    #[test]
    fn the_results_workbook_reads_dates_and_numbers() {
        let bytes = fixture("kita-ward/jigyo/nyusatsu/kekka/r08-11-kekka.xlsx");
        let rows = sheet::sheet_rows(&bytes, None).unwrap();
        assert_eq!(rows[0], ["令和8年11月 入札結果一覧（契約管財課）"]);
        assert_eq!(rows[1][0], "発注番号");
        assert_eq!(
            rows[2],
            [
                "2026-0131",
                "赤羽台三丁目公園遊具更新工事",
                "工事（造園）",
                "制限付き一般競争入札",
                "2026-11-05",
                "12480000",
                "11690000",
                "株式会社赤羽緑化",
                "4",
            ]
        );
        let text = document_text(&bytes, None, "/r08-11-kekka.xlsx", 50).unwrap();
        assert_eq!(text.chars().count(), 50);
    }
}
