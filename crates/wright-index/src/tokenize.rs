//! The code-aware tokenizer: identifiers are kept whole and also split at camelCase,
//! snake_case, kebab-case and dots, all lowercased, so `parseDate`, `parse_date` and
//! `dates.parse_date` all meet `parse` and `date`.

use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

/// The name it is registered under in tantivy.
pub const CODE_TOKENIZER: &str = "wright_code";

/// Longest token kept; longer runs are data, not names.
const MAX_TOKEN: usize = 64;

#[derive(Clone, Default)]
pub struct CodeTokenizer {
    tokens: Vec<Token>,
}

pub struct CodeTokenStream<'a> {
    tokens: &'a mut [Token],
    next: usize,
}

impl Tokenizer for CodeTokenizer {
    type TokenStream<'a> = CodeTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CodeTokenStream<'a> {
        self.tokens.clear();
        let mut position = 0;
        for_each_token(text, |from, to, term| {
            self.tokens.push(Token { offset_from: from, offset_to: to, position, text: term, position_length: 1 });
            position += 1;
        });
        CodeTokenStream { tokens: &mut self.tokens, next: 0 }
    }
}

impl TokenStream for CodeTokenStream<'_> {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// The terms of `text` in order, as the index sees them.
pub fn code_terms(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for_each_token(text, |_, _, t| out.push(t));
    out
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Calls `emit(from, to, term)` for each term: a compound (`a.b-c`) whole, each
/// identifier in it whole, and each identifier's parts.
fn for_each_token(text: &str, mut emit: impl FnMut(usize, usize, String)) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !is_word(bytes[i]) {
            i += 1;
            continue;
        }
        // A compound: identifiers joined by single `.` or `-`.
        let start = i;
        let mut idents = Vec::new();
        loop {
            let s = i;
            while i < bytes.len() && is_word(bytes[i]) {
                i += 1;
            }
            idents.push((s, i));
            let joined = i + 1 < bytes.len() && (bytes[i] == b'.' || bytes[i] == b'-') && is_word(bytes[i + 1]);
            if !joined {
                break;
            }
            i += 1;
        }
        let end = i;
        if idents.len() > 1 && end - start <= MAX_TOKEN {
            emit(start, end, text.get(start..end).unwrap_or_default().to_lowercase());
        }
        for (s, e) in idents {
            let word = text.get(s..e).unwrap_or_default();
            if word.len() > MAX_TOKEN {
                continue;
            }
            let parts = split_identifier(word);
            if parts.len() != 1 || parts.first().is_some_and(|(a, b)| b - a != word.len()) {
                emit(s, e, word.to_lowercase());
            }
            for (a, b) in parts {
                emit(s + a, s + b, word.get(a..b).unwrap_or_default().to_lowercase());
            }
        }
    }
}

/// Byte ranges of the parts of one identifier (`HTTPServer_url` → HTTP, Server, url).
fn split_identifier(word: &str) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut start: Option<usize> = None;
    for (k, &(pos, c)) in chars.iter().enumerate() {
        if c == '_' {
            if let Some(s) = start.take() {
                parts.push((s, pos));
            }
            continue;
        }
        if let Some(s) = start {
            let prev = chars[k - 1].1;
            let next_lower = chars.get(k + 1).is_some_and(|&(_, n)| n.is_lowercase());
            let boundary = (c.is_uppercase() && (prev.is_lowercase() || prev.is_ascii_digit()))
                || (c.is_uppercase() && prev.is_uppercase() && next_lower);
            if boundary {
                parts.push((s, pos));
                start = Some(pos);
            }
        } else {
            start = Some(pos);
        }
    }
    if let Some(s) = start {
        parts.push((s, word.len()));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_split_and_kept_whole() {
        assert_eq!(code_terms("parseDate"), ["parsedate", "parse", "date"]);
        assert_eq!(code_terms("parse_date"), ["parse_date", "parse", "date"]);
        assert_eq!(code_terms("HTTPServer"), ["httpserver", "http", "server"]);
        assert_eq!(code_terms("plain"), ["plain"]);
        assert_eq!(code_terms("_private"), ["_private", "private"]);
        assert_eq!(
            code_terms("dates.parse_date(x)"),
            ["dates.parse_date", "dates", "parse_date", "parse", "date", "x"]
        );
        assert_eq!(code_terms("no-cache"), ["no-cache", "no", "cache"]);
        assert_eq!(code_terms("end. Next"), ["end", "next"]);
    }

    #[test]
    fn tantivy_stream_has_offsets() {
        let mut t = CodeTokenizer::default();
        let mut s = t.token_stream("fooBar baz");
        let mut seen = Vec::new();
        while s.advance() {
            let tok = s.token();
            seen.push((tok.text.clone(), tok.offset_from, tok.offset_to));
        }
        assert_eq!(seen, [("foobar".into(), 0, 6), ("foo".into(), 0, 3), ("bar".into(), 3, 6), ("baz".into(), 7, 10)]);
    }
}
