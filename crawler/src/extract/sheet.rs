//! Cells out of spreadsheets (.xlsx, .xls) and CSV files, as strings.
//!
//! Result lists are often published as an Excel workbook or a CSV (Shift_JIS more often than
//! not). Cells come out as the text a person reads: whole numbers without `.0`, date cells as
//! `YYYY-MM-DD` (with `HH:MM` when they hold a time), errors and empty cells as `""`.

use std::io::Cursor;

use calamine::{Data, Reader};

use super::{DocumentKind, ExtractError, guarded};
use crate::fetch::decode::decode_html;

/// Most rows read from one sheet or CSV.
pub const MAX_ROWS: usize = 20_000;

/// Most columns kept per row.
pub const MAX_COLUMNS: usize = 200;

/// The rows of the first non-empty worksheet of an .xlsx / .xls workbook, or of a CSV.
///
/// `media_type` is the `Content-Type` (or a guess from the URL); the bytes are sniffed first, so a
/// workbook served as `application/octet-stream` is still read. Trailing empty cells are dropped,
/// and so are rows with no text at all. Never panics.
pub fn sheet_rows(
    bytes: &[u8],
    media_type: Option<&str>,
) -> Result<Vec<Vec<String>>, ExtractError> {
    match DocumentKind::detect(bytes, media_type, "") {
        DocumentKind::Xlsx | DocumentKind::Xls => guarded("spreadsheet", || workbook_rows(bytes)),
        DocumentKind::Csv => csv_rows(bytes, media_type),
        DocumentKind::Pdf => Err(ExtractError::Unsupported("application/pdf".into())),
        DocumentKind::Html => Err(ExtractError::Unsupported(
            media_type.unwrap_or("unknown").to_string(),
        )),
    }
}

fn workbook_rows(bytes: &[u8]) -> Result<Vec<Vec<String>>, ExtractError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| ExtractError::Sheet(e.to_string()))?;
    for name in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&name) else {
            continue;
        };
        let rows: Vec<Vec<String>> = range
            .rows()
            .take(MAX_ROWS)
            .map(|row| row.iter().take(MAX_COLUMNS).map(cell_text).collect())
            .filter_map(tidy)
            .collect();
        if !rows.is_empty() {
            return Ok(rows);
        }
    }
    Ok(Vec::new())
}

/// A cell as the text a person sees.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.format("%Y-%m-%d").to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// Drops trailing empty cells; `None` for a row with no text.
fn tidy(mut row: Vec<String>) -> Option<Vec<String>> {
    while row.last().is_some_and(|c| c.trim().is_empty()) {
        row.pop();
    }
    (!row.is_empty()).then_some(row)
}

fn csv_rows(bytes: &[u8], media_type: Option<&str>) -> Result<Vec<Vec<String>>, ExtractError> {
    // UTF-8 (with or without BOM), Shift_JIS or EUC-JP, as the charset parameter or sniffing says.
    let text = decode_html(bytes, media_type, None).text;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for record in reader.records().take(MAX_ROWS) {
        let record = record.map_err(|e| ExtractError::Csv(e.to_string()))?;
        let row = record
            .iter()
            .take(MAX_COLUMNS)
            .map(|c| c.trim().to_string())
            .collect();
        if let Some(row) = tidy(row) {
            rows.push(row);
        }
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shift_jis_csv_is_decoded_and_split() {
        let text = "番号,案件名,落札者,落札金額\r\n1,\"道路補修工事（その1）\",㈱髙橋土建,\"1,234,000\"\r\n,,,\r\n";
        let (sjis, _, errors) = encoding_rs::SHIFT_JIS.encode(text);
        assert!(!errors);
        let rows = sheet_rows(&sjis, Some("text/csv")).unwrap();
        assert_eq!(
            rows,
            vec![
                vec!["番号", "案件名", "落札者", "落札金額"],
                vec!["1", "道路補修工事（その1）", "㈱髙橋土建", "1,234,000"],
            ]
        );
    }

    #[test]
    fn utf8_csv_with_bom_and_ragged_rows() {
        let rows =
            sheet_rows("\u{feff}件名,金額\n清掃業務\n".as_bytes(), Some("text/csv")).unwrap();
        assert_eq!(rows, vec![vec!["件名", "金額"], vec!["清掃業務"]]);
    }

    #[test]
    fn cells_read_as_people_see_them() {
        assert_eq!(cell_text(&Data::Float(12_540_000.0)), "12540000");
        assert_eq!(cell_text(&Data::Float(0.925)), "0.925");
        assert_eq!(cell_text(&Data::String(" 北区 ".into())), "北区");
        assert_eq!(cell_text(&Data::Empty), "");
    }

    #[test]
    fn broken_workbooks_are_errors_not_panics() {
        assert!(sheet_rows(b"PK\x03\x04garbage", None).is_err());
        assert!(
            sheet_rows(
                &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0, 1],
                None
            )
            .is_err()
        );
        assert!(matches!(
            sheet_rows(b"%PDF-1.4", None),
            Err(ExtractError::Unsupported(_))
        ));
    }
}
