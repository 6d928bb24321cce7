//! The OpenAPI document, generated from the handlers' annotations (`/api/openapi.json`).

use chrono::NaiveDate;
use utoipa::OpenApi;

/// The document's fixed parts; the paths are added by the router from the handlers.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "tenders",
        description = "Search Japanese public tenders (入札公告) and award results (落札結果). \
Errors are 4xx with `{\"error\": \"...\"}` naming the bad parameter.",
        license(name = "MIT OR Apache-2.0")
    ),
    tags(
        (name = "search", description = "Notices and awards"),
        (name = "statistics", description = "Award statistics"),
        (name = "feeds", description = "Atom and iCalendar: a saved search is just the URL"),
        (name = "export", description = "Bulk exports of a search"),
        (name = "operations", description = "Health"),
    )
)]
pub(crate) struct ApiDoc;

/// The search filters (documentation of what [`crate::params::parse_search`] accepts).
/// Empty values are ignored; repeat a parameter to OR several values.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct SearchParams {
    /// Keywords (at most 500 characters). Words are AND-ed; `"…"` quotes a phrase; `-word` excludes.
    #[param(example = "給食")]
    q: Option<String>,
    /// `notice` (入札公告) or `award` (落札結果).
    #[param(pattern = "^(notice|award)$")]
    kind: Option<String>,
    /// 都道府県 name; repeatable.
    #[param(example = "福島県")]
    prefecture: Option<Vec<String>>,
    /// 市区町村 name or 6-digit code; repeatable.
    #[param(example = "072117")]
    municipality: Option<Vec<String>>,
    /// 物品, 工事 or 役務; repeatable.
    category: Option<Vec<String>>,
    /// 一般競争入札, 指名競争入札, 随意契約, プロポーザル・企画競争, オープンカウンター or その他; repeatable.
    method: Option<Vec<String>>,
    /// `open` (a notice whose deadline is known and not past, in JST) or `closed`.
    #[param(pattern = "^(open|closed)$")]
    status: Option<String>,
    /// Published on or after (YYYY-MM-DD).
    published_from: Option<NaiveDate>,
    /// Published on or before (YYYY-MM-DD).
    published_to: Option<NaiveDate>,
    /// Deadline on or after (YYYY-MM-DD).
    deadline_from: Option<NaiveDate>,
    /// Deadline on or before (YYYY-MM-DD).
    deadline_to: Option<NaiveDate>,
    /// Amount (落札金額, else 予定価格) at least this many yen.
    amount_min: Option<u64>,
    /// Amount (落札金額, else 予定価格) at most this many yen.
    amount_max: Option<u64>,
    /// `relevance` (default), `deadline` (soonest first), `published` (newest first) or `amount` (largest first).
    #[param(pattern = "^(relevance|deadline|published|amount)$")]
    sort: Option<String>,
    /// Page, 1 to 10000.
    #[param(minimum = 1, maximum = 10000)]
    page: Option<u32>,
    /// Results per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<u32>,
}

/// What award statistics are grouped by.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub(crate) struct StatsParams {
    /// `winner` (default), `buyer`, `municipality`, `category`, `method` or `year` (年度, April–March).
    #[param(pattern = "^(winner|buyer|municipality|category|method|year)$")]
    group_by: Option<String>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use utoipa::IntoParams;

    #[test]
    fn documented_parameters_are_the_parsed_ones() {
        let names: Vec<String> = SearchParams::into_params(|| None)
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, crate::params::SEARCH_PARAMS);
        let names: Vec<String> = StatsParams::into_params(|| None)
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(names, ["group_by"]);
    }
}
