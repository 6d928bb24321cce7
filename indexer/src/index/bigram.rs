//! The CJK bigram analyzer: the recall field.
//!
//! After [normalisation](super::normalize), runs of Japanese script (kanji, hiragana, katakana)
//! become overlapping bigrams (`関西国際空港` → `関西 西国 国際 際空 空港`), a lone Japanese
//! character becomes a unigram, and runs of letters and digits become one lower-cased token
//! each (`4G`, `ICT`, `ＬＥＤ` → `4g`, `ict`, `led`). Everything else separates tokens.
//!
//! Unlike tantivy's `NgramTokenizer`, every token gets its own, increasing position, so a query
//! word can be matched as an exact phrase of its bigrams — which is how `空港` finds
//! `関西国際空港` and `給食` finds `学校給食調理業務委託`.

use tantivy::tokenizer::{Token, Tokenizer};

use super::normalize::{Normalized, is_alphanumeric, is_cjk, with_normalized};
use super::token_stream::{BufTokenStream, TokenBuf, stream_with, tokens_with};

/// The name under which the bigram analyzer is registered.
pub const BIGRAM_TOKENIZER: &str = "ja_bigram";

/// The bigram tokenizer (stateless; cheap to clone).
#[derive(Debug, Clone, Default)]
pub struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = BufTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BufTokenStream {
        stream_with(|buf| with_normalized(text, |norm| analyse(norm, buf)))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Alnum,
    Other,
}

fn class_of(c: char) -> Class {
    if c.is_ascii() {
        if c.is_ascii_alphanumeric() {
            Class::Alnum
        } else {
            Class::Other
        }
    } else if is_cjk(c) {
        Class::Cjk
    } else if is_alphanumeric(c) {
        Class::Alnum
    } else {
        Class::Other
    }
}

/// Tokenises `text` into bigram tokens with offsets into `text`.
pub fn bigram_tokens(text: &str) -> Vec<Token> {
    tokens_with(|buf| with_normalized(text, |norm| analyse(norm, buf)))
}

/// Tokenises already normalised text; offsets point into the original text.
pub fn bigram_tokens_normalized(norm: &Normalized) -> Vec<Token> {
    tokens_with(|buf| analyse(norm, buf))
}

/// The run of same-class characters being read.
struct Run {
    class: Class,
    /// Byte offset of the run's first character.
    start: usize,
    /// Byte offset of the run's last character seen so far.
    last: usize,
    /// Number of characters in the run.
    chars: usize,
}

/// Ends `run` at byte `end`: a lone Japanese character becomes a unigram, a letter/digit run one
/// token (the bigrams of longer Japanese runs are emitted as they come).
fn close(run: &Run, end: usize, emit: &mut impl FnMut(usize, usize)) {
    match run.class {
        Class::Cjk if run.chars == 1 => emit(run.start, end),
        Class::Alnum => emit(run.start, end),
        _ => {}
    }
}

/// The analysis proper: bigrams, unigrams and letter/digit runs of the normalised text, with
/// one position per token.
fn analyse(norm: &Normalized, buf: &mut TokenBuf) {
    let text = norm.text.as_str();
    let mut position = 0usize;
    let mut emit = |start: usize, end: usize| {
        let (from, to) = norm.original_range(start, end);
        buf.push(&text[start..end], from, to, position);
        position += 1;
    };
    let mut run = Run {
        class: Class::Other,
        start: 0,
        last: 0,
        chars: 0,
    };
    for (i, c) in text.char_indices() {
        let class = class_of(c);
        if class == run.class && class != Class::Other {
            if class == Class::Cjk {
                emit(run.last, i + c.len_utf8());
            }
            run.last = i;
            run.chars += 1;
            continue;
        }
        close(&run, i, &mut emit);
        run = Run {
            class,
            start: i,
            last: i,
            chars: 1,
        };
    }
    close(&run, text.len(), &mut emit);
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        bigram_tokens(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn test_bigrams_with_increasing_positions() {
        let tokens = bigram_tokens("関西国際空港");
        let t: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(t, ["関西", "西国", "国際", "際空", "空港"]);
        let positions: Vec<usize> = tokens.iter().map(|t| t.position).collect();
        assert_eq!(positions, [0, 1, 2, 3, 4]);
        assert_eq!(tokens[4].offset_from, "関西国際".len());
        assert_eq!(tokens[4].offset_to, "関西国際空港".len());
    }

    #[test]
    fn test_latin_and_number_runs_are_whole_tokens() {
        assert_eq!(texts("4G対応ICT機器"), ["4g", "対応", "ict", "機器"]);
        assert_eq!(texts("ＬＥＤ照明"), ["led", "照明"]);
        assert_eq!(texts("令和6年度"), ["令和", "6", "年度"]);
    }

    #[test]
    fn test_single_character_runs_become_unigrams() {
        assert_eq!(texts("市 の 森"), ["市", "の", "森"]);
    }

    #[test]
    fn test_offsets_after_width_folding() {
        let original = "ｼｽﾃﾑ保守";
        let tokens = bigram_tokens(original);
        assert_eq!(tokens[0].text, "シス");
        assert_eq!(&original[tokens[0].offset_from..tokens[0].offset_to], "ｼｽ");
        let last = tokens.last().unwrap();
        assert_eq!(last.text, "保守");
        assert_eq!(&original[last.offset_from..last.offset_to], "保守");
    }
}
