//! Submission deadlines (提出期限) and bid openings (開札日), from labelled fields and from
//! free text, each with its evidence.
//!
//! A wrong deadline makes a closed tender look open, so every function here returns `None`
//! rather than guess: non-deadline labels, dates before the notice or more than two years after
//! it, and texts naming two different deadlines all give `None`.

use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use indexer::When;
use regex::Regex;

use super::date::{self, ParsedDate};
use super::text::normalize_text;

/// A deadline found in free text, with how sure the finder is (0.0–1.0).
#[derive(Debug, Clone, PartialEq)]
pub struct DeadlineCandidate {
    /// The deadline; `evidence` is `text: <snippet>`.
    pub when: When,
    /// Confidence between 0 and 1: higher for an explicit 提出期限 with a full date and a time,
    /// lower for a period (受付期間) or a date written without its year.
    pub confidence: f32,
}

/// The longest a deadline may lie after the notice date.
const MAX_DAYS_AFTER_NOTICE: i64 = 730;

/// Words that make a label a deadline label.
const DEADLINE_WORDS: &[&str] = &[
    "提出期限",
    "提出期間",
    "提出締切",
    "提出締め切り",
    "提出期日",
    "提出日時",
    "締切",
    "締め切り",
    "〆切",
    "受付期間",
    "受付期限",
    "受付締切",
    "申込期限",
    "申込期間",
    "申込締切",
    "申込み期限",
    "申込み期間",
    "申し込み期限",
    "申し込み期間",
    "申請期限",
    "申請期間",
    "応募期限",
    "応募期間",
    "応募締切",
    "募集期間",
    "参加申込",
    "入札期間",
    "入札書提出",
    "入札書の提出",
    "入札書受付",
    "入札締切",
    "見積書提出",
    "見積書の提出",
    "提案書提出",
    "提案書の提出",
    "企画提案書",
    "期限",
];

/// Words that make a label something else, even if it also has a deadline word
/// (質問受付期限, 納入期限, 開札日時, 辞退届提出期限 …).
const NOT_DEADLINE_WORDS: &[&str] = &[
    "開札",
    "質問",
    "回答",
    "納入",
    "納期",
    "履行",
    "工期",
    "契約期間",
    "委託期間",
    "業務期間",
    "公告",
    "公示",
    "掲載",
    "閲覧",
    "縦覧",
    "配布",
    "交付",
    "説明会",
    "現場説明",
    "支払",
    "有効",
    "結果",
    "通知",
    "審査",
    "ヒアリング",
    "プレゼン",
    "辞退",
    "開始",
    "評価",
    "決定",
    "契約締結",
    "異議",
    "苦情",
    "再度",
    "訂正",
    "変更",
];

/// Normalises a label: NFKC, no spaces, no brackets or trailing colon.
fn clean_label(label: &str) -> String {
    normalize_text(label)
        .chars()
        .filter(|c| !c.is_whitespace() && !"()[]【】〔〕<>《》「」:・*■●◆◇※".contains(*c))
        .collect()
}

/// Whether a field label names a submission deadline (提出期限, 入札書提出期限, 申込期限,
/// 受付期間 …), as opposed to an opening (開札日時), a question period, a delivery date or a
/// publication date.
pub fn is_deadline_label(label: &str) -> bool {
    let l = clean_label(label);
    DEADLINE_WORDS.iter().any(|w| l.contains(w))
        && !NOT_DEADLINE_WORDS.iter().any(|w| l.contains(w))
}

/// Whether a field label names the bid opening (開札日, 開札日時, 入札・開札日時, 入札日時).
pub fn is_opening_label(label: &str) -> bool {
    let l = clean_label(label);
    let opening = (l.contains("開札") && (l.contains('日') || l.contains("時")))
        || matches!(
            l.as_str(),
            "入札日" | "入札日時" | "入札執行日" | "入札執行日時" | "入札(開札)日時"
        );
    let other = [
        "場所", "会場", "結果", "方法", "立会", "中止", "延期", "変更", "調書",
    ]
    .iter()
    .any(|w| l.contains(w));
    opening && !other
}

/// Whether a date is plausible for a deadline or opening of a notice published on `published`.
fn plausible(date: NaiveDate, published: Option<NaiveDate>) -> bool {
    if date.year() < 2000 {
        return false;
    }
    match published {
        Some(p) => date >= p && (date - p).num_days() <= MAX_DAYS_AFTER_NOTICE,
        None => true,
    }
}

fn when_from(parsed: ParsedDate, raw: &str, evidence: String) -> When {
    When {
        date: parsed.date,
        time: parsed.time,
        raw: raw.to_string(),
        evidence: Some(evidence),
    }
}

/// Reads the deadline from a labelled field (`提出期限`: `令和8年6月5日（金）午後5時`).
///
/// Returns `None` when the label is not a deadline label (see [`is_deadline_label`]; 開札日時
/// is the opening), when the value holds no single date, or when the date lies before
/// `published` or more than two years after it. A period (受付期間 A～B) gives its end.
/// `raw` is the value as given and `evidence` the label.
pub fn deadline_from_label(label: &str, value: &str, published: Option<NaiveDate>) -> Option<When> {
    if !is_deadline_label(label) {
        return None;
    }
    let parsed = date::parse_date(value, published)?;
    plausible(parsed.date, published).then(|| when_from(parsed, value, label.trim().to_string()))
}

