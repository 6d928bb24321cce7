//! Amounts of money in yen: `1,234,567円`, `¥1,234,567`, `金壱百萬円也`, `7,800千円`,
//! `1億5千万円`, with their tax flags.

use std::sync::LazyLock;

use indexer::{Money, Tax};
use regex::Regex;

use super::numerals::{is_number_char, kanji_digit, parse_japanese_number, small_multiplier};
use super::text::normalize_text;

/// The largest amount accepted: 1兆円. Anything above is a parsing accident.
const MAX_YEN: u128 = 1_000_000_000_000;

static TAX_INCLUDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"税込|消費税[^()。]{0,16}含む|消費税込|内税|うち[^()。]{0,12}消費税|内消費税")
        .expect("static regex")
});

static TAX_EXCLUDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"税抜|税別|消費税[^()。]{0,16}(?:除く|除き|除いた|含まない|含まず|抜き|抜|別)|外税|本体価格")
        .expect("static regex")
});

/// What may surround a bare number for it still to be read as an amount.
static QUALIFIERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"税込み?|税抜き?|税別|消費税(?:等|及び地方消費税)?(?:額|相当額)?(?:を|は)?(?:含む|除く|含まない|抜き|込み?)?|以内|以下|未満|上限|程度|約|予定|見込み?|まで|総額|合計|全体予算|円|¥|金|也|[()\[\]、,.:・~\-/]",
    )
    .expect("static regex")
});

/// Units that stop a number from being an amount (`95.2%`, `3件`, `10日`).
fn is_non_money_unit(c: char) -> bool {
    "%割件名人回号年月日時分秒個台枚本社者㎡mM平坪kKgGlLtT歳点位等級倍".contains(c)
}

/// Reads the tax flag from text.
fn tax_of(s: &str) -> Tax {
    match (TAX_INCLUDED.is_match(s), TAX_EXCLUDED.is_match(s)) {
        (true, false) => Tax::Included,
        (false, true) => Tax::Excluded,
        _ => Tax::Unknown,
    }
}

/// One numeric run found in a money text.
struct Run {
    start: usize,
    end: usize,
    text: String,
}

/// Splits normalised text into runs of number characters that hold at least one digit.
fn numeric_runs(s: &str) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if !is_number_char(c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, d)) = iter.peek() {
            if !is_number_char(d) {
                break;
            }
            end = j + d.len_utf8();
            iter.next();
        }
        // Trim separators at either end: `1,000円、2,000円` gives two runs.
        let raw = &s[i..end];
        let trimmed_start = raw.trim_start_matches([',', '、', '.']);
        let start = i + (raw.len() - trimmed_start.len());
        let text = trimmed_start.trim_end_matches([',', '、', '.']);
        // `百万円` and `千万円` are amounts; a lone `万` or `千` is not.
        let has_digit = text
            .chars()
            .any(|ch| ch.is_ascii_digit() || kanji_digit(ch).is_some())
            || (text.chars().count() >= 2 && text.chars().any(|ch| small_multiplier(ch).is_some()));
        if has_digit {
            runs.push(Run {
                start,
                end: start + text.len(),
                text: text.to_string(),
            });
        }
    }
    runs
}

