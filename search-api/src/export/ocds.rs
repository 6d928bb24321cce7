//! OCDS 1.1 release package of records (Open Contracting Data Standard).
//!
//! Each record is one release. A notice is a `tender` release; an award is an `award` release
//! in the same contracting process (`ocid`) as its linked notice when it has one. Mapping:
//! 一般競争入札 → `open`, 指名競争入札 → `selective`, 随意契約 → `limited` (`direct` with one
//! bidder), the local term verbatim in `procurementMethodDetails`; 物品/工事/役務 →
//! `goods`/`works`/`services`; 予定価格 → `tender.value`; 落札金額 → `awards[].value`;
//! 落札者 → a supplier party with a `JP-JCN` identifier when its 法人番号 is known. The ocid
//! prefix `tenders-` is not a registered OCDS prefix: these are re-published data.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use indexer::{Category, Kind, Method, Money, Record, When};

use super::Format;
use crate::feeds::record_url;

/// Longest description copied from a record's body, in characters.
const DESCRIPTION_CHARS: usize = 2_000;

fn ocid(id: &str) -> String {
    format!("tenders-{id}")
}

fn value(m: &Money) -> Value {
    json!({ "amount": m.yen, "currency": "JPY" })
}

/// A date (with its time when known) as an RFC 3339 date-time in JST.
fn datetime(w: &When) -> String {
    let t = w.time.unwrap_or(chrono::NaiveTime::MIN);
    format!("{}T{}+09:00", w.date, t.format("%H:%M:%S"))
}

fn method(r: &Record) -> Option<&'static str> {
    Some(match r.method? {
        Method::OpenCompetitive | Method::OpenCounter => "open",
        Method::Designated => "selective",
        Method::Negotiated if r.bidders == Some(1) => "direct",
        Method::Negotiated => "limited",
        Method::Proposal if r.method_raw.as_deref().is_some_and(|m| m.contains("指名")) => {
            "selective"
        }
        Method::Proposal => "open",
        Method::Other => return None,
    })
}

fn category(c: Category) -> &'static str {
    match c {
        Category::Goods => "goods",
        Category::Works => "works",
        Category::Services => "services",
    }
}

fn insert(obj: &mut Map<String, Value>, key: &str, v: Option<Value>) {
    if let Some(v) = v {
        obj.insert(key.to_string(), v);
    }
}

/// The party id of a buyer: its municipality code when known, else its name.
fn buyer_id(r: &Record) -> Option<String> {
    let name = r.buyer.as_deref().or(r.municipality.as_deref())?;
    Some(match &r.municipality_code {
        Some(code) => format!("JP-LG-{code}-{name}"),
        None => format!("buyer-{name}"),
    })
}

