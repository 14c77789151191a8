//! Tool calls written as text. Small local models answer with a JSON object naming a tool
//! (inside `<tool_call>` tags, in a fenced code block, or bare), with Llama's
//! `<function=name>{…}</function>`, with a pythonic `read_file(path="a.py")` or ReAct's
//! `Action:` / `Action Input:`; and they write that JSON by hand. What is unambiguous is
//! repaired; what is not is reported, saying what failed. `<think>` drafts never run, nor
//! does a call found inside another call's arguments.

mod blocks;
mod pythonic;
mod repair;

use serde_json::{Map, Value};

use crate::message::ToolCall;
use crate::wire::arguments_text;

/// What a reply's text holds: the calls, in order, and what kept others from being read.
#[derive(Debug, Default, PartialEq)]
pub struct TextCalls {
    pub calls: Vec<ToolCall>,
    /// Set when the text holds something call-shaped that could not be read as a call.
    pub problem: Option<String>,
}

/// The tool calls found in `text`, restricted to the `known` tool names, in order.
pub fn parse_text_tool_calls(text: &str, known: &[&str]) -> TextCalls {
    let mut text = without_thinking(text);
    let mut found = TextCalls::default();
    // Patch blocks first: their lines are code, and nothing in them is another call.
    if known.contains(&"apply_patch") {
        match blocks::patch_call(&text) {
            Some(Ok((call, rest))) => {
                found.calls.push(call);
                text = rest;
            }
            // A patch cut short is never applied, and its lines are not read as calls.
            Some(Err(problem)) => return TextCalls { calls: Vec::new(), problem: Some(problem) },
            None => {}
        }
    }
    let mut at = 0;
    while at < text.len() {
        let Some(rest) = text.get(at..) else {
            at += 1;
            continue;
        };
        let used = if let Some(body) = rest.strip_prefix("<function=") {
            llama_call(body, known, &mut found).map(|n| n + "<function=".len())
        } else if rest.starts_with("Action:") {
            react_call(rest, known, &mut found)
        } else if rest.starts_with('{') || rest.starts_with('[') {
            json_call(rest, known, &mut found)
        } else if at_line_start(&text, at) {
            match pythonic::call(rest, known) {
                Some(Ok((call, used))) => {
                    found.calls.push(call);
                    Some(used)
                }
                // A call with something after it on its line is no call, nor is anything in it.
                Some(Err(())) => Some(rest.find('\n').unwrap_or(rest.len())),
                None => None,
            }
        } else {
            None
        };
        at += used.unwrap_or_else(|| rest.chars().next().map_or(1, char::len_utf8));
    }
    for (i, call) in found.calls.iter_mut().enumerate() {
        call.id = format!("text_call_{i}");
    }
    if !found.calls.is_empty() {
        found.problem = None;
    }
    found
}

/// `text` from byte `at` on (empty past the end or inside a character).
pub(super) fn tail(text: &str, at: usize) -> &str {
    text.get(at..).unwrap_or("")
}

/// `text` up to byte `at` (all of it past the end or inside a character).
pub(super) fn head(text: &str, at: usize) -> &str {
    text.get(..at).unwrap_or(text)
}

