//! The user's query string → a tantivy query, built by us (never tantivy's `QueryParser`, which
//! turns unspaced Japanese into exact phrases).
//!
//! # Syntax
//!
//! - words separated by spaces (ASCII or full-width) must all match: `給食 委託`;
//! - `OR` (or `|`, `｜`) between two words makes either suffice: `清掃 OR 除草`;
//! - `"…"` (or `“…”`) is a phrase: its words must be adjacent, in order;
//! - a leading `-` (or `－`, `−`) excludes a word or phrase: `給食 -牛乳`.
//!
//! # Matching one word
//!
//! Each word is expanded with the [synonym table](SYNONYMS), then analysed by both analyzers.
//! A document matches the word when either
//! - it contains **every** morphological term of the word (in the title or the body), or
//! - it contains the word's bigrams as an exact phrase (the recall fallback that finds `空港` in
//!   `関西国際空港`, or an unknown word IPADIC splits badly).
//!
//! Title matches weigh [`TITLE_BOOST`] times body matches. A one-character Japanese word, which
//! has no bigram, matches the bigrams that start with it.

use tantivy::Term;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, PhraseQuery, Query, RegexQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};

use super::bigram::bigram_tokens;
use super::morph::morph_tokens;
use super::normalize::{is_cjk, normalize};
use super::schema::Fields;

/// Weight of a title match relative to a body match.
pub const TITLE_BOOST: f32 = 3.0;
/// Weight of the bigram (recall) fields relative to the morphological fields.
pub const BIGRAM_WEIGHT: f32 = 0.5;

/// Orthographic variants searched together. Only spelling variants of the same word belong here
/// (okurigana, kana/kanji, old/new forms); meaning-level synonyms do not. Katakana long vowels
/// (`サーバ`/`サーバー`) and character widths are folded by the analyzers instead.
pub const SYNONYMS: &[&[&str]] = &[
    &["子ども", "子供", "こども"],
    &["障がい", "障害", "障碍"],
    &["附属", "付属"],
    &["受付", "受け付け"],
    &["申込", "申込み", "申し込み"],
    &["取扱", "取扱い", "取り扱い"],
    &["問合せ", "問い合わせ", "問合わせ"],
    &["見積", "見積り", "見積もり"],
    &["引渡", "引渡し", "引き渡し"],
    &["貸付", "貸し付け"],
    &["売払", "売払い", "売り払い"],
    &["組合せ", "組み合わせ"],
    &["ウェブ", "ウエブ", "web"],
    &["ヴァ", "バ"],
    &["ヴィ", "ビ"],
];

const MAX_VARIANTS: usize = 8;

/// One word or phrase of the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryTerm {
    /// The text as typed (without quotes or the exclusion sign).
    pub text: String,
    /// Whether it was quoted.
    pub phrase: bool,
}

/// A parsed query: an AND of OR-groups, minus exclusions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedQuery {
    /// Each group matches when any of its terms matches; all groups must match.
    pub groups: Vec<Vec<QueryTerm>>,
    /// Terms whose documents are excluded.
    pub excluded: Vec<QueryTerm>,
}

impl ParsedQuery {
    /// Whether the query has no positive term.
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// All positive terms.
    pub fn positive_terms(&self) -> impl Iterator<Item = &QueryTerm> {
        self.groups.iter().flatten()
    }
}

#[derive(Debug)]
enum Lexeme {
    Term { term: QueryTerm, excluded: bool },
    Or,
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{3000}'
}

fn closing_quote(open: char) -> Option<char> {
    match open {
        '"' => Some('"'),
        '“' => Some('”'),
        '＂' => Some('＂'),
        _ => None,
    }
}

