//! Property tests: idempotence of the text normalisers, round trips of dates and amounts
//! through the formats notices use, and the invariants that keep wrong values out.

#![allow(clippy::unwrap_used)]

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Weekday};
use proptest::prelude::*;

use super::company::{company_match_key, normalize_company, split_joint_venture};
use super::date::{fiscal_year, parse_date};
use super::deadline::{deadline_from_label, deadline_from_text, opening_from_label};
use super::money::{money_from_label, parse_money};
use super::text::{clean_title, normalize_text};

/// Strings mixing the characters that matter here: kana, kanji numerals and legal forms,
/// full-width and half-width digits, brackets, spaces and combining marks.
fn japanese_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "令和",
        "平成",
        "年",
        "月",
        "日",
        "時",
        "分",
        "午後",
        "正午",
        "(",
        ")",
        "（",
        "）",
        "【",
        "】",
        "株",
        "㈱",
        "有",
        "(株)",
        "株式会社",
        "NPO法人",
        "・",
        "JV",
        "共同企業体",
        "円",
        "千",
        "万",
        "億",
        "壱",
        "拾",
        "萬",
        "金",
        "¥",
        "￥",
        ",",
        "，",
        "、",
        ".",
        "/",
        "~",
        "～",
        "〜",
        "から",
        "まで",
        "提出期限",
        "開札日時",
        "受付期間",
        "税込",
        "税抜",
        " ",
        "　",
        "\n",
        "\u{200B}",
        "\u{301}",
        "\u{3099}",
        "ｶ",
        "ﾞ",
        "ｱ",
        "Ａ",
        "ａ",
        "１",
        "２",
        "０",
        "1",
        "2",
        "5",
        "9",
        "0",
        "一",
        "二",
        "十",
        "〇",
        "KB",
        "(146.6KB)",
        "同月",
        "(火)",
        "R",
        "H",
        "S",
        "-",
        ":",
        "：",
    ]);
    prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![japanese_text(), any::<String>()]
}

const WEEKDAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];

fn weekday_kanji(w: Weekday) -> &'static str {
    WEEKDAYS[w.num_days_from_monday() as usize]
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '0'..='9' | ',' | '/' | '.' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
            _ => c,
        })
        .collect()
}

/// A kanji numeral (`二十五`, `千九百`), written independently of the parser under test.
fn kanji_number(mut n: u64, daiji: bool) -> String {
    let digits: Vec<char> = if daiji {
        "〇壱弐参四伍六七八九".chars().collect()
    } else {
        "〇一二三四五六七八九".chars().collect()
    };
    let (ten, large_man) = if daiji {
        ('拾', '萬')
    } else {
        ('十', '万')
    };
    let small = |mut x: u64| -> String {
        let mut s = String::new();
        for (value, unit) in [(1000, '千'), (100, '百'), (10, ten)] {
            let q = x / value;
            x %= value;
            if q > 0 {
                if q > 1 || daiji {
                    s.push(digits[q as usize]);
                }
                s.push(unit);
            }
        }
        if x > 0 {
            s.push(digits[x as usize]);
        }
        s
    };
    let mut out = String::new();
    for (value, unit) in [
        (1_000_000_000_000, '兆'),
        (100_000_000, '億'),
        (10_000, large_man),
    ] {
        let q = n / value;
        n %= value;
        if q > 0 {
            out.push_str(&small(q));
            out.push(unit);
        }
    }
    out.push_str(&small(n));
    out
}

