//! The typed read side: [`SearchRequest`] → [`SearchResponse`] (DESIGN.md, `GET /api/search`).
//!
//! - Full text goes through [`query`](super::query); an empty query matches every document.
//! - Filters of different kinds are AND-ed; several values of one filter are OR-ed. Filters do
//!   not change scores.
//! - `status=open` means a notice whose deadline is known and on or after `today` (JST), decided
//!   at query time; `closed` is everything else, including awards and unknown deadlines.
//! - Amount filters and the amount sort use the award amount, falling back to the estimated
//!   price (予定価格) when there is no award amount.
//! - Sorts: `relevance` (best first; newest first when there is no query text), `deadline`
//!   (soonest first, unknown last), `published` (newest first, unknown last), `amount` (largest
//!   first, unknown last).
//! - Facet counts are over the documents matching the whole request, except the `status`
//!   facet, which ignores the status filter so that both counts stay visible. The municipality
//!   facet lists the municipalities of the selected prefectures (empty when none is selected).

use std::ops::Bound;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, Count, FacetCollector, FacetCounts, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use super::query::{build_text_query, highlight_strings, parse};
use super::schema::{
    Fields, StoredHit, UNKNOWN_DEADLINE, UNKNOWN_PUBLISHED, category_facet, day_number, kind_facet,
    method_facet, prefecture_facet,
};
use super::snippet::make_snippet;
use super::status::{ByStatus, StatusCounts};
use super::{Index, IndexError};
use crate::record::{Category, Kind, Method};

/// Largest page size.
pub const MAX_PER_PAGE: u32 = 100;
/// Results beyond this rank are not served (deep paging is expensive and useless).
pub const MAX_OFFSET: usize = 10_000;

/// Whether a notice can still be bid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// A notice whose deadline is today or later (JST).
    Open,
    /// Everything else: past deadlines, unknown deadlines, awards.
    Closed,
}

impl Status {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Closed => "closed",
        }
    }

    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "open" => Some(Status::Open),
            "closed" => Some(Status::Closed),
            _ => None,
        }
    }
}

/// Result order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first (newest first when there is no query text).
    #[default]
    Relevance,
    /// Soonest deadline first; unknown deadlines last.
    Deadline,
    /// Newest publication first; unknown last.
    Published,
    /// Largest amount (or estimated price) first; unknown last.
    Amount,
}

impl Sort {
    /// Parses the wire name.
    pub fn parse(s: &str) -> Option<Sort> {
        match s {
            "relevance" => Some(Sort::Relevance),
            "deadline" => Some(Sort::Deadline),
            "published" => Some(Sort::Published),
            "amount" => Some(Sort::Amount),
            _ => None,
        }
    }
}

/// A search: query text, filters, order and page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// Query text (see [`query`](super::query) for the syntax).
    pub q: Option<String>,
    /// Notices or awards only.
    pub kind: Option<Kind>,
    /// 都道府県 names (any of).
    pub prefecture: Vec<String>,
    /// 市区町村 names or 6-digit codes (any of).
    pub municipality: Vec<String>,
    /// Categories (any of).
    pub category: Vec<Category>,
    /// Methods (any of).
    pub method: Vec<Method>,
    /// Open or closed, at query time.
    pub status: Option<Status>,
    /// Published on or after.
    pub published_from: Option<NaiveDate>,
    /// Published on or before.
    pub published_to: Option<NaiveDate>,
    /// Deadline on or after.
    pub deadline_from: Option<NaiveDate>,
    /// Deadline on or before.
    pub deadline_to: Option<NaiveDate>,
    /// Amount (else estimated price) at least this many yen.
    pub amount_min: Option<u64>,
    /// Amount (else estimated price) at most this many yen.
    pub amount_max: Option<u64>,
    /// Result order.
    pub sort: Sort,
    /// 1-based page number.
    pub page: u32,
    /// Hits per page, at most [`MAX_PER_PAGE`].
    pub per_page: u32,
}

impl Default for SearchRequest {
    fn default() -> SearchRequest {
        SearchRequest {
            q: None,
            kind: None,
            prefecture: Vec::new(),
            municipality: Vec::new(),
            category: Vec::new(),
            method: Vec::new(),
            status: None,
            published_from: None,
            published_to: None,
            deadline_from: None,
            deadline_to: None,
            amount_min: None,
            amount_max: None,
            sort: Sort::Relevance,
            page: 1,
            per_page: 20,
        }
    }
}

