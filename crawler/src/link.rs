//! Linking an award result (落札結果) to the tender notice it results from.
//!
//! Results arrive late, on other pages, and often with a shortened or reworded title, so a link
//! is made only on strong evidence, and every link says what that evidence was. Only notices
//! with the same buyer are candidates (the same municipality code — or a designated-city ward
//! and its city — when both records have or resolve to one; otherwise the same normalised buyer
//! name; with no buyer on either, the same source), and only when the award is dated neither
//! before the notice nor more than 300 days after it.
//!
//! 1. **Case number.** The same case number (案件番号, compared without width, spaces, `第`…`号`),
//!    carried by exactly one candidate. Evidence: `case number R08-0131 (same buyer 362077 美馬市)`.
//! 2. **Title.** The same 年度 (see [`link_award`]) and core titles (see [`core_title`]) that
//!    are equal once shared endings and lot suffixes are dropped, or at least
//!    [`MIN_SIMILARITY`] similar (character-bigram [`dice`]) where the only difference is one
//!    insertion carrying no number, letter, direction or bracket — and exactly one candidate
//!    matching so. Two different case numbers from the same source rule a pair out. Evidence:
//!    `title: core titles equal 「…」 (score 1.00); same buyer …; 年度 2026` or
//!    `title: core titles similar 「…」 ~ 「…」 (bigram Dice 0.94); …`.
//!
//! Anything weaker — a shared title without a 年度, two notices that match equally, `(その1)`
//! against `(その2)`, 工事 against 業務, 清掃 against 警備 — makes no link: a missing link is
//! better than a wrong one.

use std::collections::HashSet;
use std::sync::LazyLock;

use chrono::NaiveDate;
use indexer::{Kind, Link, Record};
use regex::Regex;

use crate::normalize::date::fiscal_year;
use crate::normalize::text::{clean_title, normalize_text};
use crate::reference::{Municipality, by_code, normalize_code, resolve_buyer};

/// The least character-bigram Dice similarity for a title match that is not exact.
pub const MIN_SIMILARITY: f64 = 0.9;

/// The fewest characters a core title must have to be matched at all.
const MIN_CORE_CHARS: usize = 4;

/// The latest an award may be dated after its notice. Tender to award takes weeks or a few
/// months; case numbers and yearly titles come back after a year.
const MAX_GAP_DAYS: i64 = 300;

/// A 年度 as titles write it: `令和8年度`, `R8年度`, `平成31年度`, `令和元年度`, `2026年度`.
const NENDO: &str = r"(?:(?:令和|平成|R|H)\s*(?:\d{1,2}|元)|\d{4})\s*年度";

/// One 年度 with its parts captured.
static NENDO_PARTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:(令和|平成|R|H)\s*(\d{1,2}|元)|(\d{4}))\s*年度").expect("static regex")
});

/// A 年度 expression to drop from a core title, with a western year in brackets, a range
/// (`令和8年度～令和10年度`), surrounding brackets and a trailing `分`.
static NENDO_SPAN: LazyLock<Regex> = LazyLock::new(|| {
    let one = format!(r"{NENDO}(?:\s*\(\s*\d{{4}}\s*年度?\s*\))?");
    Regex::new(&format!(r"\(?{one}(?:\s*[~〜\-]\s*{one})?\s*分?\)?")).expect("static regex")
});

/// Bracketed markers anywhere in a title: `【再公告】`, `【電子入札】`.
static MARKERS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"【[^【】]{0,30}】").expect("static regex"));

/// Procedure notes in brackets that notices carry and results often drop.
static PROCEDURE_NOTES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\((?:単価契約|長期継続契約|長期継続|電子入札[^()]{0,10}|紙入札|再公告|再度公告|再入札|入札公告|公告|総合評価[^()]{0,12}|事後審査型|条件付[^()]{0,12}|制限付[^()]{0,12}|一般競争入札|指名競争入札|希望制指名競争入札)\)",
    )
    .expect("static regex")
});

