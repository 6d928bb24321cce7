//! The invented p-portal award files committed under `fixtures/pportal/`, and their generator.
//!
//! Every case, title, amount and company here is invented for this project (company names do
//! not refer to real firms); the 府省 and 入札方式 codes are the spec's. The files reproduce the
//! format: zips holding one headerless, fully quoted, CRLF, UTF-8-with-BOM CSV of 8 columns,
//! with full-width letters and digits, rows without a winner, a case awarded to several winners
//! (複数落札), a case awarded again in a later diff, and a malformed row.
//!
//! Regenerate with `REGENERATE_PPORTAL_FIXTURES=1 cargo test -p crawler --test pportal_load`;
//! that test fails when the committed zips and this generator disagree.

use std::io::Write;
use std::path::Path;

/// One CSV row as written to the file (the 8 columns, verbatim).
pub type Row = [String; 8];

/// `調達案件番号`: 19 digits, zero-padded.
fn case_no(n: u64) -> String {
    format!("{n:019}")
}

/// A valid 13-digit 法人番号 from a 12-digit base (check digit first).
pub fn corporate_number(base: u64) -> String {
    let digits = format!("{:012}", base % 1_000_000_000_000);
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 2 })
        .sum();
    format!("{}{digits}", 9 - sum % 9)
}

// One argument per CSV column, in the spec's order.
#[allow(clippy::too_many_arguments)]
fn row(
    case: u64,
    title: &str,
    date: &str,
    amount: u64,
    ministry: &str,
    method: &str,
    winner: &str,
    corp: Option<u64>,
) -> Row {
    [
        case_no(case),
        title.to_string(),
        date.to_string(),
        format!("{amount}.00"),
        ministry.to_string(),
        method.to_string(),
        winner.to_string(),
        corp.map(corporate_number).unwrap_or_default(),
    ]
}

const WINNERS: &[(&str, u64)] = &[
    ("株式会社東雲システムズ", 10_100_300_001),
    ("（株）みなと清掃サービス", 20_200_400_002),
    ("ＫＡＳＵＭＩ情報技術株式会社", 30_300_500_003),
    ("有限会社北斗印刷", 40_400_600_004),
    ("合同会社ひだまり給食", 50_500_700_005),
    ("一般社団法人　地域測量協会", 60_600_800_006),
    ("株式会社　青葉警備保障", 70_700_900_007),
    ("ミドリ建設（株）", 80_800_100_008),
];

const WORKS: &[(&str, &str)] = &[
    ("庁舎清掃業務", "8002010"),
    ("庁舎警備業務", "8002010"),
    ("基幹システム運用保守業務", "8002040"),
    ("広報誌の印刷・製本", "8001010"),
    ("職員食堂給食業務委託", "8004025"),
    ("地形図修正測量業務", "8002040"),
    ("事務用パソコン等の購入", "8011010"),
    ("合同庁舎空調設備改修工事", "8003010"),
    ("ウェブサイト改修に係る企画提案", "8004030"),
    ("複写機賃貸借及び保守", "8014020"),
];

const MINISTRIES: &[&str] = &[
    "W1", "S1", "P1", "Q1", "K1", "N2", "S4", "T1", "U1", "J5", "O1", "R3",
];

/// A deterministic mix of rows for one period.
fn rows_for(first_case: u64, count: u64, year: i32, months: &[u32], seed: u64) -> Vec<Row> {
    let mut out = Vec::new();
    for i in 0..count {
        let k = (i * 7 + seed) as usize;
        let (work, method) = WORKS[k % WORKS.len()];
        let ministry = MINISTRIES[(k / 3) % MINISTRIES.len()];
        let month = months[(i as usize) % months.len()];
        let day = 1 + (k * 5) % 28;
        let title = format!(
            "令和{}年度{work}",
            if month >= 4 { year - 2018 } else { year - 2019 }
        );
        let amount = 300_000 + (k as u64 * 7_919_993) % 48_000_000;
        let (winner, corp) = if i % 11 == 5 {
            ("", None)
        } else {
            let (w, c) = WINNERS[k % WINNERS.len()];
            (w, Some(c))
        };
        out.push(row(
            first_case + i * 13,
            &title,
            &format!("{year}-{month:02}-{day:02}"),
            amount,
            ministry,
            method,
            winner,
            corp,
        ));
    }
    out
}