/// One release for a record.
pub(crate) fn release(r: &Record, base: &str, today: chrono::NaiveDate) -> Value {
    let process = match (&r.kind, &r.linked_notice) {
        (Kind::Award, Some(link)) => link.id.clone(),
        _ => r.id.clone(),
    };
    let mut parties = Vec::new();
    let buyer_ref = buyer_id(r).map(|id| {
        let name = r.buyer.clone().or_else(|| r.municipality.clone()).unwrap_or_default();
        let mut address = Map::new();
        insert(&mut address, "region", r.prefecture.clone().map(Value::from));
        insert(&mut address, "locality", r.municipality.clone().map(Value::from));
        address.insert("countryName".into(), "日本".into());
        let mut party = json!({ "id": id, "name": name, "roles": ["buyer", "procuringEntity"], "address": address });
        if let (Some(code), Some(obj)) = (&r.municipality_code, party.as_object_mut()) {
            obj.insert("details".into(), json!({ "municipalityCode": code }));
        }
        parties.push(party);
        json!({ "id": id, "name": name })
    });

    let mut tender = Map::new();
    tender.insert(
        "id".into(),
        Value::from(r.case_number.clone().unwrap_or_else(|| process.clone())),
    );
    tender.insert("title".into(), Value::from(r.title.clone()));
    if !r.body.is_empty() {
        tender.insert(
            "description".into(),
            Value::from(r.body.chars().take(DESCRIPTION_CHARS).collect::<String>()),
        );
    }
    let status = match r.kind {
        Kind::Award => Some("complete"),
        Kind::Notice if r.is_open_on(today) => Some("active"),
        Kind::Notice => None,
    };
    insert(&mut tender, "status", status.map(Value::from));
    insert(&mut tender, "procuringEntity", buyer_ref.clone());
    insert(&mut tender, "procurementMethod", method(r).map(Value::from));
    insert(
        &mut tender,
        "procurementMethodDetails",
        r.method_raw
            .clone()
            .or_else(|| r.method.map(|m| m.label().to_string()))
            .map(Value::from),
    );
    insert(
        &mut tender,
        "mainProcurementCategory",
        r.category.map(|c| Value::from(category(c))),
    );
    insert(&mut tender, "value", r.estimated_price.as_ref().map(value));
    let mut period = Map::new();
    insert(
        &mut period,
        "startDate",
        r.published.as_ref().map(|w| Value::from(datetime(w))),
    );
    insert(
        &mut period,
        "endDate",
        r.deadline.as_ref().map(|w| Value::from(datetime(w))),
    );
    if !period.is_empty() {
        tender.insert("tenderPeriod".into(), Value::Object(period));
    }
    insert(
        &mut tender,
        "awardPeriod",
        r.opening
            .as_ref()
            .map(|w| json!({ "startDate": datetime(w) })),
    );
    insert(&mut tender, "numberOfTenderers", r.bidders.map(Value::from));
    let mut documents = vec![json!({
        "id": "source",
        "documentType": if r.kind == Kind::Award { "awardNotice" } else { "tenderNotice" },
        "title": r.title,
        "url": r.url,
        "language": "ja",
        "description": r.attribution.clone().unwrap_or_else(|| "出典ページ".to_string()),
    })];
    for (i, a) in r.attachments.iter().enumerate() {
        let mut d = json!({ "id": format!("attachment-{}", i + 1), "title": a.title, "url": a.url, "language": "ja" });
        if let (Some(mt), Some(obj)) = (&a.media_type, d.as_object_mut()) {
            obj.insert("format".into(), Value::from(mt.clone()));
        }
        documents.push(d);
    }
    documents.push(json!({ "id": "tenders", "title": "tenders 詳細ページ", "url": record_url(base, &r.id), "language": "ja" }));

    let mut release = Map::new();
    release.insert("ocid".into(), Value::from(ocid(&process)));
    let version = if r.content_hash.is_empty() {
        r.updated_at.timestamp().to_string()
    } else {
        r.content_hash.chars().take(16).collect()
    };
    release.insert(
        "id".into(),
        Value::from(format!(
            "{}-{}-{version}",
            r.kind.as_str(),
            r.id.replace('#', "%23")
        )),
    );
    release.insert(
        "date".into(),
        Value::from(
            r.updated_at
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        ),
    );
    release.insert(
        "tag".into(),
        json!([if r.kind == Kind::Award {
            "award"
        } else {
            "tender"
        }]),
    );
    release.insert("initiationType".into(), "tender".into());
    release.insert("language".into(), "ja".into());
    insert(&mut release, "buyer", buyer_ref);

    if r.kind == Kind::Award {
        let mut award = Map::new();
        award.insert("id".into(), Value::from(r.id.clone()));
        award.insert("title".into(), Value::from(r.title.clone()));
        award.insert("status".into(), "active".into());
        insert(
            &mut award,
            "date",
            r.opening
                .as_ref()
                .or(r.published.as_ref())
                .map(|w| Value::from(datetime(w))),
        );
        insert(&mut award, "value", r.amount.as_ref().map(value));
        if let Some(winner) = &r.winner {
            let id = match &r.winner_corporate_number {
                Some(n) => format!("JP-JCN-{n}"),
                None => format!("supplier-{winner}"),
            };
            let mut party = json!({ "id": id, "name": winner, "roles": ["supplier"] });
            if let (Some(n), Some(obj)) = (&r.winner_corporate_number, party.as_object_mut()) {
                obj.insert(
                    "identifier".into(),
                    json!({ "scheme": "JP-JCN", "id": n, "legalName": winner }),
                );
            }
            parties.push(party);
            award.insert("suppliers".into(), json!([{ "id": id, "name": winner }]));
        }
        award.insert("documents".into(), Value::Array(documents));
        release.insert("awards".into(), json!([award]));
    } else {
        tender.insert("documents".into(), Value::Array(documents));
    }
    release.insert("tender".into(), Value::Object(tender));
    if !parties.is_empty() {
        release.insert("parties".into(), Value::Array(parties));
    }
    Value::Object(release)
}

/// The streamed release package.
pub(crate) struct Package {
    base: String,
    uri: String,
    published: DateTime<Utc>,
    count: u64,
    today: chrono::NaiveDate,
}

impl Package {
    /// A package at `uri` linking records under `base`.
    pub(crate) fn new(base: String, uri: String, published: DateTime<Utc>) -> Package {
        Package {
            base,
            uri,
            published,
            count: 0,
            today: crate::today_jst(),
        }
    }
}

impl Format for Package {
    fn prefix(&mut self) -> String {
        let head = json!({
            "uri": self.uri,
            "version": "1.1",
            "publishedDate": self.published.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            "publisher": { "name": "tenders" },
        });
        // The package's fields, then the opening of the releases array.
        let head = head.to_string();
        let open = head.strip_suffix('}').unwrap_or(&head);
        format!("{open},\"releases\":[\n")
    }

    fn record(&mut self, r: &Record) -> String {
        let sep = if self.count == 0 { "" } else { ",\n" };
        self.count += 1;
        format!("{sep}{}", release(r, &self.base, self.today))
    }

    fn suffix(&mut self) -> String {
        "\n]}\n".to_string()
    }
}