impl SearchRequest {
    /// A request for query text `q` with default filters and paging.
    pub fn text(q: &str) -> SearchRequest {
        SearchRequest {
            q: Some(q.to_string()),
            ..SearchRequest::default()
        }
    }
}

/// One result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    /// Record id.
    pub id: String,
    /// Notice or award.
    pub kind: Kind,
    /// Title (plain text).
    pub title: String,
    /// HTML: escaped text with matches in `<mark>…</mark>`.
    pub snippet: String,
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
    /// Winner (awards).
    pub winner: Option<String>,
    /// Source page.
    pub url: String,
}

impl Hit {
    fn new(s: StoredHit, snippet: String) -> Hit {
        Hit {
            id: s.id,
            kind: s.kind,
            title: s.title,
            snippet,
            buyer: s.buyer,
            prefecture: s.prefecture,
            municipality: s.municipality,
            municipality_code: s.municipality_code,
            category: s.category,
            method: s.method,
            published: s.published,
            deadline: s.deadline,
            estimated_price: s.estimated_price,
            amount: s.amount,
            winner: s.winner,
            url: s.url,
        }
    }
}

/// One facet value and the number of matching documents that have it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The value (a name, a label, or a wire name such as `notice` / `open`).
    pub value: String,
    /// Matching documents.
    pub count: u64,
}

/// Facet counts of a search, each sorted by decreasing count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facets {
    /// 都道府県.
    pub prefecture: Vec<FacetCount>,
    /// 市区町村 of the selected prefectures.
    pub municipality: Vec<FacetCount>,
    /// 物品 / 工事 / 役務.
    pub category: Vec<FacetCount>,
    /// Methods.
    pub method: Vec<FacetCount>,
    /// `notice` / `award`.
    pub kind: Vec<FacetCount>,
    /// `open` / `closed`, ignoring the status filter.
    pub status: Vec<FacetCount>,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    /// Number of matching documents.
    pub total: u64,
    /// The page served (1-based).
    pub page: u32,
    /// The page size used.
    pub per_page: u32,
    /// The hits of this page.
    pub hits: Vec<Hit>,
    /// Facet counts.
    pub facets: Facets,
}

fn facet_term(field: Field, facet: &Facet) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_facet(field, facet),
        IndexRecordOption::Basic,
    ))
}

fn raw_term(field: Field, value: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, value),
        IndexRecordOption::Basic,
    ))
}

fn any_of(clauses: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if clauses.len() == 1 {
        clauses
            .into_iter()
            .next()
            .unwrap_or_else(|| Box::new(AllQuery))
    } else {
        Box::new(BooleanQuery::new(
            clauses.into_iter().map(|q| (Occur::Should, q)).collect(),
        ))
    }
}

fn i64_range(field: Field, lower: i64, upper: i64) -> Box<dyn Query> {
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_i64(field, lower)),
        Bound::Included(Term::from_field_i64(field, upper)),
    ))
}

