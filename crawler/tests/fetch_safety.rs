//! Limits and safety: redirects, addresses, schemes, size caps, gzip bombs, timeouts.

#![allow(clippy::unwrap_used)]

mod common;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use common::{TestServer, html, respond, test_config};
use crawler::fetch::{FetchConfig, FetchError, FetchRequest, Fetched, Fetcher, HostScope};
use url::Url;

const DELAY: Duration = Duration::from_millis(20);

async fn get(fetcher: &Fetcher, url: &Url, scope: &HostScope) -> Result<Fetched, FetchError> {
    fetcher
        .get(FetchRequest {
            url,
            scope,
            delay: DELAY,
            validators: None,
        })
        .await
}

fn no_robots(path: &str) -> Option<axum::response::Response> {
    (path == "/robots.txt").then(|| respond(404, &[], ""))
}

#[tokio::test]
async fn redirect_to_127_0_0_2_or_a_foreign_host_is_refused() {
    let other = TestServer::start("127.0.0.2", |_, _| html("you should not be here")).await;
    let other_addr = other.addr;
    let server = TestServer::start("127.0.0.1", move |req, _| {
        if let Some(r) = no_robots(&req.path) {
            return r;
        }
        match req.path.as_str() {
            "/to-127-0-0-2" => respond(
                302,
                &[("location", &format!("http://{other_addr}/stolen"))],
                "",
            ),
            "/to-foreign" => respond(301, &[("location", "https://evil.example.com/")], ""),
            "/to-ftp" => respond(302, &[("location", "ftp://127.0.0.1/file")], ""),
            "/to-file" => respond(302, &[("location", "file:///etc/passwd")], ""),
            "/no-location" => respond(302, &[], ""),
            "/loop" => respond(302, &[("location", "/loop2")], ""),
            "/loop2" => respond(302, &[("location", "/loop")], ""),
            "/moved" => respond(301, &[("location", "/nyusatsu/new.html#top")], ""),
            _ => html("<p>本物</p>"),
        }
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let scope = server.scope();
    assert!(scope.is_loopback());

    let err = get(&fetcher, &server.url("/to-127-0-0-2"), &scope)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::ForeignHost { .. }), "{err:?}");
    assert_eq!(err.url().unwrap().host_str(), Some("127.0.0.2"));
    let err = get(&fetcher, &server.url("/to-foreign"), &scope)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::ForeignHost { .. }), "{err:?}");
    for path in ["/to-ftp", "/to-file"] {
        let err = get(&fetcher, &server.url(path), &scope).await.unwrap_err();
        assert!(
            matches!(err, FetchError::BadScheme { .. }),
            "{path}: {err:?}"
        );
        assert_eq!(err.kind(), "bad_scheme");
    }
    let err = get(&fetcher, &server.url("/no-location"), &scope)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::BadRedirect { .. }), "{err:?}");
    let err = get(&fetcher, &server.url("/loop"), &scope)
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::TooManyRedirects { .. }),
        "{err:?}"
    );
    // 1 + max_redirects (5) hops, then stop
    assert_eq!(
        server.requests_for("/loop").len() + server.requests_for("/loop2").len(),
        6
    );
    assert!(other.requests().is_empty(), "127.0.0.2 was contacted");

    // an in-scope redirect is followed, and the final URL reported
    match get(&fetcher, &server.url("/moved"), &scope).await.unwrap() {
        Fetched::Page(page) => {
            assert_eq!(page.url, server.url("/nyusatsu/new.html"));
            assert_eq!(page.status, 200);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn redirect_hops_are_checked_against_robots() {
    let server = TestServer::start("127.0.0.1", |req, _| match req.path.as_str() {
        "/robots.txt" => common::robots("User-agent: *\nDisallow: /private/\n"),
        "/public" => respond(302, &[("location", "/private/data.html")], ""),
        _ => html("secret"),
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let err = get(&fetcher, &server.url("/public"), &server.scope())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::DisallowedByRobots { .. }),
        "{err:?}"
    );
    assert_eq!(server.paths(), ["/robots.txt", "/public"]);
}

#[tokio::test]
async fn non_loopback_source_never_reaches_a_private_address() {
    let server = TestServer::start("127.0.0.1", |_, _| html("internal admin page")).await;
    let port = server.addr.port();
    // a public-looking name that resolves to loopback (DNS rebinding, a hostile record)
    let config = FetchConfig {
        resolve: vec![(
            "nyusatsu.city.example.lg.jp".into(),
            IpAddr::V4(Ipv4Addr::LOCALHOST),
        )],
        ..test_config()
    };
    let fetcher = Fetcher::new(config).unwrap();
    let url = Url::parse(&format!("http://nyusatsu.city.example.lg.jp:{port}/")).unwrap();
    let scope = HostScope::new(std::slice::from_ref(&url));
    assert!(!scope.is_loopback());
    let err = get(&fetcher, &url, &scope).await.unwrap_err();
    assert!(
        matches!(err, FetchError::ForbiddenAddress { .. }),
        "{err:?}"
    );
    assert_eq!(err.kind(), "forbidden_address");

    // an IP literal in a public source's scope is refused before anything is sent
    let literal = server.url("/");
    let scope = HostScope::new(&[Url::parse("https://www.city.example.lg.jp/").unwrap()])
        .with_hosts(["127.0.0.1"]);
    let err = get(&fetcher, &literal, &scope).await.unwrap_err();
    assert!(
        matches!(err, FetchError::ForbiddenAddress { .. }),
        "{err:?}"
    );
    assert!(server.requests().is_empty(), "{:?}", server.paths());
}

#[tokio::test]
async fn a_50_mb_body_is_cut_at_the_cap() {
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let server = TestServer::start("127.0.0.1", move |req, _| {
        if let Some(r) = no_robots(&req.path) {
            return r;
        }
        let counter = counter.clone();
        let chunk = vec![b'a'; 64 * 1024];
        // 800 × 64 KiB = 50 MiB, streamed without a Content-Length
        let stream = futures_util::stream::iter(0..800).map(move |_| {
            counter.fetch_add(chunk.len(), Ordering::Relaxed);
            Ok::<_, std::io::Error>(chunk.clone())
        });
        respond(
            200,
            &[("content-type", "text/html")],
            Body::from_stream(stream),
        )
    })
    .await;
    let cap = 1024 * 1024;
    let fetcher = Fetcher::new(FetchConfig {
        max_body_bytes: cap,
        ..test_config()
    })
    .unwrap();
    let err = get(&fetcher, &server.url("/huge.html"), &server.scope())
        .await
        .unwrap_err();
    match &err {
        FetchError::TooLarge { limit, .. } => assert_eq!(*limit, cap),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.kind(), "too_large");
    // not retried, and the client stopped reading long before 50 MiB
    assert_eq!(server.requests_for("/huge.html").len(), 1);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let sent = sent.load(Ordering::Relaxed);
    assert!(sent < 20 * 1024 * 1024, "server produced {sent} bytes");

    // a declared Content-Length over the cap is refused too
    let server = TestServer::start("127.0.0.1", |req, _| {
        no_robots(&req.path).unwrap_or_else(|| html(vec![b'x'; 2 * 1024 * 1024]))
    })
    .await;
    let err = get(&fetcher, &server.url("/big"), &server.scope())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err:?}");
}

use futures_util::StreamExt;

#[tokio::test]
async fn a_gzip_bomb_is_refused_after_decompression() {
    // 64 MiB of zeros compress to ~64 KiB
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let zeros = vec![0u8; 1024 * 1024];
    for _ in 0..64 {
        encoder.write_all(&zeros).unwrap();
    }
    let bomb = encoder.finish().unwrap();
    let cap = 4 * 1024 * 1024;
    assert!(
        bomb.len() < cap / 8,
        "the bomb is small on the wire: {}",
        bomb.len()
    );
    let small = {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all("<p>入札公告 gzip</p>".as_bytes()).unwrap();
        e.finish().unwrap()
    };
    let server = TestServer::start("127.0.0.1", move |req, _| {
        if let Some(r) = no_robots(&req.path) {
            return r;
        }
        let body = if req.path == "/bomb" {
            bomb.clone()
        } else {
            small.clone()
        };
        respond(
            200,
            &[("content-type", "text/html"), ("content-encoding", "gzip")],
            body,
        )
    })
    .await;
    let fetcher = Fetcher::new(FetchConfig {
        max_body_bytes: cap,
        ..test_config()
    })
    .unwrap();
    let err = get(&fetcher, &server.url("/bomb"), &server.scope())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err:?}");
    // honest gzip is decoded
    match get(&fetcher, &server.url("/small"), &server.scope())
        .await
        .unwrap()
    {
        Fetched::Page(page) => assert_eq!(page.body, "<p>入札公告 gzip</p>".as_bytes()),
        other => panic!("{other:?}"),
    }
    let accept = server.requests_for("/small")[0]
        .header("accept-encoding")
        .unwrap_or_default()
        .to_owned();
    assert!(accept.contains("gzip"), "{accept}");
}

