//! The record: one model for every source, shaped after OCDS so that it exports cleanly.
//!
//! A record is either a tender notice (入札公告, 公募, プロポーザル) or an award result (落札結果).
//! Every normalised value keeps the raw text it was read from beside it, so that a reader can
//! always check what the source really said. Unknown values are `None`: in particular a deadline
//! is never guessed.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

/// Whether a record announces a tender or reports its result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// A tender notice: 入札公告, 公募, プロポーザル募集.
    Notice,
    /// An award result: 落札結果, 契約結果.
    Award,
}

impl Kind {
    /// The wire name: `notice` or `award`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Notice => "notice",
            Kind::Award => "award",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "notice" => Some(Kind::Notice),
            "award" => Some(Kind::Award),
            _ => None,
        }
    }
}

/// The three-way category that every Japanese procurement system uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Category {
    /// 物品 (goods, including leases).
    #[serde(rename = "物品")]
    Goods,
    /// 工事 (construction works).
    #[serde(rename = "工事")]
    Works,
    /// 役務 (services, 業務委託, consultancy).
    #[serde(rename = "役務")]
    Services,
}

impl Category {
    /// All categories, in display order.
    pub const ALL: [Category; 3] = [Category::Goods, Category::Works, Category::Services];

    /// The Japanese label: 物品, 工事 or 役務.
    pub fn label(self) -> &'static str {
        match self {
            Category::Goods => "物品",
            Category::Works => "工事",
            Category::Services => "役務",
        }
    }

    /// Parses the Japanese label exactly.
    pub fn from_label(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.label() == s)
    }
}

/// The normalised procurement method (入札方式 / 契約方法).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Method {
    /// 一般競争入札, including 条件付一般競争入札 and 制限付一般競争入札.
    #[serde(rename = "一般競争入札")]
    OpenCompetitive,
    /// 指名競争入札.
    #[serde(rename = "指名競争入札")]
    Designated,
    /// 随意契約 (including 少額随契).
    #[serde(rename = "随意契約")]
    Negotiated,
    /// プロポーザル方式 and 企画競争.
    #[serde(rename = "プロポーザル・企画競争")]
    Proposal,
    /// オープンカウンター (見積合わせ open to anyone).
    #[serde(rename = "オープンカウンター")]
    OpenCounter,
    /// Anything else (e.g. 公募型見積, 売払い).
    #[serde(rename = "その他")]
    Other,
}

impl Method {
    /// All methods, in display order.
    pub const ALL: [Method; 6] = [
        Method::OpenCompetitive,
        Method::Designated,
        Method::Negotiated,
        Method::Proposal,
        Method::OpenCounter,
        Method::Other,
    ];

    /// The Japanese label used on the wire and in facets.
    pub fn label(self) -> &'static str {
        match self {
            Method::OpenCompetitive => "一般競争入札",
            Method::Designated => "指名競争入札",
            Method::Negotiated => "随意契約",
            Method::Proposal => "プロポーザル・企画競争",
            Method::OpenCounter => "オープンカウンター",
            Method::Other => "その他",
        }
    }

    /// Parses the label exactly.
    pub fn from_label(s: &str) -> Option<Method> {
        Method::ALL.into_iter().find(|m| m.label() == s)
    }
}

/// Whether an amount includes consumption tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tax {
    /// 税込.
    Included,
    /// 税抜 / 税別.
    Excluded,
    /// Not stated.
    #[default]
    Unknown,
}

/// A date (and optionally a time of day) in Japan Standard Time, with the text it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct When {
    /// The calendar date in JST.
    pub date: NaiveDate,
    /// The time of day in JST, when the source states one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<NaiveTime>,
    /// The text the value was read from, verbatim.
    pub raw: String,
    /// Where it was found: a field label such as `提出期限`, or `text` for free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// An amount of money in yen, with its tax flag and the text it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Money {
    /// The amount in yen.
    pub yen: u64,
    /// Whether tax is included.
    #[serde(default)]
    pub tax: Tax,
    /// The text the value was read from, verbatim.
    pub raw: String,
}

/// A document attached to a notice or award (仕様書, 入札公告 PDF, 結果一覧 Excel, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    /// Absolute URL.
    pub url: String,
    /// Link text or file name.
    pub title: String,
    /// Media type when known (`application/pdf`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
    /// Extracted text, bounded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// The link from an award to the notice it results from, with the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// The id of the linked record.
    pub id: String,
    /// Why the two are linked (shared case number, title match and buyer, …).
    pub evidence: String,
}