/// `text` without `<think>` blocks (an unclosed one runs to the end).
fn without_thinking(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    // Templates that open `<think>` in the prompt leave only its end in the reply.
    if let Some(end) = rest.find("</think>")
        && !head(rest, end).contains("<think>")
    {
        rest = tail(rest, end + "</think>".len());
    }
    while let Some(start) = rest.find("<think>") {
        out.push_str(head(rest, start));
        match tail(rest, start).find("</think>") {
            Some(end) => rest = tail(rest, start + end + "</think>".len()),
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Whether only whitespace, `[`, backticks or a `<tool_call>` tag come before `at` on
/// its line: where a pythonic call may stand (a tool named in prose is no call).
fn at_line_start(text: &str, at: usize) -> bool {
    let line = text.get(..at).map_or("", |t| t.rsplit('\n').next().unwrap_or(t));
    let line = line.trim_end_matches("<tool_call>");
    line.chars().all(|c| c.is_whitespace() || c == '[' || c == '`')
}

/// A JSON object or array at the start of `text`: its calls, or the reason it is not one.
/// Returns the bytes it spans (`None` when it is not closed: the scan goes on inside).
fn json_call(text: &str, known: &[&str], found: &mut TextCalls) -> Option<usize> {
    // Valid JSON is read as it is: the repairs only ever see what does not parse.
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    if let Some(Ok(value)) = stream.next() {
        collect(&value, known, found);
        return Some(stream.byte_offset().max(1));
    }
    let Some(len) = repair::span(text) else {
        if let Some(name) = mentioned_tool(text, known) {
            found.problem.get_or_insert(format!(
                "the JSON of your `{name}` call is not closed (was the reply cut short?); send the whole call again"
            ));
            // Nothing inside a call that was cut short runs.
            return Some(text.len());
        }
        return None;
    };
    let raw = head(text, len);
    let value = match serde_json::from_str::<Value>(raw) {
        Ok(v) => Some(v),
        Err(e) => match repair::repair(raw) {
            Some(fixed) => serde_json::from_str(&fixed).ok(),
            None => {
                if let Some(name) = mentioned_tool(raw, known) {
                    found.problem.get_or_insert(format!(
                        "your `{name}` call is not valid JSON ({e}); write one JSON object, with \\n for line breaks and \\\" for quotes inside strings"
                    ));
                }
                None
            }
        },
    };
    if let Some(value) = value {
        collect(&value, known, found);
    }
    Some(len)
}

/// `name>{...}</function>` after `<function=`.
fn llama_call(body: &str, known: &[&str], found: &mut TextCalls) -> Option<usize> {
    let close = body.find('>')?;
    let name = head(body, close).trim();
    let args_start = close + 1;
    let args_text = tail(body, args_start).trim_start();
    let skipped = body.len() - args_start - args_text.len();
    let len = repair::span(args_text)?;
    let arguments = object_text(head(args_text, len))?;
    let mut used = args_start + skipped + len;
    if tail(body, used).trim_start().starts_with("</function>") {
        used = body.len() - tail(body, used).trim_start().len() + "</function>".len();
    }
    push(found, known, name, arguments);
    Some(used)
}

/// `Action: name` and, on a later line, `Action Input: {...}`.
fn react_call(text: &str, known: &[&str], found: &mut TextCalls) -> Option<usize> {
    let line_end = text.find('\n').unwrap_or(text.len());
    let name = tail(head(text, line_end), "Action:".len()).trim().trim_matches('`');
    let input_at = text.find("Action Input:")?;
    let input = tail(text, input_at + "Action Input:".len()).trim_start();
    let start = text.len() - input.len();
    let len = repair::span(input)?;
    push(found, known, name, object_text(head(input, len))?);
    Some(start + len)
}

/// A JSON object as text, repaired if it must be.
fn object_text(raw: &str) -> Option<String> {
    let value: Value = serde_json::from_str(raw).ok().or_else(|| serde_json::from_str(&repair::repair(raw)?).ok())?;
    value.is_object().then(|| value.to_string())
}

fn push(found: &mut TextCalls, known: &[&str], name: &str, arguments: String) {
    if known.contains(&name) {
        found.calls.push(ToolCall { id: String::new(), name: name.to_string(), arguments });
    } else {
        found.problem.get_or_insert(format!("`{name}` is not a tool; the tools are: {}", known.join(", ")));
    }
}

const NAME_KEYS: [&str; 3] = ["name", "tool", "tool_name"];
const ARGUMENT_KEYS: [&str; 4] = ["arguments", "parameters", "args", "input"];

fn collect(value: &Value, known: &[&str], found: &mut TextCalls) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, known, found)),
        Value::Object(map) => {
            let inner = map.get("function").filter(|f| f.is_object()).and_then(Value::as_object).unwrap_or(map);
            let Some(name) = NAME_KEYS.iter().find_map(|k| inner.get(*k).and_then(Value::as_str)) else { return };
            let arguments = match ARGUMENT_KEYS.iter().find_map(|k| inner.get(*k)) {
                // Arguments sent as a string of JSON, repaired like the rest.
                Some(Value::String(s)) => object_text(s).unwrap_or_else(|| s.clone()),
                Some(v) => arguments_text(Some(v)),
                // Flat: the arguments beside the name.
                None => Value::Object(flat_arguments(inner)).to_string(),
            };
            push(found, known, name, arguments);
        }
        _ => {}
    }
}

fn flat_arguments(map: &Map<String, Value>) -> Map<String, Value> {
    map.iter()
        .filter(|(k, _)| !NAME_KEYS.contains(&k.as_str()) && !["type", "id"].contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// A known tool's name written as a JSON value, as in `"name": "edit"`.
fn mentioned_tool<'a>(text: &str, known: &[&'a str]) -> Option<&'a str> {
    known.iter().copied().find(|name| text.contains(&format!("\"{name}\"")) || text.contains(&format!("'{name}'")))
}

#[cfg(test)]
mod tests;
