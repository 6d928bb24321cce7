//! The Japanese web UI: server-rendered HTML that works without JavaScript and on a phone.

use std::fmt::Write as _;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use indexer::index::{FacetCount, SearchResponse};

use crate::handlers::{record_json, run_search};
use crate::params::{pairs, parse_search};
use crate::{ApiError, AppState};

/// Escapes text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn url_encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

const STYLE: &str = "body{font-family:system-ui,'Hiragino Sans','Noto Sans JP',sans-serif;margin:0;color:#1a1a1a;background:#fafafa;line-height:1.6}\
header{background:#0b4f6c;color:#fff;padding:.75rem 1rem}header a{color:#fff;text-decoration:none;font-weight:bold}\
main{display:flex;flex-wrap:wrap;gap:1rem;padding:1rem;max-width:70rem;margin:auto}\
.results{flex:1 1 30rem;min-width:0}aside{flex:0 1 15rem}\
form.search{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-bottom:1rem}\
input[type=search]{flex:1 1 14rem;font-size:1rem;padding:.5rem;border:1px solid #555;border-radius:4px}\
button{font-size:1rem;padding:.5rem 1rem;background:#0b4f6c;color:#fff;border:0;border-radius:4px}\
.hit{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.75rem;margin-bottom:.75rem}\
.hit h2{font-size:1.05rem;margin:0 0 .25rem}.meta{color:#444;font-size:.9rem}mark{background:#ffe066;color:inherit}\
aside h3{font-size:.95rem;margin:.75rem 0 .25rem}aside ul{list-style:none;padding:0;margin:0}aside li{font-size:.9rem}\
a{color:#0b4f6c}a:focus,button:focus,input:focus{outline:3px solid #f4a261}dl.fields dt{font-weight:bold}dl.fields dd{margin:0 0 .5rem}\
.credit{font-size:.8rem;color:#444;padding:1rem;text-align:center}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{}</title><style>{STYLE}</style></head><body><header><a href=\"/\">tenders 入札情報検索</a></header>{body}</body></html>",
        esc(title)
    )
}

fn error_page(status: StatusCode, message: &str) -> Response {
    let body = format!("<main><div class=\"results\"><h1>エラー</h1><p role=\"alert\">{}</p><p><a href=\"/\">検索に戻る</a></p></div></main>", esc(message));
    (status, Html(page("エラー", &body))).into_response()
}

fn yen(v: u64) -> String {
    let digits = v.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out + "円"
}

/// `GET /`: the search form and results.
pub(crate) async fn search_page(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let params = pairs(query.as_deref());
    let req = match parse_search(&params, &[]) {
        Ok(req) => req,
        Err(e) => return error_page(StatusCode::BAD_REQUEST, &format!("検索条件が正しくありません: {e}")),
    };
    let q = req.q.clone().unwrap_or_default();
    let open_only = params.iter().any(|(k, v)| k == "status" && v == "open");
    let resp = match run_search(&state, req).await {
        Ok(r) => r,
        Err(e) => return error_page(e.status(), &e.public_message()),
    };
    Html(page(if q.is_empty() { "入札情報検索" } else { &q }, &render_search(&q, open_only, &params, &resp))).into_response()
}