/// `等` before an ending (`調理等業務`), which results often drop.
static ETC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"等(業務|委託|工事|購入|一式|$)").expect("static regex"));

/// Lot suffixes: `(その2)`, `その2`, `(第2工区)`, `(2工区)`, `第2期`.
static LOT_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\(?(?:その\s*[0-9一二三四五六七八九十]+|第?[0-9一二三四五六七八九十]+\s*(?:工区|期))\)?$",
    )
    .expect("static regex")
});

/// Punctuation that titles use interchangeably, dropped from core titles.
const NOISE: &[&str] = &[
    "及び",
    "並びに",
    "・",
    "、",
    ",",
    "。",
    ".",
    "/",
    "\u{2010}",
    "\u{2015}",
    "\u{301C}",
];

/// Title endings, by kind of contract: when both core titles end with an ending of the same
/// kind, the endings are dropped before comparing (`庁舎清掃業務委託` = `庁舎清掃業務`); when they
/// end with endings of different kinds (`…改修工事` and `…改修業務`), they are different tenders.
const ENDINGS: &[(&str, &[&str])] = &[
    (
        "services",
        &["業務委託", "委託業務", "業務委託料", "業務", "委託"],
    ),
    ("works", &["工事"]),
    ("goods", &["購入", "調達"]),
];

/// Characters that tell two tenders apart when one title has them and the other does not.
const DISTINGUISHING: &str = "0123456789一二三四五六七八九十百〇東西南北上下前後新旧第号期区棟工";

/// The core of a title, for matching notices to results: [`clean_title`] (NFKC, markers,
/// file-size suffixes), then without any `【…】` marker, any 年度 (`令和8年度`, `R8年度`,
/// `(2026年度)`, `令和8年度～令和10年度`), procedure notes such as `(単価契約)` or
/// `(電子入札対象)`, `等` before an ending, whitespace and interchangeable punctuation (`・`,
/// `、`, `及び`).
///
/// Lot suffixes (`(その2)`) and endings (`業務委託`, `工事`) are kept: whether they may be
/// dropped depends on the other title (see the module documentation).
pub fn core_title(title: &str) -> String {
    let cleaned = clean_title(title);
    let no_markers = MARKERS.replace_all(&cleaned, "");
    let no_year = NENDO_SPAN.replace_all(&no_markers, "");
    let no_notes = PROCEDURE_NOTES.replace_all(&no_year, "");
    let mut core: String = no_notes.chars().filter(|c| !c.is_whitespace()).collect();
    for noise in NOISE {
        core = core.replace(noise, "");
    }
    core = ETC.replace_all(&core, "$1").into_owned();
    core.replace("()", "")
}

/// The first 年度 a title states, as the western year it starts in (`令和8年度` → 2026).
pub fn title_fiscal_year(title: &str) -> Option<i32> {
    let text = normalize_text(title);
    let caps = NENDO_PARTS.captures(&text)?;
    if let Some(western) = caps.get(3) {
        return western.as_str().parse().ok();
    }
    let n: i32 = match caps.get(2)?.as_str() {
        "元" => 1,
        digits => digits.parse().ok()?,
    };
    match caps.get(1)?.as_str() {
        "令和" | "R" => Some(2018 + n),
        "平成" | "H" => Some(1988 + n),
        _ => None,
    }
}

/// Finds the notice an award results from, among `notices` (records of any kind; only notices
/// other than the award are considered, each id once). Returns the link with its evidence, or
/// `None` when the evidence is weak or ambiguous. The rules are in the module documentation.
///
/// The 年度 is shared when the 年度 written in both titles agree, or, when at most one title
/// states one, when the notice's 年度 (of its publication date, or its title) is one of the
/// award's (of its opening date, its publication date, or its title).
pub fn link_award(award: &Record, notices: &[Record]) -> Option<Link> {
    if award.kind != Kind::Award {
        return None;
    }
    let mut seen = HashSet::new();
    let candidates: Vec<(&Record, BuyerMatch)> = notices
        .iter()
        .filter(|n| n.kind == Kind::Notice && n.id != award.id && seen.insert(n.id.as_str()))
        .filter(|n| in_time(award, n))
        .filter_map(|n| same_buyer(award, n).map(|b| (n, b)))
        .collect();
    by_case_number(award, &candidates).or_else(|| by_title(award, &candidates))
}

