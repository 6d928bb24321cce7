//! Accuracy of the normalisers on the labelled sets in `fixtures/normalize/`.
//!
//! Each set is a TSV file written for this project (input, expected, note). Dates and amounts
//! must be at least 99% exact; deadlines must never be wrong (a missing deadline is allowed and
//! counted). Run with `cargo test -p crawler --lib normalize::labelled_tests -- --nocapture` to
//! see the figures.

#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, NaiveTime};
use indexer::Tax;

use super::company::{company_match_key, normalize_company, split_joint_venture};
use super::date::parse_date;
use super::deadline::{deadline_from_label, deadline_from_text, opening_from_label};
use super::money::{money_from_label, parse_money};

/// The rows of a fixture file, split on tabs, without comments and blank lines.
fn rows(name: &str) -> Vec<Vec<String>> {
    let path = format!(
        "{}/../fixtures/normalize/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect()
}

fn opt_date(s: &str) -> Option<NaiveDate> {
    (s != "-").then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

/// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM` or `NONE`.
fn expected_when(s: &str) -> Option<(NaiveDate, Option<NaiveTime>)> {
    if s == "NONE" {
        return None;
    }
    match s.split_once('T') {
        Some((d, t)) => Some((
            opt_date(d).unwrap(),
            Some(NaiveTime::parse_from_str(t, "%H:%M").unwrap()),
        )),
        None => Some((opt_date(s).unwrap(), None)),
    }
}

fn report(name: &str, total: usize, failures: &[String]) -> f64 {
    let exact = total - failures.len();
    let accuracy = exact as f64 / total as f64;
    println!("{name}: {exact}/{total} exact ({:.2}%)", accuracy * 100.0);
    for f in failures {
        println!("  MISS {f}");
    }
    accuracy
}

#[test]
fn test_dates_fixture_accuracy() {
    let rows = rows("dates.tsv");
    assert!(rows.len() >= 300, "the date set has {} rows", rows.len());
    let negatives = rows.iter().filter(|r| r[2] == "NONE").count();
    assert!(
        negatives >= 40,
        "the date set needs negatives, has {negatives}"
    );
    let mut failures = Vec::new();
    for r in &rows {
        let expected = expected_when(&r[2]);
        let got = parse_date(&r[0], opt_date(&r[1])).map(|p| (p.date, p.time));
        if got != expected {
            failures.push(format!(
                "{:?} (ref {}) expected {} got {got:?} [{}]",
                r[0], r[1], r[2], r[3]
            ));
        }
    }
    let accuracy = report("dates.tsv", rows.len(), &failures);
    assert!(accuracy >= 0.99, "date accuracy {accuracy:.4} is below 99%");
}

fn tax_name(t: Tax) -> &'static str {
    match t {
        Tax::Included => "included",
        Tax::Excluded => "excluded",
        Tax::Unknown => "unknown",
    }
}

#[test]
fn test_amounts_fixture_accuracy() {
    let rows = rows("amounts.tsv");
    assert!(rows.len() >= 200, "the amount set has {} rows", rows.len());
    let mut failures = Vec::new();
    for r in &rows {
        let got = if r[1] == "-" {
            parse_money(&r[0])
        } else {
            money_from_label(&r[1], &r[0])
        };
        let got = got.map(|m| {
            assert_eq!(m.raw, r[0], "raw text is kept verbatim");
            (m.yen.to_string(), tax_name(m.tax).to_string())
        });
        let expected = (r[2] != "NONE").then(|| (r[2].clone(), r[3].clone()));
        if got != expected {
            failures.push(format!(
                "{:?} (label {}) expected {} {} got {got:?} [{}]",
                r[0], r[1], r[2], r[3], r[4]
            ));
        }
    }
    let accuracy = report("amounts.tsv", rows.len(), &failures);
    assert!(
        accuracy >= 0.99,
        "amount accuracy {accuracy:.4} is below 99%"
    );
}

#[test]
fn test_companies_fixture_accuracy() {
    let rows = rows("companies.tsv");
    assert!(rows.len() >= 100, "the company set has {} rows", rows.len());
    let mut failures = Vec::new();
    for r in &rows {
        let (norm, key) = (normalize_company(&r[0]), company_match_key(&r[0]));
        if norm != r[1] || key != r[2] {
            failures.push(format!(
                "{:?} expected {} / {} got {norm} / {key} [{}]",
                r[0], r[1], r[2], r[3]
            ));
        }
    }
    let accuracy = report("companies.tsv", rows.len(), &failures);
    assert!(
        accuracy >= 0.99,
        "company accuracy {accuracy:.4} is below 99%"
    );
}

#[test]
fn test_joint_ventures_fixture_is_exact() {
    let rows = rows("joint_ventures.tsv");
    let mut failures = Vec::new();
    for r in &rows {
        let expected: Vec<String> = r[1].split(" | ").map(str::to_string).collect();
        let got = split_joint_venture(&r[0]);
        if got != expected {
            failures.push(format!(
                "{:?} expected {expected:?} got {got:?} [{}]",
                r[0], r[2]
            ));
        }
    }
    report("joint_ventures.tsv", rows.len(), &failures);
    assert!(failures.is_empty());
}

#[test]
fn test_deadlines_fixture_has_no_wrong_deadline() {
    let rows = rows("deadlines.tsv");
    let (mut wrong, mut missed, mut found, mut rejected) = (Vec::new(), Vec::new(), 0, 0);
    for r in &rows {
        let published = opt_date(&r[3]);
        let got = match r[0].as_str() {
            "label" => deadline_from_label(&r[1], &r[2], published),
            "opening" => opening_from_label(&r[1], &r[2], published),
            "text" => deadline_from_text(&r[2], published).map(|c| {
                assert!(
                    c.when
                        .evidence
                        .as_deref()
                        .is_some_and(|e| e.starts_with("text: "))
                );
                assert!((0.0..=1.0).contains(&c.confidence));
                c.when
            }),
            other => panic!("unknown kind {other}"),
        };
        let got = got.map(|w| (w.date, w.time));
        match (expected_when(&r[4]), got) {
            (None, None) => rejected += 1,
            (Some(e), Some(g)) if e == g => found += 1,
            (Some(_), None) => missed.push(format!("{:?} {:?} [{}]", r[1], r[2], r[5])),
            (e, g) => wrong.push(format!(
                "{:?} {:?} expected {e:?} got {g:?} [{}]",
                r[1], r[2], r[5]
            )),
        }
    }
    let positives = rows.iter().filter(|r| r[4] != "NONE").count();
    println!(
        "deadlines.tsv: {} rows, {found}/{positives} found, {} missed, {rejected} correctly refused, {} wrong",
        rows.len(),
        missed.len(),
        wrong.len()
    );
    for m in &missed {
        println!("  MISSED {m}");
    }
    for w in &wrong {
        println!("  WRONG {w}");
    }
    assert!(wrong.is_empty(), "wrong deadlines: {wrong:#?}");
}

#[test]
fn test_classify_fixture_is_exact() {
    use super::classify::{category_of, method_of};
    let rows = rows("classify.tsv");
    let mut failures = Vec::new();
    for r in &rows {
        let got = match r[0].as_str() {
            "method" => method_of(&r[1]).map(|m| m.label()),
            "category" => category_of(&r[1]).map(|c| c.label()),
            other => panic!("unknown kind {other}"),
        };
        if got.unwrap_or("NONE") != r[2] {
            failures.push(format!(
                "{} {:?} expected {} got {got:?} [{}]",
                r[0], r[1], r[2], r[3]
            ));
        }
    }
    report("classify.tsv", rows.len(), &failures);
    assert!(failures.is_empty());
}
