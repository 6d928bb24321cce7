//! The HTTP interface through the router (tower's `oneshot`), over an in-memory index and store:
//! the JSON API, every kind of bad input, feeds checked by real parsers, exports, the web UI.

#![allow(clippy::unwrap_used)]

mod common;

use std::str::FromStr;

use axum::http::StatusCode;
use serde_json::Value;

use common::{KKJ_CREDIT, app, enc, get, get_json, request, today};

#[tokio::test]
async fn search_returns_the_documented_shape() {
    let app = app();
    let (status, body) = get_json(&app, &format!("/api/search?q={}", enc("給食"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let keys: Vec<&str> = body
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for k in ["total", "page", "per_page", "hits", "facets"] {
        assert!(keys.contains(&k), "{k} missing: {keys:?}");
    }
    assert_eq!(body["total"], 4, "{body}");
    let hit = &body["hits"][0];
    for k in [
        "id",
        "kind",
        "title",
        "snippet",
        "buyer",
        "prefecture",
        "municipality",
        "municipality_code",
        "category",
        "method",
        "published",
        "deadline",
        "estimated_price",
        "amount",
        "winner",
        "url",
    ] {
        assert!(hit.get(k).is_some(), "hit field {k} missing: {hit}");
    }
    let snippets: Vec<&str> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["snippet"].as_str().unwrap())
        .collect();
    assert!(
        snippets.iter().any(|s| s.contains("<mark>給食</mark>")),
        "{snippets:?}"
    );
    for f in [
        "prefecture",
        "municipality",
        "category",
        "method",
        "kind",
        "status",
    ] {
        assert!(body["facets"][f].is_array(), "facet {f}: {body}");
    }
    let prefs: Vec<(&str, u64)> = body["facets"]["prefecture"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["value"].as_str().unwrap(), c["count"].as_u64().unwrap()))
        .collect();
    assert_eq!(prefs, [("大阪府", 2), ("北海道", 1), ("福島県", 1)]);

    // Filters narrow; repeated values OR.
    let (_, body) = get_json(
        &app,
        &format!(
            "/api/search?q={}&prefecture={}&status=open",
            enc("給食"),
            enc("大阪府")
        ),
    )
    .await;
    assert_eq!(body["total"], 1, "{body}");
    assert_eq!(body["hits"][0]["id"], "sakai-city:2026-17");
    let (_, body) = get_json(
        &app,
        "/api/search?municipality=072117&municipality=011002&kind=notice",
    )
    .await;
    assert_eq!(body["total"], 3, "{body}");
    let (_, body) = get_json(&app, "/api/search?kind=award&sort=amount&per_page=2&page=2").await;
    assert_eq!(body["page"], 2);
    assert_eq!(body["hits"].as_array().unwrap().len(), 2, "{body}");
    assert_eq!(
        body["hits"][1]["amount"], 5_000_000,
        "amount order, largest first: {body}"
    );
}

#[tokio::test]
async fn every_bad_parameter_is_a_400_naming_it() {
    let app = app();
    let long = "あ".repeat(501);
    let cases: Vec<(String, &str)> = vec![
        ("kind=tender".into(), "kind"),
        ("status=soon".into(), "status"),
        ("sort=random".into(), "sort"),
        ("category=%E9%A3%9F%E5%93%81".into(), "category"),
        ("method=auction".into(), "method"),
        ("deadline_from=2026-02-30".into(), "deadline_from"),
        ("deadline_to=2026-13-01".into(), "deadline_to"),
        ("published_from=yesterday".into(), "published_from"),
        ("published_to=2026-1-1x".into(), "published_to"),
        ("page=0".into(), "page"),
        ("page=-1".into(), "page"),
        ("page=99999999999999999999".into(), "page"),
        ("page=10001".into(), "page"),
        ("per_page=101".into(), "per_page"),
        ("per_page=0".into(), "per_page"),
        ("amount_min=-5".into(), "amount_min"),
        ("amount_max=1e9".into(), "amount_max"),
        ("amount_min=10&amount_max=5".into(), "amount_min"),
        (
            "deadline_from=2026-12-02&deadline_to=2026-12-01".into(),
            "deadline_from",
        ),
        (format!("q={}", enc(&long)), "q"),
        ("q=%22%E7%B5%A6%E9%A3%9F".into(), "q"),
        ("colour=red".into(), "colour"),
    ];
    for path in [
        "/api/search",
        "/api/awards/stats",
        "/feeds/search.atom",
        "/feeds/deadlines.ics",
        "/api/export.csv",
        "/api/export.ocds.json",
    ] {
        for (query, param) in &cases {
            let uri = format!("{path}?{query}");
            let (status, body) = get_json(&app, &uri).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}: {body}");
            let msg = body["error"]
                .as_str()
                .unwrap_or_else(|| panic!("{uri}: {body}"));
            assert!(msg.starts_with(&format!("{param}:")), "{uri}: {msg}");
        }
    }
    for query in ["group_by=colour", "group_by=year&group_by=winner"] {
        let (status, body) = get_json(&app, &format!("/api/awards/stats?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert!(
            body["error"].as_str().unwrap().starts_with("group_by:"),
            "{body}"
        );
    }
    // group_by belongs to the statistics only.
    let (status, body) = get_json(&app, "/api/search?group_by=year").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().starts_with("group_by:"));

    // The web pages answer the same mistakes with a Japanese 400 page.
    for uri in [
        "/?per_page=101",
        "/stats?group_by=colour",
        "/?deadline_from=2026-02-30",
    ] {
        let (status, _, html) = get(&app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(
            html.contains("<html lang=\"ja\">") && html.contains("role=\"alert\""),
            "{uri}: {html}"
        );
    }
}

#[tokio::test]
async fn odd_input_is_never_a_server_error() {
    let app = app();
    for uri in [
        "/api/search?q=%FF%FE",
        "/api/search?q=%",
        "/api/search?q=a%2",
        "/api/search?&&&=&q",
        "/api/search?q=%00",
        "/api/search?q=%3Cscript%3E",
        "/api/search?q=-",
        "/api/search?q=%22%22",
        "/api/search?q=OR%20AND%20NOT",
        "/api/search?q=*:*",
        "/api/search?page=10000&per_page=100",
        "/api/records/%FF",
        "/records/%2E%2E%2F",
        "/?q=%22",
        "/stats?q=%E7%B5%A6%E9%A3%9F&group_by=year",
        "/feeds/search.atom?q=%00%01",
        "/nope",
        "/api/nope",
    ] {
        let resp = request(&app, uri, &[]).await;
        assert!(resp.status().as_u16() < 500, "{uri}: {}", resp.status());
    }
    let (status, body) = get_json(&app, "/api/search?page=10000&per_page=100").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["hits"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn records_with_their_links_and_unknown_ids() {
    let app = app();
    let (status, body) = get_json(&app, "/api/records/tamura-city%3AR7-090-award").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["winner"], "株式会社田村建設");
    assert_eq!(body["winner_raw"], "(株)田村建設");
    assert_eq!(body["linked_notice_record"]["id"], "tamura-city:R7-090");
    let (_, body) = get_json(&app, "/api/records/tamura-city:R7-090").await;
    assert_eq!(body["linked_award"]["id"], "tamura-city:R7-090-award");
    let (_, body) = get_json(&app, "/api/records/kkj:ABC123").await;
    assert_eq!(body["attribution"], KKJ_CREDIT);
    assert!(body["linked_award"].is_null());

    let (status, body) = get_json(&app, "/api/records/kkj:nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].as_str().unwrap().contains("kkj:nope"));
    let (status, _, html) = get(&app, "/records/kkj:nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("見つかりません"));
    let (status, body) = get_json(&app, "/api/does-not-exist").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body["error"].is_string());
}

#[tokio::test]
async fn award_statistics() {
    let app = app();
    let (status, body) = get_json(&app, "/api/awards/stats?group_by=winner").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["n"], 4, "{body}");
    let top = &body["groups"][0];
    assert_eq!(top["key"], "有限会社堺クリーン");
    assert_eq!(top["n"], 3);
    assert_eq!(top["total_amount"], 18_000_000);
    assert_eq!(top["median_amount"], 6_000_000);
    let ratio = top["median_award_ratio"].as_f64().unwrap();
    assert!((ratio - 6.0 / 7.0).abs() < 1e-9, "{ratio}");
    assert!(
        body["period"]["from"].is_string() && body["period"]["to"].is_string(),
        "{body}"
    );

    // The search filters apply.
    let (_, body) = get_json(
        &app,
        &format!(
            "/api/awards/stats?group_by=municipality&prefecture={}",
            enc("福島県")
        ),
    )
    .await;
    assert_eq!(body["n"], 1, "{body}");
    assert_eq!(body["groups"][0]["key"], "福島県 田村市");
    let (_, body) = get_json(&app, "/api/awards/stats?group_by=year").await;
    let keys: Vec<&str> = body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["key"].as_str().unwrap())
        .collect();
    assert!(keys.contains(&"2024") && keys.contains(&"2026"), "{keys:?}");
}

#[tokio::test]
async fn cors_and_compression() {
    let app = app();
    let resp = request(
        &app,
        "/api/search?q=x",
        &[
            ("origin", "https://example.org"),
            ("accept-encoding", "gzip"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    assert_eq!(resp.headers()["content-encoding"], "gzip");
    let resp = request(&app, "/", &[("accept-encoding", "gzip")]).await;
    assert_eq!(resp.headers()["content-encoding"], "gzip");
}

#[tokio::test]
async fn openapi_documents_every_api_route_and_parameter() {
    let app = app();
    let (status, doc) = get_json(&app, "/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/search",
        "/api/records/{id}",
        "/api/awards/stats",
        "/api/export.csv",
        "/api/export.ocds.json",
        "/feeds/search.atom",
        "/feeds/deadlines.ics",
        "/healthz",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} undocumented: {:?}",
            paths.keys()
        );
        // And the documented route is really served.
        let uri = p.replace("{id}", "kkj:ABC123");
        assert_eq!(
            request(&app, &uri, &[]).await.status(),
            StatusCode::OK,
            "{uri}"
        );
    }
    let names: Vec<&str> = doc["paths"]["/api/search"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, search_api::params::SEARCH_PARAMS);
    assert!(
        doc["components"]["schemas"]["SearchResponseView"].is_object(),
        "{}",
        doc["components"]
    );
}

#[tokio::test]
async fn atom_feed_is_valid_and_newest_first() {
    let app = app();
    let uri = format!("/feeds/search.atom?q={}", enc("給食"));
    let (status, headers, body) = get(&app, &uri).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/atom+xml")
    );
    let feed = atom_syndication::Feed::from_str(&body)
        .unwrap_or_else(|e| panic!("invalid Atom ({e}): {body}"));
    assert_eq!(feed.entries().len(), 4);
    assert!(feed.title().as_str().contains("給食"));
    let published: Vec<_> = feed
        .entries()
        .iter()
        .map(|e| e.published().copied().unwrap())
        .collect();
    assert!(
        published.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {published:?}"
    );
    let first = &feed.entries()[0];
    assert_eq!(first.title().as_str(), "給食用食器の購入");
    assert_eq!(
        first.links()[0].href(),
        "http://tenders.test/records/sakai-city%3A2026-18"
    );
    let ids: Vec<String> = feed.entries().iter().map(|e| e.id().to_string()).collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), ids.len());
    let latest = feed.entries().iter().map(|e| *e.updated()).max().unwrap();
    assert_eq!(*feed.updated(), latest);
    let kkj = feed
        .entries()
        .iter()
        .find(|e| e.id().contains("kkj"))
        .unwrap();
    assert_eq!(kkj.rights().map(|r| r.as_str()), Some(KKJ_CREDIT));

    // Stable: the same ids on a second fetch, and the feed id does not depend on the order of parameters.
    let (_, _, again) = get(&app, &uri).await;
    let again = atom_syndication::Feed::from_str(&again).unwrap();
    let again_ids: Vec<String> = again.entries().iter().map(|e| e.id().to_string()).collect();
    assert_eq!(ids, again_ids);
    let (_, _, a) = get(
        &app,
        &format!("/feeds/search.atom?q={}&status=open", enc("給食")),
    )
    .await;
    let (_, _, b) = get(
        &app,
        &format!("/feeds/search.atom?status=open&q={}", enc("給食")),
    )
    .await;
    let (a, b) = (
        atom_syndication::Feed::from_str(&a).unwrap(),
        atom_syndication::Feed::from_str(&b).unwrap(),
    );
    assert_eq!(a.id(), b.id());
    assert_eq!(a.entries().len(), 3, "open 給食 notices");
}

