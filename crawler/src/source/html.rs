//! The declarative HTML adapter: list pages → detail pages, configured per site in TOML.
//!
//! List pages are read with CSS selectors (`[list] item`, `link`, `next`); the listed title is
//! filtered by `include` / `exclude` patterns and classified as an award by `award` patterns.
//! Detail pages are read by label: every `th`/`td` row (also rows holding several label/value
//! pairs, as PPI-style tables do) and every `dt`/`dd` pair becomes a `(label, value)` pair, and
//! the labels in [`DEFAULT_LABELS`] plus those the source adds map them onto record fields.

use regex::Regex;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use indexer::{Attachment, Kind, Record};

use super::config::{ListConfig, ResultsConfig, SourceConfig};
use crate::normalize::{classify, company, date, deadline, money, text};

/// Maximum characters of page text kept in a record's body.
pub const MAX_BODY_CHARS: usize = 20_000;

/// Attachments of one detail page whose text is fetched and extracted.
pub const MAX_ATTACHMENTS_READ: usize = 3;

/// Maximum characters kept of one attachment's text.
pub const MAX_ATTACHMENT_CHARS: usize = 20_000;

/// Whether an attachment is a document whose text is worth fetching (PDF, Excel, CSV).
pub fn attachment_is_readable(attachment: &Attachment) -> bool {
    attachment.media_type.as_deref().is_some_and(|m| {
        m == "application/pdf"
            || m == "text/csv"
            || m == "application/vnd.ms-excel"
            || m == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    })
}

/// Puts an attachment's extracted text into the record: into the attachment, and appended to the
/// body, which stays within twice [`MAX_BODY_CHARS`] (page text plus attachments).
pub fn add_attachment_text(record: &mut Record, index: usize, text: &str) {
    let text = text::normalize_text(text);
    let mut kept: String = text.chars().take(MAX_ATTACHMENT_CHARS).collect();
    let room = (2 * MAX_BODY_CHARS).saturating_sub(record.body.chars().count());
    let appended: String = kept.chars().take(room.saturating_sub(1)).collect();
    if !appended.is_empty() {
        record.body.push('\n');
        record.body.push_str(&appended);
    }
    if let Some(a) = record.attachments.get_mut(index) {
        a.text = Some(std::mem::take(&mut kept));
    }
}

/// Default labels per field; a source's `[detail]` table adds to these.
pub const DEFAULT_LABELS: &[(&str, &[&str])] = &[
    (
        "title",
        &[
            "件名",
            "案件名",
            "業務名",
            "工事名",
            "調達件名",
            "契約件名",
            "名称",
        ],
    ),
    (
        "case_number",
        &["案件番号", "入札番号", "公告番号", "調達番号", "契約番号"],
    ),
    (
        "buyer",
        &[
            "担当課",
            "発注課",
            "発注機関",
            "担当部署",
            "所管課",
            "契約担当課",
            "担当",
        ],
    ),
    (
        "published",
        &["公告日", "公示日", "掲載日", "公告年月日", "公表日"],
    ),
    (
        "deadline",
        &[
            "入札書提出期限",
            "提出期限",
            "申込期限",
            "参加申込期限",
            "受付期限",
            "受付期間",
            "申請期限",
            "締切",
            "参加申請期限",
        ],
    ),
    ("opening", &["開札日時", "開札日", "開札予定日"]),
    ("estimated_price", &["予定価格", "予定金額"]),
    ("amount", &["落札金額", "契約金額", "落札価格", "契約額"]),
    (
        "winner",
        &["落札者", "契約者", "契約の相手方", "落札業者", "受注者"],
    ),
    (
        "bidders",
        &["入札参加者数", "参加者数", "入札者数", "応札者数"],
    ),
    (
        "method",
        &["入札方式", "契約方法", "入札方法", "調達方法", "契約方式"],
    ),
    (
        "category",
        &["種別", "業種", "入札種別", "区分", "調達区分"],
    ),
];

/// Errors of the HTML adapter.
#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    /// A selector in the config does not parse (caught by validation; kept for safety).
    #[error("bad CSS selector {selector:?}: {message}")]
    Selector {
        /// The selector.
        selector: String,
        /// The parser's message.
        message: String,
    },
    /// A pattern in the config does not compile.
    #[error("bad pattern {pattern:?}: {message}")]
    Pattern {
        /// The pattern.
        pattern: String,
        /// The compiler's message.
        message: String,
    },
}

