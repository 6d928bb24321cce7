//! From a KKJ `<SearchResult>` to a [`Record`].
//!
//! - id `kkj:<Key>`; every record carries the attribution KKJ's terms require.
//! - The deadline and 予定価格 are read from `ProjectDescription` only: the structured
//!   `TenderSubmissionDeadline` is 入札開始日 according to the guide, and `PeriodEndTime` is the end
//!   of delivery — neither is a submission deadline.
//! - `CityCode` (5 or 6 digits) becomes the 6-digit code with its check digit; a prefecture's own
//!   notices get the prefecture's code.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use chrono::NaiveDate;
use indexer::{Attachment, Category, Kind, Money, Record, When};
use regex::Regex;
use url::Url;

use super::xml::KkjResult;
use crate::normalize::{classify, date, deadline, money, text};
use crate::reference;

/// The credit line KKJ's terms of use require on every surface that shows its data.
pub const KKJ_ATTRIBUTION: &str = "出典: 中小企業庁 官公需情報ポータルサイト";

/// 予定価格 followed by an amount in free text (after NFKC): `予定価格 3,200,000円(税抜)`,
/// `予定価格(税込)は、金18,100,000円`.
static ESTIMATED_PRICE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(予定価格(?:\s*\([^()]{0,12}\))?)\s*[:=は、]*\s*((?:金\s*)?[0-9][0-9,.]*\s*(?:億|万|千)?\s*円(?:\s*\([^()]{0,16}\))?)",
    )
    .expect("static regex")
});

/// The 予定価格 stated in a notice's text, when it states exactly one.
pub fn estimated_price_from_text(description: &str) -> Option<Money> {
    let t = text::normalize_text(description);
    let mut found: Vec<Money> = Vec::new();
    for c in ESTIMATED_PRICE.captures_iter(&t) {
        let (Some(label), Some(value)) = (c.get(1), c.get(2)) else {
            continue;
        };
        if let Some(m) = money::money_from_label(label.as_str(), value.as_str()) {
            found.push(m);
        }
    }
    let distinct: BTreeSet<u64> = found.iter().map(|m| m.yen).collect();
    if distinct.len() == 1 {
        found.into_iter().next()
    } else {
        None
    }
}