#[tokio::test]
async fn icalendar_has_one_event_per_open_deadline() {
    use icalendar::{CalendarComponent, Component, DatePerhapsTime};
    let app = app();
    let (status, headers, body) =
        get(&app, &format!("/feeds/deadlines.ics?q={}", enc("給食"))).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/calendar")
    );
    for line in body.split("\r\n") {
        assert!(line.len() <= 75, "line longer than 75 octets: {line}");
        assert!(!line.contains('\n'), "bare LF");
    }
    assert!(body.ends_with("END:VCALENDAR\r\n"));
    let unfolded = icalendar::parser::unfold(&body);
    let parsed = icalendar::parser::read_calendar(&unfolded)
        .unwrap_or_else(|e| panic!("invalid iCalendar: {e}\n{body}"));
    let tz: Vec<_> = parsed
        .components
        .iter()
        .filter(|c| c.name.as_str() == "VTIMEZONE")
        .collect();
    assert_eq!(tz.len(), 1);
    assert_eq!(tz[0].find_prop("TZID").unwrap().val.as_str(), "Asia/Tokyo");

    let cal = icalendar::Calendar::from_str(&body).unwrap();
    let events: Vec<_> = cal
        .components
        .iter()
        .filter_map(|c| {
            if let CalendarComponent::Event(e) = c {
                Some(e)
            } else {
                None
            }
        })
        .collect();
    // Open 給食 notices with a known deadline: the lunch, delivery and KKJ notices (not the
    // notice without a deadline, not the award).
    assert_eq!(events.len(), 3, "{body}");
    let lunch = events
        .iter()
        .find(|e| e.get_summary().unwrap().contains("学校給食調理業務委託"))
        .unwrap();
    match lunch.get_start().unwrap() {
        DatePerhapsTime::DateTime(icalendar::CalendarDateTime::WithTimezone {
            date_time,
            tzid,
        }) => {
            assert_eq!(tzid, "Asia/Tokyo");
            assert_eq!(date_time.date(), today() + chrono::Duration::days(20));
            assert_eq!(
                date_time.time(),
                chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap()
            );
        }
        other => panic!("timed deadline expected: {other:?}"),
    }
    let delivery = events
        .iter()
        .find(|e| e.get_uid().unwrap().contains("2026-17"))
        .unwrap();
    assert_eq!(
        delivery.get_summary().unwrap(),
        "【提出期限】給食配送業務委託, 車両2台; 午前便",
        "escaped and unescaped"
    );
    assert_eq!(
        delivery.get_start(),
        Some(DatePerhapsTime::Date(today() + chrono::Duration::days(5)))
    );
    let kkj = events
        .iter()
        .find(|e| e.get_uid().unwrap().contains("kkj"))
        .unwrap();
    assert!(kkj.get_description().unwrap().contains(KKJ_CREDIT));
    // Ordered by deadline.
    let first = events[0].get_uid().unwrap();
    assert!(first.contains("2026-17"), "soonest first: {first}");
}

