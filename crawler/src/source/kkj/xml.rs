//! Reading a KKJ search response (`<Results>`), robustly.
//!
//! - The bytes are decoded leniently ([`super::decode`]), so broken UTF-8 in one record never
//!   loses the batch.
//! - Every `<SearchResult>` is cut out and parsed on its own: a record whose XML is broken is
//!   skipped and counted, the others are kept.
//! - Children are read by tag name, in any order; CDATA sections and entities are both read.
//! - `<Error>` (answered with HTTP 200) and `<SearchHits>` are read from the text outside the
//!   records, so a description that happens to quote them cannot mislead.

use quick_xml::Reader;
use quick_xml::events::Event;

use super::decode::decode_lenient;

/// One `<SearchResult>`: the text of each known child, `None` when absent or empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KkjResult {
    /// `Key`: the unique key (Base64).
    pub key: Option<String>,
    /// `ExternalDocumentURI`: the original notice on the buyer's site.
    pub external_document_uri: Option<String>,
    /// `ProjectName`: the title.
    pub project_name: Option<String>,
    /// `Date`: when KKJ collected the notice.
    pub date: Option<String>,
    /// `FileType`: `pdf` or `html`.
    pub file_type: Option<String>,
    /// `FileSize` in bytes.
    pub file_size: Option<String>,
    /// `LgCode`: 2-digit prefecture code.
    pub lg_code: Option<String>,
    /// `PrefectureName`.
    pub prefecture_name: Option<String>,
    /// `CityCode`: 5- or 6-digit municipality code.
    pub city_code: Option<String>,
    /// `CityName`.
    pub city_name: Option<String>,
    /// `OrganizationName`: the buyer.
    pub organization_name: Option<String>,
    /// `Certification`: grades such as `A B`.
    pub certification: Option<String>,
    /// `CftIssueDate`: 公告日 (or the collection time when unknown).
    pub cft_issue_date: Option<String>,
    /// `PeriodEndTime`: 納入期限 / 履行期限 — not a deadline.
    pub period_end_time: Option<String>,
    /// `Category`: 物品 / 工事 / 役務.
    pub category: Option<String>,
    /// `ProcedureType`: e.g. 一般競争入札.
    pub procedure_type: Option<String>,
    /// `Location`: 履行場所.
    pub location: Option<String>,
    /// `TenderSubmissionDeadline`: described by the guide as 入札開始日 — not used as a deadline.
    pub tender_submission_deadline: Option<String>,
    /// `OpeningTendersEvent`: 開札日.
    pub opening_tenders_event: Option<String>,
    /// `ItemCode`: 品目分類番号.
    pub item_code: Option<String>,
    /// `ProjectDescription`: the full text of the notice, bounded.
    pub project_description: Option<String>,
    /// `Attachments/Attachment`: (name, uri) pairs.
    pub attachments: Vec<(String, String)>,
}

/// A parsed response.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KkjResponse {
    /// The `<Error>` message: KKJ answers errors with HTTP 200.
    pub error: Option<String>,
    /// `<SearchHits>`: how many records match (may exceed the records returned).
    pub hits: Option<u64>,
    /// The records that could be read.
    pub results: Vec<KkjResult>,
    /// Records whose XML could not be read (skipped one by one).
    pub broken: usize,
    /// CESU-8 surrogate pairs repaired while decoding.
    pub repaired_chars: usize,
    /// Invalid byte sequences replaced with U+FFFD while decoding.
    pub replaced_chars: usize,
    /// Descriptions cut at the length bound.
    pub truncated_descriptions: usize,
}

/// Parses a response body. `max_description_chars` bounds `ProjectDescription` (whale records
/// of many megabytes exist).
pub fn parse_response(body: &[u8], max_description_chars: usize) -> KkjResponse {
    let decoded = decode_lenient(body);
    let text = decoded.text;
    let mut response = KkjResponse {
        repaired_chars: decoded.repaired,
        replaced_chars: decoded.replaced,
        ..KkjResponse::default()
    };
    let mut outside = String::new();
    let mut rest = text.as_str();
    while let Some(start) = find_open_tag(rest, "SearchResult") {
        outside.push_str(&rest[..start]);
        let chunk = &rest[start..];
        match find_close_tag(chunk, "SearchResult") {
            Some(end) => {
                match parse_result(&chunk[..end], max_description_chars) {
                    Some((result, truncated)) => {
                        response.truncated_descriptions += usize::from(truncated);
                        response.results.push(result);
                    }
                    None => response.broken += 1,
                }
                rest = &chunk[end..];
            }
            None => {
                // An unclosed record at the end of a cut-off body.
                response.broken += 1;
                rest = "";
            }
        }
    }
    outside.push_str(rest);
    response.error = leaf_text(&outside, "Error");
    response.hits = leaf_text(&outside, "SearchHits").and_then(|h| h.trim().parse().ok());
    response
}