/// Parses normalised, space-free text. `label_unit` is a unit from a field label (`千`,
/// `万`, `百万`) applied to a number written without one; `bare_ok` accepts a number without
/// 円 or ¥ when nothing else stands beside it.
fn parse_amount(s: &str, label_unit: Option<&str>, bare_ok: bool) -> Option<u128> {
    let runs = numeric_runs(s);
    let mut values: Vec<u128> = Vec::new();
    let mut bare: Vec<(u128, &Run)> = Vec::new();
    for run in &runs {
        let before = &s[..run.start];
        let after = &s[run.end..];
        let prev = before.chars().next_back();
        let next = after.chars().next();
        if matches!(prev, Some('-' | '△' | '▲' | '−')) {
            return None;
        }
        if next.is_some_and(is_non_money_unit) {
            continue;
        }
        // A breakdown such as `(うち消費税額100,000円)` is not the amount itself.
        let recent: String = before
            .chars()
            .rev()
            .take(14)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if let Some(pos) = recent.rfind(['う', '内', '消'])
            && !recent[pos..].contains(')')
            && (recent[pos..].starts_with("うち")
                || recent[pos..].starts_with("内")
                || recent[pos..].starts_with("消費税"))
        {
            continue;
        }
        let has_unit = run
            .text
            .chars()
            .any(|c| matches!(c, '万' | '萬' | '億' | '兆'))
            || run
                .text
                .ends_with(['千', '仟', '阡', '百', '佰', '十', '拾']);
        let yen_after = next == Some('円');
        let prefixed = matches!(prev, Some('¥' | '\\' | '金'));
        let kanji_only = !run.text.chars().any(|c| c.is_ascii_digit());
        let mut text = run.text.clone();
        if !has_unit
            && !yen_after
            && let Some(unit) = label_unit
        {
            text.push_str(unit);
        }
        let Some(value) = parse_japanese_number(&text) else {
            if yen_after || prefixed {
                return None;
            }
            continue;
        };
        if yen_after || prefixed || (has_unit && !kanji_only) {
            values.push(value);
        } else if !kanji_only {
            bare.push((value, run));
        }
    }
    if values.is_empty() && bare.len() == 1 && bare_ok {
        let (value, run) = bare[0];
        let rest = format!("{}{}", &s[..run.start], &s[run.end..]);
        if QUALIFIERS.replace_all(&rest, "").trim().is_empty() {
            values.push(value);
        }
    }
    let first = *values.first()?;
    if values.iter().any(|v| *v != first) {
        return None;
    }
    (1..=MAX_YEN).contains(&first).then_some(first)
}