/// How two records were found to have the same buyer.
#[derive(Debug, Clone)]
enum BuyerMatch {
    /// The same municipality code (or a ward and its city).
    Code(&'static Municipality),
    /// The same buyer name, after normalisation.
    Name(String),
    /// Neither names a buyer, and both come from the same source.
    Source(String),
}

impl BuyerMatch {
    fn describe(&self) -> String {
        match self {
            BuyerMatch::Code(m) => format!("same buyer {} {}", m.code, m.full_name()),
            BuyerMatch::Name(name) => format!("same buyer 「{name}」"),
            BuyerMatch::Source(source) => format!("same source {source}, no buyer stated"),
        }
    }

    fn municipality(&self) -> Option<&'static Municipality> {
        match self {
            BuyerMatch::Code(m) => Some(m),
            _ => None,
        }
    }
}

/// The municipality of a record: its code when set (and valid), else its buyer name resolved.
fn municipality_of(r: &Record) -> Option<&'static Municipality> {
    match r.municipality_code.as_deref() {
        Some(code) => normalize_code(code).and_then(|c| by_code(&c)),
        None => r.buyer.as_deref().and_then(resolve_buyer),
    }
}

/// A buyer name for comparing: normalised, without whitespace.
fn buyer_key(s: &str) -> String {
    normalize_text(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

/// Whether two records have the same buyer, and how that was established.
fn same_buyer(a: &Record, b: &Record) -> Option<BuyerMatch> {
    match (municipality_of(a), municipality_of(b)) {
        // The same code, or a designated-city ward and its city; two wards are two buyers.
        (Some(x), Some(y)) => {
            let same = x.code == y.code || x.parent == Some(y.code) || y.parent == Some(x.code);
            same.then(|| BuyerMatch::Code(if x.parent.is_some() { y } else { x }))
        }
        (Some(_), None) | (None, Some(_)) => None,
        (None, None) => match (a.buyer.as_deref(), b.buyer.as_deref()) {
            (Some(x), Some(y)) => {
                let (x, y) = (buyer_key(x), buyer_key(y));
                (!x.is_empty() && x == y).then_some(BuyerMatch::Name(x))
            }
            (None, None) => (a.source == b.source).then(|| BuyerMatch::Source(a.source.clone())),
            _ => None,
        },
    }
}

/// The dates an award carries: its opening (開札日) and its publication.
fn award_dates(award: &Record) -> Vec<NaiveDate> {
    [&award.opening, &award.published]
        .into_iter()
        .flatten()
        .map(|w| w.date)
        .collect()
}

/// Whether every date of the award lies between the notice's publication date and
/// [`MAX_GAP_DAYS`] after it (true when the notice's date is unknown).
fn in_time(award: &Record, notice: &Record) -> bool {
    match &notice.published {
        Some(p) => award_dates(award)
            .iter()
            .all(|d| *d >= p.date && (*d - p.date).num_days() <= MAX_GAP_DAYS),
        None => true,
    }
}

/// A case number for comparing: NFKC, upper case, no whitespace, without `第`…`号` and
/// `No.`. `None` when fewer than three characters remain.
fn case_key(s: &str) -> Option<String> {
    let mut key: String = normalize_text(s)
        .to_uppercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for prefix in ["案件番号:", "NO.", "第"] {
        if let Some(rest) = key.strip_prefix(prefix) {
            key = rest.to_string();
        }
    }
    if let Some(rest) = key.strip_suffix('号') {
        key = rest.to_string();
    }
    (key.chars().count() >= 3).then_some(key)
}

/// Rule 1: the same buyer and case number, carried by exactly one notice.
fn by_case_number(award: &Record, candidates: &[(&Record, BuyerMatch)]) -> Option<Link> {
    let key = case_key(award.case_number.as_deref()?)?;
    let mut matching = candidates.iter().filter(|(n, _)| {
        n.case_number.as_deref().and_then(case_key).as_deref() == Some(key.as_str())
    });
    let (notice, buyer) = matching.next()?;
    if matching.next().is_some() {
        return None;
    }
    Some(Link {
        id: notice.id.clone(),
        evidence: format!(
            "case number {} ({})",
            award.case_number.as_deref().unwrap_or_default().trim(),
            buyer.describe()
        ),
    })
}

/// The 年度 two records share, or `None` when it cannot be established or is contradicted: the
/// 年度 written in both titles must agree; otherwise the 年度 of the notice's date or title must
/// be one of the award's (its opening date's, its publication date's or its title's).
fn shared_fiscal_year(award: &Record, notice: &Record) -> Option<i32> {
    let award_title = title_fiscal_year(&award.title);
    let notice_title = title_fiscal_year(&notice.title);
    if let (Some(a), Some(n)) = (award_title, notice_title) {
        return (a == n).then_some(a);
    }
    let award_years: Vec<i32> = award_dates(award)
        .into_iter()
        .map(fiscal_year)
        .chain(award_title)
        .collect();
    let notice_years = notice
        .published
        .as_ref()
        .map(|w| fiscal_year(w.date))
        .into_iter()
        .chain(notice_title);
    notice_years.into_iter().find(|y| award_years.contains(y))
}

/// How two core titles matched.
#[derive(Debug, Clone, PartialEq)]
struct TitleMatch {
    /// `exact` or `similar`.
    rule: &'static str,
    /// The compared cores (after dropping shared endings and lot suffixes).
    award_core: String,
    notice_core: String,
    /// Character-bigram Dice similarity of the compared cores.
    score: f64,
}

/// Rule 2: same buyer, same 年度, and a strong title match with exactly one notice.
fn by_title(award: &Record, candidates: &[(&Record, BuyerMatch)]) -> Option<Link> {
    let award_case = award.case_number.as_deref().and_then(case_key);
    let mut matches = candidates.iter().filter_map(|(notice, buyer)| {
        // Two different case numbers from the same source are two different tenders.
        let notice_case = notice.case_number.as_deref().and_then(case_key);
        if notice.source == award.source
            && award_case.is_some()
            && notice_case.is_some()
            && award_case != notice_case
        {
            return None;
        }
        let year = shared_fiscal_year(award, notice)?;
        let title = match_titles(&award.title, &notice.title, buyer.municipality())?;
        Some((*notice, buyer, year, title))
    });
    let (notice, buyer, year, title) = matches.next()?;
    if matches.next().is_some() {
        return None;
    }
    let evidence = match title.rule {
        "exact" => format!(
            "title: core titles equal 「{}」 (score {:.2}); {}; 年度 {year}",
            title.notice_core,
            title.score,
            buyer.describe()
        ),
        _ => format!(
            "title: core titles similar 「{}」 ~ 「{}」 (bigram Dice {:.2}); {}; 年度 {year}",
            title.award_core,
            title.notice_core,
            title.score,
            buyer.describe()
        ),
    };
    Some(Link {
        id: notice.id.clone(),
        evidence,
    })
}

/// Drops `prefix` from the start of whichever of `a` and `b` starts with it, when only one does
/// (`美馬市学校給食…` against `学校給食…`).
fn drop_one_sided_prefix(a: &mut String, b: &mut String, prefix: &str) {
    if prefix.is_empty() || a.starts_with(prefix) == b.starts_with(prefix) {
        return;
    }
    for s in [a, b] {
        if s.starts_with(prefix) && s.len() > prefix.len() {
            s.replace_range(..prefix.len(), "");
        }
    }
}

/// The kind of ending a core title ends with, and its length in bytes.
fn ending_of(core: &str) -> Option<(&'static str, usize)> {
    ENDINGS.iter().find_map(|(kind, endings)| {
        endings
            .iter()
            .filter(|e| core.ends_with(*e) && core.len() > e.len())
            .map(|e| e.len())
            .max()
            .map(|len| (*kind, len))
    })
}

/// Compares two titles; `municipality` is the shared buyer, whose name is dropped from the start
/// of a title when the other does not have it.
fn match_titles(
    award_title: &str,
    notice_title: &str,
    municipality: Option<&Municipality>,
) -> Option<TitleMatch> {
    let mut a = core_title(award_title);
    let mut n = core_title(notice_title);
    if let Some(m) = municipality {
        for name in [m.full_name(), m.name.to_string(), m.prefecture.to_string()] {
            drop_one_sided_prefix(&mut a, &mut n, &name);
        }
    }
    if a.chars().count() < MIN_CORE_CHARS || n.chars().count() < MIN_CORE_CHARS {
        return None;
    }
    // Lot suffixes: dropped only when the same on both sides; different lots never match.
    match (LOT_SUFFIX.find(&a), LOT_SUFFIX.find(&n)) {
        (Some(x), Some(y)) if x.as_str() == y.as_str() => {
            let (xs, ys) = (x.start(), y.start());
            a.truncate(xs);
            n.truncate(ys);
        }
        (None, None) => {}
        _ => return None,
    }
    if let (Some((ka, la)), Some((kn, ln))) = (ending_of(&a), ending_of(&n)) {
        if ka != kn {
            return None;
        }
        a.truncate(a.len() - la);
        n.truncate(n.len() - ln);
    }
    let score = dice(&a, &n);
    if a == n && !a.is_empty() {
        return Some(TitleMatch {
            rule: "exact",
            award_core: a,
            notice_core: n,
            score,
        });
    }
    if score >= MIN_SIMILARITY && is_harmless_insertion(&a, &n) {
        return Some(TitleMatch {
            rule: "similar",
            award_core: a,
            notice_core: n,
            score,
        });
    }
    None
}

/// Whether `a` and `b` differ by one contiguous insertion in one of them that carries no
/// number, letter, direction, lot word or bracket.
fn is_harmless_insertion(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let max_suffix = a.len().min(b.len()) - prefix;
    let suffix = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    let middle_a = &a[prefix..a.len() - suffix];
    let middle_b = &b[prefix..b.len() - suffix];
    let inserted = match (middle_a.is_empty(), middle_b.is_empty()) {
        (true, false) => middle_b,
        (false, true) => middle_a,
        _ => return false,
    };
    inserted.iter().all(|c| {
        !c.is_ascii_alphanumeric() && !DISTINGUISHING.contains(*c) && !"()[]「」『』".contains(*c)
    })
}

/// Sørensen–Dice similarity of the character-bigram multisets of `a` and `b` (1.0 when both
/// are equal, 0.0 when either has fewer than two characters and they differ).
pub fn dice(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let bigrams = |s: &str| -> Vec<(char, char)> {
        let chars: Vec<char> = s.chars().collect();
        let mut v: Vec<(char, char)> = chars.windows(2).map(|w| (w[0], w[1])).collect();
        v.sort_unstable();
        v
    };
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * shared as f64 / (x.len() + y.len()) as f64
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn test_core_title_strips_years_markers_and_notes() {
        assert_eq!(
            core_title("【入札公告】令和8年度 美馬市学校給食調理等業務委託"),
            "美馬市学校給食調理業務委託"
        );
        assert_eq!(
            core_title("R8年度　庁舎清掃業務（単価契約）"),
            "庁舎清掃業務"
        );
        assert_eq!(
            core_title("令和８年度（2026年度）道路維持補修工事【電子入札】"),
            "道路維持補修工事"
        );
        assert_eq!(
            core_title("令和8年度～令和10年度 庁舎警備業務委託(長期継続契約)"),
            "庁舎警備業務委託"
        );
        assert_eq!(
            core_title("市民会館改修工事（その２）"),
            "市民会館改修工事(その2)"
        );
        assert_eq!(core_title("公用車購入・保守"), "公用車購入保守");
    }

    #[test]
    fn test_title_fiscal_year() {
        assert_eq!(title_fiscal_year("令和8年度 庁舎清掃"), Some(2026));
        assert_eq!(title_fiscal_year("R８年度 庁舎清掃"), Some(2026));
        assert_eq!(title_fiscal_year("平成31年度 庁舎清掃"), Some(2019));
        assert_eq!(title_fiscal_year("令和元年度 庁舎清掃"), Some(2019));
        assert_eq!(title_fiscal_year("2027年度 庁舎清掃"), Some(2027));
        assert_eq!(title_fiscal_year("庁舎清掃"), None);
    }

    #[test]
    fn test_dice() {
        assert_eq!(dice("庁舎清掃", "庁舎清掃"), 1.0);
        assert_eq!(dice("ab", "cd"), 0.0);
        assert_eq!(dice("a", "b"), 0.0);
        assert!((dice("abcd", "abce") - 2.0 * 2.0 / 6.0).abs() < 1e-9);
    }

    #[test]
    fn test_match_titles_rules() {
        let m = |a: &str, n: &str| match_titles(a, n, None).map(|t| t.rule);
        assert_eq!(
            m("庁舎清掃業務", "令和8年度 庁舎清掃業務委託"),
            Some("exact")
        );
        assert_eq!(
            m("市民会館改修工事(その1)", "市民会館改修工事(その2)"),
            None
        );
        assert_eq!(
            m("市民会館改修工事(その2)", "市民会館改修工事（その２）"),
            Some("exact")
        );
        assert_eq!(m("市民会館改修工事", "市民会館改修工事(その2)"), None);
        assert_eq!(m("体育館改修工事", "体育館改修設計業務"), None);
        assert_eq!(m("本庁舎清掃業務委託", "本庁舎警備業務委託"), None);
        assert_eq!(
            m(
                "美馬市立脇町中学校屋内運動場照明LED化改修工事",
                "美馬市立脇町中学校屋内運動場照明LED化工事"
            ),
            Some("similar")
        );
        assert_eq!(m("市道1号線舗装工事", "市道2号線舗装工事"), None);
        assert_eq!(
            m("北小学校屋上防水改修工事", "南小学校屋上防水改修工事"),
            None
        );
        // Similar enough by the numbers, but a direction differs: the insertion guard refuses.
        let (north, south) = (
            "美馬市立江原南小学校北校舎屋上防水外壁改修工事",
            "美馬市立江原南小学校南校舎屋上防水外壁改修工事",
        );
        assert!(dice(north, south) >= MIN_SIMILARITY);
        assert_eq!(m(north, south), None);
        assert_eq!(m("清掃", "清掃"), None);
    }

    fn dated(id: &str, kind: Kind, title: &str, date: &str) -> Record {
        let mut r = Record::new(id, kind, "mima-city", "http://127.0.0.1/", title);
        r.municipality_code = Some("362077".to_string());
        r.published = Some(indexer::When {
            date: date.parse().unwrap(),
            time: None,
            raw: date.to_string(),
            evidence: None,
        });
        r
    }

    #[test]
    fn test_link_award_only_links_awards_to_other_notices() {
        let notice = dated(
            "n1",
            Kind::Notice,
            "令和8年度 庁舎清掃業務委託",
            "2026-03-02",
        );
        let award = dated("a1", Kind::Award, "庁舎清掃業務", "2026-03-30");
        let link = link_award(&award, std::slice::from_ref(&notice)).unwrap();
        assert_eq!(link.id, "n1");
        assert!(link.evidence.contains("庁舎清掃") && link.evidence.contains("年度 2025"));
        // A notice is never linked as if it were an award, and an award never to itself.
        assert_eq!(link_award(&notice, std::slice::from_ref(&notice)), None);
        let mut as_notice = award.clone();
        as_notice.kind = Kind::Notice;
        assert_eq!(link_award(&award, &[as_notice]), None);
        // The same notice twice in the pool is one candidate, not an ambiguity.
        assert_eq!(
            link_award(&award, &[notice.clone(), notice.clone()]).map(|l| l.id),
            Some("n1".to_string())
        );
        // An award dated before the notice, or long after it, is not its result.
        let early = dated("a2", Kind::Award, "庁舎清掃業務", "2026-02-27");
        assert_eq!(link_award(&early, std::slice::from_ref(&notice)), None);
        let late = dated("a3", Kind::Award, "令和8年度 庁舎清掃業務", "2027-03-01");
        assert_eq!(link_award(&late, std::slice::from_ref(&notice)), None);
    }

    /// A record from the compact form of `fixtures/normalize/links.json`.
    fn record(v: &serde_json::Value, kind: Kind, source: &str) -> Record {
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_string);
        let when = |k: &str| {
            s(k).map(|d| indexer::When {
                date: d.parse().unwrap(),
                time: None,
                raw: d,
                evidence: None,
            })
        };
        let source = s("source").unwrap_or_else(|| source.to_string());
        let mut r = Record::new(
            s("id").unwrap(),
            kind,
            source,
            "http://127.0.0.1/",
            s("title").unwrap(),
        );
        r.buyer = s("buyer");
        r.municipality_code = s("municipality_code");
        r.case_number = s("case_number");
        r.published = when("published");
        r.opening = when("opening");
        r
    }

    #[test]
    fn test_labelled_links_precision_and_recall() {
        let doc: serde_json::Value =
            serde_json::from_str(include_str!("../../fixtures/normalize/links.json")).unwrap();
        let (mut awards, mut expected_links, mut made, mut right) = (0, 0, 0, 0);
        let mut wrong = Vec::new();
        let mut missed = Vec::new();
        for group in doc["groups"].as_array().unwrap() {
            let source = group["source"].as_str().unwrap();
            let notices: Vec<Record> = group["notices"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| record(n, Kind::Notice, source))
                .collect();
            for a in group["awards"].as_array().unwrap() {
                awards += 1;
                let award = record(a, Kind::Award, source);
                let expect = a["expect"].as_str();
                let link = link_award(&award, &notices);
                expected_links += usize::from(expect.is_some());
                if let Some(link) = &link {
                    made += 1;
                    let rule_ok = match a["rule"].as_str() {
                        Some("case") => link.evidence.starts_with("case number"),
                        Some("exact") => link.evidence.starts_with("title: core titles equal"),
                        Some("similar") => link.evidence.starts_with("title: core titles similar"),
                        _ => true,
                    };
                    if Some(link.id.as_str()) == expect && rule_ok {
                        right += 1;
                    } else {
                        wrong.push(format!(
                            "{}: linked {} ({}), expected {expect:?} by {:?}",
                            award.id, link.id, link.evidence, a["rule"]
                        ));
                    }
                } else if let Some(e) = expect {
                    missed.push(format!("{}: expected {e} ({})", award.id, a["why"]));
                }
                if let Some(link) = &link {
                    println!("  {} -> {}: {}", award.id, link.id, link.evidence);
                }
            }
        }
        let recall = right as f64 / expected_links as f64;
        println!(
            "links: {awards} awards, {expected_links} expected links, {made} made, {right} right; precision {:.1}%, recall {:.1}%",
            if made == 0 {
                100.0
            } else {
                100.0 * right as f64 / made as f64
            },
            recall * 100.0
        );
        for m in &missed {
            println!("  missed {m}");
        }
        assert!(awards >= 50, "only {awards} labelled awards");
        assert!(wrong.is_empty(), "wrong links: {wrong:#?}");
        assert!(recall >= 0.8, "recall {recall:.2}; missed {missed:#?}");
    }
}