/// Byte offset of the next `<name>` or `<name …>` start tag (not `<nameX>`).
fn find_open_tag(s: &str, name: &str) -> Option<usize> {
    let pattern = format!("<{name}");
    let mut from = 0;
    while let Some(i) = s[from..].find(&pattern) {
        let at = from + i;
        let after = s[at + pattern.len()..].chars().next();
        if matches!(after, Some('>' | ' ' | '\t' | '\r' | '\n' | '/')) {
            return Some(at);
        }
        from = at + pattern.len();
    }
    None
}

/// Byte offset just past the `</name>` that closes the element starting `s`, skipping CDATA
/// sections (whose text may contain anything).
fn find_close_tag(s: &str, name: &str) -> Option<usize> {
    let close = format!("</{name}>");
    let mut from = 0;
    loop {
        let next_close = s[from..].find(&close).map(|i| from + i)?;
        match s[from..].find("<![CDATA[").map(|i| from + i) {
            Some(cdata) if cdata < next_close => {
                let end = s[cdata..].find("]]>").map(|i| cdata + i + 3)?;
                from = end;
            }
            _ => return Some(next_close + close.len()),
        }
    }
}

/// The text of the first `<name>…</name>` leaf of `s` (entities and CDATA resolved).
fn leaf_text(s: &str, name: &str) -> Option<String> {
    let start = find_open_tag(s, name)?;
    let end = find_close_tag(&s[start..], name)?;
    let mut reader = Reader::from_str(&s[start..start + end]);
    let mut text = String::new();
    let mut depth = 0usize;
    loop {
        match reader.read_event().ok()? {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            Event::Empty(_) if depth == 0 => break,
            Event::Text(t) => text.push_str(&t.decode().ok()?),
            Event::CData(t) => text.push_str(&t.decode().ok()?),
            Event::GeneralRef(r) => push_reference(&mut text, &r),
            Event::Eof => break,
            _ => {}
        }
    }
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn push_reference(text: &mut String, r: &quick_xml::events::BytesRef<'_>) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        text.push(c);
        return;
    }
    let name = r.decode().unwrap_or_default();
    match quick_xml::escape::resolve_predefined_entity(&name) {
        Some(value) => text.push_str(value),
        // An unknown entity is kept as written rather than dropped.
        None => {
            text.push('&');
            text.push_str(&name);
            text.push(';');
        }
    }
}

/// Parses one `<SearchResult>…</SearchResult>`; `None` when its XML is broken. The flag says
/// whether the description was cut at the bound.
fn parse_result(chunk: &str, max_description_chars: usize) -> Option<(KkjResult, bool)> {
    let mut reader = Reader::from_str(chunk);
    let mut result = KkjResult::default();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut attachment: (String, String) = (String::new(), String::new());
    let mut truncated = false;
    loop {
        let event = reader.read_event().ok()?;
        match event {
            Event::Start(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                path.push(name);
                text.clear();
            }
            Event::Empty(_) => {}
            Event::Text(t) => push_bounded(
                &mut text,
                &t.decode().ok()?,
                max_description_chars,
                &mut truncated,
            ),
            Event::CData(t) => push_bounded(
                &mut text,
                &t.decode().ok()?,
                max_description_chars,
                &mut truncated,
            ),
            Event::GeneralRef(r) => {
                let mut s = String::new();
                push_reference(&mut s, &r);
                push_bounded(&mut text, &s, max_description_chars, &mut truncated);
            }
            Event::End(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                if path.last() != Some(&name) {
                    return None;
                }
                let value = std::mem::take(&mut text);
                let parent = path
                    .len()
                    .checked_sub(2)
                    .and_then(|i| path.get(i))
                    .map(String::as_str);
                match (parent, name.as_str()) {
                    (Some("SearchResult"), field) => set_field(&mut result, field, value),
                    (Some("Attachment"), "Name") => attachment.0 = value.trim().to_string(),
                    (Some("Attachment"), "Uri") => attachment.1 = value.trim().to_string(),
                    (Some("Attachments"), "Attachment") => {
                        let a = std::mem::take(&mut attachment);
                        if !a.1.is_empty() {
                            result.attachments.push(a);
                        }
                    }
                    (None, "SearchResult") => break,
                    _ => {}
                }
                path.pop();
            }
            Event::Eof => return None,
            _ => {}
        }
    }
    if let Some(d) = &mut result.project_description
        && d.chars().count() > max_description_chars
    {
        *d = d.chars().take(max_description_chars).collect();
        truncated = true;
    }
    Some((result, truncated))
}