fn with_commas(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1億2,345万6,789円`: the amount split at 億 and 万.
fn with_oku_man(n: u64) -> String {
    let (oku, rest) = (n / 100_000_000, n % 100_000_000);
    let (man, one) = (rest / 10_000, rest % 10_000);
    let mut s = String::new();
    if oku > 0 {
        s.push_str(&format!("{}億", with_commas(oku)));
    }
    if man > 0 {
        s.push_str(&format!("{}万", with_commas(man)));
    }
    if one > 0 {
        s.push_str(&with_commas(one));
    }
    s.push('円');
    s
}

fn era(d: NaiveDate) -> (&'static str, char, i32) {
    if d >= NaiveDate::from_ymd_opt(2019, 5, 1).unwrap() {
        ("令和", 'R', d.year() - 2018)
    } else {
        ("平成", 'H', d.year() - 1988)
    }
}

fn date_in_range() -> impl Strategy<Value = NaiveDate> {
    (0i64..(365 * 80))
        .prop_map(|offset| NaiveDate::from_ymd_opt(1989, 1, 8).unwrap() + Duration::days(offset))
}

/// Dates from 2019 on, where deadlines are plausible.
fn recent_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..(365 * 15))
        .prop_map(|offset| NaiveDate::from_ymd_opt(2019, 5, 1).unwrap() + Duration::days(offset))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn test_normalize_text_is_idempotent(s in any_text()) {
        let once = normalize_text(&s);
        prop_assert_eq!(normalize_text(&once), once.clone());
        prop_assert_eq!(once.trim(), once.as_str());
        prop_assert!(!once.contains("  "));
    }

    #[test]
    fn test_clean_title_is_idempotent_and_never_empties_a_title(s in any_text()) {
        let once = clean_title(&s);
        prop_assert_eq!(clean_title(&once), once.clone());
        if normalize_text(&s).chars().any(char::is_alphanumeric) {
            prop_assert!(!once.is_empty(), "{:?} cleaned to nothing", s);
        }
    }

    #[test]
    fn test_clean_title_strips_any_size_suffix(
        title in "[ぁ-んァ-ン一-龥]{1,12}",
        size in 1u32..100_000,
        frac in 0u32..10,
        unit in prop::sample::select(vec!["KB", "MB", "kb", "ＫＢ", "バイト"]),
        full in any::<bool>(),
    ) {
        let (open, close) = if full { ('（', '）') } else { ('(', ')') };
        let s = format!("【入札公告】{title}{open}{size}.{frac}{unit}{close}");
        prop_assert_eq!(clean_title(&s), normalize_text(&title));
    }

    #[test]
    fn test_normalize_company_is_idempotent(s in any_text()) {
        let once = normalize_company(&s);
        prop_assert_eq!(normalize_company(&once), once.clone());
        prop_assert!(!once.chars().any(char::is_whitespace));
        prop_assert_eq!(company_match_key(&once), company_match_key(&s));
        prop_assert!(!split_joint_venture(&s).is_empty());
    }

    #[test]
    fn test_front_and_back_legal_forms_share_a_key(
        name in "[ァ-ン一-龥]{2,8}",
        form in prop::sample::select(vec![("株式会社", "(株)"), ("有限会社", "(有)"), ("合同会社", "(同)"), ("一般社団法人", "(一社)")]),
    ) {
        let (full, short) = form;
        let key = company_match_key(&format!("{full}{name}"));
        prop_assert_eq!(company_match_key(&format!("{name}{full}")), key.clone());
        prop_assert_eq!(company_match_key(&format!("{short}{name}")), key.clone());
        prop_assert_eq!(company_match_key(&format!("{name}{short}")), key.clone());
        prop_assert_eq!(normalize_company(&format!("{short}{name}")), format!("{full}{name}"));
        prop_assert_eq!(normalize_company(&format!("{name}{short}")), format!("{name}{full}"));
    }

    #[test]
    fn test_yen_round_trips_through_written_styles(yen in 1u64..=1_000_000_000_000, style in 0usize..9) {
        let s = match style {
            0 => format!("{}円", with_commas(yen)),
            1 => full_width(&format!("{}円", with_commas(yen))),
            2 => format!("¥{}", with_commas(yen)),
            3 => format!("金{}円", with_commas(yen)),
            4 => format!("{yen}円（税込）"),
            5 => with_oku_man(yen),
            6 => format!("金{}円也", kanji_number(yen, true)),
            7 => format!("{}円", kanji_number(yen, false)),
            _ => format!("{yen}.00"),
        };
        let m = parse_money(&s);
        prop_assert_eq!(m.map(|m| m.yen), Some(yen), "{}", s);
    }

    #[test]
    fn test_thousand_yen_label_unit_applies(thousands in 1u64..=1_000_000_000) {
        let m = money_from_label("予定価格（千円）", &with_commas(thousands)).unwrap();
        prop_assert_eq!(m.yen, thousands * 1000);
    }

    #[test]
    fn test_parsed_amounts_are_plausible(s in any_text()) {
        if let Some(m) = parse_money(&s) {
            prop_assert!((1..=1_000_000_000_000).contains(&m.yen));
            prop_assert_eq!(m.raw, s);
        }
    }

    #[test]
    fn test_dates_round_trip_through_written_styles(d in date_in_range(), style in 0usize..9) {
        let (era_name, letter, year) = era(d);
        let (m, day) = (d.month(), d.day());
        let y = if year == 1 { "元".to_string() } else { year.to_string() };
        let s = match style {
            0 => format!("{era_name}{y}年{m}月{day}日"),
            1 => full_width(&format!("{era_name}{year}年{m}月{day}日")),
            2 => format!("{letter}{year}.{m}.{day}"),
            3 => format!("{letter}{year}/{m}/{day}"),
            4 => format!("{}年{m}月{day}日（{}）", d.year(), weekday_kanji(d.weekday())),
            5 => format!("{}/{m:02}/{day:02}", d.year()),
            6 => d.format("%Y-%m-%d").to_string(),
            7 => format!("{era_name}{}年{}月{}日", kanji_number(year as u64, false), kanji_number(m.into(), false), kanji_number(day.into(), false)),
            _ => format!("{era_name} {year:>2}年{m:>2}月{day:>2}日"),
        };
        let parsed = parse_date(&s, None);
        prop_assert_eq!(parsed.map(|p| p.date), Some(d), "{}", s);
    }

    #[test]
    fn test_times_round_trip(d in date_in_range(), h in 0u32..24, min in 0u32..60, style in 0usize..3) {
        let s = match style {
            0 => format!("{}年{}月{}日 {h}:{min:02}", d.year(), d.month(), d.day()),
            1 => format!("{}年{}月{}日{h}時{min}分", d.year(), d.month(), d.day()),
            _ => {
                let (mer, h12) = if h < 12 { ("午前", h) } else { ("午後", h - 12) };
                format!("{}年{}月{}日（{}）{mer}{h12}時{min}分", d.year(), d.month(), d.day(), weekday_kanji(d.weekday()))
            }
        };
        let p = parse_date(&s, None).unwrap();
        prop_assert_eq!((p.date, p.time), (d, NaiveTime::from_hms_opt(h, min, 0)), "{}", s);
    }

    #[test]
    fn test_month_day_resolves_forward_from_the_reference(reference in date_in_range(), ahead in 0i64..=300) {
        let target = reference + Duration::days(ahead);
        let s = format!("{}月{}日", target.month(), target.day());
        prop_assert_eq!(parse_date(&s, Some(reference)).map(|p| p.date), Some(target));
        prop_assert_eq!(parse_date(&s, None), None);
    }

    #[test]
    fn test_range_returns_its_end(start in date_in_range(), len in 0i64..200) {
        let end = start + Duration::days(len);
        let s = format!("{}年{}月{}日～{}年{}月{}日", start.year(), start.month(), start.day(), end.year(), end.month(), end.day());
        prop_assert_eq!(parse_date(&s, None).map(|p| p.date), Some(end));
    }

    #[test]
    fn test_fiscal_year_contains_the_date(d in date_in_range()) {
        let fy = fiscal_year(d);
        let start = NaiveDate::from_ymd_opt(fy, 4, 1).unwrap();
        let next = NaiveDate::from_ymd_opt(fy + 1, 4, 1).unwrap();
        prop_assert!(start <= d && d < next);
    }

    #[test]
    fn test_deadlines_stay_inside_the_window(s in any_text(), published in date_in_range(), label in prop::sample::select(vec!["提出期限", "受付期間", "開札日時", "入札書提出期限"])) {
        for when in [
            deadline_from_label(label, &s, Some(published)),
            opening_from_label(label, &s, Some(published)),
            deadline_from_text(&s, Some(published)).map(|c| c.when),
        ].into_iter().flatten() {
            prop_assert!(when.date >= published);
            prop_assert!((when.date - published).num_days() <= 730);
        }
    }

    #[test]
    fn test_written_deadline_is_found(published in recent_date(), ahead in 0i64..=365, h in 9u32..18) {
        let d = published + Duration::days(ahead);
        let (era_name, _, year) = era(d);
        let value = format!("{era_name}{year}年{}月{}日（{}）{h}時00分", d.month(), d.day(), weekday_kanji(d.weekday()));
        let w = deadline_from_label("入札書提出期限", &value, Some(published)).unwrap();
        prop_assert_eq!((w.date, w.time), (d, NaiveTime::from_hms_opt(h, 0, 0)));
        let text = format!("入札公告 1. 入札書提出期限 {value} 2. 開札日時 別途通知");
        let c = deadline_from_text(&text, Some(published)).unwrap();
        prop_assert_eq!(c.when.date, d);
        prop_assert!(opening_from_label("開札日時", &value, Some(published)).is_some());
        prop_assert!(deadline_from_label("開札日時", &value, Some(published)).is_none());
    }
}
