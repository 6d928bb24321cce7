//! Bytes to text for Japanese web pages.
//!
//! reqwest does not look at `<meta charset>`, and Japanese municipal sites still serve a lot of
//! Shift_JIS and EUC-JP, often declared only in the markup. The order is: the source's
//! override → the HTTP `charset` → a byte-order mark → `<meta charset>` / `<meta http-equiv>`
//! in the first 4 KiB → valid UTF-8 → CP932 → EUC-JP (when both legacy encodings decode
//! cleanly, the one that reads more like Japanese wins).
//!
//! Every Shift_JIS label (and `cp932`, `windows-31j`, …) is decoded with encoding_rs's
//! `Shift_JIS`, which is the WHATWG definition, i.e. Microsoft's CP932 with the NEC and IBM
//! extensions (①, ㈱, Ⅱ, 髙). Broken bytes become U+FFFD; nothing here panics.

use encoding_rs::{
    EUC_JP, Encoding, ISO_2022_JP, REPLACEMENT, SHIFT_JIS, UTF_8, UTF_16BE, UTF_16LE,
};

/// How far into the body `<meta>` declarations are looked for.
const META_SCAN_BYTES: usize = 4096;

/// Decoded text and how it was decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The text.
    pub text: String,
    /// The encoding used (encoding_rs's canonical name: `UTF-8`, `Shift_JIS`, `EUC-JP`, …).
    pub encoding: &'static str,
    /// Whether malformed bytes were replaced with U+FFFD.
    pub had_errors: bool,
}

/// Decodes an HTML (or text) body. `content_type` is the HTTP header; `override_encoding` a
/// label from the source's config that beats everything else. Unknown labels are skipped.
pub fn decode_html(
    body: &[u8],
    content_type: Option<&str>,
    override_encoding: Option<&str>,
) -> Decoded {
    if let Some(enc) = override_encoding.and_then(encoding_for_label) {
        return decode_with(enc, body);
    }
    if let Some(enc) = content_type
        .and_then(charset_param)
        .and_then(|label| encoding_for_label(&label))
    {
        return decode_with(enc, body);
    }
    if let Some((enc, bom_len)) = Encoding::for_bom(body) {
        let (text, had_errors) = enc.decode_without_bom_handling(&body[bom_len..]);
        return Decoded {
            text: text.into_owned(),
            encoding: enc.name(),
            had_errors,
        };
    }
    if let Some(enc) = meta_charset(&body[..body.len().min(META_SCAN_BYTES)]) {
        return decode_with(enc, body);
    }
    sniff(body)
}

/// Decodes with a known encoding, dropping a BOM of that encoding.
fn decode_with(enc: &'static Encoding, body: &[u8]) -> Decoded {
    let (text, had_errors) = enc.decode_with_bom_removal(body);
    Decoded {
        text: text.into_owned(),
        encoding: enc.name(),
        had_errors,
    }
}

/// No declaration anywhere: ISO-2022-JP if it has its escapes, UTF-8 if valid, else the better of CP932 and EUC-JP.
fn sniff(body: &[u8]) -> Decoded {
    if looks_like_iso_2022_jp(body) {
        let d = decode_with(ISO_2022_JP, body);
        if !d.had_errors {
            return d;
        }
    }
    if let Ok(text) = std::str::from_utf8(body) {
        return Decoded {
            text: text.to_owned(),
            encoding: UTF_8.name(),
            had_errors: false,
        };
    }
    let sjis = decode_with(SHIFT_JIS, body);
    let euc = decode_with(EUC_JP, body);
    let pick_euc = match (sjis.had_errors, euc.had_errors) {
        (false, false) => japanese_score(&euc.text) > japanese_score(&sjis.text),
        (true, false) => true,
        (false, true) => false,
        (true, true) => replacement_count(&euc.text) < replacement_count(&sjis.text),
    };
    if pick_euc { euc } else { sjis }
}