/// One item on a list page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    /// The detail page.
    pub url: Url,
    /// The title as listed (link text, cleaned).
    pub title: String,
    /// Whether the list marks it as an award result.
    pub award: bool,
}

/// What a list page yields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPage {
    /// Items kept.
    pub items: Vec<ListItem>,
    /// Items skipped by `include` / `exclude`.
    pub excluded: usize,
    /// The next list page, if any.
    pub next: Option<Url>,
}

/// Compiled `[list]` configuration.
pub struct ListReader {
    item: Selector,
    link: Selector,
    next: Option<Selector>,
    include: Vec<Regex>,
    exclude: Vec<Regex>,
    award: Vec<Regex>,
}

fn selector(s: &str) -> Result<Selector, HtmlError> {
    Selector::parse(s).map_err(|e| HtmlError::Selector {
        selector: s.to_string(),
        message: e.to_string(),
    })
}

fn patterns(list: &[String]) -> Result<Vec<Regex>, HtmlError> {
    list.iter()
        .map(|p| {
            Regex::new(p).map_err(|e| HtmlError::Pattern {
                pattern: p.clone(),
                message: e.to_string(),
            })
        })
        .collect()
}

impl ListReader {
    /// Compiles a `[list]` table.
    pub fn new(config: &ListConfig) -> Result<ListReader, HtmlError> {
        Ok(ListReader {
            item: selector(&config.item)?,
            link: selector(&config.link)?,
            next: config.next.as_deref().map(selector).transpose()?,
            include: patterns(&config.include)?,
            exclude: patterns(&config.exclude)?,
            award: patterns(&config.award)?,
        })
    }

    /// Reads one list page.
    pub fn read(&self, html: &str, page_url: &Url) -> ListPage {
        let doc = Html::parse_document(html);
        let mut page = ListPage::default();
        for item in doc.select(&self.item) {
            let Some(link) = item.select(&self.link).next() else {
                continue;
            };
            let Some(href) = link.value().attr("href") else {
                continue;
            };
            let Ok(url) = page_url.join(href.trim()) else {
                continue;
            };
            let title = text::normalize_text(&element_text(link));
            if title.is_empty() {
                continue;
            }
            let included =
                self.include.is_empty() || self.include.iter().any(|p| p.is_match(&title));
            if !included || self.exclude.iter().any(|p| p.is_match(&title)) {
                page.excluded += 1;
                continue;
            }
            if page.items.iter().any(|i| i.url == url) {
                continue;
            }
            let award = self.award.iter().any(|p| p.is_match(&title));
            page.items.push(ListItem { url, title, award });
        }
        page.next = self.next.as_ref().and_then(|next| {
            doc.select(next)
                .filter_map(|a| a.value().attr("href"))
                .find_map(|href| page_url.join(href.trim()).ok())
                .filter(|u| u != page_url)
        });
        page
    }
}

/// The text of an element, with whitespace between blocks.
fn element_text(el: ElementRef<'_>) -> String {
    let mut out = String::new();
    for piece in el.text() {
        out.push_str(piece);
        out.push(' ');
    }
    out
}

/// `(label, value)` pairs read from `th`/`td` rows and `dt`/`dd` pairs.
pub fn labelled_pairs(doc: &Html) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let (Ok(tr), Ok(cells), Ok(dl), Ok(dt_dd)) = (
        Selector::parse("tr"),
        Selector::parse("th, td"),
        Selector::parse("dl"),
        Selector::parse("dt, dd"),
    ) else {
        return pairs;
    };
    for row in doc.select(&tr) {
        let cells: Vec<ElementRef<'_>> = row.select(&cells).collect();
        // A row is read as alternating label/value cells: th td, or th td th td (PPI style).
        let mut i = 0;
        while i + 1 < cells.len() {
            let (label, value) = (cells[i], cells[i + 1]);
            if label.value().name() == "th" && value.value().name() == "td" {
                pairs.push((
                    clean_label(&element_text(label)),
                    text::normalize_text(&element_text(value)),
                ));
                i += 2;
            } else {
                i += 1;
            }
        }
    }
    for list in doc.select(&dl) {
        let mut label: Option<String> = None;
        for el in list.select(&dt_dd) {
            match el.value().name() {
                "dt" => label = Some(clean_label(&element_text(el))),
                _ => {
                    if let Some(l) = label.take() {
                        pairs.push((l, text::normalize_text(&element_text(el))));
                    }
                }
            }
        }
    }
    pairs
}

