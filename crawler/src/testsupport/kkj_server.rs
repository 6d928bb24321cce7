//! A look-alike of the KKJ search API on 127.0.0.1, with the real service's quirks.
//!
//! - `GET /api/` with `Query` (`term`, `NOT term`, `A OR B`, `AND`), `Project_Name`,
//!   `Organization_Name` (substring), `LG_Code` (comma-separated, must be zero-padded: `1`
//!   matches nothing), `Category` (numeric; a label is `internal error: query error: syntax
//!   error`; 4 and above are ignored), `CFT_Issue_Date` (`D`, `A/B`, `A/`, `/B`; anything else is
//!   `Invalid Date Parameter`) and `Count` (default 10, at most 1000). At least one of the first
//!   four is required (`no searchword`). A record lacking a filtered field never matches.
//! - Errors are HTTP 200 with `<Results><Error>…</Error></Results>`.
//! - No paging: the top `Count` records in a fixed but arbitrary order, with `SearchHits`.
//! - Children of `<SearchResult>` in a different order for each record; CDATA around `Key`,
//!   URIs and the description; one record served as CESU-8 (invalid UTF-8).
//! - Chosen requests can be answered with an error (`fail_requests`), and every API request is
//!   counted and logged.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::NaiveDate;

use super::Loopback;
use super::kkj_data::{KkjDataset, KkjNotice};
use crate::source::kkj::decode::encode_cesu8;

/// Behaviour switches of the look-alike.
#[derive(Debug, Clone, Default)]
pub struct KkjServerOptions {
    /// 1-based numbers of API requests answered with `<Error>internal error</Error>`.
    pub fail_requests: Vec<usize>,
}

struct ServerState {
    notices: Vec<KkjNotice>,
    /// The serialised `<SearchResult>` of each notice, without its `ResultId`.
    fragments: Vec<Vec<u8>>,
    /// Response order: a fixed permutation unrelated to dates.
    rank: Vec<u64>,
    requests: AtomicUsize,
    fail: HashSet<usize>,
    log: Mutex<Vec<String>>,
}

/// A running look-alike; stops when dropped.
pub struct KkjServer {
    /// `http://127.0.0.1:<port>` (the API is at `/api/`).
    pub base_url: String,
    state: Arc<ServerState>,
    _server: Loopback,
}

