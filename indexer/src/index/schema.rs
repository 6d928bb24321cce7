//! The tantivy schema, the analyzer registration, and record → document conversion.
//!
//! Every Japanese text (title, body) is indexed twice: once by the morphological analyzer
//! ([`MORPH_TOKENIZER`]) and once by the bigram analyzer ([`BIGRAM_TOKENIZER`]). Filters and
//! facets share one hierarchical facet field (`/pref/<都道府県>/<市区町村>`, `/category/<物品>`,
//! `/method/<…>`, `/kind/<notice|award>`). Dates and amounts are i64 fast fields with sentinels
//! for unknown values, chosen so that unknown values sort last and never fall inside a range
//! filter (see [`UNKNOWN_DEADLINE`] and friends). Whether a notice is open is never stored: it is
//! computed at query time from the deadline.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
    TextOptions,
};
use tantivy::tokenizer::TextAnalyzer;

use super::IndexError;
use super::bigram::{BIGRAM_TOKENIZER, BigramTokenizer};
use super::morph::{MORPH_TOKENIZER, MorphTokenizer};
use crate::record::{Category, Kind, Method, Record};

/// Version of the schema and of the analysis chain; stored in the commit payload. An index
/// written with another version must be rebuilt.
pub const SCHEMA_VERSION: u32 = 1;

/// Deadline sort key of a record whose deadline is unknown: sorts after every real date and
/// lies outside every range filter.
pub const UNKNOWN_DEADLINE: i64 = i64::MAX;
/// Published sort key of a record whose publication date is unknown: sorts last in the
/// newest-first order.
pub const UNKNOWN_PUBLISHED: i64 = i64::MIN;
/// Amount value of a record without a known amount: sorts last in the largest-first order and
/// lies outside every range filter (amounts are never negative).
pub const UNKNOWN_AMOUNT: i64 = -1;
/// Award-ratio value when the ratio is unknown.
pub const UNKNOWN_RATIO: f64 = -1.0;

/// Field handles of the index schema.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Record id (raw, stored): the upsert key.
    pub id: Field,
    /// Hierarchical facets used for filtering and counting.
    pub facets: Field,
    /// 6-digit municipality code (raw).
    pub municipality_code: Field,
    /// Municipality name (raw), for filtering by name across prefectures.
    pub municipality_name: Field,
    /// Title, morphological analysis, stored.
    pub title: Field,
    /// Title, bigram analysis.
    pub title_bigram: Field,
    /// Body, morphological analysis, stored (for snippets).
    pub body: Field,
    /// Body, bigram analysis.
    pub body_bigram: Field,
    /// Publication date as days from CE ([`UNKNOWN_PUBLISHED`] when unknown).
    pub published: Field,
    /// Deadline as days from CE ([`UNKNOWN_DEADLINE`] when unknown).
    pub deadline: Field,
    /// Amount used by filters and sorting: the amount, else the estimated price.
    pub amount_effective: Field,
    /// 落札金額 / 契約金額 only ([`UNKNOWN_AMOUNT`] when unknown).
    pub amount: Field,
    /// 落札率 ([`UNKNOWN_RATIO`] when unknown).
    pub award_ratio: Field,
    /// Date of an award for statistics: opening date, else publication date.
    pub award_date: Field,
    /// Winner name, for grouping.
    pub winner_key: Field,
    /// Buyer name, for grouping.
    pub buyer_key: Field,
    /// `都道府県 市区町村`, for grouping.
    pub municipality_key: Field,
    /// Category label, for grouping.
    pub category_key: Field,
    /// Method label, for grouping.
    pub method_key: Field,
    /// Kind (`notice` / `award`), for statistics.
    pub kind_key: Field,
    /// JSON of the hit shown in result lists.
    pub hit: Field,
}

