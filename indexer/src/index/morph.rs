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

use lindera::dictionary::load_dictionary;
use lindera::mode::Mode;
use lindera::segmenter::Segmenter;
use lindera::worker::SegmentWorker;
use tantivy::tokenizer::{Token, Tokenizer};

use super::normalize::{Normalized, fold_katakana_long_vowel, normalize};
use super::token_stream::VecTokenStream;

/// The name under which the morphological analyzer is registered.
pub const MORPH_TOKENIZER: &str = "ja_morph";

static SEGMENTER: OnceLock<Result<Segmenter, String>> = OnceLock::new();

thread_local! {
    static WORKER: RefCell<Option<SegmentWorker>> = const { RefCell::new(None) };
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
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::new(morph_tokens(text))
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

/// Runs lindera on normalised text. Returns an empty list if segmentation fails (it only fails
/// on a broken dictionary, which [`MorphTokenizer::new`] has already ruled out).
pub fn segment(text: &str) -> Vec<Morpheme> {
    let Ok(segmenter) = segmenter() else {
        return Vec::new();
    };
    WORKER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let worker = slot.get_or_insert_with(|| segmenter.new_worker());
        match worker.segment(text) {
            Ok(mut tokens) => tokens
                .iter_mut()
                .map(|t| {
                    let pos = t.get_detail(0).unwrap_or("UNK").to_string();
                    let base_form = if matches!(pos.as_str(), "動詞" | "形容詞" | "形容動詞")
                    {
                        t.get_detail(6)
                            .filter(|b| *b != "*" && !b.is_empty())
                            .map(str::to_string)
                    } else {
                        None
                    };
                    Morpheme {
                        start: t.byte_start,
                        end: t.byte_end,
                        surface: t.surface.to_string(),
                        pos,
                        base_form,
                    }
                })
                .collect(),
            Err(e) => {
                tracing::warn!("lindera segmentation failed: {e}");
                Vec::new()
            }
        }
    })
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
    let norm = normalize(text);
    morph_tokens_normalized(&norm)
}

/// Tokenises already normalised text; offsets point into the original text.
pub fn morph_tokens_normalized(norm: &Normalized) -> Vec<Token> {
    let morphemes = segment(&norm.text);
    let mut tokens: Vec<Token> = Vec::with_capacity(morphemes.len());
    // The last token came from an ASCII word ending at this normalised byte.
    let mut ascii_run_end: Option<usize> = None;
    let mut ascii_run_start = 0usize;
    for (position, m) in morphemes.iter().enumerate() {
        if is_ascii_word(&m.surface) {
            if ascii_run_end == Some(m.start)
                && let Some(last) = tokens.last_mut()
            {
                // Merge `4` + `g` back into `4g`.
                let (_, to) = norm.original_range(ascii_run_start, m.end);
                last.text.push_str(&m.surface);
                last.offset_to = to;
            } else {
                ascii_run_start = m.start;
                let (from, to) = norm.original_range(m.start, m.end);
                tokens.push(Token {
                    offset_from: from,
                    offset_to: to,
                    position,
                    text: m.surface.clone(),
                    position_length: 1,
                });
            }
            ascii_run_end = Some(m.end);
            continue;
        }
        ascii_run_end = None;
        if is_dropped_pos(&m.pos) || !m.surface.chars().any(char::is_alphanumeric) {
            continue;
        }
        let term = match (&m.base_form, m.pos.as_str()) {
            (Some(base), "動詞" | "形容詞" | "形容動詞") => base.as_str(),
            _ => m.surface.as_str(),
        };
        let term = fold_katakana_long_vowel(term);
        let (from, to) = norm.original_range(m.start, m.end);
        tokens.push(Token {
            offset_from: from,
            offset_to: to,
            position,
            text: term.to_string(),
            position_length: 1,
        });
    }
    tokens
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
}