/// The date part (first 10 characters) of a KKJ timestamp such as `2026-04-20T00:00:00+09:00`.
pub fn date_of(value: &str) -> Option<NaiveDate> {
    let head = value.trim().get(..10)?;
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

/// The detail page of a notice on the service that `base` belongs to:
/// `<origin>/d/?D=<urlencoded Key>&L=ja`.
pub fn detail_url(base: &Url, key: &str) -> String {
    let mut url = base.clone();
    url.set_path("/d/");
    url.set_fragment(None);
    url.query_pairs_mut()
        .clear()
        .append_pair("D", key)
        .append_pair("L", "ja");
    url.to_string()
}

/// Builds the record of one search result; `None` without a `Key`, or without any title.
pub fn to_record(r: &KkjResult, source_id: &str, base: &Url) -> Option<Record> {
    let key = r.key.as_deref()?.trim();
    if key.is_empty() {
        return None;
    }
    let description = r.project_description.clone().unwrap_or_default();
    let title = r
        .project_name
        .as_deref()
        .map(text::clean_title)
        .filter(|t| !t.is_empty())
        .or_else(|| {
            description
                .lines()
                .map(text::clean_title)
                .find(|l| !l.is_empty())
        })?;
    let url = r
        .external_document_uri
        .clone()
        .unwrap_or_else(|| detail_url(base, key));
    let mut record = Record::new(format!("kkj:{key}"), Kind::Notice, source_id, url, title);
    record.attribution = Some(KKJ_ATTRIBUTION.to_string());

    record.buyer = r.organization_name.as_deref().map(text::normalize_text);
    let lg = r
        .lg_code
        .as_deref()
        .and_then(|c| reference::prefecture_of(&format!("{:0>2}", c.trim())));
    record.prefecture = r
        .prefecture_name
        .as_deref()
        .map(text::normalize_text)
        .or(lg.map(|p| p.name.to_string()));
    record.municipality = r.city_name.as_deref().map(text::normalize_text);
    record.municipality_code = r.city_code.as_deref().and_then(reference::normalize_code);
    if record.municipality_code.is_none()
        && record.municipality.is_none()
        && let (Some(p), Some(buyer)) = (lg, record.buyer.as_deref())
        && buyer == p.name
    {
        // The prefecture's own notice: its code is the prefecture's.
        record.municipality_code = Some(p.code.to_string());
    }

    record.category_raw = r.category.clone();
    record.category = r
        .category
        .as_deref()
        .and_then(|c| Category::from_label(c.trim()));
    record.method_raw = r.procedure_type.clone();
    record.method = r.procedure_type.as_deref().and_then(classify::method_of);

    record.published = r.cft_issue_date.as_deref().and_then(|raw| {
        let d = date_of(raw)?;
        // When the notice date is unknown, KKJ fills CftIssueDate with Date (collection time).
        let evidence = if r.date.as_deref() == Some(raw) && !raw.contains("T00:00:00") {
            "CftIssueDate (= Date: 収集日)"
        } else {
            "CftIssueDate"
        };
        Some(When {
            date: d,
            time: None,
            raw: raw.to_string(),
            evidence: Some(evidence.to_string()),
        })
    });
    let published = record.published.as_ref().map(|w| w.date);
    record.deadline = deadline::deadline_from_text(&description, published).map(|c| c.when);
    record.opening = r.opening_tenders_event.as_deref().and_then(|raw| {
        let p = date::parse_date(raw, published)?;
        if published.is_some_and(|d| p.date < d) {
            return None;
        }
        Some(When {
            date: p.date,
            time: p.time,
            raw: raw.to_string(),
            evidence: Some("OpeningTendersEvent".into()),
        })
    });
    record.estimated_price = estimated_price_from_text(&description);
    record.attachments = r
        .attachments
        .iter()
        .map(|(name, uri)| Attachment {
            url: uri.clone(),
            title: if name.is_empty() {
                uri.clone()
            } else {
                text::normalize_text(name)
            },
            media_type: media_type_of(uri),
            text: None,
        })
        .collect();
    record.body = description;
    Some(record)
}

fn media_type_of(uri: &str) -> Option<String> {
    let path = uri
        .split(['?', '#'])
        .next()
        .unwrap_or(uri)
        .to_ascii_lowercase();
    let t = match path.rsplit('.').next()? {
        "pdf" => "application/pdf",
        "html" | "htm" => "text/html",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "xls" => "application/vnd.ms-excel",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc" => "application/msword",
        "zip" => "application/zip",
        _ => return None,
    };
    Some(t.to_string())
}

#[cfg(test)]
mod tests {
    use indexer::{Method, Tax};

    use super::*;

    fn base() -> Url {
        Url::parse("https://www.kkj.go.jp/api/").unwrap()
    }

    fn sample() -> KkjResult {
        KkjResult {
            key: Some("dG9rdXNoaW1hL21pbWEvMjAyNi8yMDI2MTEwMl8wMDEyMwo=".into()),
            external_document_uri: Some("https://www.city.mima.lg.jp/bid/2026/notice-123.pdf".into()),
            project_name: Some("【入札公告】令和8年度 中央地区測量設計委託業務(212.4KB)".into()),
            date: Some("2026-11-03T10:00:00+09:00".into()),
            lg_code: Some("36".into()),
            prefecture_name: Some("徳島県".into()),
            city_code: Some("36207".into()),
            city_name: Some("美馬市".into()),
            organization_name: Some("徳島県美馬市".into()),
            cft_issue_date: Some("2026-11-02T00:00:00+09:00".into()),
            period_end_time: Some("2027-03-15T00:00:00+09:00".into()),
            tender_submission_deadline: Some("2026-11-10T00:00:00+09:00".into()),
            opening_tenders_event: Some("2026-11-20T10:00:00+09:00".into()),
            category: Some("役務".into()),
            procedure_type: Some("一般競争入札".into()),
            project_description: Some(
                "条件付一般競争入札公告 1 入札に付する事項 … 入札書提出期限 令和８年１１月１７日（火）午後５時 … 予定価格 ３，２００，０００円（税抜）…".into(),
            ),
            attachments: vec![("特記仕様書".into(), "https://www.city.mima.lg.jp/bid/2026/spec.pdf".into())],
            ..KkjResult::default()
        }
    }

    #[test]
    fn maps_a_municipal_notice() {
        let r = to_record(&sample(), "kkj", &base()).unwrap();
        assert_eq!(r.id, "kkj:dG9rdXNoaW1hL21pbWEvMjAyNi8yMDI2MTEwMl8wMDEyMwo=");
        assert_eq!(r.title, "令和8年度 中央地区測量設計委託業務");
        assert_eq!(r.municipality_code.as_deref(), Some("362077"));
        assert_eq!(r.prefecture.as_deref(), Some("徳島県"));
        assert_eq!(r.municipality.as_deref(), Some("美馬市"));
        assert_eq!(r.category, Some(Category::Services));
        assert_eq!(r.method, Some(Method::OpenCompetitive));
        assert_eq!(
            r.published.as_ref().unwrap().date,
            NaiveDate::from_ymd_opt(2026, 11, 2).unwrap()
        );
        let deadline = r.deadline.as_ref().unwrap();
        assert_eq!(
            deadline.date,
            NaiveDate::from_ymd_opt(2026, 11, 17).unwrap(),
            "from the text, not TenderSubmissionDeadline"
        );
        assert_eq!(
            r.opening.as_ref().unwrap().date,
            NaiveDate::from_ymd_opt(2026, 11, 20).unwrap()
        );
        let price = r.estimated_price.as_ref().unwrap();
        assert_eq!((price.yen, price.tax), (3_200_000, Tax::Excluded));
        assert_eq!(r.attribution.as_deref(), Some(KKJ_ATTRIBUTION));
        assert_eq!(
            r.attachments[0].media_type.as_deref(),
            Some("application/pdf")
        );
    }

    #[test]
    fn never_takes_the_structured_dates_as_the_deadline() {
        let mut s = sample();
        s.project_description = Some("庁舎清掃業務の入札を行います。".into());
        let r = to_record(&s, "kkj", &base()).unwrap();
        assert_eq!(r.deadline, None);
        assert_eq!(r.estimated_price, None);
    }

    #[test]
    fn national_body_without_codes() {
        let s = KkjResult {
            key: Some("a2V5/Kz+=".into()),
            project_name: Some("庁舎清掃業務".into()),
            organization_name: Some("デジタル庁".into()),
            date: Some("2026-11-02T09:12:03+09:00".into()),
            cft_issue_date: Some("2026-11-02T09:12:03+09:00".into()),
            category: Some("役務".into()),
            ..KkjResult::default()
        };
        let r = to_record(&s, "kkj", &base()).unwrap();
        assert_eq!(r.municipality_code, None);
        assert_eq!(r.prefecture, None);
        assert_eq!(r.url, "https://www.kkj.go.jp/d/?D=a2V5%2FKz%2B%3D&L=ja");
        assert_eq!(
            r.published.as_ref().unwrap().evidence.as_deref(),
            Some("CftIssueDate (= Date: 収集日)")
        );
    }

    #[test]
    fn prefecture_buyer_gets_the_prefecture_code() {
        let s = KkjResult {
            key: Some("k".into()),
            project_name: Some("県庁舎警備業務委託".into()),
            organization_name: Some("岩手県".into()),
            lg_code: Some("03".into()),
            ..KkjResult::default()
        };
        let r = to_record(&s, "kkj", &base()).unwrap();
        assert_eq!(r.municipality_code.as_deref(), Some("030007"));
        assert_eq!(r.prefecture.as_deref(), Some("岩手県"));
    }

    #[test]
    fn estimated_price_needs_one_clear_amount() {
        assert_eq!(
            estimated_price_from_text("予定価格 18,100,000円").map(|m| m.yen),
            Some(18_100_000)
        );
        assert_eq!(
            estimated_price_from_text("予定価格(税込)は、金1,234,000円とする").map(|m| m.yen),
            Some(1_234_000)
        );
        assert_eq!(
            estimated_price_from_text("予定価格は事後公表とする。"),
            None
        );
        assert_eq!(
            estimated_price_from_text("予定価格 1,000,000円 … 予定価格 2,000,000円"),
            None
        );
        assert_eq!(
            estimated_price_from_text("予定価格 1,000,000円 … 再掲 予定価格 1,000,000円")
                .map(|m| m.yen),
            Some(1_000_000)
        );
    }

    #[test]
    fn date_of_takes_the_first_ten_characters() {
        assert_eq!(
            date_of("2026-08-12T00:00:00"),
            NaiveDate::from_ymd_opt(2026, 8, 12)
        );
        assert_eq!(date_of("2026-07-01"), NaiveDate::from_ymd_opt(2026, 7, 1));
        assert_eq!(date_of("R8.7.1"), None);
    }
}