/// Reads the bid opening from a labelled field (開札日, 開札日時, 入札・開札日時).
///
/// Returns `None` for other labels, values without a single date, and dates before
/// `published` or more than two years after it.
pub fn opening_from_label(label: &str, value: &str, published: Option<NaiveDate>) -> Option<When> {
    if !is_opening_label(label) {
        return None;
    }
    let parsed = date::parse_date(value, published)?;
    plausible(parsed.date, published).then(|| when_from(parsed, value, label.trim().to_string()))
}

/// Deadline keywords in free text, with a base confidence.
static KEYWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(入札書(?:の|等の)?(?:提出|受付)(?:期限|期間|締切|日時)|(?:参加)?申請書?(?:の)?提出期限|提案書(?:等)?(?:の)?提出期限|見積書(?:の)?提出期限|提出期限|提出締切|提出締め切り|提出期日|受付期限|受付締切|申込(?:み)?期限|申込締切|応募期限|応募締切|締切日時|締切日|締め切り日|受付期間|提出期間|申込(?:み)?期間|応募期間|募集期間|入札期間)",
    )
    .expect("static regex")
});

/// Words shortly before a keyword that make it another kind of deadline (質問書の提出期限 …).
static NOT_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(質問|辞退|開札|説明会|閲覧|納入|回答|意見|異議|苦情|資料|図書|申出|再度|前回|変更前|訂正前)").expect("static regex")
});

/// What may stand between a keyword and its date (`提出期限は、`, `受付期間:`, `提出期限 日時`).
static GLUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[\s:=は、,]*(?:日時|日|期日|期間)?[\s:=は、,]*(?:\([^()]{0,12}\))?[\s:=は、,]*(?:(?:本)?公告(?:の)?日(?:の翌日)?\s*(?:から|より|~)\s*)?(?:自|\()?\s*$").expect("static regex")
});

/// How many characters before a keyword are checked for [`NOT_BEFORE`].
const LOOK_BEHIND_CHARS: usize = 10;
/// How far after a keyword a date may start, in bytes of normalised text.
const LOOK_AHEAD_BYTES: usize = 400;

/// Finds the deadline in free text by pattern (提出期限 …, 受付期間 A～B), with the snippet it
/// came from as evidence (`text: 入札書提出期限 令和8年6月5日(金)午後5時`) and a confidence.
///
/// Returns `None` when no keyword is followed closely by a date, when the text names two
/// different deadlines, or when every candidate lies before `published` or more than two years
/// after it. Keywords preceded by 質問, 辞退, 開札, 閲覧 … are ignored. `raw` is the date as it
/// appears in the normalised text.
pub fn deadline_from_text(text: &str, published: Option<NaiveDate>) -> Option<DeadlineCandidate> {
    let prepared = date::prepare(text);
    let mut found: Vec<DeadlineCandidate> = Vec::new();
    for kw in KEYWORD.find_iter(&prepared) {
        let head = &prepared[..kw.start()];
        let from = head
            .char_indices()
            .rev()
            .take(LOOK_BEHIND_CHARS)
            .last()
            .map_or(head.len(), |(i, _)| i);
        if NOT_BEFORE.is_match(&head[from..]) {
            continue;
        }
        let mut window_end = (kw.end() + LOOK_AHEAD_BYTES).min(prepared.len());
        while !prepared.is_char_boundary(window_end) {
            window_end -= 1;
        }
        let window = &prepared[kw.end()..window_end];
        let Some((parsed, start, end)) = date::parse_first_group(window, published) else {
            continue;
        };
        if !GLUE.is_match(&window[..start]) {
            continue;
        }
        if !plausible(parsed.date, published) {
            continue;
        }
        let date_text = window[start..end].trim();
        let snippet = format!("{}{}{}", kw.as_str(), &window[..start], date_text);
        let mut confidence: f32 = if kw.as_str().ends_with("期間") {
            0.8
        } else {
            0.9
        };
        if parsed.time.is_some() {
            confidence += 0.05;
        }
        if !has_explicit_year(date_text) {
            confidence -= 0.2;
        }
        found.push(DeadlineCandidate {
            when: When {
                date: parsed.date,
                time: parsed.time,
                raw: date_text.to_string(),
                evidence: Some(format!("text: {}", snippet.trim())),
            },
            confidence,
        });
    }
    let best = found
        .iter()
        .max_by(|a, b| a.confidence.total_cmp(&b.confidence))?
        .clone();
    // Every candidate must name the same date, and the same time where times are given.
    let agree = found.iter().all(|c| {
        c.when.date == best.when.date
            && (c.when.time.is_none() || best.when.time.is_none() || c.when.time == best.when.time)
    });
    if !agree {
        return None;
    }
    // Prefer the candidate that states the time.
    let chosen = found
        .iter()
        .filter(|c| c.when.time.is_some())
        .max_by(|a, b| a.confidence.total_cmp(&b.confidence))
        .cloned()
        .unwrap_or(best);
    Some(chosen)
}

