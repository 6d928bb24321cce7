//! The morphological analyzer: lindera with IPADIC, behind our own tantivy tokenizer adapter.
//!
//! The chain follows kuromoji's standard Japanese analyzer:
//! [normalisation](super::normalize) (NFKC, width folding, lower case, iteration marks) →
//! lindera IPADIC segmentation in normal mode → base forms for inflected words (`行った` →
//! `行う`) → particles (助詞), auxiliary verbs (助動詞) and symbols (記号) dropped → katakana
//! long-vowel folding for words of four or more characters (`サーバー` → `サーバ`).
//!
//! IPADIC splits Latin and digit runs by character class (`4G` → `4` + `g`); adjacent ASCII
//! letter and digit tokens are merged back into one token (`4g`, `ict`, `windows10`).
//!
//! Positions count every morpheme, including dropped ones, so a quoted phrase analysed the same
//! way matches with the same gaps. Offsets point into the original text.
//!
//! The dictionary is loaded once per process; each thread keeps its own lindera worker so the
//! Viterbi lattice is reused between documents.

use std::cell::RefCell;
use std::sync::OnceLock;

use lindera::dictionary::{Dictionary, WordId, load_dictionary};
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use lindera::worker::SegmentWorker;
use tantivy::tokenizer::{Token, Tokenizer};

use super::normalize::{Normalized, fold_katakana_long_vowel, is_alphanumeric, with_normalized};
use super::token_stream::{BufTokenStream, TokenBuf, stream_with, tokens_with};

/// The name under which the morphological analyzer is registered.
pub const MORPH_TOKENIZER: &str = "ja_morph";

static SEGMENTER: OnceLock<Result<Segmenter, String>> = OnceLock::new();

thread_local! {
    static WORKER: RefCell<Option<SegmentWorker>> = const { RefCell::new(None) };
    static POS_CACHE: RefCell<Vec<PosEntry>> = const { RefCell::new(Vec::new()) };
}

/// Slots of the per-thread part-of-speech cache, a direct-mapped table keyed by word id: the
/// words of a corpus repeat, and reading an entry's details from the dictionary validates and
/// splits its whole detail record.
const POS_CACHE_SLOTS: usize = 8192;

/// One slot of the part-of-speech cache.
#[derive(Clone, Copy)]
struct PosEntry {
    /// [`cache_key`] of the word, `u64::MAX` when the slot is empty.
    key: u64,
    pos: &'static str,
    base: Option<&'static str>,
}

/// A word id as a cache key (the id alone is ambiguous between the system and unknown-word
/// lexicons).
fn cache_key(word_id: WordId) -> u64 {
    (u64::from(word_id.id()) << 2)
        | (u64::from(word_id.is_unknown()) << 1)
        | u64::from(word_id.is_system())
}

/// Returns the process-wide segmenter, loading the embedded IPADIC dictionary on first use.
pub fn segmenter() -> Result<&'static Segmenter, String> {
    SEGMENTER
        .get_or_init(|| {
            load_dictionary("embedded://ipadic")
                .map(|dict| Segmenter::new(Mode::Normal, dict, None))
                .map_err(|e| format!("cannot load the IPADIC dictionary: {e}"))
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The morphological tokenizer. Construct it with [`MorphTokenizer::new`], which loads the
/// dictionary (once per process).
#[derive(Debug, Clone)]
pub struct MorphTokenizer {
    _private: (),
}

impl MorphTokenizer {
    /// Creates the tokenizer, failing when the dictionary cannot be loaded.
    pub fn new() -> Result<MorphTokenizer, String> {
        segmenter()?;
        Ok(MorphTokenizer { _private: () })
    }
}

impl Tokenizer for MorphTokenizer {
    type TokenStream<'a> = BufTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BufTokenStream {
        stream_with(|buf| with_normalized(text, |norm| analyse(norm, buf)))
    }
}

/// One morpheme as lindera reports it, on the normalised text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Morpheme {
    /// Byte range in the normalised text.
    pub start: usize,
    /// End of the byte range in the normalised text.
    pub end: usize,
    /// The surface form.
    pub surface: String,
    /// Part of speech (品詞), e.g. `名詞`.
    pub pos: String,
    /// Dictionary (base) form of an inflected word (動詞, 形容詞, 形容動詞), when known.
    pub base_form: Option<String>,
}