impl KkjServer {
    /// Starts the look-alike on a free loopback port.
    pub async fn start(
        dataset: &KkjDataset,
        options: KkjServerOptions,
    ) -> std::io::Result<KkjServer> {
        let notices = dataset.notices.clone();
        let fragments = notices.iter().map(fragment).collect();
        let rank = notices.iter().map(|n| fnv(n.key.as_bytes())).collect();
        let state = Arc::new(ServerState {
            notices,
            fragments,
            rank,
            requests: AtomicUsize::new(0),
            fail: options.fail_requests.into_iter().collect(),
            log: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/api/", get(api))
            .with_state(state.clone());
        let server = Loopback::serve(app, "kkj").await?;
        Ok(KkjServer {
            base_url: server.base_url.clone(),
            state,
            _server: server,
        })
    }

    /// The API endpoint, as a source's `base_url`.
    pub fn api_url(&self) -> String {
        format!("{}/api/", self.base_url)
    }

    /// API requests answered so far.
    pub fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }

    /// The query strings of the API requests so far, in order.
    pub fn queries(&self) -> Vec<String> {
        self.state.log.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn cdata(s: &str) -> String {
    format!("<![CDATA[{}]]>", s.replace("]]>", "]]]]><![CDATA[>"))
}

/// One notice as `<SearchResult>` children, in an order that depends on the notice.
fn fragment(n: &KkjNotice) -> Vec<u8> {
    let mut children: Vec<Vec<u8>> = Vec::new();
    let mut leaf = |tag: &str, value: Option<String>| {
        if let Some(v) = value {
            children.push(format!("<{tag}>{v}</{tag}>").into_bytes());
        }
    };
    leaf("Key", Some(cdata(&n.key)));
    leaf("ExternalDocumentURI", Some(cdata(&n.external_document_uri)));
    leaf("ProjectName", Some(escape(&n.project_name)));
    leaf("Date", Some(n.date.clone()));
    leaf("FileType", Some(n.file_type.to_string()));
    leaf("FileSize", Some(n.file_size.to_string()));
    leaf("LgCode", n.lg_code.clone());
    leaf("PrefectureName", n.prefecture_name.clone());
    leaf("CityCode", n.city_code.clone());
    leaf("CityName", n.city_name.clone());
    leaf("OrganizationName", Some(escape(&n.organization_name)));
    leaf("Certification", n.certification.clone());
    leaf("CftIssueDate", Some(n.cft_issue_date_raw.clone()));
    leaf("PeriodEndTime", n.period_end_time.clone());
    leaf("Category", n.category.map(str::to_string));
    leaf("ProcedureType", n.procedure_type.map(str::to_string));
    leaf("Location", n.location.as_deref().map(escape));
    leaf(
        "TenderSubmissionDeadline",
        n.tender_submission_deadline.clone(),
    );
    leaf("OpeningTendersEvent", n.opening_tenders_event.clone());
    if !n.attachments.is_empty() {
        let items: String = n
            .attachments
            .iter()
            .map(|(name, uri)| {
                format!(
                    "<Attachment><Name>{}</Name><Uri>{}</Uri></Attachment>",
                    escape(name),
                    cdata(uri)
                )
            })
            .collect();
        children.push(format!("<Attachments>{items}</Attachments>").into_bytes());
    }
    let description = format!(
        "<ProjectDescription>{}</ProjectDescription>",
        cdata(&n.project_description)
    );
    children.push(if n.cesu8 {
        encode_cesu8(&description)
    } else {
        description.into_bytes()
    });
    // A Fisher–Yates shuffle seeded by the key: child order is not guaranteed by the real API.
    let mut seed = fnv(n.key.as_bytes()) | 1;
    for i in (1..children.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        children.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    children.concat()
}

fn xml_error(message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Results><Version>1.0</Version><Error>{}</Error></Results>",
        escape(message)
    );
    xml(body.into_bytes())
}

fn xml(body: Vec<u8>) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A period of `CFT_Issue_Date`.
fn parse_period(s: &str) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
    let day = |x: &str| NaiveDate::parse_from_str(x, "%Y-%m-%d").ok();
    match s.split_once('/') {
        None => day(s).map(|d| (Some(d), Some(d))),
        Some(("", "")) => None,
        Some((a, b)) => {
            let from = if a.is_empty() { None } else { Some(day(a)?) };
            let to = if b.is_empty() { None } else { Some(day(b)?) };
            Some((from, to))
        }
    }
}

/// `Query`: OR-groups of AND-ed literals, each `term`, `NOT term` or `ANDNOT term`.
type Query = Vec<Vec<(bool, String)>>;

fn parse_query(s: &str) -> Result<Query, &'static str> {
    let mut groups: Query = vec![Vec::new()];
    let mut negate = false;
    for word in s.split_whitespace() {
        match word {
            "AND" => {}
            "OR" => groups.push(Vec::new()),
            "NOT" | "ANDNOT" => negate = true,
            term => {
                let chars: Vec<char> = term.chars().collect();
                if chars.len() == 1 && matches!(chars[0], 'ぁ'..='ゖ' | 'ァ'..='ヺ') {
                    return Err("Only one Kana character in search expression");
                }
                if let Some(g) = groups.last_mut() {
                    g.push((negate, term.to_string()));
                }
                negate = false;
            }
        }
    }
    if groups.iter().all(Vec::is_empty) {
        return Err("no searchword");
    }
    Ok(groups)
}

fn query_matches(q: &Query, n: &KkjNotice) -> bool {
    q.iter().filter(|g| !g.is_empty()).any(|g| {
        g.iter().all(|(negate, term)| {
            let found = n.project_name.contains(term.as_str())
                || n.project_description.contains(term.as_str());
            found != *negate
        })
    })
}

async fn api(State(state): State<Arc<ServerState>>, RawQuery(raw): RawQuery) -> Response {
    let number = state.requests.fetch_add(1, Ordering::SeqCst) + 1;
    let raw = raw.unwrap_or_default();
    if let Ok(mut log) = state.log.lock() {
        log.push(raw.clone());
    }
    if state.fail.contains(&number) {
        return xml_error("internal error");
    }
    let params: Vec<(String, String)> = url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect();
    let param = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };

