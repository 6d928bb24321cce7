//! Pages served in Shift_JIS (declared only in `<meta>`), EUC-JP and UTF-8, fetched and decoded.

#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{TestServer, respond, test_config};
use crawler::fetch::decode::decode_html;
use crawler::fetch::{FetchRequest, Fetched, Fetcher};

const TEXT: &str =
    "令和7年度 ㈱丸山組 第Ⅱ工区 ①道路改良工事 髙田橋補修 予定価格 12,345,000円（税抜）";

fn encode(enc: &'static encoding_rs::Encoding, s: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = enc.encode(s);
    assert!(!unmappable);
    bytes.into_owned()
}

#[tokio::test]
async fn shift_jis_euc_jp_and_utf8_pages_decode() {
    let sjis_page = format!(
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\"><title>入札結果</title></head><body><p>{TEXT}</p></body></html>"
    );
    let euc_page =
        format!("<html><head><title>入札公告</title></head><body><p>{TEXT}</p></body></html>");
    let utf8_page = format!(
        "<!DOCTYPE html><html lang=ja><head><meta charset=utf-8></head><body><p>{TEXT}</p></body></html>"
    );
    let sjis = encode(encoding_rs::SHIFT_JIS, &sjis_page);
    let euc = encode(encoding_rs::EUC_JP, &euc_page);
    let utf8 = utf8_page.clone().into_bytes();
    let server = TestServer::start("127.0.0.1", move |req, _| match req.path.as_str() {
        "/robots.txt" => respond(404, &[], ""),
        // no charset in the header: only the <meta> says Shift_JIS
        "/sjis.html" => respond(200, &[("content-type", "text/html")], sjis.clone()),
        "/euc.html" => respond(
            200,
            &[("content-type", "text/html; charset=EUC-JP")],
            euc.clone(),
        ),
        // EUC-JP with no declaration at all
        "/euc-bare.html" => respond(200, &[("content-type", "text/html")], euc.clone()),
        _ => respond(
            200,
            &[("content-type", "text/html; charset=UTF-8")],
            utf8.clone(),
        ),
    })
    .await;
    let fetcher = Fetcher::new(test_config()).unwrap();
    let scope = server.scope();
    for (path, encoding) in [
        ("/sjis.html", "Shift_JIS"),
        ("/euc.html", "EUC-JP"),
        ("/euc-bare.html", "EUC-JP"),
        ("/utf8.html", "UTF-8"),
    ] {
        let url = server.url(path);
        let page = match fetcher
            .get(FetchRequest {
                url: &url,
                scope: &scope,
                delay: Duration::from_millis(20),
                validators: None,
            })
            .await
            .unwrap()
        {
            Fetched::Page(page) => page,
            other => panic!("{other:?}"),
        };
        let decoded = decode_html(&page.body, page.content_type.as_deref(), None);
        assert_eq!(decoded.encoding, encoding, "{path}");
        assert!(!decoded.had_errors, "{path}");
        assert!(decoded.text.contains(TEXT), "{path}: {}", decoded.text);
    }
}