/// What the analyzer needs of a dictionary entry: its part of speech (the first detail field)
/// and, for inflected words, its base form (the seventh). Read straight from the dictionary's
/// bytes, without materialising the token's detail list.
fn pos_and_base(
    dictionary: &'static Dictionary,
    word_id: WordId,
) -> (&'static str, Option<&'static str>) {
    let mut fields = if word_id.is_unknown() {
        dictionary.unknown_word_details_iter(word_id.id() as usize)
    } else if word_id.is_system() {
        dictionary.word_details_iter(word_id.id() as usize)
    } else {
        // No user dictionary is configured.
        return ("UNK", None);
    };
    let pos = fields.next().unwrap_or("UNK");
    let base = if is_inflected_pos(pos) {
        fields.nth(5).filter(|b| *b != "*" && !b.is_empty())
    } else {
        None
    };
    (pos, base)
}

fn is_inflected_pos(pos: &str) -> bool {
    matches!(pos, "動詞" | "形容詞" | "形容動詞")
}

/// Runs lindera on `text` with this thread's worker and calls `f` with each morpheme's byte
/// range, part of speech and base form. Calls nothing if segmentation fails (it only fails on
/// a broken dictionary, which [`MorphTokenizer::new`] has already ruled out).
fn for_each_morpheme(text: &str, mut f: impl FnMut(usize, usize, &str, Option<&str>)) {
    let Ok(segmenter) = segmenter() else {
        return;
    };
    let dictionary = &segmenter.dictionary;
    WORKER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let worker = slot.get_or_insert_with(|| segmenter.new_worker());
        let tokens = worker.segment(text);
        POS_CACHE.with(|cache| {
            let mut cache = cache.borrow_mut();
            if cache.is_empty() {
                cache.resize(
                    POS_CACHE_SLOTS,
                    PosEntry {
                        key: u64::MAX,
                        pos: "",
                        base: None,
                    },
                );
            }
            match tokens {
                Ok(tokens) => {
                    for t in &tokens {
                        let key = cache_key(t.word_id);
                        let entry = &mut cache[(key >> 2) as usize % POS_CACHE_SLOTS];
                        if entry.key != key {
                            let (pos, base) = pos_and_base(dictionary, t.word_id);
                            *entry = PosEntry { key, pos, base };
                        }
                        f(t.byte_start, t.byte_end, entry.pos, entry.base);
                    }
                }
                Err(e) => tracing::warn!("lindera segmentation failed: {e}"),
            }
        });
    });
}

/// Runs lindera on normalised text. Returns an empty list if segmentation fails (it only fails
/// on a broken dictionary, which [`MorphTokenizer::new`] has already ruled out).
pub fn segment(text: &str) -> Vec<Morpheme> {
    let mut out = Vec::new();
    for_each_morpheme(text, |start, end, pos, base| {
        out.push(Morpheme {
            start,
            end,
            surface: text[start..end].to_string(),
            pos: pos.to_string(),
            base_form: base.map(str::to_string),
        });
    });
    out
}