#[tokio::test]
async fn a_server_that_stalls_times_out() {
    let server = TestServer::start("127.0.0.1", |req, _| {
        if let Some(r) = no_robots(&req.path) {
            return r;
        }
        // headers at once, then the body never comes
        let stream =
            futures_util::stream::once(async { Ok::<_, std::io::Error>(b"<html>".to_vec()) })
                .chain(futures_util::stream::pending());
        respond(
            200,
            &[("content-type", "text/html")],
            Body::from_stream(stream),
        )
    })
    .await;
    let fetcher = Fetcher::new(FetchConfig {
        read_timeout: Duration::from_millis(200),
        request_timeout: Duration::from_millis(400),
        max_attempts: 2,
        ..test_config()
    })
    .unwrap();
    let err = get(&fetcher, &server.url("/slow"), &server.scope())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err:?}");
    assert_eq!(err.kind(), "timeout");
    // network errors and timeouts are retried, boundedly
    assert_eq!(server.requests_for("/slow").len(), 2);
}

#[tokio::test]
async fn bad_scheme_and_foreign_start_urls_are_refused_without_a_request() {
    let server = TestServer::start("127.0.0.1", |_, _| html("x")).await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let scope = server.scope();
    let err = get(&fetcher, &Url::parse("ftp://127.0.0.1/x").unwrap(), &scope)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::BadScheme { .. }), "{err:?}");
    let err = get(&fetcher, &Url::parse("http://localhost/x").unwrap(), &scope)
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::ForeignHost { .. }), "{err:?}");
    assert!(server.requests().is_empty());
}