fn is_municipality_code(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

/// The filter clauses of a request, without the status filter.
pub(crate) fn filter_clauses(f: &Fields, req: &SearchRequest) -> Vec<Box<dyn Query>> {
    let mut filters: Vec<Box<dyn Query>> = Vec::new();
    if let Some(kind) = req.kind {
        filters.push(facet_term(f.facets, &kind_facet(kind)));
    }
    let prefectures: Vec<&String> = req
        .prefecture
        .iter()
        .filter(|p| !p.trim().is_empty())
        .collect();
    if !prefectures.is_empty() {
        filters.push(any_of(
            prefectures
                .iter()
                .map(|p| facet_term(f.facets, &prefecture_facet(p.trim())))
                .collect(),
        ));
    }
    let municipalities: Vec<&str> = req
        .municipality
        .iter()
        .map(|m| m.trim())
        .filter(|m| !m.is_empty())
        .collect();
    if !municipalities.is_empty() {
        filters.push(any_of(
            municipalities
                .iter()
                .map(|m| {
                    if is_municipality_code(m) {
                        raw_term(f.municipality_code, m)
                    } else {
                        raw_term(f.municipality_name, m)
                    }
                })
                .collect(),
        ));
    }
    if !req.category.is_empty() {
        filters.push(any_of(
            req.category
                .iter()
                .map(|c| facet_term(f.facets, &category_facet(*c)))
                .collect(),
        ));
    }
    if !req.method.is_empty() {
        filters.push(any_of(
            req.method
                .iter()
                .map(|m| facet_term(f.facets, &method_facet(*m)))
                .collect(),
        ));
    }
    if req.published_from.is_some() || req.published_to.is_some() {
        let lo = req.published_from.map_or(UNKNOWN_PUBLISHED + 1, day_number);
        let hi = req.published_to.map_or(i64::MAX, day_number);
        filters.push(i64_range(f.published, lo, hi));
    }
    if req.deadline_from.is_some() || req.deadline_to.is_some() {
        let lo = req.deadline_from.map_or(i64::MIN, day_number);
        let hi = req.deadline_to.map_or(UNKNOWN_DEADLINE - 1, day_number);
        filters.push(i64_range(f.deadline, lo, hi));
    }
    if req.amount_min.is_some() || req.amount_max.is_some() {
        let clamp = |y: u64| i64::try_from(y).unwrap_or(i64::MAX);
        let lo = req.amount_min.map_or(0, clamp);
        let hi = req.amount_max.map_or(i64::MAX, clamp);
        filters.push(i64_range(f.amount_effective, lo, hi));
    }
    filters
}

/// Combines the text query, exclusions and filters; filters never contribute to the score.
pub(crate) fn combine(
    text: Option<Box<dyn Query>>,
    excluded: Vec<Box<dyn Query>>,
    filters: Vec<Box<dyn Query>>,
) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if let Some(t) = text {
        clauses.push((Occur::Must, t));
    }
    if !filters.is_empty() {
        let filter: Box<dyn Query> = if filters.len() == 1 {
            filters
                .into_iter()
                .next()
                .unwrap_or_else(|| Box::new(AllQuery))
        } else {
            Box::new(BooleanQuery::new(
                filters.into_iter().map(|q| (Occur::Must, q)).collect(),
            ))
        };
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
    }
    if clauses.is_empty() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
    }
    for e in excluded {
        clauses.push((Occur::MustNot, e));
    }
    if clauses.len() == 1 && clauses[0].0 == Occur::Must {
        return clauses.remove(0).1;
    }
    Box::new(BooleanQuery::new(clauses))
}

fn facet_values(counts: &FacetCounts, parent: &Facet) -> Vec<FacetCount> {
    let mut out: Vec<FacetCount> = counts
        .get(parent.clone())
        .map(|(facet, count)| FacetCount {
            value: facet
                .to_path()
                .last()
                .map(|s| s.to_string())
                .unwrap_or_default(),
            count,
        })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    out
}

/// What one pass over the documents matching a request (all filters but the status) gives.
struct Pass {
    /// Matching documents, whatever their status.
    base_total: u64,
    /// The open ones among them.
    open_total: u64,
    /// Matching documents of the requested status (all of them without one).
    total: u64,
    /// Facet counts of those.
    counts: FacetCounts,
    /// Municipality facet counts of those, when prefectures are selected.
    muni_counts: Option<FacetCounts>,
    /// The page of hits, best first.
    addresses: Vec<DocAddress>,
}

/// The facet collectors of a pass, with the status and day that filter them.
struct PassCollectors {
    status: Option<Status>,
    today: NaiveDate,
    facets: FacetCollector,
    muni: Option<FacetCollector>,
}

impl Pass {
    /// Runs `query` once with the status counts, and the total, facets and `top` (when a page
    /// is wanted) over the documents of the requested status.
    fn run<T, K>(
        searcher: &Searcher,
        query: &dyn Query,
        c: PassCollectors,
        top: Option<T>,
    ) -> Result<Pass, IndexError>
    where
        T: Collector<Fruit = Vec<(K, DocAddress)>>,
    {
        let ((base_total, open_total), (total, counts, muni_counts, docs)) = searcher.search(
            query,
            &(
                StatusCounts::new(c.today),
                ByStatus::new(c.status, c.today, (Count, c.facets, c.muni, top)),
            ),
        )?;
        Ok(Pass {
            base_total,
            open_total,
            total: total as u64,
            counts,
            muni_counts,
            addresses: docs.into_iter().flatten().map(|(_, a)| a).collect(),
        })
    }
}