#[tokio::test]
async fn csv_export_with_bom() {
    let app = app();
    let (status, headers, body) = get(&app, "/api/export.csv?kind=award&sort=amount").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert_eq!(headers["x-total-count"], "4");
    assert_eq!(headers["x-export-truncated"], "false");
    assert_eq!(headers["x-export-limit"], "10000");
    assert!(body.starts_with('\u{FEFF}'), "BOM");
    let mut reader = csv::Reader::from_reader(body.trim_start_matches('\u{FEFF}').as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header[0], "id");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4);
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&rows[0][col("id")], "tamura-city:R7-090-award");
    assert_eq!(&rows[0][col("amount")], "27000000");
    assert_eq!(&rows[0][col("winner_corporate_number")], "1234567890123");
    assert_eq!(&rows[0][col("linked_notice")], "tamura-city:R7-090");

    // Commas and semicolons survive quoting.
    let (_, _, body) = get(&app, &format!("/api/export.csv?q={}", enc("配送"))).await;
    let mut reader = csv::Reader::from_reader(body.trim_start_matches('\u{FEFF}').as_bytes());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[2], "給食配送業務委託, 車両2台; 午前便");
    let (_, _, body) = get(&app, "/api/export.csv?q=kkj").await;
    assert!(body.lines().count() >= 1);
}

