//! The JSON shapes of the API, built from the indexer's types.
//!
//! They serialise exactly like the indexer's types (a test checks it) and carry the OpenAPI
//! schema, so the published document describes what the handlers really send.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use indexer::index::{AwardStats, FacetCount, Facets, Hit, SearchResponse, StatGroup};

/// `{"error": "..."}`: what every 4xx and 5xx answer carries.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// What went wrong; for a bad parameter it starts with the parameter's name.
    #[schema(example = "per_page: must be between 1 and 100")]
    pub error: String,
}

/// One search result.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitView {
    /// Record id, e.g. `kkj:0123` or `tamura-city:R7-12`.
    pub id: String,
    /// `notice` or `award`.
    #[schema(value_type = String, example = "notice")]
    pub kind: indexer::Kind,
    /// Title (plain text).
    pub title: String,
    /// HTML: escaped text with the matches in `<mark>…</mark>`.
    pub snippet: String,
    /// 発注機関.
    pub buyer: Option<String>,
    /// 都道府県.
    pub prefecture: Option<String>,
    /// 市区町村.
    pub municipality: Option<String>,
    /// 全国地方公共団体コード (6 digits).
    pub municipality_code: Option<String>,
    /// 物品, 工事 or 役務.
    #[schema(value_type = Option<String>, example = "役務")]
    pub category: Option<indexer::Category>,
    /// Normalised method, e.g. 一般競争入札.
    #[schema(value_type = Option<String>, example = "一般競争入札")]
    pub method: Option<indexer::Method>,
    /// 公告日.
    pub published: Option<NaiveDate>,
    /// 提出期限; `null` when the source does not state it (never guessed).
    pub deadline: Option<NaiveDate>,
    /// 予定価格 in yen.
    pub estimated_price: Option<u64>,
    /// 落札金額 in yen (awards).
    pub amount: Option<u64>,
    /// 落札者 (awards), normalised.
    pub winner: Option<String>,
    /// The source page.
    pub url: String,
}

impl From<Hit> for HitView {
    fn from(h: Hit) -> HitView {
        HitView {
            id: h.id,
            kind: h.kind,
            title: h.title,
            snippet: h.snippet,
            buyer: h.buyer,
            prefecture: h.prefecture,
            municipality: h.municipality,
            municipality_code: h.municipality_code,
            category: h.category,
            method: h.method,
            published: h.published,
            deadline: h.deadline,
            estimated_price: h.estimated_price,
            amount: h.amount,
            winner: h.winner,
            url: h.url,
        }
    }
}

/// One facet value and its count.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCountView {
    /// The value, as it is passed back as a filter parameter.
    pub value: String,
    /// Matching records with this value.
    pub count: u64,
}

impl From<FacetCount> for FacetCountView {
    fn from(c: FacetCount) -> FacetCountView {
        FacetCountView {
            value: c.value,
            count: c.count,
        }
    }
}

fn counts(v: Vec<FacetCount>) -> Vec<FacetCountView> {
    v.into_iter().map(FacetCountView::from).collect()
}

/// Facet counts over the records matching the search, each sorted by decreasing count.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetsView {
    /// 都道府県.
    pub prefecture: Vec<FacetCountView>,
    /// 市区町村 of the selected prefectures (empty when none is selected).
    pub municipality: Vec<FacetCountView>,
    /// 物品 / 工事 / 役務.
    pub category: Vec<FacetCountView>,
    /// Methods.
    pub method: Vec<FacetCountView>,
    /// `notice` / `award`.
    pub kind: Vec<FacetCountView>,
    /// `open` / `closed`, ignoring the status filter.
    pub status: Vec<FacetCountView>,
}

impl From<Facets> for FacetsView {
    fn from(f: Facets) -> FacetsView {
        FacetsView {
            prefecture: counts(f.prefecture),
            municipality: counts(f.municipality),
            category: counts(f.category),
            method: counts(f.method),
            kind: counts(f.kind),
            status: counts(f.status),
        }
    }
}

/// The answer of `GET /api/search`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResponseView {
    /// Matching records.
    pub total: u64,
    /// The page served (1-based).
    pub page: u32,
    /// The page size.
    pub per_page: u32,
    /// The hits of this page.
    pub hits: Vec<HitView>,
    /// Facet counts.
    pub facets: FacetsView,
}