fn lex(q: &str) -> Vec<Lexeme> {
    let mut out = Vec::new();
    let mut chars = q.chars().peekable();
    while let Some(&c) = chars.peek() {
        if is_space(c) {
            chars.next();
            continue;
        }
        let mut excluded = false;
        if matches!(c, '-' | '－' | '−') {
            chars.next();
            match chars.peek() {
                Some(&n) if !is_space(n) => excluded = true,
                _ => continue,
            }
        }
        let Some(&c) = chars.peek() else { break };
        if let Some(close) = closing_quote(c) {
            chars.next();
            let mut text = String::new();
            for n in chars.by_ref() {
                if n == close || (close == '”' && n == '"') {
                    break;
                }
                text.push(n);
            }
            let text = text.trim().to_string();
            if !text.is_empty() {
                out.push(Lexeme::Term {
                    term: QueryTerm { text, phrase: true },
                    excluded,
                });
            }
            continue;
        }
        let mut text = String::new();
        while let Some(&n) = chars.peek() {
            if is_space(n) {
                break;
            }
            text.push(n);
            chars.next();
        }
        if !excluded && matches!(text.as_str(), "OR" | "ＯＲ" | "|" | "｜") {
            out.push(Lexeme::Or);
        } else if !text.is_empty() {
            out.push(Lexeme::Term {
                term: QueryTerm {
                    text,
                    phrase: false,
                },
                excluded,
            });
        }
    }
    out
}

/// Parses the query syntax described in the [module docs](self).
pub fn parse(q: &str) -> ParsedQuery {
    let mut parsed = ParsedQuery::default();
    let mut pending_or = false;
    for lexeme in lex(q) {
        match lexeme {
            Lexeme::Or => pending_or = !parsed.groups.is_empty(),
            Lexeme::Term {
                term,
                excluded: true,
            } => {
                parsed.excluded.push(term);
                pending_or = false;
            }
            Lexeme::Term {
                term,
                excluded: false,
            } => {
                match parsed.groups.last_mut() {
                    Some(group) if pending_or => group.push(term),
                    _ => parsed.groups.push(vec![term]),
                }
                pending_or = false;
            }
        }
    }
    parsed
}

/// Spelling variants of `word` from [`SYNONYMS`], the word itself first.
pub fn variants(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    let lower = normalize(word).text;
    if lower != word {
        // Match the table on the normalised form too (e.g. `ＷＥＢ`).
        out.push(lower);
    }
    for group in SYNONYMS {
        let mut added = Vec::new();
        for v in &out {
            let longest = group
                .iter()
                .filter(|m| v.contains(**m))
                .max_by_key(|m| m.len());
            if let Some(found) = longest {
                for other in group.iter().filter(|m| *m != found) {
                    added.push(v.replace(found, other));
                }
            }
        }
        for a in added {
            if out.len() >= MAX_VARIANTS {
                break;
            }
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqsAndPositions,
    ))
}

