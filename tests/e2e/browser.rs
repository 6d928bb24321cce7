//! A real browser against the real server: headless Chromium (Debian's `chromium` and
//! `chromium-driver` packages), driven over WebDriver, on the app serving the fixture sites'
//! crawl from 127.0.0.1. It searches 「給食」, narrows by a facet, opens a detail page and
//! follows the subscribe links, saving screenshots under `target/screenshots/` at desktop and
//! phone widths.
//!
//! Missing Chromium or ChromeDriver fails the test with a message naming the packages: it is
//! never skipped silently.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

use tenders::app::{DataDir, crawl, sources};
use tenders::config::Config;
use tenders::fixtures::FixtureServer;

use crate::common::{fixtures, serve};

const DESKTOP: (u32, u32) = (1280, 900);
const PHONE: (u32, u32) = (390, 844);

fn find_program(env: &str, candidates: &[&str]) -> Option<PathBuf> {
    if let Ok(p) = std::env::var(env) {
        return Some(PathBuf::from(p)).filter(|p| p.exists());
    }
    candidates.iter().map(PathBuf::from).find(|p| p.exists())
}

fn screenshots_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// ChromeDriver, killed when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_driver(chromedriver: &Path) -> Driver {
    let port = free_port();
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}", chromedriver.display()));
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    // Readiness, not timing: wait until it accepts connections (bounded).
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return driver;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("chromedriver did not listen on port {port}");
}

async fn browser(driver: &Driver, chromium: &Path, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium.to_string_lossy(),
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                format!("--window-size={},{}", DESKTOP.0, DESKTOP.1),
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .unwrap_or_else(|e| panic!("cannot start a Chromium session through chromedriver: {e}"))
}

async fn shot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    assert!(png.starts_with(b"\x89PNG"), "{name}: not a PNG");
    std::fs::write(screenshots_dir().join(format!("{name}.png")), png).unwrap();
}

