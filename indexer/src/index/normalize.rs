//! Character normalisation shared by both analyzers, with a map back to the original text.
//!
//! Steps, per character cluster (a base character plus any combining marks, including the
//! half-width voiced marks `ﾞ` and `ﾟ`):
//!
//! 1. NFKC — folds full-width ASCII (`ＬＥＤ` → `LED`, `３００` → `300`), half-width katakana
//!    (`ｼｽﾃﾑ` → `システム`, `ﾃﾞｰﾀ` → `データ`) and compatibility forms (`㈱` → `(株)`, `①` → `1`);
//! 2. lower-casing (`LED` → `led`);
//! 3. iteration marks: `々` repeats the preceding kanji (`各々` → `各各`), `ゝ`/`ヽ` the preceding
//!    kana.
//!
//! Every output byte remembers the byte range of the original cluster it came from, so token
//! offsets computed on the normalised text can be translated back to the stored text and
//! snippets highlight the right characters even when normalisation changed lengths.

use std::cell::RefCell;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalised text plus, for each of its bytes, the original byte range it came from.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    /// The normalised text.
    pub text: String,
    /// For each byte of `text`: the start of the original cluster it came from.
    orig_start: Vec<u32>,
    /// For each byte of `text`: the end of the original cluster it came from.
    orig_end: Vec<u32>,
}

impl Normalized {
    /// Translates a byte range of the normalised text into a byte range of the original text.
    ///
    /// `from..to` must be a non-empty range on character boundaries of [`Normalized::text`].
    pub fn original_range(&self, from: usize, to: usize) -> (usize, usize) {
        let start = self.orig_start.get(from).copied().unwrap_or(0) as usize;
        let end = to
            .checked_sub(1)
            .and_then(|last| self.orig_end.get(last))
            .copied()
            .unwrap_or(start as u32) as usize;
        (start, end.max(start))
    }
}

/// Whether `c` attaches to the preceding character for normalisation purposes.
fn is_cluster_continuation(c: char) -> bool {
    // Every combining mark lies at or above U+0300, and none is common kana or kanji: skip the
    // table lookup for those.
    c >= '\u{300}'
        && (matches!(c, '\u{FF9E}' | '\u{FF9F}' | '\u{3099}' | '\u{309A}')
            || (!is_nfkc_stable_japanese(c) && is_combining_mark(c)))
}

/// Whether `c` is a CJK ideograph (including the extension blocks commonly met).
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{4E00}'..='\u{9FFF}'
        | '\u{3400}'..='\u{4DBF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}'
        | '々' | '〆' | '〇' | 'ヶ')
}

/// Whether `c` is hiragana.
pub fn is_hiragana(c: char) -> bool {
    matches!(c, '\u{3041}'..='\u{309F}')
}

/// Whether `c` is full-width katakana, including the long-vowel mark `ー`.
pub fn is_katakana(c: char) -> bool {
    matches!(c, '\u{30A0}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}')
}

/// `char::is_alphanumeric`, answered without the Unicode table lookup for the characters
/// Japanese text is mostly made of: common kanji, kana and Japanese punctuation.
pub fn is_alphanumeric(c: char) -> bool {
    match c {
        _ if c.is_ascii() => c.is_ascii_alphanumeric(),
        // CJK unified ideographs, hiragana and katakana letters: all letters (Lo).
        '\u{4E00}'..='\u{9FFF}' | '\u{3041}'..='\u{3096}' | '\u{30A1}'..='\u{30FA}' => true,
        // Ideographic space, 、。〃〄, brackets, 〒〓, 〜 and 〝〞〟〠: no letter or digit.
        '\u{3000}'..='\u{3004}' | '\u{3008}'..='\u{3020}' => false,
        _ => c.is_alphanumeric(),
    }
}

/// Whether `c` is Japanese script (kanji, hiragana or katakana).
pub fn is_cjk(c: char) -> bool {
    is_han(c) || is_hiragana(c) || is_katakana(c)
}