fn is_ascii_word(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Parts of speech that carry no search meaning. (Tokens without any letter or digit, such as
/// ASCII punctuation that IPADIC tags as nouns after NFKC, are dropped as well.)
fn is_dropped_pos(pos: &str) -> bool {
    matches!(pos, "助詞" | "助動詞" | "記号" | "フィラー" | "BOS/EOS")
}

/// Tokenises `text` into index terms with offsets into `text`.
pub fn morph_tokens(text: &str) -> Vec<Token> {
    tokens_with(|buf| with_normalized(text, |norm| analyse(norm, buf)))
}

/// Tokenises already normalised text; offsets point into the original text.
pub fn morph_tokens_normalized(norm: &Normalized) -> Vec<Token> {
    tokens_with(|buf| analyse(norm, buf))
}

/// The analysis proper: lindera on the normalised text, filtered and folded into `buf`.
fn analyse(norm: &Normalized, buf: &mut TokenBuf) {
    let text = norm.text.as_str();
    // The last token came from an ASCII word ending at this normalised byte.
    let mut ascii_run_end: Option<usize> = None;
    let mut ascii_run_start = 0usize;
    let mut position = 0usize;
    for_each_morpheme(text, |start, end, pos, base| {
        let this = position;
        position += 1;
        let surface = &text[start..end];
        if is_ascii_word(surface) {
            if ascii_run_end == Some(start) && !buf.is_empty() {
                // Merge `4` + `g` back into `4g`.
                let (_, to) = norm.original_range(ascii_run_start, end);
                buf.extend_last(surface, to);
            } else {
                ascii_run_start = start;
                let (from, to) = norm.original_range(start, end);
                buf.push(surface, from, to, this);
            }
            ascii_run_end = Some(end);
            return;
        }
        ascii_run_end = None;
        if is_dropped_pos(pos) || !surface.chars().any(is_alphanumeric) {
            return;
        }
        let term = base.unwrap_or(surface);
        let term = fold_katakana_long_vowel(term);
        let (from, to) = norm.original_range(start, end);
        buf.push(term, from, to, this);
    });
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        morph_tokens(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn test_particles_dropped_and_long_vowels_folded() {
        let t = texts("サーバーの保守を行った");
        assert!(t.contains(&"サーバ".to_string()), "{t:?}");
        assert!(t.contains(&"保守".to_string()), "{t:?}");
        assert!(t.contains(&"行う".to_string()), "{t:?}");
        assert!(!t.contains(&"の".to_string()), "{t:?}");
        assert!(!t.contains(&"を".to_string()), "{t:?}");
        assert!(!t.contains(&"た".to_string()), "{t:?}");
    }

    #[test]
    fn test_half_width_katakana_and_full_width_latin() {
        assert_eq!(texts("ｼｽﾃﾑ"), texts("システム"));
        assert_eq!(texts("ＬＥＤ"), ["led"]);
        assert_eq!(texts("4G対応"), ["4g", "対応"]);
        assert_eq!(texts("ICT"), ["ict"]);
    }

    #[test]
    fn test_offsets_point_into_original_text() {
        let original = "ｼｽﾃﾑ更新";
        let tokens = morph_tokens(original);
        let first = &tokens[0];
        assert_eq!(first.text, "システム");
        assert_eq!(&original[first.offset_from..first.offset_to], "ｼｽﾃﾑ");
        let last = tokens.last().unwrap();
        assert_eq!(&original[last.offset_from..last.offset_to], "更新");
    }

    #[test]
    fn test_positions_count_dropped_morphemes() {
        let tokens = morph_tokens("学校の給食");
        let positions: Vec<(String, usize)> = tokens
            .iter()
            .map(|t| (t.text.clone(), t.position))
            .collect();
        assert_eq!(
            positions,
            [("学校".to_string(), 0), ("給食".to_string(), 2)]
        );
    }

    #[test]
    fn test_symbols_dropped() {
        let t = texts("【入札公告】道路補修工事（第２工区）");
        assert!(
            !t.iter().any(|s| s.contains('【') || s.contains('(')),
            "{t:?}"
        );
        assert!(t.contains(&"道路".to_string()), "{t:?}");
    }

    #[test]
    fn test_tokenizers_stream_what_the_functions_return() {
        use super::super::bigram::{BigramTokenizer, bigram_tokens};
        use tantivy::tokenizer::{TextAnalyzer, TokenStream};

        fn streamed(analyzer: &mut TextAnalyzer, text: &str) -> Vec<Token> {
            let mut stream = analyzer.token_stream(text);
            let mut out = Vec::new();
            while stream.advance() {
                out.push(stream.token().clone());
            }
            out
        }
        let mut morph = TextAnalyzer::from(MorphTokenizer::new().unwrap());
        let mut bigram = TextAnalyzer::from(BigramTokenizer);
        // Alternating and repeated texts exercise the per-thread normalisation cache and the
        // pooled buffers.
        for text in [
            "ｼｽﾃﾑ更新",
            "ｼｽﾃﾑ更新",
            "4G対応のＬＥＤ照明を購入した",
            "",
            "ｼｽﾃﾑ更新",
            "関西国際空港 各々",
        ] {
            assert_eq!(streamed(&mut morph, text), morph_tokens(text), "{text}");
            assert_eq!(streamed(&mut bigram, text), bigram_tokens(text), "{text}");
        }
        let t: Vec<String> = streamed(&mut morph, "4G対応のＬＥＤ照明を購入した")
            .into_iter()
            .map(|t| t.text)
            .collect();
        assert_eq!(t, ["4g", "対応", "led", "照明", "購入", "する"]);
    }
}
