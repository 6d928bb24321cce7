//! robots.txt as RFC 9309 asks, observed from a loopback server's request log.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{TestServer, html, respond, robots, test_config};
use crawler::fetch::{FetchError, FetchRequest, Fetched, Fetcher};

const DELAY: Duration = Duration::from_millis(50);

const CITY_ROBOTS: &str = "\
User-agent: *
Disallow: /

User-agent: tenders
Disallow: /admin/
Disallow: /nyusatsu/
Allow: /nyusatsu/kokoku/
Disallow: /*.xlsx$
";

#[tokio::test]
async fn no_disallowed_url_is_ever_requested() {
    let server = TestServer::start("127.0.0.1", |req, _| match req.path.as_str() {
        "/robots.txt" => robots(CITY_ROBOTS),
        _ => html("<p>入札公告</p>"),
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let scope = server.scope();
    let paths = [
        ("/index.html", true),
        ("/admin/login", false),
        ("/nyusatsu/list.html", false),
        ("/nyusatsu/kokoku/r7-001.html", true),
        ("/keiyaku/kekka.xlsx", false),
        ("/keiyaku/kekka.xlsx?download=1", true),
        ("/nyusatsu/", false),
    ];
    for (path, allowed) in paths {
        let url = server.url(path);
        let result = fetcher
            .get(FetchRequest {
                url: &url,
                scope: &scope,
                delay: DELAY,
                validators: None,
            })
            .await;
        if allowed {
            assert!(matches!(result, Ok(Fetched::Page(_))), "{path}: {result:?}");
        } else {
            let err = result.unwrap_err();
            assert!(
                matches!(err, FetchError::DisallowedByRobots { .. }),
                "{path}: {err:?}"
            );
            assert_eq!(err.kind(), "robots");
        }
    }
    let requested = server.paths();
    assert_eq!(
        requested.iter().filter(|p| *p == "/robots.txt").count(),
        1,
        "robots.txt is fetched once and cached: {requested:?}"
    );
    for (path, allowed) in paths {
        assert_eq!(
            requested.iter().any(|p| p == path),
            allowed,
            "{path}: {requested:?}"
        );
    }
    // our honest User-Agent went out with every request
    for req in server.requests() {
        assert_eq!(
            req.header("user-agent"),
            Some("tenders/0.1 (+https://example.invalid/tenders/contact)")
        );
    }
}

#[tokio::test]
async fn robots_503_means_nothing_else_is_fetched() {
    let server = TestServer::start("127.0.0.1", |req, _| match req.path.as_str() {
        "/robots.txt" => respond(503, &[], "maintenance"),
        _ => html("<p>should never be served</p>"),
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let scope = server.scope();
    for path in ["/", "/nyusatsu/a.html", "/nyusatsu/b.html"] {
        let url = server.url(path);
        let err = fetcher
            .get(FetchRequest {
                url: &url,
                scope: &scope,
                delay: DELAY,
                validators: None,
            })
            .await
            .unwrap_err();
        assert!(
            matches!(err, FetchError::RobotsUnreachable { .. }),
            "{err:?}"
        );
        assert_eq!(err.kind(), "robots_unreachable");
    }
    let requested = server.paths();
    assert!(
        requested.iter().all(|p| p == "/robots.txt"),
        "only robots.txt was requested: {requested:?}"
    );
    // retried up to max_attempts, then the negative cache answers without new requests
    assert_eq!(requested.len(), 3, "{requested:?}");
}

#[tokio::test]
async fn robots_network_error_disallows_all() {
    // a port nobody listens on: bind, note the port, close
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = url::Url::parse(&format!("http://{addr}/nyusatsu/")).unwrap();
    let scope = crawler::fetch::HostScope::new(std::slice::from_ref(&url));
    let fetcher = Fetcher::new(test_config()).unwrap();
    let err = fetcher
        .get(FetchRequest {
            url: &url,
            scope: &scope,
            delay: DELAY,
            validators: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::RobotsUnreachable { .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn robots_404_allows_all_and_429_backs_off_then_uses_the_rules() {
    let missing = TestServer::start("127.0.0.1", |req, _| match req.path.as_str() {
        "/robots.txt" => respond(404, &[], "not found"),
        _ => html("ok"),
    })
    .await;
    let busy = TestServer::start("127.0.0.1", |req, seen| match req.path.as_str() {
        "/robots.txt" if seen == 0 => respond(429, &[("retry-after", "1")], "slow down"),
        "/robots.txt" => robots("User-agent: *\nDisallow: /private/\n"),
        _ => html("ok"),
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    for (server, path, ok) in [
        (&missing, "/private/x", true),
        (&busy, "/private/x", false),
        (&busy, "/public/x", true),
    ] {
        let url = server.url(path);
        let scope = server.scope();
        let result = fetcher
            .get(FetchRequest {
                url: &url,
                scope: &scope,
                delay: DELAY,
                validators: None,
            })
            .await;
        assert_eq!(result.is_ok(), ok, "{path}: {result:?}");
    }
    assert_eq!(missing.paths(), ["/robots.txt", "/private/x"]);
    assert_eq!(busy.paths(), ["/robots.txt", "/robots.txt", "/public/x"]);
    let tries = busy.requests_for("/robots.txt");
    assert!(
        tries[1].at - tries[0].at >= Duration::from_secs(1),
        "Retry-After on robots.txt honoured"
    );
}

#[tokio::test]
async fn crawl_delay_is_honoured() {
    let server = TestServer::start("127.0.0.1", |req, _| match req.path.as_str() {
        "/robots.txt" => robots("User-agent: tenders\nCrawl-delay: 0.3\nDisallow: /admin/\n"),
        _ => html("ok"),
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let scope = server.scope();
    for i in 0..4 {
        let url = server.url(&format!("/nyusatsu/{i}.html"));
        fetcher
            .get(FetchRequest {
                url: &url,
                scope: &scope,
                delay: DELAY,
                validators: None,
            })
            .await
            .unwrap();
    }
    let gaps = server.gaps();
    assert_eq!(gaps.len(), 4);
    for gap in gaps {
        assert!(
            gap >= Duration::from_millis(300),
            "Crawl-delay 0.3 s: {gap:?}"
        );
    }
}

#[tokio::test]
async fn crawl_delay_is_capped() {
    let server = TestServer::start("127.0.0.1", |req, _| match req.path.as_str() {
        "/robots.txt" => robots("User-agent: *\nCrawl-delay: 86400\n"),
        _ => html("ok"),
    })
    .await;
    let config = crawler::fetch::FetchConfig {
        max_crawl_delay: Duration::from_millis(200),
        ..test_config()
    };
    let fetcher = Fetcher::new(config).unwrap();
    let scope = server.scope();
    for i in 0..2 {
        let url = server.url(&format!("/{i}"));
        fetcher
            .get(FetchRequest {
                url: &url,
                scope: &scope,
                delay: DELAY,
                validators: None,
            })
            .await
            .unwrap();
    }
    for gap in server.gaps() {
        assert!(gap >= Duration::from_millis(200), "{gap:?}");
    }
}

#[tokio::test]
async fn robots_redirect_is_followed_and_applies_to_the_original_authority() {
    let server = TestServer::start("127.0.0.1", |req, _| match req.path.as_str() {
        "/robots.txt" => respond(301, &[("location", "/site/robots-2025.txt")], ""),
        "/site/robots-2025.txt" => robots("User-agent: *\nDisallow: /secret/\n"),
        _ => html("ok"),
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let scope = server.scope();
    let secret = server.url("/secret/plan.html");
    let err = fetcher
        .get(FetchRequest {
            url: &secret,
            scope: &scope,
            delay: DELAY,
            validators: None,
        })
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::DisallowedByRobots { .. }),
        "{err:?}"
    );
    assert_eq!(server.paths(), ["/robots.txt", "/site/robots-2025.txt"]);
}

#[tokio::test]
async fn robots_is_cached_at_most_24_hours_and_an_unreachable_one_is_retried_later() {
    use std::sync::Arc;

    use crawler::fetch::{Clock, FakeClock};

    let server = TestServer::start("127.0.0.1", |req, seen| match req.path.as_str() {
        // unreachable for the first three tries (one get's worth of attempts), then fine
        "/robots.txt" if seen < 3 => respond(500, &[], "db down"),
        "/robots.txt" => robots("User-agent: *\nDisallow: /private/\n"),
        _ => html("ok"),
    })
    .await;
    let clock = Arc::new(FakeClock::new());
    let config = test_config();
    let error_ttl = config.robots_error_ttl;
    let fetcher = Fetcher::with_clock(config, clock.clone()).unwrap();
    let scope = server.scope();
    let get = |path: &str| {
        let url = server.url(path);
        let fetcher = fetcher.clone();
        let scope = scope.clone();
        async move {
            fetcher
                .get(FetchRequest {
                    url: &url,
                    scope: &scope,
                    delay: DELAY,
                    validators: None,
                })
                .await
        }
    };
    let robots_count = || server.requests_for("/robots.txt").len();

    assert!(matches!(
        get("/a").await,
        Err(FetchError::RobotsUnreachable { .. })
    ));
    assert_eq!(robots_count(), 3);
    // within the negative cache: no new request at all
    clock.advance(error_ttl / 2);
    assert!(matches!(
        get("/a").await,
        Err(FetchError::RobotsUnreachable { .. })
    ));
    assert_eq!(robots_count(), 3);
    // after it: robots.txt is tried again, and now it answers
    clock.advance(error_ttl);
    get("/a").await.unwrap();
    assert_eq!(robots_count(), 4);
    assert!(matches!(
        get("/private/b").await,
        Err(FetchError::DisallowedByRobots { .. })
    ));
    // a good robots.txt is reused for 23 h …
    clock.advance(Duration::from_secs(23 * 3600));
    get("/c").await.unwrap();
    assert_eq!(robots_count(), 4);
    // … and fetched again after 24 h
    clock.advance(Duration::from_secs(2 * 3600));
    get("/d").await.unwrap();
    assert_eq!(robots_count(), 5);
    assert!(
        clock.now() > std::time::Instant::now(),
        "the fake clock ran ahead"
    );
    assert!(server.paths().iter().all(|p| !p.starts_with("/private/")));
}
