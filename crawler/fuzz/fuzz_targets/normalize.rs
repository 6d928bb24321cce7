//! Feeds arbitrary text to every normaliser and checks the invariants that keep wrong values
//! out: idempotence of the text normalisers, plausible amounts, deadlines inside their window.
#![no_main]

use chrono::NaiveDate;
use crawler::normalize::{classify, company, date, deadline, money, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let s = input.as_ref();
    // `label<TAB>value` exercises the labelled readers with both halves.
    let (label, value) = s.split_once('\t').unwrap_or(("提出期限", s));
    let published = NaiveDate::from_ymd_opt(2026, 5, 21);

    let normalized = text::normalize_text(s);
    assert_eq!(
        text::normalize_text(&normalized),
        normalized,
        "normalize_text is idempotent"
    );
    let title = text::clean_title(s);
    assert_eq!(
        text::clean_title(&title),
        title,
        "clean_title is idempotent"
    );

    for reference in [None, published] {
        if let Some(p) = date::parse_date(s, reference) {
            let _ = date::fiscal_year(p.date);
        }
    }

    for when in [
        deadline::deadline_from_label(label, value, published),
        deadline::opening_from_label(label, value, published),
        deadline::deadline_from_text(s, published).map(|c| c.when),
    ]
    .into_iter()
    .flatten()
    {
        if let Some(p) = published {
            assert!(
                when.date >= p && (when.date - p).num_days() <= 730,
                "deadline outside its window"
            );
        }
    }
    let _ = deadline::deadline_from_text(s, None);

    for m in [money::parse_money(s), money::money_from_label(label, value)]
        .into_iter()
        .flatten()
    {
        assert!(
            (1..=1_000_000_000_000).contains(&m.yen),
            "implausible amount {}",
            m.yen
        );
    }

    let name = company::normalize_company(s);
    assert_eq!(
        company::normalize_company(&name),
        name,
        "normalize_company is idempotent"
    );
    let _ = company::company_match_key(s);
    assert!(!company::split_joint_venture(s).is_empty());

    let _ = classify::method_of(s);
    let _ = classify::category_of(s);
});