fn boosted(q: Box<dyn Query>, boost: f32) -> Box<dyn Query> {
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

fn should(clauses: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match clauses.len() {
        0 => None,
        1 => clauses.into_iter().next(),
        _ => Some(Box::new(BooleanQuery::new(
            clauses.into_iter().map(|q| (Occur::Should, q)).collect(),
        ))),
    }
}

fn must(clauses: Vec<Box<dyn Query>>) -> Option<Box<dyn Query>> {
    match clauses.len() {
        0 => None,
        1 => clauses.into_iter().next(),
        _ => Some(Box::new(BooleanQuery::new(
            clauses.into_iter().map(|q| (Occur::Must, q)).collect(),
        ))),
    }
}

/// A phrase (or single term) over analysed tokens with their positions.
fn phrase_query(field: Field, tokens: &[(usize, String)]) -> Option<Box<dyn Query>> {
    match tokens {
        [] => None,
        [(_, t)] => Some(term_query(field, t)),
        _ => {
            let base = tokens[0].0;
            let terms = tokens
                .iter()
                .map(|(p, t)| (p - base, Term::from_field_text(field, t)))
                .collect();
            Some(Box::new(PhraseQuery::new_with_offset(terms)))
        }
    }
}

/// The bigram-field query for analysed bigram tokens: a phrase, or a prefix match for a lone
/// Japanese character.
fn bigram_query(field: Field, tokens: &[(usize, String)]) -> Option<Box<dyn Query>> {
    if let [(_, t)] = tokens {
        let mut chars = t.chars();
        if let (Some(c), None) = (chars.next(), chars.next())
            && is_cjk(c)
            && let Ok(q) = RegexQuery::from_pattern(&format!("{c}.?"), field)
        {
            return Some(Box::new(q));
        }
    }
    phrase_query(field, tokens)
}

fn analysed(tokens: Vec<tantivy::tokenizer::Token>) -> Vec<(usize, String)> {
    tokens.into_iter().map(|t| (t.position, t.text)).collect()
}

/// Builds the query of one word or phrase over both analyses of title and body.
pub fn term_to_query(f: &Fields, term: &QueryTerm) -> Option<Box<dyn Query>> {
    let mut alternatives = Vec::new();
    for variant in variants(&term.text) {
        let morph = analysed(morph_tokens(&variant));
        let bigrams = analysed(bigram_tokens(&variant));
        let mut clauses: Vec<Box<dyn Query>> = Vec::new();
        if term.phrase {
            let per_field = [
                phrase_query(f.title, &morph).map(|q| boosted(q, TITLE_BOOST)),
                phrase_query(f.body, &morph),
            ];
            clauses.extend(per_field.into_iter().flatten());
        } else {
            let each_term: Vec<Box<dyn Query>> = morph
                .iter()
                .filter_map(|(_, t)| {
                    should(vec![
                        boosted(term_query(f.title, t), TITLE_BOOST),
                        term_query(f.body, t),
                    ])
                })
                .collect();
            clauses.extend(must(each_term));
        }
        let bigram_fields = [
            bigram_query(f.title_bigram, &bigrams).map(|q| boosted(q, TITLE_BOOST * BIGRAM_WEIGHT)),
            bigram_query(f.body_bigram, &bigrams).map(|q| boosted(q, BIGRAM_WEIGHT)),
        ];
        clauses.extend(bigram_fields.into_iter().flatten());
        alternatives.extend(should(clauses));
    }
    should(alternatives)
}

/// The positive part of a text query (if any) and the queries of its exclusions.
pub type TextQueryParts = (Option<Box<dyn Query>>, Vec<Box<dyn Query>>);

/// Builds the full-text part of a search: `None` when the query has no positive term (then
/// every document matches, minus the exclusions, which are returned separately).
pub fn build_text_query(f: &Fields, parsed: &ParsedQuery) -> TextQueryParts {
    let groups: Vec<Box<dyn Query>> = parsed
        .groups
        .iter()
        .filter_map(|group| should(group.iter().filter_map(|t| term_to_query(f, t)).collect()))
        .collect();
    let excluded = parsed
        .excluded
        .iter()
        .filter_map(|t| term_to_query(f, t))
        .collect();
    (must(groups), excluded)
}

/// The strings whose occurrences a snippet highlights: every variant of every positive term,
/// plus the morphological terms of each variant (which carry long-vowel folding and base forms).
pub fn highlight_strings(parsed: &ParsedQuery) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for term in parsed.positive_terms() {
        for v in variants(&term.text) {
            for t in morph_tokens(&v) {
                if !out.contains(&t.text) {
                    out.push(t.text);
                }
            }
            if !out.contains(&v) {
                out.push(v);
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn t(text: &str, phrase: bool) -> QueryTerm {
        QueryTerm {
            text: text.to_string(),
            phrase,
        }
    }

    #[test]
    fn test_parse_and_or_phrase_exclusion() {
        let p = parse("給食　委託 OR 請負 \"学校 給食\" -牛乳 -\"配送 業務\"");
        assert_eq!(
            p.groups,
            vec![
                vec![t("給食", false)],
                vec![t("委託", false), t("請負", false)],
                vec![t("学校 給食", true)],
            ]
        );
        assert_eq!(p.excluded, vec![t("牛乳", false), t("配送 業務", true)]);
    }

    #[test]
    fn test_parse_dangling_operators() {
        let p = parse("OR 清掃 - ｜");
        assert_eq!(p.groups, vec![vec![t("清掃", false)]]);
        assert!(p.excluded.is_empty());
        assert!(parse("  ").is_empty());
    }

    #[test]
    fn test_variants_from_synonym_table() {
        let v = variants("子ども食堂");
        assert!(v.contains(&"子供食堂".to_string()), "{v:?}");
        assert!(v.contains(&"こども食堂".to_string()), "{v:?}");
        let v = variants("申込み");
        assert!(
            v.contains(&"申込".to_string()) && v.contains(&"申し込み".to_string()),
            "{v:?}"
        );
        assert!(!v.iter().any(|s| s.contains("みみ")), "{v:?}");
        assert_eq!(variants("給食"), ["給食"]);
    }
}