impl Index {
    /// Runs a search. `today` is the current date in JST; it decides which notices are open.
    pub fn search(
        &self,
        req: &SearchRequest,
        today: NaiveDate,
    ) -> Result<SearchResponse, IndexError> {
        let f = &self.inner.fields;
        let searcher = self.inner.reader.searcher();
        let parsed = parse(req.q.as_deref().unwrap_or(""));
        let per_page = req.per_page.clamp(1, MAX_PER_PAGE);
        let page = req.page.max(1);

        let (text, excluded) = build_text_query(f, &parsed);
        let has_text = text.is_some();
        // One pass over the documents matching everything but the status filter: they give
        // the status facet, and those of the requested status give the rest.
        let base = combine(text, excluded, filter_clauses(f, req));

        let mut facets_main = FacetCollector::for_field("facets");
        for root in ["/pref", "/category", "/method", "/kind"] {
            facets_main.add_facet(root);
        }
        let selected_prefs: Vec<&str> = req
            .prefecture
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect();
        let facets_muni = (!selected_prefs.is_empty()).then(|| {
            let mut c = FacetCollector::for_field("facets");
            for p in &selected_prefs {
                c.add_facet(prefecture_facet(p));
            }
            c
        });

        let offset = ((page - 1) as usize).saturating_mul(per_page as usize);
        let limit = per_page as usize;
        let sort = match req.sort {
            Sort::Relevance if !has_text => Sort::Published,
            s => s,
        };
        // Pages beyond MAX_OFFSET are not served: counts only.
        let in_range = offset < MAX_OFFSET;
        let top = TopDocs::with_limit(limit).and_offset(offset);
        let collectors = PassCollectors {
            status: req.status,
            today,
            facets: facets_main,
            muni: facets_muni,
        };
        let pass = match sort {
            Sort::Relevance => Pass::run(
                &searcher,
                &base,
                collectors,
                in_range.then(|| top.order_by_score()),
            )?,
            Sort::Deadline | Sort::Published | Sort::Amount => {
                let (field, order) = match sort {
                    Sort::Deadline => ("deadline", Order::Asc),
                    Sort::Published => ("published", Order::Desc),
                    _ => ("amount_effective", Order::Desc),
                };
                Pass::run(
                    &searcher,
                    &base,
                    collectors,
                    in_range.then(|| top.order_by_fast_field::<i64>(field, order)),
                )?
            }
        };
        let Pass {
            base_total,
            open_total,
            total,
            counts,
            muni_counts,
            addresses,
        } = pass;

        let needles = highlight_strings(&parsed);
        let hits = addresses
            .into_iter()
            .map(|a| load_hit(&searcher, f, a, &needles))
            .collect::<Result<Vec<_>, _>>()?;

        let facets = Facets {
            prefecture: facet_values(&counts, &Facet::from("/pref")),
            municipality: muni_counts
                .map(|m| {
                    let mut all: Vec<FacetCount> = selected_prefs
                        .iter()
                        .flat_map(|p| facet_values(&m, &prefecture_facet(p)))
                        .collect();
                    all.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
                    all
                })
                .unwrap_or_default(),
            category: facet_values(&counts, &Facet::from("/category")),
            method: facet_values(&counts, &Facet::from("/method")),
            kind: facet_values(&counts, &Facet::from("/kind")),
            status: vec![
                FacetCount {
                    value: Status::Open.as_str().to_string(),
                    count: open_total,
                },
                FacetCount {
                    value: Status::Closed.as_str().to_string(),
                    count: base_total.saturating_sub(open_total),
                },
            ],
        };
        Ok(SearchResponse {
            total,
            page,
            per_page,
            hits,
            facets,
        })
    }