/// Appends to a field's text, never letting it grow far past the bound (a whale record's text
/// is cut while reading, not after).
fn push_bounded(text: &mut String, s: &str, max_chars: usize, truncated: &mut bool) {
    // Bytes are a cheap upper bound of chars: most text never comes near the bound.
    let max_bytes = max_chars.saturating_mul(4);
    if text.len() >= max_bytes {
        *truncated = true;
        return;
    }
    let room = max_bytes - text.len();
    if s.len() <= room {
        text.push_str(s);
    } else {
        let mut cut = room;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        text.push_str(&s[..cut]);
        *truncated = true;
    }
}

fn set_field(r: &mut KkjResult, field: &str, value: String) {
    let trimmed = value.trim();
    let v = (!trimmed.is_empty()).then(|| trimmed.to_string());
    match field {
        "Key" => r.key = v,
        "ExternalDocumentURI" => r.external_document_uri = v,
        "ProjectName" => r.project_name = v,
        "Date" => r.date = v,
        "FileType" => r.file_type = v,
        "FileSize" => r.file_size = v,
        "LgCode" => r.lg_code = v,
        "PrefectureName" => r.prefecture_name = v,
        "CityCode" => r.city_code = v,
        "CityName" => r.city_name = v,
        "OrganizationName" => r.organization_name = v,
        "Certification" => r.certification = v,
        "CftIssueDate" => r.cft_issue_date = v,
        "PeriodEndTime" => r.period_end_time = v,
        "Category" => r.category = v,
        "ProcedureType" => r.procedure_type = v,
        "Location" => r.location = v,
        "TenderSubmissionDeadline" => r.tender_submission_deadline = v,
        "OpeningTendersEvent" => r.opening_tenders_event = v,
        "ItemCode" => r.item_code = v,
        "ProjectDescription" => r.project_description = v,
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode::encode_cesu8;
    use super::*;

    const TWO: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Results>
  <Version>1.0</Version>
  <SearchResults>
    <SearchHits>1520</SearchHits>
    <SearchResult>
      <ProjectDescription><![CDATA[入札書提出期限 令和8年12月4日 </SearchResult> <SearchHits>9</SearchHits> 予定価格 1,200,000円]]></ProjectDescription>
      <CityCode>362077</CityCode>
      <ResultId>1</ResultId>
      <Key><![CDATA[dG9rdXNoaW1hL21pbWEvMjAyNi8yMDI2MTEwMl8wMDEyMwo=]]></Key>
      <ProjectName>【入札公告】庁舎清掃業務委託&amp;警備(146.6KB)</ProjectName>
      <OrganizationName>徳島県美馬市</OrganizationName>
      <Attachments>
        <Attachment><Uri><![CDATA[https://www.city.example.lg.jp/a.pdf?x=1&y=2]]></Uri><Name>仕様書</Name></Attachment>
        <Attachment><Name>図面</Name><Uri>https://www.city.example.lg.jp/b.pdf</Uri></Attachment>
      </Attachments>
      <LgCode>36</LgCode>
    </SearchResult>
    <SearchResult><ResultId>2</ResultId><Key>a2V5Mg==</Key><ProjectName>庁舎清掃業務</ProjectName><OrganizationName>デジタル庁</OrganizationName><LgCode></LgCode></SearchResult>
  </SearchResults>
</Results>"#;

    #[test]
    fn reads_children_by_name_in_any_order_with_cdata_and_entities() {
        let r = parse_response(TWO.as_bytes(), 100_000);
        assert_eq!(r.error, None);
        assert_eq!(
            r.hits,
            Some(1520),
            "a SearchHits inside CDATA must not count"
        );
        assert_eq!(r.results.len(), 2);
        let a = &r.results[0];
        assert_eq!(
            a.key.as_deref(),
            Some("dG9rdXNoaW1hL21pbWEvMjAyNi8yMDI2MTEwMl8wMDEyMwo=")
        );
        assert_eq!(
            a.project_name.as_deref(),
            Some("【入札公告】庁舎清掃業務委託&警備(146.6KB)")
        );
        assert_eq!(a.city_code.as_deref(), Some("362077"));
        assert_eq!(a.lg_code.as_deref(), Some("36"));
        assert!(
            a.project_description
                .as_deref()
                .unwrap()
                .contains("</SearchResult>")
        );
        assert_eq!(
            a.attachments,
            vec![
                (
                    "仕様書".to_string(),
                    "https://www.city.example.lg.jp/a.pdf?x=1&y=2".to_string()
                ),
                (
                    "図面".to_string(),
                    "https://www.city.example.lg.jp/b.pdf".to_string()
                ),
            ]
        );
        let b = &r.results[1];
        assert_eq!(b.organization_name.as_deref(), Some("デジタル庁"));
        assert_eq!(b.lg_code, None, "an empty element is absent");
    }

    #[test]
    fn errors_come_with_http_200() {
        let body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><Results><Version>1.0</Version><Error>Invalid Date Parameter</Error></Results>";
        let r = parse_response(body.as_bytes(), 100);
        assert_eq!(r.error.as_deref(), Some("Invalid Date Parameter"));
        assert!(r.results.is_empty());
        assert_eq!(r.hits, None);
    }

    #[test]
    fn no_results_and_a_single_result() {
        let none = "<Results><Version>1.0</Version><SearchResults><SearchHits>0</SearchHits></SearchResults></Results>";
        let r = parse_response(none.as_bytes(), 100);
        assert_eq!((r.hits, r.results.len()), (Some(0), 0));
        let one = "<Results><SearchResults><SearchHits>1</SearchHits><SearchResult><Key>k</Key></SearchResult></SearchResults></Results>";
        let r = parse_response(one.as_bytes(), 100);
        assert_eq!((r.hits, r.results.len()), (Some(1), 1));
    }

    #[test]
    fn a_broken_record_is_skipped_and_the_batch_kept() {
        let mut body = b"<Results><SearchResults><SearchHits>3</SearchHits>".to_vec();
        body.extend_from_slice(b"<SearchResult><Key>k1</Key><ProjectName>");
        body.extend_from_slice(&encode_cesu8("𠮷野町道路補修工事"));
        body.extend_from_slice(b"</ProjectName></SearchResult>");
        body.extend_from_slice(
            b"<SearchResult><Key>k2</Key><ProjectName>bad</Category></SearchResult>",
        );
        body.extend_from_slice(b"<SearchResult><Key>k3</Key><ProjectName>\xFF\xFE\xE7\xB5\xA6\xE9\xA3\x9F</ProjectName></SearchResult>");
        body.extend_from_slice(b"</SearchResults></Results>");
        let r = parse_response(&body, 100);
        let keys: Vec<_> = r.results.iter().map(|x| x.key.clone().unwrap()).collect();
        assert_eq!(keys, ["k1", "k3"]);
        assert_eq!(
            r.results[0].project_name.as_deref(),
            Some("𠮷野町道路補修工事")
        );
        assert_eq!(
            r.results[1].project_name.as_deref(),
            Some("\u{FFFD}\u{FFFD}給食")
        );
        assert_eq!(r.broken, 1);
        assert_eq!(r.repaired_chars, 1);
        assert_eq!(r.replaced_chars, 2);
    }

    #[test]
    fn whale_descriptions_are_bounded() {
        let long = "仕様".repeat(50_000);
        let body = format!(
            "<Results><SearchResults><SearchHits>1</SearchHits><SearchResult><Key>w</Key><ProjectDescription><![CDATA[{long}]]></ProjectDescription></SearchResult></SearchResults></Results>"
        );
        let r = parse_response(body.as_bytes(), 1_000);
        assert_eq!(
            r.results[0]
                .project_description
                .as_ref()
                .unwrap()
                .chars()
                .count(),
            1_000
        );
        assert_eq!(r.truncated_descriptions, 1);
    }

    #[test]
    fn a_cut_off_body_keeps_the_complete_records() {
        let body = "<Results><SearchResults><SearchHits>2</SearchHits><SearchResult><Key>a</Key></SearchResult><SearchResult><Key>b</Ke";
        let r = parse_response(body.as_bytes(), 100);
        assert_eq!(r.results.len(), 1);
        assert_eq!(r.broken, 1);
    }
}