/// Builds the schema and its field handles.
pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str, stored: bool| {
        let opts = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored { opts.set_stored() } else { opts }
    };
    let fast_i64 = || tantivy::schema::NumericOptions::default().set_fast();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED),
        facets: b.add_facet_field("facets", FacetOptions::default()),
        municipality_code: b.add_text_field("municipality_code", STRING),
        municipality_name: b.add_text_field("municipality_name", STRING),
        title: b.add_text_field("title", text(MORPH_TOKENIZER, true)),
        title_bigram: b.add_text_field("title_bigram", text(BIGRAM_TOKENIZER, false)),
        body: b.add_text_field("body", text(MORPH_TOKENIZER, true)),
        body_bigram: b.add_text_field("body_bigram", text(BIGRAM_TOKENIZER, false)),
        published: b.add_i64_field("published", fast_i64()),
        deadline: b.add_i64_field("deadline", fast_i64()),
        amount_effective: b.add_i64_field("amount_effective", fast_i64()),
        amount: b.add_i64_field("amount", fast_i64()),
        award_ratio: b.add_f64_field("award_ratio", FAST),
        award_date: b.add_i64_field("award_date", fast_i64()),
        winner_key: b.add_text_field("winner_key", STRING | FAST),
        buyer_key: b.add_text_field("buyer_key", STRING | FAST),
        municipality_key: b.add_text_field("municipality_key", STRING | FAST),
        category_key: b.add_text_field("category_key", STRING | FAST),
        method_key: b.add_text_field("method_key", STRING | FAST),
        kind_key: b.add_text_field("kind_key", STRING | FAST),
        hit: b.add_bytes_field("hit", STORED),
    };
    (b.build(), fields)
}

/// Registers both analyzers on an index. Used for every index we open, whether it is then
/// written or read, so indexing and querying always analyse text the same way.
pub fn register_analyzers(index: &tantivy::Index) -> Result<(), IndexError> {
    let morph = MorphTokenizer::new().map_err(IndexError::Dictionary)?;
    index
        .tokenizers()
        .register(MORPH_TOKENIZER, TextAnalyzer::from(morph));
    index
        .tokenizers()
        .register(BIGRAM_TOKENIZER, TextAnalyzer::from(BigramTokenizer));
    Ok(())
}

/// Converts a date into the i64 stored in the date fast fields.
pub fn day_number(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce())
}

/// Converts a stored day number back into a date.
pub fn date_from_day_number(days: i64) -> Option<NaiveDate> {
    i32::try_from(days)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
}

/// The fields of a hit that come from the stored document (everything but the snippet).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredHit {
    /// Record id.
    pub id: String,
    /// Notice or award.
    pub kind: Kind,
    /// Title.
    pub title: String,
    /// 発注機関.
    pub buyer: Option<String>,
    /// 都道府県.
    pub prefecture: Option<String>,
    /// 市区町村.
    pub municipality: Option<String>,
    /// 全国地方公共団体コード.
    pub municipality_code: Option<String>,
    /// 物品 / 工事 / 役務.
    pub category: Option<Category>,
    /// Normalised method.
    pub method: Option<Method>,
    /// 公告日.
    pub published: Option<NaiveDate>,
    /// 提出期限.
    pub deadline: Option<NaiveDate>,
    /// 予定価格 in yen.
    pub estimated_price: Option<u64>,
    /// 落札金額 in yen.
    pub amount: Option<u64>,
    /// Winner.
    pub winner: Option<String>,
    /// Source page.
    pub url: String,
}

impl StoredHit {
    fn from_record(r: &Record) -> StoredHit {
        StoredHit {
            id: r.id.clone(),
            kind: r.kind,
            title: r.title.clone(),
            buyer: r.buyer.clone(),
            prefecture: r.prefecture.clone(),
            municipality: r.municipality.clone(),
            municipality_code: r.municipality_code.clone(),
            category: r.category,
            method: r.method,
            published: r.published.as_ref().map(|w| w.date),
            deadline: r.deadline.as_ref().map(|w| w.date),
            estimated_price: r.estimated_price.as_ref().map(|m| m.yen),
            amount: r.amount.as_ref().map(|m| m.yen),
            winner: r.winner.clone(),
            url: r.url.clone(),
        }
    }
}