/// ISO-2022-JP is 7-bit and switches to JIS X 0208 with `ESC $ B` (or `ESC $ @`).
fn looks_like_iso_2022_jp(body: &[u8]) -> bool {
    body.is_ascii() && body.windows(3).any(|w| w == b"\x1b$B" || w == b"\x1b$@")
}

/// How much a text reads like Japanese: kana and kanji count for, half-width katakana (what
/// EUC-JP turns into when misread as Shift_JIS) against.
fn japanese_score(text: &str) -> i64 {
    text.chars()
        .map(|c| match c as u32 {
            0x3040..=0x309F => 3,  // hiragana
            0x30A0..=0x30FF => 2,  // katakana
            0x4E00..=0x9FFF => 1,  // kanji
            0x3000..=0x303F => 1,  // CJK punctuation
            0xFF61..=0xFF9F => -2, // half-width katakana
            0xE000..=0xF8FF => -3, // private use
            _ => 0,
        })
        .sum()
}

fn replacement_count(text: &str) -> usize {
    text.chars().filter(|&c| c == '\u{FFFD}').count()
}

/// Maps a charset label to an encoding, with the Japanese aliases WHATWG lacks. Shift_JIS
/// variants all map to encoding_rs's Shift_JIS (= CP932). The "replacement" encoding is
/// refused: it would turn the whole page into U+FFFD.
pub fn encoding_for_label(label: &str) -> Option<&'static Encoding> {
    let label = label
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .trim()
        .to_ascii_lowercase();
    let enc = match label.as_str() {
        "cp932" | "ms932" | "windows-932" | "x-ms-cp932" | "ibm-943" | "sjis-open" | "sjis-win"
        | "x-sjis-open" | "shift_jis-2004" | "shift_jisx0213" | "shift-jisx0213" | "shiftjis" => {
            SHIFT_JIS
        }
        "eucjp" | "eucjp-win" | "eucjp-ms" | "euc-jp-ms" | "eucjpms" | "euc-jis-2004"
        | "euc-jisx0213" | "x-eucjp" => EUC_JP,
        "utf8" => UTF_8,
        _ => Encoding::for_label(label.as_bytes())?,
    };
    (enc != REPLACEMENT).then_some(enc)
}

/// The `charset` parameter of a `Content-Type`-like value (`text/html; charset="Shift_JIS"`).
fn charset_param(value: &str) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let at = lower.find("charset")?;
    let rest = value[at + "charset".len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let rest = rest.trim_start_matches(['"', '\'']);
    let end = rest
        .find(|c: char| c == '"' || c == '\'' || c == ';' || c == ',' || c.is_whitespace())
        .unwrap_or(rest.len());
    let label = &rest[..end];
    (!label.is_empty()).then(|| label.to_owned())
}

