//! Tool calls written as text. Small local models often answer with a JSON object naming
//! a tool, inside `<tool_call>` tags, in a fenced code block, or bare in the reply.

use serde_json::Value;

use crate::message::ToolCall;
use crate::wire::arguments_text;

/// The tool calls found in `text`, restricted to the `known` tool names, in order.
pub fn parse_text_tool_calls(text: &str, known: &[&str]) -> Vec<ToolCall> {
    let mut calls = Vec::new();
    for value in json_values(text) {
        collect(&value, known, &mut calls);
    }
    for (i, call) in calls.iter_mut().enumerate() {
        call.id = format!("text_call_{i}");
    }
    calls
}

fn collect(value: &Value, known: &[&str], out: &mut Vec<ToolCall>) {
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect(v, known, out)),
        Value::Object(map) => {
            let inner = map.get("function").filter(|f| f.is_object()).unwrap_or(value);
            let name = ["name", "tool", "tool_name"].iter().find_map(|k| inner.get(*k).and_then(Value::as_str));
            let Some(name) = name.filter(|n| known.contains(n)) else { return };
            let args = ["arguments", "parameters", "args", "input"].iter().find_map(|k| inner.get(*k));
            let arguments = match args {
                Some(v) => arguments_text(Some(v)),
                None => "{}".to_string(),
            };
            out.push(ToolCall { id: String::new(), name: name.to_string(), arguments });
        }
        _ => {}
    }
}

/// Every top-level JSON object or array that parses, scanning left to right.
fn json_values(text: &str) -> Vec<Value> {
    let mut values = Vec::new();
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        if bytes[i] == b'{' || bytes[i] == b'[' {
            let mut stream = serde_json::Deserializer::from_str(text.get(i..).unwrap_or_default()).into_iter::<Value>();
            if let Some(Ok(v)) = stream.next() {
                values.push(v);
                i += stream.byte_offset().max(1);
                continue;
            }
        }
        i += 1;
    }
    values
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: &[&str] = &["read_file", "edit", "finish"];

    #[test]
    fn tagged_and_fenced_calls() {
        let text =
            "I'll read it.\n<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"a.py\"}}\n</tool_call>";
        let calls = parse_text_tool_calls(text, KNOWN);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].name, "read_file");
        assert_eq!(calls[0].arguments, r#"{"path":"a.py"}"#);

        let fenced =
            "```json\n{\"name\": \"finish\", \"parameters\": {\"summary\": \"done\", \"outcome\": \"fixed\"}}\n```";
        assert_eq!(parse_text_tool_calls(fenced, KNOWN)[0].name, "finish");
    }

    #[test]
    fn unknown_names_and_plain_json_are_ignored() {
        assert!(parse_text_tool_calls("{\"name\": \"rm_rf\", \"arguments\": {}}", KNOWN).is_empty());
        assert!(parse_text_tool_calls("config: {\"a\": 1}", KNOWN).is_empty());
        assert!(parse_text_tool_calls("no json here {", KNOWN).is_empty());
    }

    #[test]
    fn several_calls_and_string_arguments() {
        let text =
            r#"[{"name":"read_file","arguments":"{\"path\":\"x\"}"}, {"function":{"name":"edit","arguments":{}}}]"#;
        let calls = parse_text_tool_calls(text, KNOWN);
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].arguments, r#"{"path":"x"}"#);
        assert_eq!(calls[1].id, "text_call_1");
    }
}