/// One tender notice or award result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Stable, source-prefixed id: `kkj:<Key>`, `pportal:<調達案件番号>`, `<source>:<case no or url>`.
    pub id: String,
    /// Notice or award.
    pub kind: Kind,
    /// The id of the source that produced it.
    pub source: String,
    /// The page the record was read from.
    pub url: String,
    /// When the store first saw it (set by the store).
    #[serde(default = "epoch")]
    pub first_seen: DateTime<Utc>,
    /// When a crawl last saw it (set by the store).
    #[serde(default = "epoch")]
    pub last_seen: DateTime<Utc>,
    /// When its content last changed (set by the store).
    #[serde(default = "epoch")]
    pub updated_at: DateTime<Utc>,
    /// Hash of the content fields (set by the store).
    #[serde(default)]
    pub content_hash: String,

    /// Cleaned title: no `【入札公告】` prefix, no `(146.6KB)` suffix.
    pub title: String,
    /// Page text plus attachment text, bounded.
    #[serde(default)]
    pub body: String,

    /// 発注機関 / 担当課.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<String>,
    /// 6-digit 全国地方公共団体コード with check digit; `None` for national bodies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality_code: Option<String>,
    /// 都道府県 name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefecture: Option<String>,
    /// 市区町村 name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub municipality: Option<String>,

    /// 物品 / 工事 / 役務.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// The category as the source wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category_raw: Option<String>,
    /// The normalised method.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    /// The method as the source wrote it (e.g. 条件付一般競争入札).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method_raw: Option<String>,

    /// 公告日.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<When>,
    /// 提出期限 — never guessed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<When>,
    /// 開札日.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening: Option<When>,

    /// 予定価格.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub estimated_price: Option<Money>,
    /// 落札金額 / 契約金額 (awards).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// 落札率 = amount / estimated_price, only when both are known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub award_ratio: Option<f64>,

    /// Normalised winner name ((株) → 株式会社, width folded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winner: Option<String>,
    /// The winner as written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winner_raw: Option<String>,
    /// 13-digit 法人番号 when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub winner_corporate_number: Option<String>,
    /// Number of bidders when stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bidders: Option<u32>,
    /// For an award: the notice it results from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_notice: Option<Link>,
    /// The source's own case number (案件番号), when it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_number: Option<String>,

    /// Attached documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Credit line the source requires on every surface that shows its data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<String>,
}

fn epoch() -> DateTime<Utc> {
    DateTime::<Utc>::UNIX_EPOCH
}

impl Record {
    /// A minimal record with the required fields; everything else empty.
    pub fn new(
        id: impl Into<String>,
        kind: Kind,
        source: impl Into<String>,
        url: impl Into<String>,
        title: impl Into<String>,
    ) -> Record {
        Record {
            id: id.into(),
            kind,
            source: source.into(),
            url: url.into(),
            first_seen: epoch(),
            last_seen: epoch(),
            updated_at: epoch(),
            content_hash: String::new(),
            title: title.into(),
            body: String::new(),
            buyer: None,
            municipality_code: None,
            prefecture: None,
            municipality: None,
            category: None,
            category_raw: None,
            method: None,
            method_raw: None,
            published: None,
            deadline: None,
            opening: None,
            estimated_price: None,
            amount: None,
            award_ratio: None,
            winner: None,
            winner_raw: None,
            winner_corporate_number: None,
            bidders: None,
            linked_notice: None,
            case_number: None,
            attachments: Vec::new(),
            attribution: None,
        }
    }

    /// Computes 落札率 from the amount and the estimated price, when both are known.
    pub fn compute_award_ratio(&self) -> Option<f64> {
        let amount = self.amount.as_ref()?.yen;
        let price = self.estimated_price.as_ref()?.yen;
        (price > 0).then(|| amount as f64 / price as f64)
    }

    /// Whether a notice is open on `today` (JST): its deadline is known and not past.
    /// Awards and notices with an unknown deadline are not open.
    pub fn is_open_on(&self, today: NaiveDate) -> bool {
        self.kind == Kind::Notice && self.deadline.as_ref().is_some_and(|d| d.date >= today)
    }
}
