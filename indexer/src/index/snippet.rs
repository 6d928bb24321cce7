//! Highlighted, HTML-escaped snippets.
//!
//! Matching happens on the [normalised](super::normalize) text, so `ｼｽﾃﾑ` in a document is
//! highlighted for the query `システム` and `サーバー` for the query `サーバ`; the highlighted
//! ranges are mapped back onto the original text, which is what the snippet shows. Latin and
//! digit strings only match whole words (`led` does not highlight inside `called`).

use super::normalize::{Normalized, normalize};

/// Maximum length of a snippet, in characters.
pub const SNIPPET_CHARS: usize = 160;
/// Characters shown before the first highlighted match.
const LEADING_CONTEXT: usize = 30;
/// Only this many leading bytes of a long body are searched for highlights.
const MAX_SCAN_BYTES: usize = 64 * 1024;

/// Byte ranges of the original `text` where any of `needles` occurs, sorted and merged.
pub fn highlight_ranges(text: &str, needles: &[String]) -> Vec<(usize, usize)> {
    let text = truncate_to_char_boundary(text, MAX_SCAN_BYTES);
    let norm = normalize(text);
    let mut ranges = Vec::new();
    for needle in needles {
        let n = normalize(needle).text;
        let n = n.trim();
        if n.is_empty() {
            continue;
        }
        let ascii_word = n.bytes().all(|b| b.is_ascii_alphanumeric());
        for (at, m) in norm.text.match_indices(n) {
            let end = at + m.len();
            if ascii_word && !is_word_boundary(&norm, at, end) {
                continue;
            }
            ranges.push(norm.original_range(at, end));
        }
    }
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

fn is_word_boundary(norm: &Normalized, start: usize, end: usize) -> bool {
    let before = norm.text[..start].chars().next_back();
    let after = norm.text[end..].chars().next();
    !before.is_some_and(|c| c.is_ascii_alphanumeric())
        && !after.is_some_and(|c| c.is_ascii_alphanumeric())
}

fn truncate_to_char_boundary(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Builds the snippet of a hit: a window of the body around the densest matches (else of the
/// title, else the start of the body), HTML-escaped, matches wrapped in `<mark>…</mark>`.
pub fn make_snippet(title: &str, body: &str, needles: &[String]) -> String {
    let body_ranges = highlight_ranges(body, needles);
    if !body_ranges.is_empty() {
        return render(body, &body_ranges);
    }
    let title_ranges = highlight_ranges(title, needles);
    if !title_ranges.is_empty() || body.trim().is_empty() {
        return render(title, &title_ranges);
    }
    render(body, &[])
}

/// Renders a window of `text` containing as many of `ranges` as possible.
fn render(text: &str, ranges: &[(usize, usize)]) -> String {
    // Char boundaries, so the window is measured in characters.
    let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
    let char_at = |byte: usize| starts.partition_point(|&s| s < byte);
    let byte_of = |ch: usize| starts.get(ch).copied().unwrap_or(text.len());

    let mut best = (0usize, 0usize); // (window start char, matches covered)
    for (i, &(a, _)) in ranges.iter().enumerate() {
        let start = char_at(a).saturating_sub(LEADING_CONTEXT);
        let end_byte = byte_of(start + SNIPPET_CHARS);
        let covered = ranges[i..].iter().take_while(|r| r.1 <= end_byte).count();
        if covered > best.1 {
            best = (start, covered);
        }
    }
    let window_start = byte_of(best.0);
    let window_end = byte_of(best.0 + SNIPPET_CHARS);

    let mut html = String::with_capacity(SNIPPET_CHARS * 4);
    if window_start > 0 {
        html.push('…');
    }
    let mut cursor = window_start;
    for &(a, b) in ranges {
        if b <= window_start || a >= window_end {
            continue;
        }
        let (a, b) = (a.max(window_start), b.min(window_end));
        push_escaped(&mut html, &text[cursor..a]);
        html.push_str("<mark>");
        push_escaped(&mut html, &text[a..b]);
        html.push_str("</mark>");
        cursor = b;
    }
    push_escaped(&mut html, &text[cursor..window_end]);
    if window_end < text.len() {
        html.push('…');
    }
    html
}

/// Appends `s` HTML-escaped, with runs of whitespace collapsed to one space.
fn push_escaped(out: &mut String, s: &str) {
    let mut in_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
            continue;
        }
        in_space = false;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn test_highlights_inside_compounds_and_escapes_html() {
        let html = make_snippet("t", "<b>関西国際空港</b> & 周辺", &s(&["空港"]));
        assert_eq!(
            html,
            "&lt;b&gt;関西国際<mark>空港</mark>&lt;/b&gt; &amp; 周辺"
        );
    }

    #[test]
    fn test_highlights_original_width_forms() {
        let html = make_snippet("t", "ｼｽﾃﾑ更新とサーバー保守", &s(&["システム", "サーバ"]));
        assert_eq!(html, "<mark>ｼｽﾃﾑ</mark>更新と<mark>サーバ</mark>ー保守");
    }

    #[test]
    fn test_latin_words_match_whole_words_only() {
        let html = make_snippet("t", "LED照明 called", &s(&["led"]));
        assert_eq!(html, "<mark>LED</mark>照明 called");
    }

    #[test]
    fn test_falls_back_to_title_then_body_start() {
        assert_eq!(
            make_snippet("学校給食", "本文", &s(&["給食"])),
            "学校<mark>給食</mark>"
        );
        assert_eq!(make_snippet("題", "本文です", &s(&["無関係"])), "本文です");
    }

    #[test]
    fn test_long_text_is_windowed_around_matches() {
        let body = format!("{}給食{}", "あ".repeat(300), "い".repeat(300));
        let html = make_snippet("t", &body, &s(&["給食"]));
        assert!(html.starts_with('…') && html.ends_with('…'), "{html}");
        assert!(html.contains("<mark>給食</mark>"));
        assert!(html.chars().count() < SNIPPET_CHARS + 20);
    }
}