    let query = match param("Query")
        .filter(|q| !q.trim().is_empty())
        .map(|q| parse_query(&q))
        .transpose()
    {
        Ok(q) => q,
        Err(e) => return xml_error(e),
    };
    let project = param("Project_Name").filter(|s| !s.is_empty());
    let organization = param("Organization_Name").filter(|s| !s.is_empty());
    let lg: Option<Vec<String>> = param("LG_Code")
        .filter(|s| !s.is_empty())
        .map(|s| s.split(',').map(|c| c.trim().to_string()).collect());
    if query.is_none() && project.is_none() && organization.is_none() && lg.is_none() {
        return xml_error("no searchword");
    }
    let category = match param("Category").filter(|s| !s.is_empty()) {
        None => None,
        Some(c) => match c.parse::<u32>() {
            Ok(1) => Some("物品"),
            Ok(2) => Some("工事"),
            Ok(3) => Some("役務"),
            Ok(_) => None,
            Err(_) => return xml_error("internal error: query error: syntax error"),
        },
    };
    let period = match param("CFT_Issue_Date").filter(|s| !s.is_empty()) {
        None => None,
        Some(p) => match parse_period(&p) {
            Some(p) => Some(p),
            None => return xml_error("Invalid Date Parameter"),
        },
    };
    let count = param("Count")
        .and_then(|c| c.parse::<usize>().ok())
        .unwrap_or(10)
        .min(1000);

    let mut matched: Vec<usize> = (0..state.notices.len())
        .filter(|&i| {
            let n = &state.notices[i];
            query.as_ref().is_none_or(|q| query_matches(q, n))
                && project
                    .as_ref()
                    .is_none_or(|p| n.project_name.contains(p.as_str()))
                && organization
                    .as_ref()
                    .is_none_or(|o| n.organization_name.contains(o.as_str()))
                && lg
                    .as_ref()
                    .is_none_or(|codes| n.lg_code.as_ref().is_some_and(|c| codes.contains(c)))
                && category.is_none_or(|c| n.category == Some(c))
                && period.is_none_or(|(from, to)| {
                    from.is_none_or(|f| n.cft_issue_date >= f)
                        && to.is_none_or(|t| n.cft_issue_date <= t)
                })
        })
        .collect();
    let hits = matched.len();
    matched.sort_by_key(|&i| state.rank[i]);
    matched.truncate(count);

    let mut body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Results>\n<Version>1.0</Version>\n<SearchResults>\n<SearchHits>{hits}</SearchHits>\n"
    )
    .into_bytes();
    for (pos, i) in matched.iter().enumerate() {
        let id = format!("<ResultId>{}</ResultId>", pos + 1);
        body.extend_from_slice(b"<SearchResult>");
        if state.rank[*i] % 2 == 0 {
            body.extend_from_slice(id.as_bytes());
            body.extend_from_slice(&state.fragments[*i]);
        } else {
            body.extend_from_slice(&state.fragments[*i]);
            body.extend_from_slice(id.as_bytes());
        }
        body.extend_from_slice(b"</SearchResult>\n");
    }
    body.extend_from_slice(b"</SearchResults>\n</Results>\n");
    xml(body)
}