/// Finds `<meta charset=…>` or `<meta http-equiv="Content-Type" content="…; charset=…">` in
/// the head of a document. A UTF-16 declaration in markup means UTF-8 (as browsers do: the
/// markup could not have been read if it were UTF-16).
fn meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let mut i = 0;
    while i < head.len() {
        if head[i..].starts_with(b"<!--") {
            i = find(head, i + 4, b"-->").map_or(head.len(), |end| end + 3);
            continue;
        }
        if head[i] == b'<'
            && head.len() >= i + 6
            && head[i + 1..i + 5].eq_ignore_ascii_case(b"meta")
            && matches!(head[i + 5], b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/')
        {
            let (attrs, end) = parse_attributes(head, i + 5);
            i = end;
            let mut charset = None;
            let mut http_equiv_ct = false;
            let mut content = None;
            for (name, value) in attrs {
                match name.as_str() {
                    "charset" if charset.is_none() => charset = Some(value),
                    "http-equiv" => http_equiv_ct |= value.eq_ignore_ascii_case("content-type"),
                    "content" if content.is_none() => content = Some(value),
                    _ => {}
                }
            }
            let label = charset.or_else(|| {
                if http_equiv_ct {
                    content.as_deref().and_then(charset_param)
                } else {
                    None
                }
            });
            if let Some(enc) = label.as_deref().and_then(encoding_for_label) {
                return Some(if enc == UTF_16LE || enc == UTF_16BE {
                    UTF_8
                } else {
                    enc
                });
            }
            continue;
        }
        i += 1;
    }
    None
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Parses attributes from `start` to the closing `>`; returns them (names lower-cased, values
/// as lossy text) and the index after the tag.
fn parse_attributes(bytes: &[u8], start: usize) -> (Vec<(String, String)>, usize) {
    let mut attrs = Vec::new();
    let mut i = start;
    let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c');
    loop {
        while i < bytes.len() && (is_space(bytes[i]) || bytes[i] == b'/') {
            i += 1;
        }
        if i >= bytes.len() {
            return (attrs, i);
        }
        if bytes[i] == b'>' {
            return (attrs, i + 1);
        }
        let name_start = i;
        while i < bytes.len() && !is_space(bytes[i]) && !matches!(bytes[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = String::from_utf8_lossy(&bytes[name_start..i]).to_ascii_lowercase();
        while i < bytes.len() && is_space(bytes[i]) {
            i += 1;
        }
        let mut value = String::new();
        if i < bytes.len() && bytes[i] == b'=' {
            i += 1;
            while i < bytes.len() && is_space(bytes[i]) {
                i += 1;
            }
            if i < bytes.len() && (bytes[i] == b'"' || bytes[i] == b'\'') {
                let quote = bytes[i];
                i += 1;
                let value_start = i;
                while i < bytes.len() && bytes[i] != quote {
                    i += 1;
                }
                value = String::from_utf8_lossy(&bytes[value_start..i]).into_owned();
                i = (i + 1).min(bytes.len());
            } else {
                let value_start = i;
                while i < bytes.len() && !is_space(bytes[i]) && bytes[i] != b'>' {
                    i += 1;
                }
                value = String::from_utf8_lossy(&bytes[value_start..i]).into_owned();
            }
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn sjis(s: &str) -> Vec<u8> {
        let (b, _, unmappable) = SHIFT_JIS.encode(s);
        assert!(!unmappable, "{s}");
        b.into_owned()
    }

    fn eucjp(s: &str) -> Vec<u8> {
        let (b, _, unmappable) = EUC_JP.encode(s);
        assert!(!unmappable, "{s}");
        b.into_owned()
    }

    const NOTICE: &str =
        "令和7年度 ㈱山田建設 第Ⅱ期 ①入札公告 髙橋 ～ 〒100-0001 予定価格 1,234,000円";

    #[test]
    fn shift_jis_from_meta_charset_only_is_cp932() {
        let html = format!(
            "<!DOCTYPE html><html><head><META CHARSET=\"Shift_JIS\"><title>入札</title></head><body>{NOTICE}</body></html>"
        );
        let d = decode_html(&sjis(&html), Some("text/html"), None);
        assert_eq!(d.encoding, "Shift_JIS");
        assert!(!d.had_errors);
        assert!(d.text.contains(NOTICE), "{}", d.text);
        for c in ["①", "㈱", "Ⅱ", "髙", "～"] {
            assert!(d.text.contains(c), "{c}");
        }
    }

    #[test]
    fn http_equiv_and_cp932_labels() {
        for label in [
            "x-sjis",
            "Windows-31J",
            "cp932",
            "MS932",
            "shift-jis",
            "SJIS",
        ] {
            let html = format!(
                "<html><head>\n<!-- <meta charset=\"utf-8\"> inside a comment is ignored -->\n<meta http-equiv='Content-Type' content='text/html; charset={label}'>\n</head><body>{NOTICE}</body></html>"
            );
            let d = decode_html(&sjis(&html), None, None);
            assert_eq!(d.encoding, "Shift_JIS", "{label}");
            assert!(d.text.contains(NOTICE), "{label}");
        }
    }

    #[test]
    fn http_charset_beats_meta_and_override_beats_both() {
        let html = format!("<meta charset=\"utf-8\"><p>{NOTICE}</p>");
        let bytes = eucjp(&html);
        let d = decode_html(&bytes, Some("text/html; charset=\"EUC-JP\""), None);
        assert_eq!(d.encoding, "EUC-JP");
        assert!(d.text.contains(NOTICE));
        let d = decode_html(&bytes, Some("text/html; charset=utf-8"), Some("euc-jp"));
        assert_eq!(d.encoding, "EUC-JP");
        assert!(d.text.contains(NOTICE));
        // an unknown override label is skipped
        let d = decode_html(&bytes, Some("text/html;charset=eucJP-win"), Some("klingon"));
        assert_eq!(d.encoding, "EUC-JP");
    }

    #[test]
    fn undeclared_euc_jp_and_shift_jis_are_told_apart() {
        let text = format!("<html><body><h1>入札結果のお知らせ</h1><p>{NOTICE}</p></body></html>");
        let d = decode_html(&eucjp(&text), None, None);
        assert_eq!(d.encoding, "EUC-JP");
        assert!(d.text.contains("入札結果のお知らせ"));
        let d = decode_html(&sjis(&text), None, None);
        assert_eq!(d.encoding, "Shift_JIS");
        assert!(d.text.contains(NOTICE));
    }

    #[test]
    fn utf8_bom_and_plain() {
        let d = decode_html(format!("<p>{NOTICE}</p>").as_bytes(), None, None);
        assert_eq!(d.encoding, "UTF-8");
        assert!(!d.had_errors);
        assert!(d.text.contains(NOTICE));
        let mut with_bom = b"\xEF\xBB\xBF".to_vec();
        with_bom.extend_from_slice(format!("<meta charset=shift_jis>{NOTICE}").as_bytes());
        let d = decode_html(&with_bom, None, None);
        assert_eq!(d.encoding, "UTF-8");
        assert!(d.text.starts_with("<meta"));
        // a declared UTF-8 page keeps working with its BOM removed
        let d = decode_html(&with_bom, Some("text/html; charset=UTF-8"), None);
        assert!(d.text.starts_with("<meta"));
        // <meta charset=utf-16> in ASCII markup means UTF-8
        let d = decode_html(b"<meta charset=\"utf-16\"><p>abc</p>", None, None);
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn iso_2022_jp_is_recognised() {
        let (bytes, _, _) = ISO_2022_JP.encode("入札公告のお知らせ");
        let d = decode_html(&bytes, None, None);
        assert_eq!(d.encoding, "ISO-2022-JP");
        assert_eq!(d.text, "入札公告のお知らせ");
    }

    #[test]
    fn broken_bytes_never_panic() {
        let mut bytes = sjis("入札公告");
        bytes.extend_from_slice(&[0x82, 0xff, 0x00, 0x81]);
        let d = decode_html(&bytes, None, None);
        assert!(d.had_errors);
        assert!(d.text.contains("入札"));
        for junk in [
            &b"<meta"[..],
            b"<meta charset",
            b"<meta charset=",
            b"<meta charset='",
            b"<!--",
            b"<meta http-equiv=content-type content",
            b"\xff\xfe\xfd",
            b"",
        ] {
            let _ = decode_html(junk, Some("text/html; charset"), None);
            let _ = decode_html(junk, None, Some(""));
        }
        // a replacement-encoding label is not used
        let d = decode_html(b"<p>abc</p>", Some("text/html; charset=iso-2022-kr"), None);
        assert_eq!(d.text, "<p>abc</p>");
    }

    #[test]
    fn charset_param_forms() {
        assert_eq!(
            charset_param("text/html; charset=Shift_JIS").as_deref(),
            Some("Shift_JIS")
        );
        assert_eq!(
            charset_param("text/html;charset=\"euc-jp\"").as_deref(),
            Some("euc-jp")
        );
        assert_eq!(
            charset_param("text/html; CHARSET = utf-8 ;").as_deref(),
            Some("utf-8")
        );
        assert_eq!(charset_param("text/html"), None);
        assert_eq!(charset_param("text/html; charset="), None);
    }
}