fn render_search(q: &str, open_only: bool, params: &[(String, String)], resp: &SearchResponse) -> String {
    let mut html = String::from("<main><div class=\"results\">");
    let _ = write!(
        html,
        "<form class=\"search\" method=\"get\" action=\"/\" role=\"search\">\
<label for=\"q\">キーワード</label><input type=\"search\" id=\"q\" name=\"q\" value=\"{}\" placeholder=\"例: 給食 清掃 システム\">\
<label><input type=\"checkbox\" name=\"status\" value=\"open\"{}> 受付中のみ</label><button type=\"submit\">検索</button></form>",
        esc(q),
        if open_only { " checked" } else { "" }
    );
    let _ = write!(html, "<p class=\"meta\" id=\"total\">{} 件</p>", resp.total);
    for hit in &resp.hits {
        let _ = write!(
            html,
            "<article class=\"hit\"><h2><a href=\"/records/{}\">{}</a></h2><p class=\"meta\">{}{}{}</p>",
            url_encode(&hit.id),
            esc(&hit.title),
            esc(hit.buyer.as_deref().unwrap_or("")),
            hit.municipality.as_deref().map(|m| format!(" ・ {}", esc(m))).unwrap_or_default(),
            match hit.deadline {
                Some(d) => format!(" ・ 提出期限 {d}"),
                None if hit.kind == indexer::Kind::Notice => " ・ 提出期限 不明".to_string(),
                None => String::new(),
            }
        );
        if !hit.snippet.is_empty() {
            // The snippet is produced HTML-escaped by the indexer, with <mark> around matches.
            let _ = write!(html, "<p>{}</p>", hit.snippet);
        }
        html.push_str("</article>");
    }
    html.push_str("</div><aside aria-label=\"絞り込み\">");
    let facets: [(&str, &str, &Vec<FacetCount>); 6] = [
        ("状態", "status", &resp.facets.status),
        ("種別", "kind", &resp.facets.kind),
        ("都道府県", "prefecture", &resp.facets.prefecture),
        ("市区町村", "municipality", &resp.facets.municipality),
        ("業種", "category", &resp.facets.category),
        ("入札方式", "method", &resp.facets.method),
    ];
    for (title, param, counts) in facets {
        if counts.is_empty() {
            continue;
        }
        let _ = write!(html, "<h3>{title}</h3><ul>");
        for c in counts {
            let mut link: Vec<(String, String)> =
                params.iter().filter(|(k, _)| k != param && k != "page").cloned().collect();
            link.push((param.to_string(), c.value.clone()));
            let qs: String = form_urlencoded::Serializer::new(String::new()).extend_pairs(link).finish();
            let label = match (param, c.value.as_str()) {
                ("status", "open") => "受付中",
                ("status", "closed") => "受付終了・不明",
                ("kind", "notice") => "公告",
                ("kind", "award") => "落札結果",
                (_, v) => v,
            };
            let _ = write!(html, "<li><a href=\"/?{}\">{}</a> ({})</li>", esc(&qs), esc(label), c.count);
        }
        html.push_str("</ul>");
    }
    html.push_str("</aside></main>");
    html
}

/// `GET /records/{id}`: every field of one record.
pub(crate) async fn record_page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let value = match record_json(&state, &id) {
        Ok(v) => v,
        Err(ApiError::NotFound(_)) => return error_page(StatusCode::NOT_FOUND, "該当する案件がありません。"),
        Err(e) => return error_page(e.status(), &e.public_message()),
    };
    let get = |k: &str| value.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let when = |k: &str| {
        value
            .get(k)
            .map(|w| {
                let date = w.get("date").and_then(|v| v.as_str()).unwrap_or("");
                let raw = w.get("raw").and_then(|v| v.as_str()).unwrap_or("");
                format!("{date}（原文: {raw}）")
            })
            .unwrap_or_else(|| "不明".to_string())
    };
    let money = |k: &str| {
        value
            .get(k)
            .and_then(|m| m.get("yen"))
            .and_then(|v| v.as_u64())
            .map(yen)
            .unwrap_or_else(|| "不明".to_string())
    };
    let title = get("title");
    let mut body = String::from("<main><div class=\"results\">");
    let _ = write!(body, "<h1>{}</h1><dl class=\"fields\">", esc(&title));
    let rows = [
        ("種別", if get("kind") == "award" { "落札結果".to_string() } else { "入札公告".to_string() }),
        ("発注機関", get("buyer")),
        ("都道府県", get("prefecture")),
        ("市区町村", get("municipality")),
        ("業種", get("category")),
        ("入札方式", format!("{} {}", get("method"), get("method_raw"))),
        ("公告日", when("published")),
        ("提出期限", when("deadline")),
        ("開札日", when("opening")),
        ("予定価格", money("estimated_price")),
        ("落札金額", money("amount")),
        ("落札者", get("winner")),
    ];
    for (label, v) in rows {
        if !v.trim().is_empty() {
            let _ = write!(body, "<dt>{label}</dt><dd>{}</dd>", esc(v.trim()));
        }
    }
    let url = get("url");
    let _ = write!(body, "<dt>出典ページ</dt><dd><a href=\"{}\" rel=\"noopener\">{}</a></dd></dl>", esc(&url), esc(&url));
    if let Some(atts) = value.get("attachments").and_then(|v| v.as_array()) {
        body.push_str("<h2>添付資料</h2><ul>");
        for a in atts {
            let u = a.get("url").and_then(|v| v.as_str()).unwrap_or("");
            let t = a.get("title").and_then(|v| v.as_str()).unwrap_or(u);
            let _ = write!(body, "<li><a href=\"{}\">{}</a></li>", esc(u), esc(t));
        }
        body.push_str("</ul>");
    }
    let _ = write!(body, "<h2>本文</h2><p>{}</p>", esc(&get("body")));
    let attribution = get("attribution");
    if !attribution.is_empty() {
        let _ = write!(body, "<p class=\"credit\">{}</p>", esc(&attribution));
    }
    body.push_str("</div></main>");
    Html(page(&title, &body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }

    #[test]
    fn formats_yen() {
        assert_eq!(yen(3_200_000), "3,200,000円");
        assert_eq!(yen(999), "999円");
    }
}