    /// Fetches the stored hits of the given record ids (those present in the index), without
    /// snippets. Useful for feeds and for checking what the index holds.
    pub fn get_hits(&self, ids: &[String]) -> Result<Vec<Hit>, IndexError> {
        let f = &self.inner.fields;
        let searcher = self.inner.reader.searcher();
        let mut out = Vec::new();
        for id in ids {
            let docs = searcher.search(
                &raw_term(f.id, id),
                &TopDocs::with_limit(1).order_by_score(),
            )?;
            for (_, a) in docs {
                out.push(load_hit(&searcher, f, a, &[])?);
            }
        }
        Ok(out)
    }
}

fn load_hit(
    searcher: &Searcher,
    f: &Fields,
    address: DocAddress,
    needles: &[String],
) -> Result<Hit, IndexError> {
    let doc: TantivyDocument = searcher.doc(address)?;
    let bytes = doc
        .get_first(f.hit)
        .and_then(|v| v.as_bytes())
        .ok_or_else(|| IndexError::Corrupt("document without stored hit".to_string()))?;
    let stored: StoredHit = serde_json::from_slice(bytes)
        .map_err(|e| IndexError::Corrupt(format!("stored hit: {e}")))?;
    let title = doc
        .get_first(f.title)
        .and_then(|v| v.as_str())
        .unwrap_or("");
    let body = doc.get_first(f.body).and_then(|v| v.as_str()).unwrap_or("");
    let snippet = make_snippet(title, body, needles);
    Ok(Hit::new(stored, snippet))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::index::testutil::{R, ymd};
    use crate::record::Record;

    fn corpus() -> Vec<Record> {
        vec![
            R::notice("n:kix", "関西国際空港周辺道路清掃業務")
                .body("関西国際空港連絡橋周辺の道路清掃を行う。")
                .place("大阪府", "泉佐野市", "272132")
                .category(Category::Services)
                .method(Method::OpenCompetitive)
                .published(ymd(2025, 4, 1))
                .deadline(ymd(2025, 4, 20))
                .estimated(3_000_000)
                .build(),
            R::notice("n:lunch", "学校給食調理業務委託")
                .body("市立小学校12校の学校給食調理業務を委託する。<参加資格>あり & 要登録")
                .place("東京都", "八王子市", "132012")
                .category(Category::Services)
                .method(Method::Proposal)
                .published(ymd(2025, 3, 10))
                .deadline(ymd(2025, 3, 31))
                .estimated(150_000_000)
                .build(),
            R::notice("n:server", "庁内サーバー機器賃貸借及び保守")
                .body("基幹系システムのサーバー更新。")
                .place("東京都", "府中市", "132063")
                .category(Category::Goods)
                .method(Method::OpenCompetitive)
                .published(ymd(2025, 2, 1))
                .build(),
            R::notice("n:system", "ｼｽﾃﾑ保守点検業務")
                .body("住民情報ｼｽﾃﾑの保守点検。")
                .place("広島県", "府中市", "342084")
                .category(Category::Services)
                .method(Method::Negotiated)
                .published(ymd(2025, 1, 15))
                .deadline(ymd(2025, 6, 30))
                .build(),
            R::notice("n:led", "ＬＥＤ照明器具購入")
                .body("庁舎のLED照明器具（４G対応センサー付）を購入する。")
                .place("東京都", "八王子市", "132012")
                .category(Category::Goods)
                .method(Method::OpenCounter)
                .published(ymd(2025, 4, 5))
                .deadline(ymd(2025, 4, 15))
                .estimated(800_000)
                .build(),
            R::award("a:road", "市道舗装補修工事")
                .body("市道12号線の舗装補修。")
                .place("大阪府", "堺市", "271403")
                .category(Category::Works)
                .method(Method::OpenCompetitive)
                .published(ymd(2025, 3, 1))
                .estimated(20_000_000)
                .amount(18_000_000)
                .winner("株式会社堺道路")
                .build(),
            R::notice("n:kodomo", "子供食堂運営支援業務")
                .body("こども食堂の運営を支援する団体を募集する。")
                .place("北海道", "札幌市", "011002")
                .category(Category::Services)
                .method(Method::Proposal)
                .published(ymd(2025, 4, 2))
                .build(),
        ]
    }

    fn index() -> Index {
        let index = Index::in_memory().unwrap();
        index.apply(&corpus(), 7).unwrap();
        index
    }

    fn ids(resp: &SearchResponse) -> Vec<&str> {
        resp.hits.iter().map(|h| h.id.as_str()).collect()
    }

    fn today() -> NaiveDate {
        ymd(2025, 4, 10)
    }

    fn search(index: &Index, req: SearchRequest) -> SearchResponse {
        index.search(&req, today()).unwrap()
    }

    #[test]
    fn test_finds_parts_of_compounds_and_variants() {
        let index = index();
        for (q, id) in [
            ("空港", "n:kix"),
            ("関西国際空港", "n:kix"),
            ("給食", "n:lunch"),
            ("学校給食", "n:lunch"),
            ("サーバ", "n:server"),
            ("サーバー", "n:server"),
            ("システム", "n:system"),
            ("ｼｽﾃﾑ", "n:system"),
            ("LED", "n:led"),
            ("ＬＥＤ", "n:led"),
            ("led照明", "n:led"),
            ("4G", "n:led"),
            ("子ども食堂", "n:kodomo"),
            ("こども食堂", "n:kodomo"),
        ] {
            let resp = search(&index, SearchRequest::text(q));
            assert!(ids(&resp).contains(&id), "{q} → {:?}", ids(&resp));
        }
    }

    #[test]
    fn test_terms_are_and_ed_and_excluded() {
        let index = index();
        assert_eq!(
            ids(&search(&index, SearchRequest::text("給食 調理"))),
            ["n:lunch"]
        );
        assert!(ids(&search(&index, SearchRequest::text("給食 空港"))).is_empty());
        let either = search(&index, SearchRequest::text("給食 OR 空港"));
        assert_eq!(either.total, 2);
        let excl = search(&index, SearchRequest::text("業務 -給食"));
        assert!(!ids(&excl).contains(&"n:lunch"));
        assert!(ids(&excl).contains(&"n:kix"));
        assert_eq!(
            ids(&search(&index, SearchRequest::text("\"学校給食\""))),
            ["n:lunch"]
        );
        assert!(ids(&search(&index, SearchRequest::text("\"給食学校\""))).is_empty());
    }

    #[test]
    fn test_title_matches_rank_first() {
        let index = index();
        // Body-only mention of サーバー in n:server's title, and システム in n:system's body;
        // "保守" appears in both titles, "点検" only in n:system's title.
        let resp = search(&index, SearchRequest::text("保守点検"));
        assert_eq!(ids(&resp).first(), Some(&"n:system"));
    }

    #[test]
    fn test_open_and_closed_at_query_time() {
        let index = index();
        let open = search(
            &index,
            SearchRequest {
                status: Some(Status::Open),
                ..Default::default()
            },
        );
        let mut got = ids(&open);
        got.sort();
        assert_eq!(got, ["n:kix", "n:led", "n:system"]);
        // A later day closes n:led and n:kix.
        let later = index
            .search(
                &SearchRequest {
                    status: Some(Status::Open),
                    ..Default::default()
                },
                ymd(2025, 4, 21),
            )
            .unwrap();
        assert_eq!(ids(&later), ["n:system"]);
        let closed = search(
            &index,
            SearchRequest {
                status: Some(Status::Closed),
                ..Default::default()
            },
        );
        assert_eq!(closed.total, 4);
        assert_eq!(
            closed.facets.status,
            [
                FacetCount {
                    value: "open".into(),
                    count: 3
                },
                FacetCount {
                    value: "closed".into(),
                    count: 4
                }
            ]
        );
    }

    #[test]
    fn test_status_filters_hits_facets_and_totals_in_one_pass() {
        let mut records = corpus();
        // An award that carries a future deadline is still never open.
        records.push(
            R::award("a:late", "学校給食配送業務")
                .place("東京都", "八王子市", "132012")
                .category(Category::Services)
                .deadline(ymd(2025, 12, 1))
                .amount(1_000_000)
                .build(),
        );
        let index = Index::in_memory().unwrap();
        index.apply(&records, 8).unwrap();
        let open_in_tokyo = search(
            &index,
            SearchRequest {
                prefecture: vec!["東京都".into()],
                status: Some(Status::Open),
                sort: Sort::Deadline,
                ..Default::default()
            },
        );
        // Tokyo holds n:lunch (closed on 3/31), n:server (no deadline), n:led (open), a:late.
        assert_eq!(ids(&open_in_tokyo), ["n:led"]);
        assert_eq!(open_in_tokyo.total, 1);
        let count = |v: &[FacetCount], name: &str| {
            v.iter().find(|c| c.value == name).map_or(0, |c| c.count)
        };
        assert_eq!(count(&open_in_tokyo.facets.category, "物品"), 1);
        assert_eq!(count(&open_in_tokyo.facets.category, "役務"), 0);
        assert_eq!(count(&open_in_tokyo.facets.kind, "award"), 0);
        assert_eq!(count(&open_in_tokyo.facets.municipality, "八王子市"), 1);
        // The status facet ignores the status filter but not the others.
        assert_eq!(count(&open_in_tokyo.facets.status, "open"), 1);
        assert_eq!(count(&open_in_tokyo.facets.status, "closed"), 3);
        // With text, closed: the award and the past notice, best match first.
        let closed_lunch = search(
            &index,
            SearchRequest {
                q: Some("給食".into()),
                status: Some(Status::Closed),
                ..Default::default()
            },
        );
        let mut got = ids(&closed_lunch);
        got.sort();
        assert_eq!(got, ["a:late", "n:lunch"]);
        assert_eq!(count(&closed_lunch.facets.status, "open"), 0);
        assert_eq!(count(&closed_lunch.facets.status, "closed"), 2);
    }

    #[test]
    fn test_facet_counts_and_hierarchy() {
        let index = index();
        let all = search(&index, SearchRequest::default());
        assert_eq!(all.total, 7);
        let pref: Vec<(&str, u64)> = all
            .facets
            .prefecture
            .iter()
            .map(|f| (f.value.as_str(), f.count))
            .collect();
        assert_eq!(
            pref,
            [("東京都", 3), ("大阪府", 2), ("北海道", 1), ("広島県", 1)]
        );
        assert!(all.facets.municipality.is_empty());
        let kind: Vec<(&str, u64)> = all
            .facets
            .kind
            .iter()
            .map(|f| (f.value.as_str(), f.count))
            .collect();
        assert_eq!(kind, [("notice", 6), ("award", 1)]);
        let cat: Vec<(&str, u64)> = all
            .facets
            .category
            .iter()
            .map(|f| (f.value.as_str(), f.count))
            .collect();
        assert_eq!(cat, [("役務", 4), ("物品", 2), ("工事", 1)]);

        let tokyo = search(
            &index,
            SearchRequest {
                prefecture: vec!["東京都".into()],
                ..Default::default()
            },
        );
        assert_eq!(tokyo.total, 3);
        let muni: Vec<(&str, u64)> = tokyo
            .facets
            .municipality
            .iter()
            .map(|f| (f.value.as_str(), f.count))
            .collect();
        assert_eq!(muni, [("八王子市", 2), ("府中市", 1)]);
    }

    #[test]
    fn test_filters() {
        let index = index();
        let by_name = search(
            &index,
            SearchRequest {
                municipality: vec!["府中市".into()],
                ..Default::default()
            },
        );
        assert_eq!(by_name.total, 2);
        let by_code = search(
            &index,
            SearchRequest {
                municipality: vec!["342084".into()],
                ..Default::default()
            },
        );
        assert_eq!(ids(&by_code), ["n:system"]);
        let cat = search(
            &index,
            SearchRequest {
                category: vec![Category::Goods, Category::Works],
                ..Default::default()
            },
        );
        assert_eq!(cat.total, 3);
        let method = search(
            &index,
            SearchRequest {
                method: vec![Method::Proposal],
                ..Default::default()
            },
        );
        assert_eq!(method.total, 2);
        let kind = search(
            &index,
            SearchRequest {
                kind: Some(Kind::Award),
                ..Default::default()
            },
        );
        assert_eq!(ids(&kind), ["a:road"]);
        let published = search(
            &index,
            SearchRequest {
                published_from: Some(ymd(2025, 3, 1)),
                published_to: Some(ymd(2025, 4, 1)),
                ..Default::default()
            },
        );
        let mut got = ids(&published);
        got.sort();
        assert_eq!(got, ["a:road", "n:kix", "n:lunch"]);
        let published_to_only = search(
            &index,
            SearchRequest {
                published_to: Some(ymd(2025, 1, 31)),
                ..Default::default()
            },
        );
        assert_eq!(ids(&published_to_only), ["n:system"]);
        let deadline_to = search(
            &index,
            SearchRequest {
                deadline_to: Some(ymd(2025, 4, 15)),
                ..Default::default()
            },
        );
        let mut got = ids(&deadline_to);
        got.sort();
        assert_eq!(got, ["n:led", "n:lunch"]);
        // Amount falls back to the estimated price: n:led (800k), a:road (18M), n:kix (3M).
        let cheap = search(
            &index,
            SearchRequest {
                amount_max: Some(5_000_000),
                ..Default::default()
            },
        );
        let mut got = ids(&cheap);
        got.sort();
        assert_eq!(got, ["n:kix", "n:led"]);
        let big = search(
            &index,
            SearchRequest {
                amount_min: Some(10_000_000),
                ..Default::default()
            },
        );
        let mut got = ids(&big);
        got.sort();
        assert_eq!(got, ["a:road", "n:lunch"]);
    }

    #[test]
    fn test_sorts() {
        let index = index();
        let by_deadline = search(
            &index,
            SearchRequest {
                sort: Sort::Deadline,
                ..Default::default()
            },
        );
        let got = ids(&by_deadline);
        assert_eq!(&got[..4], ["n:lunch", "n:led", "n:kix", "n:system"]);
        let by_published = search(
            &index,
            SearchRequest {
                sort: Sort::Published,
                ..Default::default()
            },
        );
        assert_eq!(&ids(&by_published)[..3], ["n:led", "n:kodomo", "n:kix"]);
        let by_amount = search(
            &index,
            SearchRequest {
                sort: Sort::Amount,
                ..Default::default()
            },
        );
        assert_eq!(
            &ids(&by_amount)[..4],
            ["n:lunch", "a:road", "n:kix", "n:led"]
        );
        // No query text: relevance falls back to newest first.
        let default = search(&index, SearchRequest::default());
        assert_eq!(ids(&default), ids(&by_published));
    }

    #[test]
    fn test_paging() {
        let index = index();
        let p1 = search(
            &index,
            SearchRequest {
                per_page: 3,
                sort: Sort::Published,
                ..Default::default()
            },
        );
        let p3 = search(
            &index,
            SearchRequest {
                per_page: 3,
                page: 3,
                sort: Sort::Published,
                ..Default::default()
            },
        );
        assert_eq!(p1.hits.len(), 3);
        assert_eq!(p3.hits.len(), 1);
        assert_eq!(p3.total, 7);
        let huge = search(
            &index,
            SearchRequest {
                per_page: 1000,
                ..Default::default()
            },
        );
        assert_eq!(huge.per_page, MAX_PER_PAGE);
    }

    #[test]
    fn test_snippets_are_escaped_and_highlighted() {
        let index = index();
        let resp = search(&index, SearchRequest::text("給食"));
        let snippet = &resp.hits[0].snippet;
        assert!(snippet.contains("<mark>給食</mark>"), "{snippet}");
        assert!(
            snippet.contains("&lt;参加資格&gt;") && snippet.contains("&amp;"),
            "{snippet}"
        );
        let resp = search(&index, SearchRequest::text("システム"));
        assert!(
            resp.hits[0].snippet.contains("<mark>ｼｽﾃﾑ</mark>"),
            "{}",
            resp.hits[0].snippet
        );
    }

    #[test]
    fn test_hit_fields_and_json_shape() {
        let index = index();
        let resp = search(&index, SearchRequest::text("舗装"));
        let hit = &resp.hits[0];
        assert_eq!(hit.winner.as_deref(), Some("株式会社堺道路"));
        assert_eq!(hit.amount, Some(18_000_000));
        assert_eq!(hit.municipality_code.as_deref(), Some("271403"));
        let json = serde_json::to_value(&resp).unwrap();
        for key in ["total", "page", "per_page", "hits", "facets"] {
            assert!(json.get(key).is_some(), "{key}");
        }
        assert_eq!(json["hits"][0]["category"], "工事");
        assert_eq!(json["hits"][0]["kind"], "award");
        for key in [
            "prefecture",
            "municipality",
            "category",
            "method",
            "kind",
            "status",
        ] {
            assert!(json["facets"].get(key).is_some(), "{key}");
        }
    }
}