/// Normalises `input` (NFKC, lower case, iteration marks) and keeps the offset map.
pub fn normalize(input: &str) -> Normalized {
    let mut out = Normalized::default();
    normalize_into(input, &mut out);
    out
}

thread_local! {
    /// The last text normalised on this thread by [`with_normalized`], and its normalisation.
    static LAST: RefCell<(String, Normalized)> = RefCell::new(Default::default());
}

/// Runs `f` on the normalisation of `input`, reusing this thread's previous result when
/// `input` is the same text. Both analyzers see every text one after the other (tantivy indexes
/// a document's fields in field order: `title`, `title_bigram`, `body`, `body_bigram`), so each
/// text is normalised once, into buffers that are reused from document to document.
///
/// `f` must not call `with_normalized` itself.
pub fn with_normalized<R>(input: &str, f: impl FnOnce(&Normalized) -> R) -> R {
    LAST.with(|cell| match cell.try_borrow_mut() {
        Ok(mut last) => {
            let (source, norm) = &mut *last;
            if source != input {
                source.clear();
                source.push_str(input);
                normalize_into(input, norm);
            }
            f(norm)
        }
        // Re-entered: normalise without the cache.
        Err(_) => f(&normalize(input)),
    })
}

/// Normalises `input` into `out`, reusing its buffers.
pub fn normalize_into(input: &str, out: &mut Normalized) {
    out.text.clear();
    out.orig_start.clear();
    out.orig_end.clear();
    out.text.reserve(input.len());
    out.orig_start.reserve(input.len());
    out.orig_end.reserve(input.len());
    let mut prev: Option<char> = None;
    let mut chars = input.char_indices().peekable();
    let mut cluster = String::new();
    while let Some((start, c)) = chars.next() {
        // Fast path: ASCII not followed by a combining mark.
        let next_joins = chars
            .peek()
            .is_some_and(|&(_, n)| is_cluster_continuation(n));
        if c.is_ascii() && !next_joins {
            let lower = c.to_ascii_lowercase();
            push(out, lower, start, start + 1);
            prev = Some(lower);
            continue;
        }
        // Fast path: kana, common kanji and Japanese punctuation are NFKC-stable and caseless.
        if !next_joins && is_nfkc_stable_japanese(c) {
            push(out, c, start, start + c.len_utf8());
            prev = Some(c);
            continue;
        }
        cluster.clear();
        cluster.push(c);
        let mut end = start + c.len_utf8();
        while let Some(&(i, n)) = chars.peek() {
            if !is_cluster_continuation(n) {
                break;
            }
            cluster.push(n);
            end = i + n.len_utf8();
            chars.next();
        }
        for nc in cluster.nfkc() {
            let folded = match nc {
                '々' | '〻' => prev.filter(|p| is_han(*p) && *p != '々').unwrap_or(nc),
                'ゝ' => prev.filter(|p| is_hiragana(*p)).unwrap_or(nc),
                'ヽ' => prev.filter(|p| is_katakana(*p) && *p != 'ー').unwrap_or(nc),
                _ => nc,
            };
            if folded.is_uppercase() {
                for lc in folded.to_lowercase() {
                    push(out, lc, start, end);
                    prev = Some(lc);
                }
            } else {
                push(out, folded, start, end);
                prev = Some(folded);
            }
        }
    }
}

/// Characters that NFKC leaves alone and that need no other folding (checked in the tests).
fn is_nfkc_stable_japanese(c: char) -> bool {
    matches!(c,
        '\u{3041}'..='\u{3096}'
        | '\u{30A1}'..='\u{30FA}'
        | 'ー'
        | '\u{4E00}'..='\u{9FFF}'
        | '、' | '。' | '「' | '」' | '『' | '』' | '・')
}

