//! Reading the award zips: zip → headerless 8-column CSV (UTF-8 with BOM) → award records.

use std::io::Read;

use chrono::NaiveDate;
use indexer::{Kind, Money, Record, Tax, When};

use super::codes;
use crate::normalize::{classify, company, text};

/// Largest CSV read out of one zip entry (a guard against zip bombs; the real yearly file is
/// well under this).
pub const MAX_CSV_BYTES: u64 = 1 << 30;

/// One CSV row, as written (columns 1–8 of the spec).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardRow {
    /// 調達案件番号: 19 digits, kept as a string.
    pub case_number: String,
    /// 調達案件名称.
    pub title: String,
    /// 落札決定日.
    pub award_date: NaiveDate,
    /// 落札価格 as written (`31389000.00`).
    pub amount: String,
    /// 府省コード.
    pub ministry_code: String,
    /// 入札方式コード.
    pub method_code: String,
    /// 商号又は名称 (may be empty).
    pub winner: String,
    /// 法人番号: 13 digits, or empty.
    pub corporate_number: String,
}

/// Rows read from one file, and the lines that were refused.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedRows {
    /// Good rows.
    pub rows: Vec<AwardRow>,
    /// Refused lines: (line number, reason).
    pub rejected: Vec<(u64, String)>,
}

/// Errors reading a zip.
#[derive(Debug, thiserror::Error)]
pub enum PportalError {
    /// Not a readable zip.
    #[error("not a readable zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// An entry could not be read.
    #[error("cannot read {name}: {source}")]
    Entry {
        /// The entry.
        name: String,
        /// Why.
        source: std::io::Error,
    },
    /// An entry exceeds [`MAX_CSV_BYTES`].
    #[error("{0} is larger than the limit")]
    TooLarge(String),
}

/// Reads every `.csv` entry of a zip.
pub fn read_zip(bytes: &[u8]) -> Result<ParsedRows, PportalError> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))?;
    let mut out = ParsedRows::default();
    for i in 0..archive.len() {
        let entry = archive.by_index(i)?;
        let name = entry.name().map(|n| n.into_owned()).unwrap_or_default();
        if !entry.is_file() || !name.to_ascii_lowercase().ends_with(".csv") {
            continue;
        }
        let mut data = Vec::new();
        entry
            .take(MAX_CSV_BYTES + 1)
            .read_to_end(&mut data)
            .map_err(|source| PportalError::Entry {
                name: name.clone(),
                source,
            })?;
        if data.len() as u64 > MAX_CSV_BYTES {
            return Err(PportalError::TooLarge(name));
        }
        let parsed = read_csv(&data);
        out.rows.extend(parsed.rows);
        out.rejected.extend(parsed.rejected);
    }
    Ok(out)
}

/// Reads the headerless CSV: BOM stripped, every row checked (8 columns, a numeric case number,
/// an ISO date, a 13-digit 法人番号 or none) — the columns have no header to align them by.
pub fn read_csv(data: &[u8]) -> ParsedRows {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(data);
    let mut out = ParsedRows::default();
    for (i, result) in reader.byte_records().enumerate() {
        let line = i as u64 + 1;
        let record = match result {
            Ok(r) => r,
            Err(e) => {
                out.rejected.push((line, e.to_string()));
                continue;
            }
        };
        let fields: Vec<String> = record
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect();
        match row_of(&fields) {
            Ok(row) => out.rows.push(row),
            Err(reason) => out.rejected.push((line, reason)),
        }
    }
    out
}

fn row_of(f: &[String]) -> Result<AwardRow, String> {
    if f.len() != 8 {
        return Err(format!("{} columns instead of 8", f.len()));
    }
    if f[0].is_empty() || !f[0].bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("case number {:?} is not numeric", f[0]));
    }
    let award_date = NaiveDate::parse_from_str(&f[2], "%Y-%m-%d")
        .map_err(|_| format!("award date {:?} is not YYYY-MM-DD", f[2]))?;
    if !(f[7].is_empty() || (f[7].len() == 13 && f[7].bytes().all(|b| b.is_ascii_digit()))) {
        return Err(format!("法人番号 {:?} is not 13 digits", f[7]));
    }
    Ok(AwardRow {
        case_number: f[0].clone(),
        title: f[1].clone(),
        award_date,
        amount: f[3].clone(),
        ministry_code: f[4].clone(),
        method_code: f[5].clone(),
        winner: f[6].clone(),
        corporate_number: f[7].clone(),
    })
}

/// The id of a row's award: `pportal:<調達案件番号>`; for a case awarded to several winners
/// (複数落札) each winner's row is its own award, `pportal:<調達案件番号>:<法人番号 or name>`.
pub fn award_id(row: &AwardRow) -> String {
    if codes::is_multiple_award(&row.method_code) {
        let who = if row.corporate_number.is_empty() {
            company::normalize_company(&row.winner)
        } else {
            row.corporate_number.clone()
        };
        format!("pportal:{}:{who}", row.case_number)
    } else {
        format!("pportal:{}", row.case_number)
    }
}

