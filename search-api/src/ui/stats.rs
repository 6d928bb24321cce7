//! `GET /stats`: award statistics as a table and a chart.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;

use indexer::index::{AwardStats, GroupBy};

use super::chart::{Bar, bars};
use super::format::{date_ja, query_string, ratio, yen};
use super::search::Choice;
use super::{api_error_page, render};
use crate::AppState;
use crate::data;
use crate::params::{GROUP_BY, pairs, parse_group_by, parse_search};

/// Groups drawn in the chart.
const CHART_GROUPS: usize = 15;

pub(crate) struct GroupRow {
    pub key: String,
    pub n: u64,
    pub n_amount: u64,
    pub total: String,
    pub median: String,
    pub median_ratio: String,
    pub small: bool,
}

#[derive(Template)]
#[template(path = "stats.html")]
pub(crate) struct StatsPage {
    pub title: String,
    pub q: String,
    pub group_by: Vec<Choice>,
    pub group_label: &'static str,
    pub hidden: Vec<(String, String)>,
    pub n: u64,
    pub period: String,
    pub rows: Vec<GroupRow>,
    pub chart: String,
    pub json_href: String,
    pub search_href: String,
    pub credits: Vec<String>,
}

fn group_label(g: GroupBy) -> &'static str {
    match g {
        GroupBy::Winner => "落札者",
        GroupBy::Buyer => "発注機関",
        GroupBy::Municipality => "市区町村",
        GroupBy::Category => "業種",
        GroupBy::Method => "入札方式",
        GroupBy::Year => "年度",
    }
}

fn build(
    params: &[(String, String)],
    q: String,
    group_by: GroupBy,
    stats: AwardStats,
) -> StatsPage {
    let label = group_label(group_by);
    let kept: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, v)| !v.trim().is_empty() && k != "group_by")
        .map(|(k, v)| (k.as_str(), v.trim()))
        .collect();
    let chart_bars: Vec<Bar> = stats
        .groups
        .iter()
        .filter_map(|g| {
            g.median_amount.map(|m| Bar {
                label: g.key.clone(),
                value: m,
                n: g.n_amount,
            })
        })
        .take(CHART_GROUPS)
        .collect();
    let period = match (stats.period.from, stats.period.to) {
        (Some(a), Some(b)) => format!("{} 〜 {}", date_ja(a), date_ja(b)),
        _ => "不明".to_string(),
    };
    StatsPage {
        title: format!("落札統計（{label}別）"),
        q,
        group_by: GROUP_BY
            .iter()
            .filter_map(|g| GroupBy::parse(g).map(|gb| (g, gb)))
            .map(|(g, gb)| Choice {
                value: g.to_string(),
                label: group_label(gb).to_string(),
                selected: gb == group_by,
            })
            .collect(),
        group_label: label,
        hidden: kept
            .iter()
            .filter(|(k, _)| *k != "q")
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        n: stats.n,
        period,
        rows: stats
            .groups
            .iter()
            .map(|g| GroupRow {
                key: g.key.clone(),
                n: g.n,
                n_amount: g.n_amount,
                total: if g.n_amount > 0 {
                    yen(g.total_amount)
                } else {
                    "—".into()
                },
                median: g.median_amount.map(yen).unwrap_or_else(|| "—".into()),
                median_ratio: g
                    .median_award_ratio
                    .map(ratio)
                    .unwrap_or_else(|| "—".into()),
                small: g.small_sample,
            })
            .collect(),
        chart: bars(
            &format!("{label}別 落札金額の中央値（上位{CHART_GROUPS}件まで）"),
            &chart_bars,
        ),
        json_href: format!(
            "/api/awards/stats?{}",
            query_string(
                params
                    .iter()
                    .filter(|(_, v)| !v.trim().is_empty())
                    .map(|(k, v)| (k.as_str(), v.trim()))
            )
        ),
        search_href: format!(
            "/?{}",
            query_string(kept.iter().copied().chain([("kind", "award")]))
        ),
        credits: Vec::new(),
    }
}

/// `GET /stats`.
pub(crate) async fn stats_page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = pairs(query.as_deref());
    let parsed =
        parse_search(&params, &["group_by"]).and_then(|req| Ok((req, parse_group_by(&params)?)));
    let (req, group_by) = match parsed {
        Ok(p) => p,
        Err(e) => return api_error_page(&e.into()),
    };
    let q = req.q.clone().unwrap_or_default();
    match data::award_stats(&state, req, group_by).await {
        Ok(stats) => render(&build(&params, q, group_by, stats)),
        Err(e) => api_error_page(&e),
    }
}
