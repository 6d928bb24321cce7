//! `GET /`: the search page.

use askama::Template;
use axum::extract::{RawQuery, State};
use axum::response::Response;

use indexer::index::{FacetCount, SearchRequest, SearchResponse, Sort, Status};
use indexer::{Category, Kind, Method, Record};

use super::format::{date_ja, facet_label, kind_label, query_string, segment, yen};
use super::{api_error_page, render};
use crate::data;
use crate::params::{pairs, parse_search};
use crate::{AppState, today_jst};

/// A `<select>` option or a checkbox.
pub(crate) struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub(crate) struct HitRow {
    pub href: String,
    pub title: String,
    pub snippet: String,
    pub kind_label: &'static str,
    pub is_award: bool,
    pub open: bool,
    pub buyer: String,
    pub place: String,
    pub category: String,
    pub method: String,
    pub published: String,
    pub deadline: String,
    pub money: Vec<(&'static str, String)>,
    pub winner: String,
}

pub(crate) struct FacetItem {
    pub label: String,
    pub count: u64,
    pub href: String,
    pub selected: bool,
}

pub(crate) struct FacetGroup {
    pub title: &'static str,
    pub items: Vec<FacetItem>,
}

pub(crate) struct PageLink {
    pub number: u32,
    pub href: String,
    pub current: bool,
}

pub(crate) struct Links {
    pub atom: String,
    pub ics: String,
    pub csv: String,
    pub ocds: String,
    pub json: String,
    pub stats: String,
}

#[derive(Template)]
#[template(path = "search.html")]
pub(crate) struct SearchPage {
    pub title: String,
    pub q: String,
    pub total: u64,
    pub searched: bool,
    pub hits: Vec<HitRow>,
    pub facets: Vec<FacetGroup>,
    pub kinds: Vec<Choice>,
    pub prefectures: Vec<Choice>,
    pub municipalities: Vec<Choice>,
    pub categories: Vec<Choice>,
    pub methods: Vec<Choice>,
    pub sorts: Vec<Choice>,
    pub open_only: bool,
    pub deadline_from: String,
    pub deadline_to: String,
    pub amount_min: String,
    pub amount_max: String,
    pub per_page: String,
    pub details_open: bool,
    pub active: Vec<FacetItem>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PageLink>,
    pub page: u32,
    pub last_page: u32,
    pub links: Links,
    pub credits: Vec<String>,
}

fn has(params: &[(String, String)], key: &str, value: &str) -> bool {
    params.iter().any(|(k, v)| k == key && v.trim() == value)
}

fn value_of(params: &[(String, String)], key: &str) -> String {
    crate::params::single(params, key).unwrap_or("").to_string()
}

/// The non-empty parameters, without paging.
fn filters(params: &[(String, String)]) -> Vec<(&str, &str)> {
    params
        .iter()
        .filter(|(k, v)| !v.trim().is_empty() && k != "page")
        .map(|(k, v)| (k.as_str(), v.trim()))
        .collect()
}

fn href_with(params: &[(String, String)], key: &str, value: &str) -> String {
    let mut p = filters(params);
    p.push((key, value));
    format!("/?{}", query_string(p))
}

fn href_without(params: &[(String, String)], key: &str, value: &str) -> String {
    let p: Vec<(&str, &str)> = filters(params)
        .into_iter()
        .filter(|(k, v)| !(*k == key && *v == value))
        .collect();
    format!("/?{}", query_string(p))
}

fn href_page(params: &[(String, String)], page: u32) -> String {
    let mut p = filters(params);
    let n = page.to_string();
    p.push(("page", &n));
    format!("/?{}", query_string(p))
}

fn choices(values: &[FacetCount], selected: &[String], param: &str) -> Vec<Choice> {
    let mut out: Vec<Choice> = values
        .iter()
        .map(|c| Choice {
            value: c.value.clone(),
            label: format!("{}（{}件）", facet_label(param, &c.value), c.count),
            selected: selected.contains(&c.value),
        })
        .collect();
    for s in selected {
        if !out.iter().any(|c| &c.value == s) {
            out.push(Choice {
                value: s.clone(),
                label: s.clone(),
                selected: true,
            });
        }
    }
    out
}

fn hit_row(h: &indexer::index::Hit) -> HitRow {
    let today = today_jst();
    let mut money = Vec::new();
    if let Some(p) = h.estimated_price {
        money.push(("予定価格", yen(p)));
    }
    if let Some(a) = h.amount {
        money.push(("落札金額", yen(a)));
    }
    HitRow {
        href: format!("/records/{}", segment(&h.id)),
        title: h.title.clone(),
        snippet: h.snippet.clone(),
        kind_label: kind_label(h.kind),
        is_award: h.kind == Kind::Award,
        open: h.kind == Kind::Notice && h.deadline.is_some_and(|d| d >= today),
        buyer: h.buyer.clone().unwrap_or_default(),
        place: [h.prefecture.as_deref(), h.municipality.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        category: h
            .category
            .map(|c| c.label().to_string())
            .unwrap_or_default(),
        method: h.method.map(|m| m.label().to_string()).unwrap_or_default(),
        published: h.published.map(date_ja).unwrap_or_default(),
        deadline: match (h.kind, h.deadline) {
            (_, Some(d)) => date_ja(d),
            (Kind::Notice, None) => "不明（公告本文で確認してください）".to_string(),
            (Kind::Award, None) => String::new(),
        },
        money,
        winner: h.winner.clone().unwrap_or_default(),
    }
}

fn facet_groups(params: &[(String, String)], resp: &SearchResponse) -> Vec<FacetGroup> {
    let f = &resp.facets;
    let groups: [(&'static str, &str, &Vec<FacetCount>); 6] = [
        ("受付状況", "status", &f.status),
        ("種別", "kind", &f.kind),
        ("都道府県", "prefecture", &f.prefecture),
        ("市区町村", "municipality", &f.municipality),
        ("業種", "category", &f.category),
        ("入札方式", "method", &f.method),
    ];
    groups
        .into_iter()
        .filter(|(_, _, counts)| !counts.is_empty())
        .map(|(title, param, counts)| FacetGroup {
            title,
            items: counts
                .iter()
                .map(|c| {
                    let selected = has(params, param, &c.value);
                    FacetItem {
                        label: facet_label(param, &c.value).to_string(),
                        count: c.count,
                        href: if selected {
                            href_without(params, param, &c.value)
                        } else {
                            // One status or kind at a time: replace rather than add.
                            let replaced: Vec<(String, String)> =
                                if matches!(param, "status" | "kind") {
                                    params.iter().filter(|(k, _)| k != param).cloned().collect()
                                } else {
                                    params.to_vec()
                                };
                            href_with(&replaced, param, &c.value)
                        },
                        selected,
                    }
                })
                .collect(),
        })
        .collect()
}

fn build(
    params: &[(String, String)],
    req: &SearchRequest,
    resp: &SearchResponse,
    records: &[Record],
) -> SearchPage {
    let q = req.q.clone().unwrap_or_default();
    let kind = value_of(params, "kind");
    let sort = value_of(params, "sort");
    let active: Vec<FacetItem> = filters(params)
        .into_iter()
        .filter(|(k, _)| !matches!(*k, "q" | "sort" | "per_page"))
        .map(|(k, v)| FacetItem {
            label: format!("{}: {}", param_label(k), facet_label(k, v)),
            count: 0,
            href: href_without(params, k, v),
            selected: true,
        })
        .collect();
    let per_page = resp.per_page.max(1);
    let last_page = (resp.total.div_ceil(u64::from(per_page)).min(u64::from(
        indexer::index::search::MAX_OFFSET as u32 / per_page,
    )))
    .max(1) as u32;
    let page = resp.page;
    let first_shown = page.saturating_sub(2).max(1);
    let last_shown = (first_shown + 4).min(last_page);
    let feed_query = query_string(
        filters(params)
            .into_iter()
            .filter(|(k, _)| !matches!(*k, "sort" | "per_page")),
    );
    let all = query_string(filters(params));
    SearchPage {
        title: if q.is_empty() {
            "入札情報検索".to_string()
        } else {
            format!("「{q}」の検索結果")
        },
        searched: !params.iter().all(|(_, v)| v.trim().is_empty()),
        total: resp.total,
        hits: resp.hits.iter().map(hit_row).collect(),
        facets: facet_groups(params, resp),
        kinds: [
            ("", "すべて"),
            ("notice", "入札公告"),
            ("award", "落札結果"),
        ]
        .into_iter()
        .map(|(v, l)| Choice {
            value: v.into(),
            label: l.into(),
            selected: kind == v,
        })
        .collect(),
        prefectures: choices(&resp.facets.prefecture, &req.prefecture, "prefecture"),
        municipalities: choices(&resp.facets.municipality, &req.municipality, "municipality"),
        categories: Category::ALL
            .iter()
            .map(|c| Choice {
                value: c.label().into(),
                label: c.label().into(),
                selected: req.category.contains(c),
            })
            .collect(),
        methods: Method::ALL
            .iter()
            .map(|m| Choice {
                value: m.label().into(),
                label: m.label().into(),
                selected: req.method.contains(m),
            })
            .collect(),
        sorts: [
            ("relevance", "関連度順"),
            ("deadline", "締切が近い順"),
            ("published", "公告日が新しい順"),
            ("amount", "金額が大きい順"),
        ]
        .into_iter()
        .map(|(v, l)| Choice {
            value: v.into(),
            label: l.into(),
            selected: sort == v
                || (sort.is_empty() && req.sort == Sort::Relevance && v == "relevance"),
        })
        .collect(),
        open_only: req.status == Some(Status::Open),
        deadline_from: req.deadline_from.map(|d| d.to_string()).unwrap_or_default(),
        deadline_to: req.deadline_to.map(|d| d.to_string()).unwrap_or_default(),
        amount_min: req.amount_min.map(|d| d.to_string()).unwrap_or_default(),
        amount_max: req.amount_max.map(|d| d.to_string()).unwrap_or_default(),
        per_page: value_of(params, "per_page"),
        // Closed: the applied filters are listed as chips above the results, and on a phone
        // an open form would push the results off the first screen.
        details_open: false,
        q,
        active,
        prev: (page > 1).then(|| href_page(params, page - 1)),
        next: (page < last_page).then(|| href_page(params, page + 1)),
        pages: (first_shown..=last_shown)
            .map(|n| PageLink {
                number: n,
                href: href_page(params, n),
                current: n == page,
            })
            .collect(),
        page,
        last_page,
        links: Links {
            atom: format!("/feeds/search.atom?{feed_query}"),
            ics: format!("/feeds/deadlines.ics?{feed_query}"),
            csv: format!("/api/export.csv?{all}"),
            ocds: format!("/api/export.ocds.json?{all}"),
            json: format!(
                "/api/search?{}",
                query_string(
                    params
                        .iter()
                        .filter(|(_, v)| !v.trim().is_empty())
                        .map(|(k, v)| (k.as_str(), v.trim()))
                )
            ),
            stats: format!(
                "/stats?{}",
                query_string(
                    filters(params)
                        .into_iter()
                        .filter(|(k, _)| !matches!(*k, "sort" | "per_page" | "status" | "kind"))
                )
            ),
        },
        credits: data::attributions(records),
    }
}

/// The Japanese name of a parameter.
pub(crate) fn param_label(param: &str) -> &str {
    match param {
        "q" => "キーワード",
        "kind" => "種別",
        "prefecture" => "都道府県",
        "municipality" => "市区町村",
        "category" => "業種",
        "method" => "入札方式",
        "status" => "受付状況",
        "published_from" => "公告日（から）",
        "published_to" => "公告日（まで）",
        "deadline_from" => "締切（から）",
        "deadline_to" => "締切（まで）",
        "amount_min" => "金額（以上）",
        "amount_max" => "金額（以下）",
        "group_by" => "集計単位",
        other => other,
    }
}

/// `GET /`.
pub(crate) async fn search_page(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = pairs(query.as_deref());
    let req = match parse_search(&params, &[]) {
        Ok(req) => req,
        Err(e) => return api_error_page(&e.into()),
    };
    match data::search_with_records(&state, req.clone()).await {
        Ok((resp, records)) => {
            let records: Vec<Record> = resp
                .hits
                .iter()
                .filter_map(|h| records.get(&h.id).cloned())
                .collect();
            render(&build(&params, &req, &resp, &records))
        }
        Err(e) => api_error_page(&e),
    }
}