impl From<SearchResponse> for SearchResponseView {
    fn from(r: SearchResponse) -> SearchResponseView {
        SearchResponseView {
            total: r.total,
            page: r.page,
            per_page: r.per_page,
            hits: r.hits.into_iter().map(HitView::from).collect(),
            facets: r.facets.into(),
        }
    }
}

/// Statistics of one group of awards.
#[derive(Debug, Serialize, ToSchema)]
pub struct StatGroupView {
    /// The group: a winner, buyer, `都道府県 市区町村`, category, method or 年度; `不明` for
    /// awards without a value.
    pub key: String,
    /// Awards in the group.
    pub n: u64,
    /// Awards in the group with a known amount.
    pub n_amount: u64,
    /// Sum of the known amounts, in yen.
    pub total_amount: u64,
    /// Median of the known amounts, in yen.
    pub median_amount: Option<u64>,
    /// Median 落札率 (amount / 予定価格) over the awards that have both.
    pub median_award_ratio: Option<f64>,
    /// Fewer than five awards: read the medians with care.
    pub small_sample: bool,
}

impl From<StatGroup> for StatGroupView {
    fn from(g: StatGroup) -> StatGroupView {
        StatGroupView {
            key: g.key,
            n: g.n,
            n_amount: g.n_amount,
            total_amount: g.total_amount,
            median_amount: g.median_amount,
            median_award_ratio: g.median_award_ratio,
            small_sample: g.small_sample,
        }
    }
}

/// The dates the counted awards span.
#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodView {
    /// Earliest award date.
    pub from: Option<NaiveDate>,
    /// Latest award date.
    pub to: Option<NaiveDate>,
}

/// The answer of `GET /api/awards/stats`.
#[derive(Debug, Serialize, ToSchema)]
pub struct AwardStatsView {
    /// Groups, largest first.
    pub groups: Vec<StatGroupView>,
    /// Awards counted.
    pub n: u64,
    /// The dates they span.
    pub period: PeriodView,
}

impl From<AwardStats> for AwardStatsView {
    fn from(s: AwardStats) -> AwardStatsView {
        AwardStatsView {
            groups: s.groups.into_iter().map(StatGroupView::from).collect(),
            n: s.n,
            period: PeriodView {
                from: s.period.from,
                to: s.period.to,
            },
        }
    }
}

/// Liveness.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the server answers.
    pub status: String,
    /// Searchable documents.
    pub documents: u64,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use indexer::index::{Period, SearchResponse};
    use indexer::{Category, Kind, Method};

    fn hit() -> Hit {
        Hit {
            id: "t:1".into(),
            kind: Kind::Notice,
            title: "学校給食調理業務委託".into(),
            snippet: "学校<mark>給食</mark>".into(),
            buyer: Some("教育委員会".into()),
            prefecture: Some("福島県".into()),
            municipality: Some("田村市".into()),
            municipality_code: Some("072117".into()),
            category: Some(Category::Services),
            method: Some(Method::OpenCompetitive),
            published: NaiveDate::from_ymd_opt(2026, 4, 1),
            deadline: None,
            estimated_price: Some(1_000_000),
            amount: None,
            winner: None,
            url: "http://127.0.0.1/1".into(),
        }
    }

    #[test]
    fn views_serialise_like_the_indexer_types() {
        let resp = SearchResponse {
            total: 1,
            page: 1,
            per_page: 20,
            hits: vec![hit()],
            facets: Facets {
                prefecture: vec![FacetCount {
                    value: "福島県".into(),
                    count: 1,
                }],
                ..Facets::default()
            },
        };
        let expected = serde_json::to_value(&resp).unwrap();
        assert_eq!(
            serde_json::to_value(SearchResponseView::from(resp)).unwrap(),
            expected
        );

        let stats = AwardStats {
            groups: vec![StatGroup {
                key: "株式会社堺道路".into(),
                n: 6,
                n_amount: 6,
                total_amount: 51_000_000,
                median_amount: Some(8_500_000),
                median_award_ratio: Some(0.85),
                small_sample: false,
            }],
            n: 6,
            period: Period {
                from: NaiveDate::from_ymd_opt(2024, 3, 10),
                to: None,
            },
        };
        let expected = serde_json::to_value(&stats).unwrap();
        assert_eq!(
            serde_json::to_value(AwardStatsView::from(stats)).unwrap(),
            expected
        );
    }
}