#[tokio::test]
async fn exports_page_through_every_match() {
    let app = common::app_with(&common::many_awards(250));
    let (status, headers, body) = get(&app, "/api/export.csv?sort=amount").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-total-count"], "250");
    let mut reader = csv::Reader::from_reader(body.trim_start_matches('\u{FEFF}').as_bytes());
    let ids: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(ids.len(), 250);
    assert_eq!(ids[0], "bulk:0249", "largest amount first");
    assert_eq!(ids[249], "bulk:0000");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 250, "no row twice across pages");

    let (_, body) = get_json(&app, "/api/export.ocds.json?q=%E6%B6%88%E8%80%97%E5%93%81").await;
    assert_eq!(body["releases"].as_array().unwrap().len(), 250);
}

#[tokio::test]
async fn ocds_release_package() {
    let app = app();
    let (status, body) = get_json(&app, "/api/export.ocds.json?municipality=072117").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["version"], "1.1");
    assert!(
        body["publishedDate"].is_string()
            && body["uri"]
                .as_str()
                .unwrap()
                .starts_with("http://tenders.test/")
    );
    let releases = body["releases"].as_array().unwrap();
    assert_eq!(releases.len(), 3, "{body}");
    for r in releases {
        for k in ["ocid", "id", "date", "tag", "initiationType"] {
            assert!(r.get(k).is_some(), "release lacks {k}: {r}");
        }
        assert!(!r["id"].as_str().unwrap().contains('#'));
        let tag = r["tag"][0].as_str().unwrap();
        assert!(tag == "tender" || tag == "award");
    }
    let award = releases.iter().find(|r| r["tag"][0] == "award").unwrap();
    let notice = releases
        .iter()
        .find(|r| r["ocid"] == award["ocid"] && r["tag"][0] == "tender")
        .unwrap();
    assert_eq!(notice["tender"]["procurementMethod"], "selective");
    assert_eq!(notice["tender"]["mainProcurementCategory"], "works");
    assert_eq!(
        award["awards"][0]["value"],
        serde_json::json!({"amount": 27_000_000, "currency": "JPY"})
    );
    assert_eq!(
        award["awards"][0]["suppliers"][0]["id"],
        "JP-JCN-1234567890123"
    );
    let supplier = award["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["roles"][0] == "supplier")
        .unwrap();
    assert_eq!(supplier["identifier"]["scheme"], "JP-JCN");
    let lunch = releases
        .iter()
        .find(|r| r["tender"]["title"] == "学校給食調理業務委託")
        .unwrap();
    assert_eq!(lunch["tender"]["status"], "active");
    assert_eq!(
        lunch["tender"]["procurementMethodDetails"],
        "条件付一般競争入札"
    );
    assert_eq!(lunch["tender"]["value"]["amount"], 12_000_000);
    let end = lunch["tender"]["tenderPeriod"]["endDate"].as_str().unwrap();
    assert!(end.ends_with("T17:00:00+09:00"), "{end}");
    let docs = lunch["tender"]["documents"].as_array().unwrap();
    assert!(docs.iter().any(|d| d["format"] == "application/pdf"));
    // An empty result is still a valid package.
    let (_, body) = get_json(&app, "/api/export.ocds.json?q=zzzzzz").await;
    assert_eq!(body["releases"], Value::Array(vec![]));
}

