//! Conditional GET: stored validators go out, a 304 comes back as `Fetched::NotModified`.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{TestServer, respond, test_config};
use crawler::fetch::{FetchRequest, Fetched, Fetcher, Validators};

const ETAG: &str = "\"r7-kokoku-0042-v3\"";
const LAST_MODIFIED: &str = "Tue, 01 Apr 2025 00:00:00 GMT";

#[tokio::test]
async fn unchanged_page_answers_304_and_changed_page_its_body() {
    let server = TestServer::start("127.0.0.1", |req, _| {
        if req.path == "/robots.txt" {
            return respond(404, &[], "");
        }
        if req.path == "/always-304" {
            return respond(304, &[], "");
        }
        let etag_matches = req.header("if-none-match") == Some(ETAG);
        let date_matches = req.header("if-modified-since") == Some(LAST_MODIFIED);
        if etag_matches || (req.header("if-none-match").is_none() && date_matches) {
            return respond(304, &[("etag", ETAG)], "");
        }
        respond(
            200,
            &[
                ("content-type", "text/html; charset=utf-8"),
                ("etag", ETAG),
                ("last-modified", LAST_MODIFIED),
            ],
            "<h1>令和7年度 入札公告</h1>",
        )
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let scope = server.scope();
    let url = server.url("/nyusatsu/kokoku/0042.html");
    let request = |validators| FetchRequest {
        url: &url,
        scope: &scope,
        delay: Duration::from_millis(30),
        validators,
    };

    // first visit: no validators, full page with its validators
    let page = match fetcher.get(request(None)).await.unwrap() {
        Fetched::Page(page) => page,
        other => panic!("{other:?}"),
    };
    assert_eq!(page.status, 200);
    assert_eq!(page.etag.as_deref(), Some(ETAG));
    assert_eq!(page.last_modified.as_deref(), Some(LAST_MODIFIED));
    assert_eq!(
        page.content_type.as_deref(),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(page.attempts, 1);
    assert_eq!(page.url, url);

    // second visit with what the store kept
    let stored = Validators {
        etag: page.etag.clone(),
        last_modified: page.last_modified.clone(),
    };
    match fetcher.get(request(Some(&stored))).await.unwrap() {
        Fetched::NotModified { url: u, .. } => assert_eq!(u, url),
        other => panic!("expected 304, got {other:?}"),
    }
    // only Last-Modified known
    let by_date = Validators {
        etag: None,
        last_modified: Some(LAST_MODIFIED.into()),
    };
    assert!(matches!(
        fetcher.get(request(Some(&by_date))).await.unwrap(),
        Fetched::NotModified { .. }
    ));
    // a stale ETag gets the new body
    let stale = Validators {
        etag: Some("\"r7-kokoku-0042-v2\"".into()),
        last_modified: None,
    };
    assert!(matches!(
        fetcher.get(request(Some(&stale))).await.unwrap(),
        Fetched::Page(_)
    ));

    // a 304 nobody asked for is not "not modified": there is no stored copy
    let odd = server.url("/always-304");
    let err = fetcher
        .get(FetchRequest {
            url: &odd,
            scope: &scope,
            delay: Duration::from_millis(30),
            validators: Some(&Validators::default()),
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, crawler::fetch::FetchError::Http { status: 304, .. }),
        "{err:?}"
    );
    assert_eq!(
        server.requests_for("/always-304")[0].header("if-none-match"),
        None
    );

    let reqs = server.requests_for("/nyusatsu/kokoku/0042.html");
    assert_eq!(reqs.len(), 4);
    assert_eq!(reqs[0].header("if-none-match"), None);
    assert_eq!(reqs[0].header("if-modified-since"), None);
    assert_eq!(reqs[1].header("if-none-match"), Some(ETAG));
    assert_eq!(reqs[1].header("if-modified-since"), Some(LAST_MODIFIED));
    assert_eq!(reqs[2].header("if-modified-since"), Some(LAST_MODIFIED));
    // robots.txt is never fetched conditionally
    assert_eq!(
        server.requests_for("/robots.txt")[0].header("if-none-match"),
        None
    );
}
