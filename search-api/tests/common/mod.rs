//! An in-memory index and store with a handful of records, and request helpers.

#![allow(dead_code, clippy::unwrap_used)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use chrono::{Duration, NaiveDate, NaiveTime, Utc};
use http_body_util::BodyExt;
use tower::ServiceExt;

use indexer::index::Index;
use indexer::store::Store;
use indexer::{Attachment, Category, Kind, Link, Method, Money, Record, Tax, When};

pub const KKJ_CREDIT: &str = "出典: 中小企業庁 官公需情報ポータルサイト";

pub fn today() -> NaiveDate {
    search_api::today_jst()
}

fn when(date: NaiveDate, raw: &str) -> When {
    When {
        date,
        time: None,
        raw: raw.to_string(),
        evidence: None,
    }
}

fn money(yen: u64) -> Money {
    Money {
        yen,
        tax: Tax::Included,
        raw: format!("{yen}円"),
    }
}

fn notice(id: &str, title: &str) -> Record {
    let mut r = Record::new(
        id,
        Kind::Notice,
        id.split(':').next().unwrap(),
        format!("http://127.0.0.1:9/{id}"),
        title,
    );
    r.body = format!("{title}について、次のとおり一般競争入札を行います。");
    r
}

fn place(r: &mut Record, pref: &str, muni: &str, code: &str) {
    r.prefecture = Some(pref.into());
    r.municipality = Some(muni.into());
    r.municipality_code = Some(code.into());
}

/// The records: open, closed and unknown-deadline notices; awards (one linked); a KKJ record.
pub fn records() -> Vec<Record> {
    let t = today();
    let mut out = Vec::new();

    let mut lunch = notice("tamura-city:R8-001", "学校給食調理業務委託");
    place(&mut lunch, "福島県", "田村市", "072117");
    lunch.buyer = Some("田村市教育委員会".into());
    lunch.category = Some(Category::Services);
    lunch.method = Some(Method::OpenCompetitive);
    lunch.method_raw = Some("条件付一般競争入札".into());
    lunch.published = Some(when(t - Duration::days(3), "令和8年 公告"));
    let mut deadline = when(t + Duration::days(20), "提出期限 午後5時");
    deadline.time = NaiveTime::from_hms_opt(17, 0, 0);
    lunch.deadline = Some(deadline);
    lunch.estimated_price = Some(money(12_000_000));
    lunch.case_number = Some("R8-001".into());
    lunch.attachments = vec![Attachment {
        url: "http://127.0.0.1:9/files/shiyousho.pdf".into(),
        title: "仕様書".into(),
        media_type: Some("application/pdf".into()),
        text: Some("調理業務の仕様".into()),
    }];
    out.push(lunch);

    let mut delivery = notice("sakai-city:2026-17", "給食配送業務委託, 車両2台; 午前便");
    place(&mut delivery, "大阪府", "堺市", "271403");
    delivery.buyer = Some("堺市教育委員会".into());
    delivery.category = Some(Category::Services);
    delivery.method = Some(Method::Proposal);
    delivery.published = Some(when(t - Duration::days(10), "公告日"));
    delivery.deadline = Some(when(t + Duration::days(5), "提出期限"));
    out.push(delivery);

    let mut unknown = notice("sakai-city:2026-18", "給食用食器の購入");
    place(&mut unknown, "大阪府", "堺市", "271403");
    unknown.category = Some(Category::Goods);
    unknown.method = Some(Method::OpenCounter);
    unknown.published = Some(when(t - Duration::days(1), "公告日"));
    out.push(unknown);

    let mut closed = notice("tamura-city:R7-090", "市道舗装補修工事");
    place(&mut closed, "福島県", "田村市", "072117");
    closed.category = Some(Category::Works);
    closed.method = Some(Method::Designated);
    closed.published = Some(when(t - Duration::days(60), "公告日"));
    closed.deadline = Some(when(t - Duration::days(30), "提出期限"));
    closed.estimated_price = Some(money(30_000_000));
    out.push(closed);

    let mut award = Record::new(
        "tamura-city:R7-090-award",
        Kind::Award,
        "tamura-city",
        "http://127.0.0.1:9/award/90",
        "市道舗装補修工事",
    );
    place(&mut award, "福島県", "田村市", "072117");
    award.buyer = Some("田村市建設部".into());
    award.category = Some(Category::Works);
    award.method = Some(Method::Designated);
    award.published = Some(when(t - Duration::days(20), "公表日"));
    award.opening = Some(when(t - Duration::days(25), "開札日"));
    award.estimated_price = Some(money(30_000_000));
    award.amount = Some(money(27_000_000));
    award.award_ratio = Some(0.9);
    award.winner = Some("株式会社田村建設".into());
    award.winner_raw = Some("(株)田村建設".into());
    award.winner_corporate_number = Some("1234567890123".into());
    award.bidders = Some(4);
    award.linked_notice = Some(Link {
        id: "tamura-city:R7-090".into(),
        evidence: "案件番号 R7-090 が一致".into(),
    });
    out.push(award);

    for (i, amount) in [5_000_000u64, 7_000_000, 6_000_000].into_iter().enumerate() {
        let mut a = Record::new(
            format!("sakai-city:award-{i}"),
            Kind::Award,
            "sakai-city",
            format!("http://127.0.0.1:9/award/s{i}"),
            format!("庁舎清掃業務委託 第{}期", i + 1),
        );
        place(&mut a, "大阪府", "堺市", "271403");
        a.category = Some(Category::Services);
        a.method = Some(Method::OpenCompetitive);
        a.published = NaiveDate::from_ymd_opt(2024 + i as i32, 6, 1).map(|d| when(d, "公表日"));
        a.amount = Some(money(amount));
        a.estimated_price = Some(money(amount + 1_000_000));
        a.award_ratio = a.compute_award_ratio();
        a.winner = Some("有限会社堺クリーン".into());
        out.push(a);
    }

    let mut kkj = notice("kkj:ABC123", "庁舎給食施設の清掃業務");
    place(&mut kkj, "北海道", "札幌市", "011002");
    kkj.buyer = Some("札幌市総務局".into());
    kkj.category = Some(Category::Services);
    kkj.method = Some(Method::OpenCompetitive);
    kkj.published = Some(when(t - Duration::days(2), "2026-01-01"));
    kkj.deadline = Some(when(t + Duration::days(12), "提出期限"));
    kkj.attribution = Some(KKJ_CREDIT.into());
    out.push(kkj);
    out
}