/// Whether a date text states its year (西暦 or 和暦), as opposed to month and day only.
fn has_explicit_year(s: &str) -> bool {
    static YEAR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"[0-9]{4}\s*[年/.\-]|(?:令和|平成|昭和|[令平昭RHS])\s*\.?\s*(?:元|[0-9]{1,2})\s*[年/.\-]").expect("static regex")
    });
    YEAR.is_match(s)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn test_deadline_from_label_reads_deadline_labels_only() {
        let p = Some(d(2026, 5, 21));
        let w = deadline_from_label("入札書提出期限", "令和8年6月5日（金）午後5時", p).unwrap();
        assert_eq!(w.date, d(2026, 6, 5));
        assert_eq!(w.time, chrono::NaiveTime::from_hms_opt(17, 0, 0));
        assert_eq!(w.raw, "令和8年6月5日（金）午後5時");
        assert_eq!(w.evidence.as_deref(), Some("入札書提出期限"));
        assert_eq!(
            deadline_from_label("開札日時", "令和8年6月8日 10時", p),
            None
        );
        assert_eq!(
            deadline_from_label("質問受付期限", "令和8年5月28日", p),
            None
        );
        assert_eq!(deadline_from_label("納入期限", "令和9年3月31日", p), None);
        let period =
            deadline_from_label("受付期間", "令和8年5月21日から令和8年6月4日まで", p).unwrap();
        assert_eq!(period.date, d(2026, 6, 4));
    }

    #[test]
    fn test_deadline_from_label_rejects_implausible_dates() {
        let p = Some(d(2026, 5, 21));
        assert_eq!(
            deadline_from_label("提出期限", "令和8年5月20日", p),
            None,
            "before the notice"
        );
        assert_eq!(
            deadline_from_label("提出期限", "令和11年5月21日", p),
            None,
            "three years later"
        );
        assert!(
            deadline_from_label("提出期限", "令和8年5月21日", p).is_some(),
            "the notice day itself"
        );
        assert_eq!(
            deadline_from_label("提出期限", "6月5日", None),
            None,
            "no year, no reference"
        );
        assert_eq!(
            deadline_from_label("提出期限", "6月5日", p).map(|w| w.date),
            Some(d(2026, 6, 5))
        );
    }

    #[test]
    fn test_opening_from_label() {
        let p = Some(d(2026, 5, 21));
        let w = opening_from_label("開札日時", "令和8年6月8日（月）午前10時", p).unwrap();
        assert_eq!(w.date, d(2026, 6, 8));
        assert_eq!(opening_from_label("開札場所", "市役所3階入札室", p), None);
        assert_eq!(opening_from_label("提出期限", "令和8年6月5日", p), None);
    }

    #[test]
    fn test_deadline_from_text_with_evidence() {
        let text = "条件付一般競争入札公告 … 入札書提出期限 令和８年６月５日（金）午後５時 … 開札日時 令和8年6月8日（月）午前10時 予定価格 ３，２００，０００円（税抜）";
        let c = deadline_from_text(text, Some(d(2026, 5, 21))).unwrap();
        assert_eq!(c.when.date, d(2026, 6, 5));
        assert_eq!(c.when.time, chrono::NaiveTime::from_hms_opt(17, 0, 0));
        assert!(
            c.when
                .evidence
                .as_deref()
                .unwrap()
                .starts_with("text: 入札書提出期限"),
            "{:?}",
            c.when.evidence
        );
        assert!(c.confidence > 0.9);
    }

    #[test]
    fn test_deadline_from_text_refuses_when_unsure() {
        let p = Some(d(2026, 5, 21));
        assert_eq!(
            deadline_from_text("開札日時 令和8年6月8日 午前10時", p),
            None
        );
        assert_eq!(
            deadline_from_text("質問書の提出期限 令和8年5月28日", p),
            None
        );
        assert_eq!(
            deadline_from_text(
                "参加申請書提出期限 令和8年5月29日 入札書提出期限 令和8年6月5日",
                p
            ),
            None
        );
        assert_eq!(
            deadline_from_text("提出期限 令和8年5月1日", p),
            None,
            "before the notice"
        );
        assert_eq!(
            deadline_from_text("受付期間 令和8年5月21日から", p),
            None,
            "open-ended period"
        );
    }

    #[test]
    fn test_deadline_from_text_merges_repeated_mentions() {
        let text = "提出期限：令和8年6月5日 ... なお、提出期限（令和8年6月5日午後5時）を過ぎたものは受け付けない。";
        let c = deadline_from_text(text, Some(d(2026, 5, 21))).unwrap();
        assert_eq!(c.when.date, d(2026, 6, 5));
        assert_eq!(c.when.time, chrono::NaiveTime::from_hms_opt(17, 0, 0));
    }
}