/// The facet path of a prefecture.
pub fn prefecture_facet(prefecture: &str) -> Facet {
    Facet::from_path(["pref", prefecture])
}

/// The facet path of a category.
pub fn category_facet(category: Category) -> Facet {
    Facet::from_path(["category", category.label()])
}

/// The facet path of a method.
pub fn method_facet(method: Method) -> Facet {
    Facet::from_path(["method", method.label()])
}

/// The facet path of a kind.
pub fn kind_facet(kind: Kind) -> Facet {
    Facet::from_path(["kind", kind.as_str()])
}

fn yen_to_i64(yen: u64) -> i64 {
    i64::try_from(yen).unwrap_or(i64::MAX)
}

/// Builds the tantivy document of a record.
pub fn record_to_document(f: &Fields, r: &Record) -> Result<TantivyDocument, IndexError> {
    let mut doc = TantivyDocument::new();
    doc.add_text(f.id, &r.id);
    doc.add_text(f.title, &r.title);
    doc.add_text(f.title_bigram, &r.title);
    doc.add_text(f.body, &r.body);
    doc.add_text(f.body_bigram, &r.body);

    doc.add_facet(f.facets, kind_facet(r.kind));
    doc.add_text(f.kind_key, r.kind.as_str());
    if let Some(p) = r.prefecture.as_deref().filter(|p| !p.is_empty()) {
        match r.municipality.as_deref().filter(|m| !m.is_empty()) {
            Some(m) => doc.add_facet(f.facets, Facet::from_path(["pref", p, m])),
            None => doc.add_facet(f.facets, prefecture_facet(p)),
        }
    }
    if let Some(code) = &r.municipality_code {
        doc.add_text(f.municipality_code, code);
    }
    if let Some(m) = r.municipality.as_deref().filter(|m| !m.is_empty()) {
        doc.add_text(f.municipality_name, m);
    }
    let place = [r.prefecture.as_deref(), r.municipality.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if !place.is_empty() {
        doc.add_text(f.municipality_key, &place);
    }
    if let Some(c) = r.category {
        doc.add_facet(f.facets, category_facet(c));
        doc.add_text(f.category_key, c.label());
    }
    if let Some(m) = r.method {
        doc.add_facet(f.facets, method_facet(m));
        doc.add_text(f.method_key, m.label());
    }
    if let Some(w) = r.winner.as_deref().filter(|w| !w.is_empty()) {
        doc.add_text(f.winner_key, w);
    }
    if let Some(b) = r.buyer.as_deref().filter(|b| !b.is_empty()) {
        doc.add_text(f.buyer_key, b);
    }

    let published = r.published.as_ref().map(|w| day_number(w.date));
    doc.add_i64(f.published, published.unwrap_or(UNKNOWN_PUBLISHED));
    doc.add_i64(
        f.deadline,
        r.deadline
            .as_ref()
            .map_or(UNKNOWN_DEADLINE, |w| day_number(w.date)),
    );
    let amount = r.amount.as_ref().map(|m| yen_to_i64(m.yen));
    let effective = amount.or(r.estimated_price.as_ref().map(|m| yen_to_i64(m.yen)));
    doc.add_i64(f.amount_effective, effective.unwrap_or(UNKNOWN_AMOUNT));
    doc.add_i64(f.amount, amount.unwrap_or(UNKNOWN_AMOUNT));
    let ratio = r
        .award_ratio
        .or_else(|| r.compute_award_ratio())
        .filter(|x| x.is_finite());
    doc.add_f64(f.award_ratio, ratio.unwrap_or(UNKNOWN_RATIO));
    let award_date = r.opening.as_ref().map(|w| day_number(w.date)).or(published);
    doc.add_i64(f.award_date, award_date.unwrap_or(UNKNOWN_PUBLISHED));

    let hit = serde_json::to_vec(&StoredHit::from_record(r))
        .map_err(|e| IndexError::Corrupt(format!("cannot serialise record {}: {e}", r.id)))?;
    doc.add_bytes(f.hit, &hit);
    Ok(doc)
}
