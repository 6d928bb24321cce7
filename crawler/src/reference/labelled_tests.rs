//! The labelled buyer-name set: `fixtures/normalize/buyers.tsv`.

#![allow(clippy::unwrap_used)]

use super::resolve_buyer;

const BUYERS: &str = include_str!("../../../fixtures/normalize/buyers.tsv");

#[test]
fn test_labelled_buyers_accuracy() {
    let mut total = 0usize;
    let mut correct = 0usize;
    let mut wrong = Vec::new();
    let mut missed = Vec::new();
    for line in BUYERS
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let mut cols = line.split('\t');
        let buyer = cols.next().unwrap();
        let expected = cols.next().unwrap_or("").trim();
        total += 1;
        let got = resolve_buyer(buyer).map(|m| m.code);
        match (got, expected) {
            (None, "") => correct += 1,
            (Some(code), e) if code == e => correct += 1,
            (Some(code), e) => wrong.push(format!("{buyer}: got {code}, expected {e:?}")),
            (None, e) => missed.push(format!("{buyer}: got none, expected {e}")),
        }
    }
    let accuracy = correct as f64 / total as f64;
    println!(
        "buyers: {correct}/{total} correct ({:.1}%), {} wrong, {} missed",
        accuracy * 100.0,
        wrong.len(),
        missed.len()
    );
    for m in &missed {
        println!("  missed {m}");
    }
    assert!(total >= 100, "only {total} labelled buyers");
    assert!(wrong.is_empty(), "wrong codes: {wrong:#?}");
    assert!(
        accuracy >= 0.99,
        "accuracy {accuracy:.3}; missed: {missed:#?}"
    );
}
