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

use super::normalize::{Normalized, is_cjk, normalize};
use super::token_stream::VecTokenStream;

/// The name under which the bigram analyzer is registered.
pub const BIGRAM_TOKENIZER: &str = "ja_bigram";

/// The bigram tokenizer (stateless; cheap to clone).
#[derive(Debug, Clone, Default)]
pub struct BigramTokenizer;

impl Tokenizer for BigramTokenizer {
    type TokenStream<'a> = VecTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> VecTokenStream {
        VecTokenStream::new(bigram_tokens(text))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Cjk,
    Alnum,
    Other,
}

fn class_of(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() {
        Class::Alnum
    } else {
        Class::Other
    }
}

/// Tokenises `text` into bigram tokens with offsets into `text`.
pub fn bigram_tokens(text: &str) -> Vec<Token> {
    let norm = normalize(text);
    bigram_tokens_normalized(&norm)
}

/// Tokenises already normalised text; offsets point into the original text.
pub fn bigram_tokens_normalized(norm: &Normalized) -> Vec<Token> {
    let mut tokens = Vec::with_capacity(norm.text.len() / 2);
    let mut run: Vec<(usize, char)> = Vec::new();
    let mut run_class = Class::Other;
    let mut position = 0usize;
    let flush = |run: &mut Vec<(usize, char)>,
                 class: Class,
                 tokens: &mut Vec<Token>,
                 position: &mut usize| {
        match class {
            Class::Other => {}
            Class::Alnum => {
                if let (Some(&(start, _)), Some(&(last, lc))) = (run.first(), run.last()) {
                    let end = last + lc.len_utf8();
                    push_token(norm, start, end, tokens, position);
                }
            }
            Class::Cjk => {
                if run.len() == 1 {
                    let (start, c) = run[0];
                    push_token(norm, start, start + c.len_utf8(), tokens, position);
                } else {
                    for pair in run.windows(2) {
                        let (start, _) = pair[0];
                        let (second, c2) = pair[1];
                        push_token(norm, start, second + c2.len_utf8(), tokens, position);
                    }
                }
            }
        }
        run.clear();
    };
    for (i, c) in norm.text.char_indices() {
        let class = class_of(c);
        if class != run_class {
            flush(&mut run, run_class, &mut tokens, &mut position);
            run_class = class;
        }
        if class != Class::Other {
            run.push((i, c));
        }
    }
    flush(&mut run, run_class, &mut tokens, &mut position);
    tokens
}

fn push_token(
    norm: &Normalized,
    start: usize,
    end: usize,
    tokens: &mut Vec<Token>,
    position: &mut usize,
) {
    let (offset_from, offset_to) = norm.original_range(start, end);
    tokens.push(Token {
        offset_from,
        offset_to,
        position: *position,
        text: norm.text[start..end].to_string(),
        position_length: 1,
    });
    *position += 1;
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