/// A label without spaces, colons, brackets' trailing notes such as `※`.
fn clean_label(s: &str) -> String {
    text::normalize_text(s)
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, ':' | '：' | '※' | '■' | '・' | '●'))
        .collect()
}

/// The labels for `field`: the defaults plus the source's own.
fn labels_for<'a>(field: &str, own: &'a [String]) -> Vec<&'a str> {
    let mut labels: Vec<&'a str> = own.iter().map(String::as_str).collect();
    if let Some((_, defaults)) = DEFAULT_LABELS.iter().find(|(f, _)| *f == field) {
        labels.extend(defaults.iter().copied());
    }
    labels
}

/// The first pair whose label starts with one of `labels` (in the order of `labels`).
fn find<'p>(pairs: &'p [(String, String)], labels: &[&str]) -> Option<&'p (String, String)> {
    labels.iter().find_map(|l| {
        pairs
            .iter()
            .find(|(label, value)| label.starts_with(l) && !value.is_empty())
    })
}

/// Builds a record from a detail page.
pub fn extract_detail(
    html: &str,
    page_url: &Url,
    source: &SourceConfig,
    item: &ListItem,
) -> Record {
    let doc = Html::parse_document(html);
    let pairs = labelled_pairs(&doc);
    let d = &source.detail;

    let title_raw = find(&pairs, &labels_for("title", &d.title))
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| item.title.clone());
    let title = text::clean_title(&title_raw);
    let case_number =
        find(&pairs, &labels_for("case_number", &d.case_number)).map(|(_, v)| v.clone());
    let winner_pair = find(&pairs, &labels_for("winner", &d.winner));
    let amount_pair = find(&pairs, &labels_for("amount", &d.amount));
    let is_award = item.award || winner_pair.is_some() || amount_pair.is_some();
    let kind = if is_award { Kind::Award } else { Kind::Notice };

    let id = match &case_number {
        Some(no) => format!("{}:{}", source.id, text::normalize_text(no)),
        None => format!("{}:{}", source.id, page_url.path()),
    };
    let mut record = Record::new(id, kind, source.id.clone(), page_url.as_str(), title);
    record.case_number = case_number;
    record.buyer = find(&pairs, &labels_for("buyer", &d.buyer)).map(|(_, v)| v.clone());
    record.prefecture = source.prefecture.clone();
    record.municipality = source.municipality.clone();
    crate::reference::locate(&mut record, source.municipality_code.as_deref());

    record.published =
        find(&pairs, &labels_for("published", &d.published)).and_then(|(label, value)| {
            date::parse_date(value, None).map(|p| indexer::When {
                date: p.date,
                time: p.time,
                raw: value.clone(),
                evidence: Some(label.clone()),
            })
        });
    let published_date = record.published.as_ref().map(|w| w.date);
    if kind == Kind::Notice {
        record.deadline = labels_for("deadline", &d.deadline).iter().find_map(|l| {
            pairs
                .iter()
                .filter(|(label, _)| label.starts_with(l))
                .find_map(|(label, value)| {
                    deadline::deadline_from_label(label, value, published_date)
                })
        });
    }
    record.opening = find(&pairs, &labels_for("opening", &d.opening))
        .and_then(|(label, value)| deadline::opening_from_label(label, value, published_date));
    record.estimated_price = find(&pairs, &labels_for("estimated_price", &d.estimated_price))
        .and_then(|(label, value)| money::money_from_label(label, value));
    record.amount = amount_pair.and_then(|(label, value)| money::money_from_label(label, value));
    record.award_ratio = record.compute_award_ratio();
    if let Some((_, raw)) = winner_pair {
        record.winner = Some(company::normalize_company(raw));
        record.winner_raw = Some(raw.clone());
    }
    record.bidders =
        find(&pairs, &labels_for("bidders", &d.bidders)).and_then(|(_, v)| leading_number(v));
    if let Some((_, raw)) = find(&pairs, &labels_for("method", &d.method)) {
        // A labelled method that names none of the known ones is still a method: その他.
        record.method = classify::method_of(raw).or(Some(indexer::Method::Other));
        record.method_raw = Some(raw.clone());
    }
    match find(&pairs, &labels_for("category", &d.category)) {
        Some((_, raw)) => {
            record.category =
                classify::category_of(raw).or_else(|| classify::category_of(&record.title));
            record.category_raw = Some(raw.clone());
        }
        None => record.category = classify::category_of(&record.title),
    }
    if record.method.is_none() {
        record.method = classify::method_of(&record.title).filter(|m| *m != indexer::Method::Other);
    }

    let body_text = d
        .body_selector
        .as_deref()
        .and_then(|s| Selector::parse(s).ok())
        .map(|sel| {
            doc.select(&sel)
                .map(element_text)
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| page_text(&doc));
    record.body = text::normalize_text(&body_text)
        .chars()
        .take(MAX_BODY_CHARS)
        .collect();
    if kind == Kind::Notice && record.deadline.is_none() {
        record.deadline =
            deadline::deadline_from_text(&record.body, published_date).map(|c| c.when);
    }
    record.attachments = attachments(&doc, page_url);
    record
}

