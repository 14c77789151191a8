//! Calls written as Python: `read_file(path="a.py", start_line=10)`, alone on their line
//! (a name mentioned in prose is not a call).

use serde_json::{Map, Number, Value};

use super::{head, repair, tail};
use crate::message::ToolCall;

/// A call at the start of `text` to one of the `known` tools, and the bytes it spans;
/// `Err` for a call with more text after it on its line (prose, or a comment): no call.
pub(super) fn call(text: &str, known: &[&str]) -> Option<Result<(ToolCall, usize), ()>> {
    let name = known.iter().find(|n| text.starts_with(**n) && tail(text, n.len()).starts_with('('))?;
    let mut at = name.len() + 1;
    let mut arguments = Map::new();
    loop {
        at += skip_space(tail(text, at));
        let rest = tail(text, at);
        if let Some(after) = rest.strip_prefix(')') {
            let line_rest = after.split('\n').next().unwrap_or("");
            let trailing = line_rest.trim().trim_start_matches([']', '`']).trim_start_matches("</tool_call>").trim();
            if !trailing.is_empty() {
                return Some(Err(()));
            }
            let arguments = Value::Object(arguments).to_string();
            return Some(Ok((ToolCall { id: String::new(), name: name.to_string(), arguments }, at + 1)));
        }
        let key: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
        let after_key = tail(rest, key.len()).trim_start();
        let value_text = after_key.strip_prefix('=')?.trim_start();
        if key.is_empty() {
            return None;
        }
        let (value, used) = value(value_text)?;
        arguments.insert(key, value);
        at = text.len() - value_text.len() + used;
        at += skip_space(tail(text, at));
        if let Some(after) = tail(text, at).strip_prefix(',') {
            at = text.len() - after.len();
        }
    }
}

fn skip_space(text: &str) -> usize {
    text.len() - text.trim_start().len()
}

/// A Python literal at the start of `text`: a string (triple-quoted too), number, bool,
/// `None`, list or dict.
fn value(text: &str) -> Option<(Value, usize)> {
    for quote in ["\"\"\"", "'''"] {
        if let Some(body) = text.strip_prefix(quote) {
            let end = body.find(quote)?;
            return Some((Value::String(head(body, end).to_string()), end + 2 * quote.len()));
        }
    }
    let first = text.chars().next()?;
    if first == '"' || first == '\'' {
        return string(text, first);
    }
    if first == '[' || first == '{' {
        let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
        if let Some(Ok(value)) = stream.next() {
            return Some((value, stream.byte_offset()));
        }
        let len = repair::span(text)?;
        let fixed = repair::repair(head(text, len))?;
        return Some((serde_json::from_str(&fixed).ok()?, len));
    }
    let token: String = text.chars().take_while(|c| !matches!(c, ',' | ')') && !c.is_whitespace()).collect();
    let value = match token.as_str() {
        "True" | "true" => Value::Bool(true),
        "False" | "false" => Value::Bool(false),
        "None" | "null" => Value::Null,
        t => match (t.parse::<i64>(), t.parse::<f64>()) {
            (Ok(i), _) => Value::Number(i.into()),
            (_, Ok(f)) => Value::Number(Number::from_f64(f)?),
            _ => return None,
        },
    };
    Some((value, token.len()))
}

/// A quoted string with Python's common escapes.
fn string(text: &str, quote: char) -> Option<(Value, usize)> {
    let mut out = String::new();
    let mut chars = text.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                't' => out.push('\t'),
                other => out.push(other),
            },
            c if c == quote => return Some((Value::String(out), i + 1)),
            c => out.push(c),
        }
    }
    None
}