async fn total(client: &Client) -> u64 {
    client
        .wait()
        .for_element(Locator::Id("total"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

async fn text_of(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// No horizontal scrolling at a phone's width.
async fn assert_fits_phone(client: &Client, page: &str) -> Result<(), fantoccini::error::CmdError> {
    let width = client
        .execute("return document.documentElement.scrollWidth;", vec![])
        .await?;
    let width = width.as_u64().unwrap_or(u64::MAX);
    assert!(
        width <= u64::from(PHONE.0),
        "{page}: {width}px wide on a {}px phone",
        PHONE.0
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_narrow_open_and_subscribe_in_chromium() {
    let chromium = find_program(
        "CHROMIUM",
        &["/usr/bin/chromium", "/usr/bin/chromium-browser"],
    )
    .expect(
        "Chromium not found: install Debian's `chromium` and `chromium-driver` packages \
         (apt-get install chromium chromium-driver fonts-noto-cjk) or set CHROMIUM",
    );
    let chromedriver = find_program("CHROMEDRIVER", &["/usr/bin/chromedriver"]).expect(
        "chromedriver not found: install Debian's `chromium-driver` package \
         (apt-get install chromium chromium-driver) or set CHROMEDRIVER",
    );

    // The fixture sites, crawled and indexed, served on loopback.
    let fixtures = fixtures();
    let sites = FixtureServer::start(&fixtures.join("sites")).await.unwrap();
    let sources = sources(&fixtures.join("sources"), &sites.vars(), &[]).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let data = DataDir::create(&tmp.path().join("data")).unwrap();
    crawl(&Config::default(), &data, &sources).await.unwrap();
    let served = serve(&data).await;
    let base = served.base.clone();

    let driver = start_driver(&chromedriver).await;
    let client = browser(&driver, &chromium, &tmp.path().join("chromium-profile")).await;
    let result = run(&client, &base).await;
    let _ = client.close().await;
    result.unwrap();
}

/// The scenario; errors are returned so that the browser is closed before failing.
async fn run(client: &Client, base: &str) -> Result<(), fantoccini::error::CmdError> {
    client.set_window_size(DESKTOP.0, DESKTOP.1).await?;
    client.goto(&format!("{base}/")).await?;
    assert_eq!(
        client
            .find(Locator::Css("html"))
            .await?
            .attr("lang")
            .await?
            .as_deref(),
        Some("ja")
    );
    shot(client, "01-home-desktop").await;

    // Search 給食 with the keyboard: type and press Enter.
    let q = client.find(Locator::Id("q")).await?;
    q.send_keys("給食\u{E007}").await?;
    client
        .wait()
        .for_element(Locator::XPath("//h1[contains(., '給食')]"))
        .await?;
    let all = total(client).await;
    assert!(
        all >= 3,
        "the fixture sites have at least three 給食 records, got {all}"
    );
    let titles: Vec<String> = {
        let mut out = Vec::new();
        for a in client.find_all(Locator::Css("article.hit h2 a")).await? {
            out.push(a.text().await?);
        }
        out
    };
    assert!(titles.iter().all(|t| t.contains("給食")), "{titles:?}");
    let marks = client.find_all(Locator::Css("article.hit mark")).await?;
    assert!(!marks.is_empty(), "snippets are highlighted");
    shot(client, "02-search-desktop").await;

    // Narrow by the prefecture facet.
    let facet = client
        .find(Locator::XPath(
            "//aside//h2[text()='都道府県']/following-sibling::ul[1]/li[1]/a",
        ))
        .await?;
    let prefecture = facet.text().await?;
    facet.click().await?;
    client.wait().for_element(Locator::Css("ul.chips")).await?;
    let narrowed = total(client).await;
    assert!(narrowed < all, "{prefecture}: {narrowed} of {all}");
    assert!(
        client
            .current_url()
            .await?
            .query()
            .unwrap_or("")
            .contains("prefecture=")
    );
    let chip = text_of(client, "ul.chips").await;
    assert!(
        chip.contains(&prefecture),
        "the applied filter is shown: {chip}"
    );
    shot(client, "03-facet-desktop").await;

    // Open the first result's detail page.
    let first = client.find(Locator::Css("article.hit h2 a")).await?;
    let title = first.text().await?;
    first.click().await?;
    client
        .wait()
        .for_element(Locator::Id("source-link"))
        .await?;
    let h1 = client.find(Locator::Css("main h1")).await?.text().await?;
    assert_eq!(h1, title);
    let source = client
        .find(Locator::Id("source-link"))
        .await?
        .attr("href")
        .await?
        .unwrap_or_default();
    assert!(
        source.starts_with("http://127.0.0.1:"),
        "source link to the fixture site: {source}"
    );
    let fields = text_of(client, "dl.fields").await;
    assert!(
        fields.contains("発注機関") && fields.contains("提出期限"),
        "{fields}"
    );
    shot(client, "04-detail-desktop").await;

    // The same pages at a phone's width.
    client.set_window_size(PHONE.0, PHONE.1).await?;
    assert_fits_phone(client, "detail").await?;
    shot(client, "05-detail-phone").await;
    client.back().await?;
    total(client).await;
    client.execute("window.scrollTo(0, 0);", vec![]).await?;
    assert_fits_phone(client, "search").await?;
    shot(client, "06-search-phone").await;
    client.set_window_size(DESKTOP.0, DESKTOP.1).await?;

    // Subscribe: the iCalendar link carries the search; the Atom link opens the feed.
    let ics = client
        .find(Locator::Id("subscribe-ics"))
        .await?
        .attr("href")
        .await?
        .unwrap_or_default();
    assert!(
        ics.contains("/feeds/deadlines.ics?") && ics.contains("prefecture="),
        "{ics}"
    );
    let ics_body = reqwest::get(format!("{base}{ics}"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(ics_body.starts_with("BEGIN:VCALENDAR\r\n"), "{ics_body}");
    assert!(ics_body.contains("TZID:Asia/Tokyo"));
    client
        .find(Locator::Id("subscribe-atom"))
        .await?
        .click()
        .await?;
    let url = client.current_url().await?;
    assert_eq!(url.path(), "/feeds/search.atom");
    assert!(url.query().unwrap_or("").contains("prefecture="));
    let source = client.source().await?;
    assert!(
        source.contains("feed") && source.contains("給食"),
        "the Atom feed is shown: {source}"
    );
    shot(client, "07-atom-feed").await;

    // The statistics page renders its chart.
    client
        .goto(&format!("{base}/stats?group_by=municipality"))
        .await?;
    client.wait().for_element(Locator::Css("svg.chart")).await?;
    shot(client, "08-stats-desktop").await;
    Ok(())
}