/// The router over an in-memory store and index holding [`records`].
pub fn app() -> Router {
    app_with(&records())
}

/// `n` simple awards, for paging through exports.
pub fn many_awards(n: usize) -> Vec<Record> {
    (0..n)
        .map(|i| {
            let mut a = Record::new(
                format!("bulk:{i:04}"),
                Kind::Award,
                "bulk",
                format!("http://127.0.0.1:9/b/{i}"),
                format!("消耗品購入 その{i}"),
            );
            a.amount = Some(money(10_000 + i as u64));
            a.published = Some(when(today() - Duration::days(i as i64), "公表日"));
            a
        })
        .collect()
}

/// The router over an in-memory store and index holding `records`.
pub fn app_with(records: &[Record]) -> Router {
    let mut store = Store::in_memory().unwrap();
    store.upsert_all(records, Utc::now()).unwrap();
    let index = Index::in_memory().unwrap();
    index
        .catch_up(&store, indexer::index::DEFAULT_BATCH)
        .unwrap();
    search_api::router(search_api::AppState::new(index, store))
}

pub async fn request(app: &Router, uri: &str, headers: &[(&str, &str)]) -> Response<Body> {
    let mut req = Request::builder().uri(uri).header("host", "tenders.test");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    app.clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap()
}

pub async fn get(app: &Router, uri: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let resp = request(app, uri, &[]).await;
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, String::from_utf8(bytes.to_vec()).unwrap())
}

pub async fn get_json(app: &Router, uri: &str) -> (StatusCode, serde_json::Value) {
    let (status, _, body) = get(app, uri).await;
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{uri}: not JSON ({e}): {body}")),
    )
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
