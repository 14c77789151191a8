//! Repairs the JSON small models write by hand: literal newlines and tabs in strings,
//! unescaped quotes inside a string where the structure says where it ends, trailing
//! commas, single-quoted strings, Python's `True`, `False` and `None`, and backslashes
//! JSON does not allow (`\.` in a regular expression), which mean a backslash.

/// `text` (one object or array) as valid JSON, or `None` when no repair makes it parse.
pub(crate) fn repair(text: &str) -> Option<String> {
    let fixed = rewrite(text);
    serde_json::from_str::<serde_json::Value>(&fixed).ok().map(|_| fixed)
}

/// The span of the object or array that starts `text` (its length in bytes), found with
/// the same reading of strings the repair uses.
pub(crate) fn span(text: &str) -> Option<usize> {
    let indexed: Vec<(usize, char)> = text.char_indices().collect();
    let chars: Vec<char> = indexed.iter().map(|(_, c)| *c).collect();
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' || (c == '\'' && opens_single(&chars, i)) {
            i = read_string(&chars, i).1;
            continue;
        }
        match c {
            '{' | '[' => depth += 1,
            '}' | ']' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return indexed.get(i).map(|(at, c)| at + c.len_utf8());
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// An apostrophe opens a string only where a key or value may start.
fn opens_single(chars: &[char], at: usize) -> bool {
    matches!(chars[..at].iter().rev().find(|c| !c.is_whitespace()), Some('{' | '[' | ',' | ':'))
}

fn rewrite(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '"' | '\'' if c == '"' || opens_single(&chars, i) => {
                let (body, next) = read_string(&chars, i);
                out.push('"');
                out.push_str(&body);
                out.push('"');
                i = next;
                continue;
            }
            ',' if next_significant(&chars, i + 1).is_some_and(|n| n == '}' || n == ']') => {}
            _ if c.is_alphabetic() => {
                let word: String = chars[i..].iter().take_while(|c| c.is_alphanumeric() || **c == '_').collect();
                let mapped = match word.as_str() {
                    "True" => "true",
                    "False" => "false",
                    "None" => "null",
                    other => other,
                };
                out.push_str(mapped);
                i += word.chars().count();
                continue;
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// The string opened at `chars[start]`, re-escaped for JSON, and the index after it. A
/// quote like the opening one ends the string only where the structure can go on (`,`,
/// `:`, `}`, `]` or the end follow); elsewhere it is a quote inside the text.
fn read_string(chars: &[char], start: usize) -> (String, usize) {
    let quote = chars[start];
    let mut body = String::new();
    let mut i = start + 1;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                let next = chars[i + 1];
                let hex4 = chars.get(i + 2..i + 6).is_some_and(|h| h.iter().all(char::is_ascii_hexdigit));
                match next {
                    '\'' => body.push('\''),
                    '"' | '\\' | '/' | 'b' | 'f' | 'n' | 'r' | 't' => {
                        body.push('\\');
                        body.push(next);
                    }
                    'u' if hex4 => body.push_str("\\u"),
                    // Not an escape JSON knows: the writer meant the backslash itself.
                    _ => {
                        body.push_str("\\\\");
                        i += 1;
                        continue;
                    }
                }
                i += 2;
                continue;
            }
            _ if c == quote && ends_string(chars, i + 1) => return (body, i + 1),
            '"' => body.push_str("\\\""),
            '\n' => body.push_str("\\n"),
            '\r' => body.push_str("\\r"),
            '\t' => body.push_str("\\t"),
            c if (c as u32) < 0x20 => body.push_str(&format!("\\u{:04x}", c as u32)),
            c => body.push(c),
        }
        i += 1;
    }
    (body, chars.len())
}

fn ends_string(chars: &[char], after: usize) -> bool {
    match next_significant(chars, after) {
        None | Some('}' | ']' | ':') => true,
        // A comma ends a string only when another key or value follows it.
        Some(',') => {
            let comma = (after..chars.len()).find(|&j| chars[j] == ',').unwrap_or(after);
            matches!(next_significant(chars, comma + 1), Some('"' | '\'' | '{' | '[' | '}' | ']') | None)
                || next_significant(chars, comma + 1).is_some_and(|c| c.is_ascii_digit() || c == '-')
        }
        _ => false,
    }
}

fn next_significant(chars: &[char], from: usize) -> Option<char> {
    chars.get(from..)?.iter().copied().find(|c| !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_small_models_write_is_repaired() {
        let cases = [
            ("{\"a\": \"line one\nline two\"}", r#"{"a": "line one\nline two"}"#),
            ("{\"a\": \"x\ty\"}", r#"{"a": "x\ty"}"#),
            (r#"{"a": 1, "b": [1, 2,],}"#, r#"{"a": 1, "b": [1, 2]}"#),
            (r#"{'a': 'it\'s', 'b': True, 'c': None}"#, r#"{"a": "it's", "b": true, "c": null}"#),
            (r#"{"new": "print("hi")", "path": "a.py"}"#, r#"{"new": "print(\"hi\")", "path": "a.py"}"#),
            (r#"{"old": "replace(/\.0$/, '')"}"#, r#"{"old": "replace(/\\.0$/, '')"}"#),
            (r#"{"a": "C:\dir \u00e9 \uzz"}"#, r#"{"a": "C:\\dir \u00e9 \\uzz"}"#),
        ];
        for (broken, fixed) in cases {
            assert_eq!(repair(broken).as_deref(), Some(fixed), "{broken}");
        }
        assert_eq!(repair("{\"a\": }"), None);
    }

    #[test]
    fn spans_end_where_the_object_ends() {
        let text = "{\"a\": \"}\nstill inside\", \"b\": {\"c\": 1}} after";
        assert_eq!(span(text), Some(text.len() - " after".len()));
        assert_eq!(span("{\"a\": 1"), None);
    }
}