/// The files: name → rows. Diffs for some days of November 2026 only; the other days have no
/// file.
pub fn files() -> Vec<(String, Vec<Row>)> {
    let mut full_2026 = rows_for(500_001, 48, 2026, &[4, 5, 6, 7, 8, 9, 10], 3);
    // The spec's own example row, and a few cases that tests look up by number.
    full_2026.push(row(
        496_653,
        "令和７年度デジタル人材採用に係る求人サービス等の利用支援",
        "2026-04-01",
        31_389_000,
        "W1",
        "8002010",
        "Ｐｏｌｅ＆Ｌｉｎｅ合同会社",
        Some(11_003_005_763),
    ));
    // 複数落札: one case, two winners.
    full_2026.push(row(
        700_001,
        "令和８年度災害用備蓄品（飲料水）の購入",
        "2026-06-12",
        4_180_000,
        "J1",
        "8002050",
        "（株）みなと清掃サービス",
        Some(20_200_400_002),
    ));
    full_2026.push(row(
        700_001,
        "令和８年度災害用備蓄品（飲料水）の購入",
        "2026-06-12",
        3_960_000,
        "J1",
        "8002050",
        "ミドリ建設（株）",
        Some(80_800_100_008),
    ));
    // Awarded in the full file, awarded again (re-announced) in a diff.
    full_2026.push(row(
        700_002,
        "第２合同庁舎清掃業務",
        "2026-09-30",
        8_800_000,
        "S1",
        "8002010",
        "株式会社　青葉警備保障",
        Some(70_700_900_007),
    ));
    // An unknown ministry code and an unknown method code.
    full_2026.push(row(
        700_003,
        "観測機器点検業務",
        "2026-10-05",
        1_650_000,
        "Z9",
        "8009999",
        "有限会社北斗印刷",
        Some(40_400_600_004),
    ));

    let full_2025 = rows_for(380_001, 12, 2025, &[4, 6, 9, 11], 5);

    // A diff's awards were decided on the day of the file or shortly before.
    let dated = |mut rows: Vec<Row>, day: u32| {
        for (i, r) in rows.iter_mut().enumerate() {
            r[2] = format!("2026-11-{:02}", day - (i as u32 % 2));
        }
        rows
    };
    let diff_1104 = dated(rows_for(800_001, 3, 2026, &[11], 1), 4);
    let mut diff_1110 = vec![row(
        700_002,
        "第２合同庁舎清掃業務（再度公告）",
        "2026-11-09",
        8_250_000,
        "S1",
        "8002010",
        "（株）みなと清掃サービス",
        Some(20_200_400_002),
    )];
    diff_1110.extend(dated(rows_for(800_101, 2, 2026, &[11], 2), 10));
    let diff_1116 = dated(rows_for(800_201, 4, 2026, &[11], 4), 16);
    let diff_1119 = dated(rows_for(800_301, 2, 2026, &[11], 6), 19);
    vec![
        ("successful_bid_record_info_all_2025.zip".into(), full_2025),
        ("successful_bid_record_info_all_2026.zip".into(), full_2026),
        (
            "successful_bid_record_info_diff_20261104.zip".into(),
            diff_1104,
        ),
        (
            "successful_bid_record_info_diff_20261110.zip".into(),
            diff_1110,
        ),
        (
            "successful_bid_record_info_diff_20261116.zip".into(),
            diff_1116,
        ),
        (
            "successful_bid_record_info_diff_20261119.zip".into(),
            diff_1119,
        ),
    ]
}

/// A malformed line the 2026-11-16 diff carries after its rows (7 columns: the 法人番号 slid into
/// the winner's place).
pub const MALFORMED_LINE: &str = "\"0000000000000800999\",\"列のずれた行\",\"2026-11-16\",\"990000.00\",\"K1\",\"8002010\",\"1234567890123\"\r\n";

/// The CSV text of a file: BOM, every value quoted, CRLF.
pub fn csv_text(name: &str, rows: &[Row]) -> String {
    let mut s = String::from("\u{FEFF}");
    for r in rows {
        let quoted: Vec<String> = r
            .iter()
            .map(|v| format!("\"{}\"", v.replace('"', "\"\"")))
            .collect();
        s.push_str(&quoted.join(","));
        s.push_str("\r\n");
    }
    if name.ends_with("20261116.zip") {
        s.push_str(MALFORMED_LINE);
    }
    s
}

/// A zip holding one CSV named after the zip.
pub fn zip_bytes(name: &str, csv: &str) -> zip::result::ZipResult<Vec<u8>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let time = zip::DateTime::from_date_and_time(2026, 11, 1, 0, 0, 0).unwrap_or_default();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(time);
    writer.start_file(name.replace(".zip", ".csv"), options)?;
    writer.write_all(csv.as_bytes())?;
    Ok(writer.finish()?.into_inner())
}

/// Writes every file into `dir`.
pub fn write_fixtures(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for (name, rows) in files() {
        let bytes = zip_bytes(&name, &csv_text(&name, &rows)).map_err(std::io::Error::other)?;
        std::fs::write(dir.join(&name), bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corporate_numbers_have_valid_check_digits() {
        assert_eq!(corporate_number(11_003_005_763), "7011003005763");
    }

    #[test]
    fn files_read_back_through_the_crawler() {
        for (name, rows) in files() {
            let bytes = zip_bytes(&name, &csv_text(&name, &rows)).unwrap();
            let parsed = crate::source::pportal::read_zip(&bytes).unwrap();
            assert_eq!(parsed.rows.len(), rows.len(), "{name}");
            assert_eq!(
                parsed.rejected.len(),
                usize::from(name.ends_with("20261116.zip")),
                "{name}"
            );
        }
    }
}
