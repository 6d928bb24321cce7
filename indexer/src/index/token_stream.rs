//! A token stream over a precomputed vector of tokens, shared by our tokenizers.

use tantivy::tokenizer::{Token, TokenStream};

/// A [`TokenStream`] that yields tokens computed up front.
#[derive(Debug)]
pub struct VecTokenStream {
    tokens: Vec<Token>,
    /// Index of the current token plus one (0 before the first `advance`).
    cursor: usize,
    empty: Token,
}

impl VecTokenStream {
    /// Wraps a vector of tokens.
    pub fn new(tokens: Vec<Token>) -> VecTokenStream {
        VecTokenStream {
            tokens,
            cursor: 0,
            empty: Token::default(),
        }
    }
}

impl TokenStream for VecTokenStream {
    fn advance(&mut self) -> bool {
        if self.cursor < self.tokens.len() {
            self.cursor += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        match self.cursor.checked_sub(1) {
            Some(i) => &self.tokens[i],
            None => &self.empty,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.cursor.checked_sub(1) {
            Some(i) => &mut self.tokens[i],
            None => &mut self.empty,
        }
    }
}