/// Award records from a results page that lists one award per table row.
pub fn extract_results(
    html: &str,
    page_url: &Url,
    source: &SourceConfig,
    results: &ResultsConfig,
) -> Vec<Record> {
    let doc = Html::parse_document(html);
    let (Ok(table_sel), Ok(tr), Ok(cell)) = (
        Selector::parse(&results.table),
        Selector::parse("tr"),
        Selector::parse("th, td"),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for table in doc.select(&table_sel) {
        let mut rows = table.select(&tr);
        let Some(header) = rows.next() else { continue };
        let headers: Vec<String> = header.select(&cell).map(element_text).collect();
        let Some(columns) = ResultColumns::new(&headers, results) else {
            continue;
        };
        for (n, row) in rows.enumerate() {
            let values: Vec<String> = row.select(&cell).map(element_text).collect();
            out.extend(columns.record(&values, n, page_url, source));
        }
    }
    out
}

/// Award records from a results document of any kind the `[[results]]` URLs may name: an HTML
/// page (read with [`extract_results`]), an Excel workbook or CSV, or a PDF whose table lines
/// keep their columns apart by tabs or runs of spaces (read with [`extract_results_rows`]).
pub fn extract_results_document(
    body: &[u8],
    content_type: Option<&str>,
    page_url: &Url,
    source: &SourceConfig,
    results: &ResultsConfig,
) -> Vec<Record> {
    use crate::extract::{DocumentKind, pdf, sheet};
    let rows = match DocumentKind::detect(body, content_type, page_url.path()) {
        DocumentKind::Html => {
            let html =
                crate::fetch::decode::decode_html(body, content_type, source.encoding.as_deref());
            return extract_results(&html.text, page_url, source, results);
        }
        DocumentKind::Pdf => pdf::pdf_text(body).map(|t| {
            // A PDF line is a row only when it splits into as many cells as the header does.
            let rows = pdf::text_table_rows(&t);
            let width = rows
                .iter()
                .find(|r| ResultColumns::new(r, results).is_some())
                .map(Vec::len);
            rows.into_iter()
                .filter(|r| Some(r.len()) == width)
                .collect::<Vec<_>>()
        }),
        DocumentKind::Xlsx | DocumentKind::Xls | DocumentKind::Csv => {
            sheet::sheet_rows(body, content_type)
        }
    };
    match rows {
        Ok(rows) => extract_results_rows(&rows, page_url, source, results),
        Err(e) => {
            tracing::warn!(source = %source.id, url = %page_url, error = %e, "results document unreadable");
            Vec::new()
        }
    }
}

/// Award records from the rows of a sheet or a PDF table. The header is the first row in which
/// the title column is found (captions above it are skipped); every later row with a title is
/// one award, and a row repeating the header (a new page) is skipped.
pub fn extract_results_rows(
    rows: &[Vec<String>],
    page_url: &Url,
    source: &SourceConfig,
    results: &ResultsConfig,
) -> Vec<Record> {
    let Some((at, columns)) = rows
        .iter()
        .enumerate()
        .find_map(|(i, r)| ResultColumns::new(r, results).map(|c| (i, c)))
    else {
        return Vec::new();
    };
    rows.iter()
        .skip(at + 1)
        .filter(|r| ResultColumns::new(r, results).is_none())
        .enumerate()
        .filter_map(|(n, values)| columns.record(values, n, page_url, source))
        .collect()
}

/// The columns of a results table, found by their header text.
struct ResultColumns {
    headers: Vec<String>,
    cols: [(&'static str, Option<usize>); 11],
}

impl ResultColumns {
    /// `None` when no header names the title column.
    fn new(header_cells: &[String], results: &ResultsConfig) -> Option<ResultColumns> {
        let headers: Vec<String> = header_cells.iter().map(|h| clean_label(h)).collect();
        let column = |labels: &[String]| -> Option<usize> {
            labels.iter().find_map(|l| {
                let l = clean_label(l);
                headers
                    .iter()
                    .position(|h| !l.is_empty() && h.starts_with(&l))
            })
        };
        let cols = [
            ("case_number", column(&results.case_number)),
            ("title", column(&results.title)),
            ("buyer", column(&results.buyer)),
            ("published", column(&results.published)),
            ("opening", column(&results.opening)),
            ("method", column(&results.method)),
            ("category", column(&results.category)),
            ("winner", column(&results.winner)),
            ("amount", column(&results.amount)),
            ("estimated_price", column(&results.estimated_price)),
            ("bidders", column(&results.bidders)),
        ];
        cols[1].1?;
        Some(ResultColumns { headers, cols })
    }

    /// The award in one row (`n` numbers the row, for records without a case number).
    fn record(
        &self,
        cells: &[String],
        n: usize,
        page_url: &Url,
        source: &SourceConfig,
    ) -> Option<Record> {
        let values: Vec<String> = cells.iter().map(|c| text::normalize_text(c)).collect();
        let get = |field: &str| {
            self.cols
                .iter()
                .find(|(f, _)| *f == field)
                .and_then(|(_, col)| col.and_then(|i| values.get(i)))
                .filter(|v| !v.is_empty())
                .cloned()
        };
        let header_of = |field: &str| {
            self.cols
                .iter()
                .find(|(f, _)| *f == field)
                .and_then(|(_, c)| *c)
                .and_then(|i| self.headers.get(i).cloned())
                .unwrap_or_else(|| field.to_string())
        };
        let title_raw = get("title")?;
        let case_number = get("case_number");
        let id = match &case_number {
            Some(no) => format!("{}:{no}", source.id),
            None => format!("{}:{}#{}", source.id, page_url.path(), n + 1),
        };
        let mut r = Record::new(
            id,
            Kind::Award,
            source.id.clone(),
            page_url.as_str(),
            text::clean_title(&title_raw),
        );
        r.case_number = case_number;
        r.buyer = get("buyer");
        r.prefecture = source.prefecture.clone();
        r.municipality = source.municipality.clone();
        crate::reference::locate(&mut r, source.municipality_code.as_deref());
        r.published = get("published").and_then(|v| {
            date::parse_date(&v, None).map(|p| indexer::When {
                date: p.date,
                time: p.time,
                raw: v.clone(),
                evidence: Some(header_of("published")),
            })
        });
        let published = r.published.as_ref().map(|w| w.date);
        r.opening = get("opening").and_then(|v| {
            date::parse_date(&v, published).map(|p| indexer::When {
                date: p.date,
                time: p.time,
                raw: v.clone(),
                evidence: Some(header_of("opening")),
            })
        });
        r.amount = get("amount").and_then(|v| money::money_from_label(&header_of("amount"), &v));
        r.estimated_price = get("estimated_price")
            .and_then(|v| money::money_from_label(&header_of("estimated_price"), &v));
        r.award_ratio = r.compute_award_ratio();
        if let Some(w) = get("winner") {
            r.winner = Some(company::normalize_company(&w));
            r.winner_raw = Some(w);
        }
        r.bidders = get("bidders").and_then(|v| leading_number(&v));
        if let Some(m) = get("method") {
            r.method = classify::method_of(&m).or(Some(indexer::Method::Other));
            r.method_raw = Some(m);
        }
        match get("category") {
            Some(c) => {
                r.category = classify::category_of(&c).or_else(|| classify::category_of(&r.title));
                r.category_raw = Some(c);
            }
            None => r.category = classify::category_of(&r.title),
        }
        r.body = values.join(" ");
        Some(r)
    }
}

/// The visible text of a page: `main` if it has one, otherwise `body`.
fn page_text(doc: &Html) -> String {
    for s in ["main", "#main", "#content", "body"] {
        if let Ok(sel) = Selector::parse(s)
            && let Some(el) = doc.select(&sel).next()
        {
            return element_text(el);
        }
    }
    String::new()
}

fn leading_number(s: &str) -> Option<u32> {
    let digits: String = text::normalize_text(s)
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// Links to documents (PDF, Excel, CSV, Word) on a page.
pub fn attachments(doc: &Html, page_url: &Url) -> Vec<Attachment> {
    let Ok(a) = Selector::parse("a[href]") else {
        return Vec::new();
    };
    let mut out: Vec<Attachment> = Vec::new();
    for link in doc.select(&a) {
        let Some(href) = link.value().attr("href") else {
            continue;
        };
        let Ok(url) = page_url.join(href.trim()) else {
            continue;
        };
        let path = url.path().to_ascii_lowercase();
        let media_type = [
            (".pdf", "application/pdf"),
            (
                ".xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (".xls", "application/vnd.ms-excel"),
            (".csv", "text/csv"),
            (
                ".docx",
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ),
            (".doc", "application/msword"),
        ]
        .iter()
        .find(|(ext, _)| path.ends_with(ext))
        .map(|(_, mt)| mt.to_string());
        if media_type.is_none() || out.iter().any(|x| x.url == url.as_str()) {
            continue;
        }
        out.push(Attachment {
            url: url.to_string(),
            title: text::normalize_text(&element_text(link)),
            media_type,
            text: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::config::parse_source;
    use std::collections::HashMap;
    use std::path::Path;

    fn source() -> SourceConfig {
        let text = r#"
id = "t"
name = "テスト市"
kind = "html"
municipality_code = "362077"
prefecture = "徳島県"
municipality = "美馬市"
start_urls = ["http://127.0.0.1:1/list.html"]
[list]
item = "table.list tr"
next = "a.next"
exclude = ["質問"]
award = ["落札結果"]
"#;
        parse_source(Path::new("t.toml"), text, &HashMap::new()).unwrap()
    }

    #[test]
    fn list_page_items_exclusions_awards_and_next() {
        let html = r#"<table class="list">
<tr><th>公告日</th><th>件名</th></tr>
<tr><td>令和8年11月10日</td><td><a href="detail/1.html">学校給食調理業務委託 (146.6KB)</a></td></tr>
<tr><td>令和8年11月11日</td><td><a href="detail/2.html">学校給食調理業務委託に関する質問回答</a></td></tr>
<tr><td>令和8年11月12日</td><td><a href="/kekka/3.html">庁舎清掃業務 落札結果</a></td></tr>
<tr><td>令和8年11月12日</td><td><a href="detail/1.html">学校給食調理業務委託</a></td></tr>
</table><a class="next" href="list2.html">次へ</a>"#;
        let base = Url::parse("http://127.0.0.1:1/nyusatsu/list.html").unwrap();
        let page = ListReader::new(source().list.as_ref().unwrap())
            .unwrap()
            .read(html, &base);
        assert_eq!(page.items.len(), 2);
        assert_eq!(page.excluded, 1);
        assert_eq!(
            page.items[0].url.as_str(),
            "http://127.0.0.1:1/nyusatsu/detail/1.html"
        );
        assert!(!page.items[0].award);
        assert!(page.items[1].award);
        assert_eq!(
            page.next.unwrap().as_str(),
            "http://127.0.0.1:1/nyusatsu/list2.html"
        );
    }

    #[test]
    fn labelled_pairs_from_tables_ppi_rows_and_definition_lists() {
        let html = r#"<table><tr><th>件名</th><td> 道路補修工事 </td></tr>
<tr><th>公告日</th><td>令和8年11月4日</td><th>開札日</th><td>令和8年12月2日</td></tr></table>
<dl><dt>予定価格：</dt><dd>1,000,000円</dd><dt>担当課</dt><dd>建設課</dd></dl>"#;
        let pairs = labelled_pairs(&Html::parse_document(html));
        assert_eq!(
            pairs,
            vec![
                ("件名".to_string(), "道路補修工事".to_string()),
                ("公告日".to_string(), "令和8年11月4日".to_string()),
                ("開札日".to_string(), "令和8年12月2日".to_string()),
                ("予定価格".to_string(), "1,000,000円".to_string()),
                ("担当課".to_string(), "建設課".to_string()),
            ]
        );
    }

    #[test]
    fn detail_page_becomes_a_record() {
        let html = r#"<html><body><h1>入札公告</h1><table>
<tr><th>件名</th><td>【入札公告】令和9年度 美馬市学校給食調理等業務委託</td></tr>
<tr><th>案件番号</th><td>R8-役-0123</td></tr>
<tr><th>担当課</th><td>教育委員会 学校給食センター</td></tr>
<tr><th>公告日</th><td>令和8年11月10日</td></tr>
<tr><th>入札書提出期限</th><td>令和8年12月5日（土）午後5時</td></tr>
<tr><th>開札日時</th><td>令和8年12月8日（火）午前10時</td></tr>
<tr><th>予定価格</th><td>３，２００，０００円（税抜）</td></tr>
<tr><th>入札方式</th><td>条件付一般競争入札</td></tr>
<tr><th>種別</th><td>業務委託</td></tr>
</table><a href="spec.pdf">仕様書</a></body></html>"#;
        let url = Url::parse("http://127.0.0.1:1/nyusatsu/0123.html").unwrap();
        let item = ListItem {
            url: url.clone(),
            title: "学校給食".into(),
            award: false,
        };
        let r = extract_detail(html, &url, &source(), &item);
        assert_eq!(r.id, "t:R8-役-0123");
        assert_eq!(r.kind, Kind::Notice);
        assert_eq!(r.title, "令和9年度 美馬市学校給食調理等業務委託");
        assert_eq!(r.buyer.as_deref(), Some("教育委員会 学校給食センター"));
        assert_eq!(
            r.published.as_ref().map(|w| w.date.to_string()),
            Some("2026-11-10".into())
        );
        let deadline = r.deadline.as_ref().unwrap();
        assert_eq!(deadline.date.to_string(), "2026-12-05");
        assert_eq!(
            deadline.time.map(|t| t.to_string()),
            Some("17:00:00".into())
        );
        assert_eq!(
            r.opening.as_ref().map(|w| w.date.to_string()),
            Some("2026-12-08".into())
        );
        assert_eq!(r.estimated_price.as_ref().map(|m| m.yen), Some(3_200_000));
        assert_eq!(r.method, Some(indexer::Method::OpenCompetitive));
        assert_eq!(r.method_raw.as_deref(), Some("条件付一般競争入札"));
        assert_eq!(r.category, Some(indexer::Category::Services));
        assert_eq!(r.municipality_code.as_deref(), Some("362077"));
        assert_eq!(r.attachments.len(), 1);
        assert_eq!(r.attachments[0].url, "http://127.0.0.1:1/nyusatsu/spec.pdf");
        assert!(r.body.contains("入札公告"));
    }

    #[test]
    fn award_page_reads_winner_and_ratio() {
        let html = r#"<table>
<tr><th>件名</th><td>庁舎清掃業務</td></tr>
<tr><th>落札者</th><td>(株)美馬ビルサービス</td></tr>
<tr><th>落札金額</th><td>2,700,000円</td></tr>
<tr><th>予定価格</th><td>3,000,000円</td></tr>
<tr><th>入札参加者数</th><td>4者</td></tr></table>"#;
        let url = Url::parse("http://127.0.0.1:1/kekka/9.html").unwrap();
        let item = ListItem {
            url: url.clone(),
            title: "庁舎清掃業務".into(),
            award: false,
        };
        let r = extract_detail(html, &url, &source(), &item);
        assert_eq!(r.kind, Kind::Award);
        assert_eq!(r.id, "t:/kekka/9.html");
        assert_eq!(r.winner.as_deref(), Some("株式会社美馬ビルサービス"));
        assert_eq!(r.winner_raw.as_deref(), Some("(株)美馬ビルサービス"));
        assert_eq!(r.bidders, Some(4));
        assert_eq!(r.award_ratio, Some(0.9));
        assert!(r.deadline.is_none());
    }

    fn results_config() -> ResultsConfig {
        ResultsConfig {
            urls: vec!["http://127.0.0.1:1/kekka.csv".into()],
            table: "table".into(),
            case_number: vec!["番号".into()],
            title: vec!["案件名".into()],
            buyer: vec![],
            published: vec![],
            opening: vec!["開札日".into()],
            method: vec![],
            category: vec![],
            winner: vec!["落札者".into()],
            amount: vec!["落札金額".into()],
            estimated_price: vec!["予定価格".into()],
            bidders: vec![],
        }
    }

    #[test]
    fn results_in_a_csv_skip_captions_and_repeated_headers() {
        let csv = "令和8年度 入札結果一覧\n\n番号,案件名,開札日,予定価格,落札金額,落札者\n\
            R8-01,庁舎清掃業務,令和8年11月5日,\"1,000,000円\",\"900,000円\",(株)美馬ビル管理\n\
            番号,案件名,開札日,予定価格,落札金額,落札者\n\
            R8-02,公用車購入,令和8年11月6日,非公表,\"2,450,000円\",美馬自動車（有）\n\
            ,,,,,\n";
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(csv);
        let url = Url::parse("http://127.0.0.1:1/kekka.csv").unwrap();
        let records =
            extract_results_document(&sjis, Some("text/csv"), &url, &source(), &results_config());
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].id, "t:R8-01");
        assert_eq!(records[0].kind, Kind::Award);
        assert_eq!(records[0].winner.as_deref(), Some("株式会社美馬ビル管理"));
        assert_eq!(records[0].award_ratio, Some(0.9));
        assert_eq!(
            records[0].opening.as_ref().map(|w| w.date.to_string()),
            Some("2026-11-05".into())
        );
        assert_eq!(records[1].title, "公用車購入");
        assert_eq!(records[1].estimated_price, None);
        assert_eq!(records[1].amount.as_ref().map(|m| m.yen), Some(2_450_000));
    }

    #[test]
    fn results_in_a_pdf_keep_only_lines_as_wide_as_the_header() {
        let pdf = crate::extract::pdf::tests::cid_pdf(&[
            (40.0, 560.0, "入札結果一覧"),
            (40.0, 530.0, "番号"),
            (120.0, 530.0, "案件名"),
            (320.0, 530.0, "落札金額"),
            (420.0, 530.0, "落札者"),
            (40.0, 510.0, "R8-07"),
            (120.0, 510.0, "学校給食運搬業務"),
            (320.0, 510.0, "3,300,000円"),
            (420.0, 510.0, "株式会社穴吹運送"),
            (40.0, 490.0, "※金額は税抜き"),
        ]);
        let url = Url::parse("http://127.0.0.1:1/kekka.pdf").unwrap();
        let records = extract_results_document(&pdf, None, &url, &source(), &results_config());
        assert_eq!(records.len(), 1, "{records:?}");
        assert_eq!(records[0].id, "t:R8-07");
        assert_eq!(records[0].amount.as_ref().map(|m| m.yen), Some(3_300_000));
        assert_eq!(records[0].winner.as_deref(), Some("株式会社穴吹運送"));
    }

    #[test]
    fn attachment_text_goes_into_the_attachment_and_the_body_bounded() {
        let url = Url::parse("http://127.0.0.1:1/d.html").unwrap();
        let mut r = Record::new("t:1", Kind::Notice, "t", url.as_str(), "件名");
        r.body = "公告本文".into();
        r.attachments = attachments(&Html::parse_document(r#"<a href="s.pdf">仕様書</a>"#), &url);
        assert!(attachment_is_readable(&r.attachments[0]));
        add_attachment_text(&mut r, 0, "温度記録計を備える");
        assert_eq!(r.attachments[0].text.as_deref(), Some("温度記録計を備える"));
        assert_eq!(r.body, "公告本文\n温度記録計を備える");
        let long = "あ".repeat(3 * MAX_BODY_CHARS);
        add_attachment_text(&mut r, 0, &long);
        assert_eq!(
            r.attachments[0].text.as_ref().map(|t| t.chars().count()),
            Some(MAX_ATTACHMENT_CHARS)
        );
        assert!(r.body.chars().count() <= 2 * MAX_BODY_CHARS);
    }
}