#[tokio::test]
async fn the_search_page() {
    let app = app();
    let (status, _, html) = get(
        &app,
        &format!("/?q={}&prefecture={}", enc("給食"), enc("大阪府")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // askama writes `&` in attributes as `&#38;`; read both spellings alike.
    let html = html.replace("&#38;", "&amp;");
    assert!(html.contains("<html lang=\"ja\">"));
    assert!(html.contains("<meta name=\"viewport\""));
    // Every form control has a label.
    for id in [
        "q",
        "prefecture",
        "municipality",
        "deadline_from",
        "deadline_to",
        "amount_min",
        "amount_max",
        "sort",
    ] {
        assert!(html.contains(&format!("for=\"{id}\"")), "label for {id}");
        assert!(html.contains(&format!("id=\"{id}\"")), "control {id}");
    }
    assert!(
        html.contains("<span id=\"total\">2</span>件"),
        "two 給食 records in 大阪府"
    );
    assert!(html.contains("<mark>給食</mark>"), "highlighted snippet");
    assert!(html.contains("受付中のみ"));
    // Municipalities of the chosen prefecture are offered.
    assert!(
        html.contains("<option value=\"堺市\">堺市（2件）</option>"),
        "{html}"
    );
    // Facet links keep the query and add the value.
    assert!(
        html.contains(&format!(
            "href=\"/?q={}&amp;prefecture={}&amp;municipality={}\"",
            enc("給食"),
            enc("大阪府"),
            enc("堺市")
        )),
        "{html}"
    );
    // Subscribe links carry the same search.
    assert!(html.contains(&format!(
        "href=\"/feeds/search.atom?q={}&amp;prefecture={}\"",
        enc("給食"),
        enc("大阪府")
    )));
    assert!(html.contains(&format!(
        "href=\"/feeds/deadlines.ics?q={}&amp;prefecture={}\"",
        enc("給食"),
        enc("大阪府")
    )));
    // The unknown deadline is said, not guessed.
    assert!(html.contains("不明（公告本文で確認してください）"));

    // Attribution appears when a credited record is on the page.
    let (_, _, html) = get(&app, &format!("/?q={}", enc("清掃"))).await;
    assert!(html.contains(KKJ_CREDIT), "KKJ credit on the result page");
    let (_, _, html) = get(&app, "/?kind=award").await;
    assert!(!html.contains(KKJ_CREDIT));

    // Paging.
    let (_, _, html) = get(&app, "/?per_page=2").await;
    assert!(html.contains("aria-current=\"page\">1</a>"));
    assert!(html.contains("rel=\"next\""));
    // Text from records is escaped.
    assert!(!html.contains("<script"));
}

#[tokio::test]
async fn the_record_page_shows_every_field() {
    let app = app();
    let (status, _, html) = get(&app, "/records/tamura-city%3AR7-090-award").await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "市道舗装補修工事",
        "落札結果",
        "田村市建設部",
        "27,000,000円（税込）",
        "30,000,000円（税込）",
        "90.0%",
        "株式会社田村建設",
        "（原文: (株)田村建設）",
        "1234567890123",
        "4者",
        "この落札結果の入札公告",
        "href=\"/records/tamura-city%3AR7-090\"",
        "案件番号 R7-090 が一致",
        "http://127.0.0.1:9/award/90",
    ] {
        assert!(html.contains(text), "{text} missing");
    }
    let (_, _, html) = get(&app, "/records/tamura-city:R8-001").await;
    for text in [
        "仕様書",
        "application/pdf",
        "条件付一般競争入札",
        "17:00",
        "受付中",
        "本文",
    ] {
        assert!(html.contains(text), "{text} missing");
    }
    let (_, _, html) = get(&app, "/records/kkj:ABC123").await;
    assert!(html.contains(KKJ_CREDIT));
}

#[tokio::test]
async fn the_statistics_page() {
    let app = app();
    let (status, _, html) = get(&app, "/stats?group_by=winner").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<svg"), "chart");
    assert!(html.contains("role=\"img\""));
    assert!(html.contains("<table>"));
    assert!(html.contains("有限会社堺クリーン"));
    assert!(html.contains("6,000,000円"), "median");
    assert!(html.contains("<strong>4</strong> 件"), "n");
    assert!(html.contains("（少数）"), "small samples flagged");
}

#[tokio::test]
async fn health_and_metrics() {
    let app = app();
    let (status, body) = get_json(&app, "/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["documents"], 9);
    let _ = get(&app, "/api/search?q=x").await;
    let (status, _, text) = get(&app, "/metrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("tenders_index_documents 9"), "{text}");
    assert!(
        text.contains("tenders_http_requests_total{route=\"/api/search\",status=\"200\"}"),
        "{text}"
    );
}