/// Normalises money text: NFKC, no whitespace.
fn prepare(s: &str) -> String {
    normalize_text(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Parses an amount of yen: `1,234,567円`, `１，２３４，５６７円`, `¥1,234,567`, `金1,234,567円`,
/// `7,800千円`, `1億5千万円`, `1.5億円`, `金壱百弐拾参萬円也`, `31389000.00`, with the tax flag
/// from 税込 / 税抜 / (消費税を除く) / (うち消費税…) and qualifiers such as 以内, 上限, 未満
/// tolerated.
///
/// Returns `None` for text with no amount, for two different amounts (a range, a list), for
/// negative amounts, and for implausible values (0 円, more than 1兆円). A bare number is read
/// only when nothing but qualifiers stands beside it. `raw` keeps `s` verbatim.
pub fn parse_money(s: &str) -> Option<Money> {
    let t = prepare(s);
    let yen = parse_amount(&t, None, true)?;
    Some(Money {
        yen: u64::try_from(yen).ok()?,
        tax: tax_of(&t),
        raw: s.to_string(),
    })
}

/// Words that make a label a money label.
const MONEY_WORDS: &[&str] = &[
    "予定価格",
    "落札金額",
    "落札価格",
    "落札額",
    "契約金額",
    "契約価格",
    "契約額",
    "見積金額",
    "見積額",
    "見積価格",
    "見積合計",
    "入札金額",
    "入札価格",
    "入札額",
    "委託料",
    "予算額",
    "予算",
    "上限額",
    "上限金額",
    "提案上限",
    "限度額",
    "参考価格",
    "最低制限価格",
    "調査基準価格",
    "基準価格",
    "金額",
    "価格",
    "代金",
    "費用",
    "単価",
    "賃借料",
    "使用料",
];

/// Words that make a label something else (落札率, 価格点, 予定価格の公表時期 …).
const NOT_MONEY_WORDS: &[&str] = &[
    "率",
    "点",
    "方式",
    "評価",
    "番号",
    "日時",
    "年月日",
    "期間",
    "時期",
    "者",
    "場所",
    "方法",
    "有無",
    "区分",
    "理由",
    "順位",
    "件数",
];

static LABEL_UNIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(百万|千|万|億)円").expect("static regex"));

/// Whether a field label names an amount of money (予定価格, 落札金額, 契約金額, 見積金額 …).
pub fn is_money_label(label: &str) -> bool {
    let l = prepare(label);
    MONEY_WORDS.iter().any(|w| l.contains(w)) && !NOT_MONEY_WORDS.iter().any(|w| l.contains(w))
}

/// Parses the value of a labelled money field. Returns `None` when the label is not a money
/// label (see [`is_money_label`]) or the value is not one amount.
///
/// A unit in the label (`予定価格（千円）`, `契約金額(単位:万円)`) applies to a value written
/// without its own unit, and a tax flag in the label (`落札金額（税込）`) applies when the
/// value has none. A bare number is accepted here, since the label says it is money.
pub fn money_from_label(label: &str, value: &str) -> Option<Money> {
    if !is_money_label(label) {
        return None;
    }
    let l = prepare(label);
    let unit = LABEL_UNIT
        .captures(&l)
        .and_then(|c| c.get(1))
        .map(|m| m.as_str());
    let v = prepare(value);
    let yen = parse_amount(&v, unit, true)?;
    let tax = match tax_of(&v) {
        Tax::Unknown => tax_of(&l),
        known => known,
    };
    Some(Money {
        yen: u64::try_from(yen).ok()?,
        tax,
        raw: value.to_string(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn yen(s: &str) -> Option<u64> {
        parse_money(s).map(|m| m.yen)
    }

    #[test]
    fn test_common_forms() {
        assert_eq!(yen("1,234,567円"), Some(1_234_567));
        assert_eq!(yen("１，２３４，５６７円"), Some(1_234_567));
        assert_eq!(yen("¥1,234,567"), Some(1_234_567));
        assert_eq!(yen("￥1,234,567-"), Some(1_234_567));
        assert_eq!(yen("金1,234,567円"), Some(1_234_567));
        assert_eq!(yen("7,800千円"), Some(7_800_000));
        assert_eq!(yen("1億5千万円"), Some(150_000_000));
        assert_eq!(yen("1.5億円"), Some(150_000_000));
        assert_eq!(yen("金壱百弐拾参萬円也"), Some(1_230_000));
        assert_eq!(yen("31389000.00"), Some(31_389_000));
        assert_eq!(yen("3,200,000 円 以内"), Some(3_200_000));
    }

    #[test]
    fn test_tax_flags() {
        assert_eq!(
            parse_money("3,200,000円（税抜）").unwrap().tax,
            Tax::Excluded
        );
        assert_eq!(parse_money("3,520,000円(税込)").unwrap().tax, Tax::Included);
        assert_eq!(
            parse_money("3,200,000円（消費税及び地方消費税を除く）")
                .unwrap()
                .tax,
            Tax::Excluded
        );
        let m = parse_money("1,100,000円（うち消費税及び地方消費税額100,000円）").unwrap();
        assert_eq!((m.yen, m.tax), (1_100_000, Tax::Included));
        assert_eq!(parse_money("1,000円").unwrap().tax, Tax::Unknown);
    }

    #[test]
    fn test_rejections() {
        assert_eq!(yen("非公表"), None);
        assert_eq!(yen("―"), None);
        assert_eq!(yen("0円"), None);
        assert_eq!(yen("2兆円"), None);
        assert_eq!(yen("100万円～200万円"), None);
        assert_eq!(yen("落札率 95.2%"), None);
        assert_eq!(yen("第3号"), None);
        assert_eq!(yen("△1,000円"), None);
        assert_eq!(yen("1,23円"), None);
    }

    #[test]
    fn test_money_from_label() {
        let m = money_from_label("予定価格（千円）", "7,800").unwrap();
        assert_eq!(m.yen, 7_800_000);
        assert_eq!(m.raw, "7,800");
        assert_eq!(
            money_from_label("予定価格（千円）", "7,800,000円")
                .unwrap()
                .yen,
            7_800_000
        );
        let m = money_from_label("落札金額(税込)", "3,520,000").unwrap();
        assert_eq!((m.yen, m.tax), (3_520_000, Tax::Included));
        assert_eq!(money_from_label("落札率", "95.2"), None);
        assert_eq!(money_from_label("件名", "3,200,000円"), None);
        assert_eq!(money_from_label("予定価格", "事後公表"), None);
    }
}
