//! Attachments: a notice's PDF 仕様書 is fetched and its text searched; results lists published
//! as an Excel workbook and as a PDF become award records.

use crate::common::{fixtures, get_json, serve};

use tenders::app::{DataDir, crawl, sources};
use tenders::config::Config;
use tenders::fixtures::FixtureServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pdf_and_excel_attachments_are_read() {
    let fixtures = fixtures();
    let server = FixtureServer::start(&fixtures.join("sites")).await.unwrap();
    let only = ["tamura-city".to_string(), "kita-ward".to_string()];
    let sources = sources(&fixtures.join("sources"), &server.vars(), &only).unwrap();
    assert_eq!(sources.len(), 2);
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::create(tmp.path()).unwrap();
    let outcome = crawl(&Config::default(), &data, &sources).await.unwrap();
    for r in &outcome.reports {
        assert_eq!(r.error_count(), 0, "{r:?}");
    }
    let tamura = outcome
        .reports
        .iter()
        .find(|r| r.source == "tamura-city")
        .unwrap();
    assert_eq!(tamura.attachments_fetched, 1, "the one linked 仕様書");

    // The 仕様書 PDF (CID font, ToUnicode) is in the notice's attachment and body.
    let store = data.open_store().unwrap();
    let notice = store.get("tamura-city:第8301号").unwrap().unwrap();
    let spec = notice
        .attachments
        .iter()
        .find(|a| a.url.ends_with("/files/8301-shiyosho.pdf"))
        .expect("the 仕様書 link is an attachment");
    assert_eq!(spec.media_type.as_deref(), Some("application/pdf"));
    let text = spec.text.as_deref().unwrap();
    assert!(text.contains("配送車ごとに温度記録計を備え"), "{text}");
    assert!(notice.body.contains("二重食缶"), "{}", notice.body);
    // (src/ holds the UTF-8 original of the Shift_JIS page.)
    let page =
        std::fs::read_to_string(fixtures.join("src/tamura-city/site/nyusatsu/8301.html")).unwrap();
    assert!(
        !page.contains("温度記録計"),
        "the word must come from the PDF only"
    );

    // A word found only in the PDF finds the notice.
    let served = serve(&data).await;
    let (status, body) = get_json(&format!(
        "{}/api/search?q=%E6%B8%A9%E5%BA%A6%E8%A8%98%E9%8C%B2%E8%A8%88",
        served.base
    ))
    .await;
    assert_eq!(status, 200, "{body}");
    let ids: Vec<&str> = body["hits"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert_eq!(ids, ["tamura-city:第8301号"], "温度記録計: {body}");

    // Results lists in a PDF and an Excel workbook: one award per row, read by header text.
    let pdf_award = store.get("tamura-city:第8274号").unwrap().unwrap();
    assert_eq!(pdf_award.winner.as_deref(), Some("有限会社常葉設備"));
    assert!(
        pdf_award
            .winner_raw
            .as_deref()
            .is_some_and(|w| w.ends_with("常葉設備")),
        "{:?}",
        pdf_award.winner_raw
    );
    assert_eq!(
        pdf_award.opening.as_ref().map(|w| w.date.to_string()),
        Some("2026-11-06".into())
    );
    let xlsx_award = store.get("kita-ward:2026-0134").unwrap().unwrap();
    assert!(xlsx_award.url.ends_with("/kekka/r08-11-kekka.xlsx"));
    assert_eq!(xlsx_award.amount.as_ref().map(|m| m.yen), Some(7_150_000));
    assert_eq!(xlsx_award.estimated_price, None, "非公表");
    assert_eq!(
        xlsx_award.opening.as_ref().map(|w| w.date.to_string()),
        Some("2026-11-11".into()),
        "an Excel date cell"
    );

    // A second crawl re-reads nothing new: extraction is deterministic.
    let again = crawl(&Config::default(), &data, &sources).await.unwrap();
    for r in &again.reports {
        assert_eq!(r.records_new + r.records_changed, 0, "{r:?}");
    }
}
