//! Token buffers and the token stream shared by our tokenizers.
//!
//! An analyzer writes its tokens into a [`TokenBuf`]: one string holding every token text
//! back to back, plus one small span per token. The [`BufTokenStream`] handed to tantivy then
//! copies each token into a single reused [`Token`], so analysing a document allocates nothing
//! once the buffers have grown. Buffers come from a per-thread pool and go back to it when the
//! stream is dropped (tantivy's indexing threads each keep their own).

use std::cell::RefCell;

use tantivy::tokenizer::{Token, TokenStream};

/// One token of a [`TokenBuf`].
#[derive(Debug, Clone, Copy)]
struct Span {
    /// Byte range of the token text in [`TokenBuf::text`].
    text_from: usize,
    text_to: usize,
    /// Byte range in the original text.
    offset_from: usize,
    offset_to: usize,
    position: usize,
}

/// Tokens stored compactly: all texts in one string, one span each.
#[derive(Debug, Clone, Default)]
pub struct TokenBuf {
    spans: Vec<Span>,
    text: String,
}

impl TokenBuf {
    /// Empties the buffer, keeping its capacity.
    pub fn clear(&mut self) {
        self.spans.clear();
        self.text.clear();
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether there is no token.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Appends a token.
    pub fn push(&mut self, text: &str, offset_from: usize, offset_to: usize, position: usize) {
        let text_from = self.text.len();
        self.text.push_str(text);
        self.spans.push(Span {
            text_from,
            text_to: self.text.len(),
            offset_from,
            offset_to,
            position,
        });
    }

    /// Appends `text` to the last token and moves its end offset to `offset_to`. Does nothing
    /// when the buffer is empty.
    pub fn extend_last(&mut self, text: &str, offset_to: usize) {
        if let Some(last) = self.spans.last_mut() {
            // The last token's text is always at the end of `self.text`.
            self.text.push_str(text);
            last.text_to = self.text.len();
            last.offset_to = offset_to;
        }
    }

    /// Writes token `i` into `token`, reusing its text allocation.
    fn fill(&self, i: usize, token: &mut Token) {
        let s = self.spans[i];
        token.text.clear();
        token.text.push_str(&self.text[s.text_from..s.text_to]);
        token.offset_from = s.offset_from;
        token.offset_to = s.offset_to;
        token.position = s.position;
        token.position_length = 1;
    }

    /// The tokens as tantivy tokens (one allocated string each).
    pub fn to_tokens(&self) -> Vec<Token> {
        (0..self.spans.len())
            .map(|i| {
                let mut token = Token {
                    text: String::new(),
                    ..Token::default()
                };
                self.fill(i, &mut token);
                token
            })
            .collect()
    }
}

/// Buffers kept per thread; a handful suffices (a stream is dropped before the next field).
const POOL_SIZE: usize = 4;

thread_local! {
    static POOL: RefCell<Vec<(TokenBuf, Token)>> = const { RefCell::new(Vec::new()) };
}

/// Takes a cleared buffer pair from this thread's pool (or makes one).
fn take() -> (TokenBuf, Token) {
    POOL.with(|pool| pool.borrow_mut().pop())
        .map(|(mut buf, token)| {
            buf.clear();
            (buf, token)
        })
        .unwrap_or_default()
}

/// Runs `fill` on a pooled buffer and returns the stream over what it wrote.
pub fn stream_with(fill: impl FnOnce(&mut TokenBuf)) -> BufTokenStream {
    let (mut buf, token) = take();
    fill(&mut buf);
    BufTokenStream {
        buf,
        cursor: 0,
        token,
    }
}

/// Runs `fill` on a pooled buffer and returns the tokens it wrote.
pub fn tokens_with(fill: impl FnOnce(&mut TokenBuf)) -> Vec<Token> {
    let stream = stream_with(fill);
    stream.buf.to_tokens()
}

/// A [`TokenStream`] over a [`TokenBuf`]; returns its buffers to the thread's pool on drop.
#[derive(Debug)]
pub struct BufTokenStream {
    buf: TokenBuf,
    /// Index of the current token plus one (0 before the first `advance`).
    cursor: usize,
    /// The current token, refilled in place.
    token: Token,
}

impl Drop for BufTokenStream {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        let token = std::mem::take(&mut self.token);
        // `try_with`: the pool may already be gone while the thread shuts down.
        let _ = POOL.try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut()
                && pool.len() < POOL_SIZE
            {
                pool.push((buf, token));
            }
        });
    }
}

impl TokenStream for BufTokenStream {
    fn advance(&mut self) -> bool {
        if self.cursor < self.buf.len() {
            self.buf.fill(self.cursor, &mut self.token);
            self.cursor += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn collect(mut stream: BufTokenStream) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    #[test]
    fn test_stream_yields_tokens_in_order_and_buffers_are_reused_clean() {
        let first = stream_with(|buf| {
            buf.push("学校", 0, 6, 0);
            buf.push("4", 6, 7, 1);
            buf.extend_last("g", 8);
        });
        assert_eq!(
            collect(first),
            [("学校".to_string(), 0, 6, 0), ("4g".to_string(), 6, 8, 1)]
        );
        // The pooled buffer comes back empty.
        let second = stream_with(|buf| {
            assert!(buf.is_empty());
            buf.push("給食", 3, 9, 2);
        });
        assert_eq!(collect(second), [("給食".to_string(), 3, 9, 2)]);
        assert!(collect(stream_with(|_| {})).is_empty());
    }

    #[test]
    fn test_to_tokens_matches_stream() {
        let tokens = tokens_with(|buf| {
            buf.push("led", 0, 9, 0);
            buf.push("照明", 9, 15, 1);
        });
        let texts: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(texts, ["led", "照明"]);
        assert_eq!(tokens[1].offset_from, 9);
        assert_eq!(tokens[1].position, 1);
    }
}