/// The award record of one row; `url` is the file it came from.
pub fn to_record(row: &AwardRow, source_id: &str, url: &str) -> Record {
    let title = text::clean_title(&row.title);
    let title = if title.is_empty() {
        format!("調達案件 {}", row.case_number)
    } else {
        title
    };
    let mut r = Record::new(award_id(row), Kind::Award, source_id, url, title);
    r.case_number = Some(row.case_number.clone());
    r.buyer = Some(match codes::ministry(&row.ministry_code) {
        Some(name) => name.to_string(),
        None => format!("府省コード {}", row.ministry_code),
    });
    match codes::method(&row.method_code) {
        Some((name, method)) => {
            r.method = Some(method);
            r.method_raw = Some(name.to_string());
        }
        None => {
            r.method_raw =
                (!row.method_code.is_empty()).then(|| format!("入札方式コード {}", row.method_code))
        }
    }
    r.category = classify::category_of(&r.title);
    r.published = Some(When {
        date: row.award_date,
        time: None,
        raw: row.award_date.to_string(),
        evidence: Some("落札決定日".into()),
    });
    r.amount = parse_amount(&row.amount);
    if !row.winner.is_empty() {
        r.winner = Some(company::normalize_company(&row.winner));
        r.winner_raw = Some(row.winner.clone());
    }
    r.winner_corporate_number =
        (!row.corporate_number.is_empty()).then(|| row.corporate_number.clone());
    r.body = format!("{} {}", row.title, row.winner).trim().to_string();
    r
}

/// `31389000.00` → 31,389,000 yen (the CSV has no tax flag). Fractions of a yen are refused.
fn parse_amount(s: &str) -> Option<Money> {
    let (whole, frac) = s.trim().split_once('.').unwrap_or((s.trim(), ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b == b'0')
    {
        return None;
    }
    let yen: u64 = whole.parse().ok()?;
    (yen > 0).then(|| Money {
        yen,
        tax: Tax::Unknown,
        raw: s.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use indexer::Method;

    use super::*;

    const CSV: &str = "\u{FEFF}\"0000000000000496653\",\"令和７年度デジタル人材採用に係る求人サービス等の利用支援\",\"2026-04-01\",\"31389000.00\",\"W1\",\"8002010\",\"Ｐｏｌｅ＆Ｌｉｎｅ合同会社\",\"7011003005763\"\r\n\"0000000000000512345\",\"庁舎清掃業務\",\"2026-04-02\",\"1200000.00\",\"S4\",\"8014020\",\"\",\"\"\r\n\"調達案件番号\",\"調達案件名称\",\"落札決定日\",\"落札価格\",\"府省コード\",\"入札方式コード\",\"商号又は名称\",\"法人番号\"\r\n\"0000000000000512399\",\"ずれた行\",\"2026-04-02\",\"1200000.00\",\"S4\",\"8014020\",\"1234567890123\"\r\n";

    #[test]
    fn reads_the_headerless_csv_with_bom() {
        let parsed = read_csv(CSV.as_bytes());
        assert_eq!(parsed.rows.len(), 2);
        assert_eq!(parsed.rejected.len(), 2, "{:?}", parsed.rejected);
        assert_eq!(parsed.rejected[0].0, 3);
        let row = &parsed.rows[0];
        assert_eq!(row.case_number, "0000000000000496653");
        assert_eq!(row.corporate_number, "7011003005763");
    }

    #[test]
    fn maps_a_row_to_an_award() {
        let parsed = read_csv(CSV.as_bytes());
        let r = to_record(&parsed.rows[0], "pportal", "http://x/f.zip");
        assert_eq!(r.id, "pportal:0000000000000496653");
        assert_eq!(r.kind, Kind::Award);
        assert_eq!(
            r.title,
            "令和7年度デジタル人材採用に係る求人サービス等の利用支援"
        );
        assert_eq!(r.buyer.as_deref(), Some("デジタル庁"));
        assert_eq!(r.method, Some(Method::OpenCompetitive));
        assert_eq!(r.method_raw.as_deref(), Some("一般競争入札・最低価格"));
        assert_eq!(r.winner.as_deref(), Some("Pole&Line合同会社"));
        assert_eq!(r.winner_raw.as_deref(), Some("Ｐｏｌｅ＆Ｌｉｎｅ合同会社"));
        assert_eq!(r.winner_corporate_number.as_deref(), Some("7011003005763"));
        assert_eq!(r.amount.as_ref().map(|m| m.yen), Some(31_389_000));
        assert_eq!(
            r.published.as_ref().map(|w| w.date),
            NaiveDate::from_ymd_opt(2026, 4, 1)
        );
        assert_eq!(r.municipality_code, None);
        let no_winner = to_record(&parsed.rows[1], "pportal", "http://x/f.zip");
        assert_eq!(
            (no_winner.winner, no_winner.winner_corporate_number),
            (None, None)
        );
        assert_eq!(no_winner.buyer.as_deref(), Some("気象庁"));
        assert_eq!(no_winner.method, Some(Method::Negotiated));
    }

    #[test]
    fn multiple_awards_get_one_record_per_winner() {
        let mut row = read_csv(CSV.as_bytes()).rows.remove(0);
        row.method_code = "8002050".into();
        assert_eq!(award_id(&row), "pportal:0000000000000496653:7011003005763");
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("31389000.00").map(|m| m.yen), Some(31_389_000));
        assert_eq!(parse_amount("500").map(|m| m.yen), Some(500));
        assert_eq!(parse_amount("12.50"), None);
        assert_eq!(parse_amount(""), None);
        assert_eq!(parse_amount("0.00"), None);
    }
}