fn push(out: &mut Normalized, c: char, start: usize, end: usize) {
    out.text.push(c);
    for _ in 0..c.len_utf8() {
        out.orig_start.push(start as u32);
        out.orig_end.push(end as u32);
    }
}

/// Removes a trailing long-vowel mark from a katakana word of at least four characters
/// (`サーバー` → `サーバ`, `コンピューター` → `コンピュータ`; `コピー` is kept), as
/// kuromoji's stemmer does.
pub fn fold_katakana_long_vowel(word: &str) -> &str {
    let count = word.chars().count();
    if count >= 4 && word.ends_with('ー') && word.chars().all(is_katakana) {
        &word[..word.len() - 'ー'.len_utf8()]
    } else {
        word
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn test_fast_alphanumeric_agrees_with_std() {
        for c in ('\u{0}'..='\u{FFFF}').chain('\u{20000}'..='\u{20FFF}') {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn test_nfkc_width_and_case() {
        let n = normalize("ＬＥＤ照明　ｼｽﾃﾑ ﾃﾞｰﾀ ３００件");
        assert_eq!(n.text, "led照明 システム データ 300件");
    }

    #[test]
    fn test_offsets_point_into_original() {
        let original = "ｼｽﾃﾑのﾃﾞｰﾀ";
        let n = normalize(original);
        assert_eq!(n.text, "システムのデータ");
        // "データ" in the normalised text.
        let from = n.text.find("データ").unwrap();
        let to = from + "データ".len();
        let (a, b) = n.original_range(from, to);
        assert_eq!(&original[a..b], "ﾃﾞｰﾀ");
        let (a, b) = n.original_range(0, "システム".len());
        assert_eq!(&original[a..b], "ｼｽﾃﾑ");
    }

    #[test]
    fn test_expanding_compatibility_characters_map_to_their_source() {
        let original = "㈱山田";
        let n = normalize(original);
        assert_eq!(n.text, "(株)山田");
        let from = n.text.find('株').unwrap();
        let (a, b) = n.original_range(from, from + '株'.len_utf8());
        assert_eq!(&original[a..b], "㈱");
    }

    #[test]
    fn test_iteration_marks() {
        assert_eq!(normalize("各々の時々").text, "各各の時時");
        assert_eq!(normalize("々").text, "々");
    }

    #[test]
    fn test_fast_path_characters_are_nfkc_stable() {
        let ranges = [
            ('\u{3041}', '\u{3096}'),
            ('\u{30A1}', '\u{30FA}'),
            ('\u{4E00}', '\u{9FFF}'),
        ];
        for (lo, hi) in ranges {
            for c in lo..=hi {
                let s = c.to_string();
                assert_eq!(s.nfkc().collect::<String>(), s, "{c}");
                assert!(!c.is_uppercase());
            }
        }
        for c in ['ー', '、', '。', '「', '」', '『', '』', '・'] {
            assert_eq!(c.to_string().nfkc().collect::<String>(), c.to_string());
        }
    }

    #[test]
    fn test_long_vowel_folding() {
        assert_eq!(fold_katakana_long_vowel("サーバー"), "サーバ");
        assert_eq!(fold_katakana_long_vowel("コンピューター"), "コンピュータ");
        assert_eq!(fold_katakana_long_vowel("コピー"), "コピー");
        assert_eq!(fold_katakana_long_vowel("データ"), "データ");
        assert_eq!(fold_katakana_long_vowel("給食ー"), "給食ー");
    }

    #[test]
    fn test_with_normalized_matches_normalize_across_texts() {
        for text in ["ｼｽﾃﾑ", "ｼｽﾃﾑ", "㈱山田の各々", "", "ＬＥＤ", "ｼｽﾃﾑ"]
        {
            let fresh = normalize(text);
            with_normalized(text, |n| {
                assert_eq!(n.text, fresh.text);
                assert_eq!(n.orig_start, fresh.orig_start);
                assert_eq!(n.orig_end, fresh.orig_end);
            });
        }
    }
}
