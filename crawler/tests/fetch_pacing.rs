//! Per-host pacing, retries and Retry-After, observed from a loopback server's request log.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, SystemTime};

use common::{TestServer, html, respond, robots, test_config};
use crawler::fetch::{FetchError, FetchRequest, Fetched, Fetcher};

#[tokio::test]
async fn per_host_gaps_never_go_below_the_delay_even_with_concurrent_callers() {
    let delay = Duration::from_millis(120);
    let server = TestServer::start("127.0.0.1", |req, _| match req.path.as_str() {
        "/robots.txt" => robots("User-agent: *\nAllow: /\n"),
        p if p.starts_with("/err/") => respond(404, &[], "missing"),
        _ => html("<p>一覧</p>"),
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let scope = server.scope();
    let mut tasks = Vec::new();
    for i in 0..10 {
        let fetcher = fetcher.clone();
        let scope = scope.clone();
        // errors must not shorten the delay either
        let url = if i % 3 == 0 {
            server.url(&format!("/err/{i}"))
        } else {
            server.url(&format!("/list?page={i}"))
        };
        tasks.push(tokio::spawn(async move {
            fetcher
                .get(FetchRequest {
                    url: &url,
                    scope: &scope,
                    delay,
                    validators: None,
                })
                .await
        }));
    }
    let mut waited = Duration::ZERO;
    for task in tasks {
        match task.await.unwrap() {
            Ok(Fetched::Page(page)) => waited += page.waited,
            Err(FetchError::Http { status: 404, .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(server.requests().len(), 11);
    for gap in server.gaps() {
        assert!(gap >= delay, "gap {gap:?} below {delay:?}");
    }
    assert!(waited > Duration::ZERO, "waiting is reported");
}

#[tokio::test]
async fn retry_after_in_seconds_is_honoured() {
    let server = TestServer::start("127.0.0.1", |req, seen| match req.path.as_str() {
        "/robots.txt" => respond(404, &[], ""),
        "/busy" if seen == 0 => respond(503, &[("retry-after", "1")], "busy"),
        "/busy" if seen == 1 => respond(429, &[("retry-after", "1")], "still busy"),
        _ => html("ok"),
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let scope = server.scope();
    let url = server.url("/busy");
    let page = match fetcher
        .get(FetchRequest {
            url: &url,
            scope: &scope,
            delay: Duration::from_millis(50),
            validators: None,
        })
        .await
        .unwrap()
    {
        Fetched::Page(page) => page,
        other => panic!("{other:?}"),
    };
    assert_eq!(page.attempts, 3);
    assert!(page.waited >= Duration::from_secs(2));
    let tries = server.requests_for("/busy");
    assert_eq!(tries.len(), 3);
    for w in tries.windows(2) {
        assert!(w[1].at - w[0].at >= Duration::from_secs(1));
    }
    // the hold applies to the host, not just the URL: the next request waits too
    let next = server.url("/after");
    fetcher
        .get(FetchRequest {
            url: &next,
            scope: &scope,
            delay: Duration::from_millis(50),
            validators: None,
        })
        .await
        .unwrap();
    assert!(
        server
            .gaps()
            .iter()
            .all(|g| *g >= Duration::from_millis(50))
    );
}

#[tokio::test]
async fn retry_after_as_http_date_is_honoured() {
    let server = TestServer::start("127.0.0.1", |req, seen| match req.path.as_str() {
        "/robots.txt" => respond(404, &[], ""),
        "/busy" if seen == 0 => {
            let when = chrono::Utc::now() + chrono::Duration::seconds(2);
            let date = when.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
            respond(503, &[("retry-after", &date)], "busy")
        }
        _ => html("ok"),
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let scope = server.scope();
    let url = server.url("/busy");
    fetcher
        .get(FetchRequest {
            url: &url,
            scope: &scope,
            delay: Duration::from_millis(50),
            validators: None,
        })
        .await
        .unwrap();
    let tries = server.requests_for("/busy");
    assert_eq!(tries.len(), 2);
    // the retry came no earlier than the date the server named (whole seconds)
    let first = tries[0]
        .wall
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let retry = tries[1]
        .wall
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap();
    assert!(retry.as_secs() >= first + 2, "{first} → {retry:?}");
}

#[tokio::test]
async fn retries_are_bounded_and_only_for_transient_statuses() {
    let server = TestServer::start("127.0.0.1", |req, _| match req.path.as_str() {
        "/robots.txt" => respond(404, &[], ""),
        "/broken" => respond(500, &[], "error"),
        "/timeout" => respond(408, &[], "timeout"),
        "/gone" => respond(410, &[], "gone"),
        "/forbidden" => respond(403, &[], "no"),
        _ => html("ok"),
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let scope = server.scope();
    for (path, status, tries) in [
        ("/broken", 500, 3),
        ("/timeout", 408, 3),
        ("/gone", 410, 1),
        ("/forbidden", 403, 1),
    ] {
        let url = server.url(path);
        let err = fetcher
            .get(FetchRequest {
                url: &url,
                scope: &scope,
                delay: Duration::from_millis(20),
                validators: None,
            })
            .await
            .unwrap_err();
        match &err {
            FetchError::Http { status: s, .. } => assert_eq!(*s, status),
            other => panic!("{other:?}"),
        }
        assert_eq!(err.kind(), format!("http_{status}"));
        assert_eq!(server.requests_for(path).len(), tries, "{path}");
    }
    // back-off only lengthens gaps
    for gap in server.gaps() {
        assert!(gap >= Duration::from_millis(20));
    }
    let broken = server.requests_for("/broken");
    assert!(broken[1].at - broken[0].at >= Duration::from_millis(50));
    assert!(broken[2].at - broken[1].at >= Duration::from_millis(100));
}

#[tokio::test]
async fn hosts_are_paced_independently() {
    let a = TestServer::start("127.0.0.1", |req, _| match req.path.as_str() {
        "/robots.txt" => respond(404, &[], ""),
        _ => html("a"),
    })
    .await;
    let b = TestServer::start("127.0.0.1", |req, _| match req.path.as_str() {
        "/robots.txt" => robots("User-agent: *\nCrawl-delay: 0.25\n"),
        _ => html("b"),
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let mut tasks = Vec::new();
    for server in [&a, &b] {
        for i in 0..3 {
            let fetcher = fetcher.clone();
            let scope = server.scope();
            let url = server.url(&format!("/{i}"));
            tasks.push(tokio::spawn(async move {
                fetcher
                    .get(FetchRequest {
                        url: &url,
                        scope: &scope,
                        delay: Duration::from_millis(60),
                        validators: None,
                    })
                    .await
                    .map(|_| ())
            }));
        }
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    for gap in a.gaps() {
        assert!(gap >= Duration::from_millis(60), "{gap:?}");
    }
    // b's Crawl-delay does not leak into a, and holds for b
    for gap in b.gaps() {
        assert!(gap >= Duration::from_millis(250), "{gap:?}");
    }
}
