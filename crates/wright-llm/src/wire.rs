//! The OpenAI Chat Completions wire format, read leniently: real servers add fields, omit
//! fields, send arguments as objects instead of strings, or leave out ids.

use serde_json::{Value, json};

use crate::cache::CacheFigures;
use crate::message::{Message, Sampling, ToolCall, ToolDef, Usage};

pub(crate) fn request(model: &str, messages: &[Message], tools: &[ToolDef], stream: bool, sampling: Sampling) -> Value {
    let mut body = json!({
        "model": model,
        "messages": messages.iter().map(message).collect::<Vec<_>>(),
        "stream": stream,
    });
    if !tools.is_empty() {
        body["tools"] = tools
            .iter()
            .map(|t| json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}))
            .collect();
        body["tool_choice"] = json!("auto");
    }
    if stream {
        body["stream_options"] = json!({"include_usage": true});
    }
    if let Some(t) = sampling.temperature {
        // As the user wrote it: 0.8f32 widened to f64 would go out as 0.800000011920929.
        body["temperature"] = json!(t.to_string().parse::<f64>().unwrap_or(f64::from(t)));
    }
    if let Some(seed) = sampling.seed {
        body["seed"] = json!(seed);
    }
    if let Some(max) = sampling.max_tokens {
        body["max_tokens"] = json!(max);
    }
    body
}

fn message(m: &Message) -> Value {
    match m {
        Message::System { content } => json!({"role": "system", "content": content}),
        Message::User { content } => json!({"role": "user", "content": content}),
        Message::Assistant { content, tool_calls } if tool_calls.is_empty() => {
            json!({"role": "assistant", "content": content})
        }
        Message::Assistant { content, tool_calls } => json!({
            "role": "assistant",
            "content": if content.is_empty() { Value::Null } else { json!(content) },
            "tool_calls": tool_calls.iter().map(|c| json!({
                "id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}
            })).collect::<Vec<_>>(),
        }),
        Message::Tool { tool_call_id, content } => {
            json!({"role": "tool", "tool_call_id": tool_call_id, "content": content})
        }
    }
}

/// Text of a `content` field, which some servers send as an array of parts.
pub(crate) fn content_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts.iter().filter_map(|p| p.get("text").and_then(Value::as_str)).collect(),
        _ => String::new(),
    }
}

/// Arguments as JSON text, whether the server sent a string or an object.
pub(crate) fn arguments_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

pub(crate) fn usage(v: &Value) -> Option<Usage> {
    let u = v.get("usage").filter(|u| u.is_object())?;
    let prompt = u.get("prompt_tokens").and_then(Value::as_u64).unwrap_or(0);
    let completion = u.get("completion_tokens").and_then(Value::as_u64).unwrap_or(0);
    let total = u.get("total_tokens").and_then(Value::as_u64).unwrap_or(prompt.saturating_add(completion));
    let mut usage =
        Usage { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total, ..Usage::default() };
    CacheFigures::of(v).fill(&mut usage);
    Some(usage)
}

/// The error object a server may send with a 200 or inside a stream.
pub(crate) fn error_message(v: &Value) -> Option<String> {
    let e = v.get("error")?;
    Some(match e {
        Value::String(s) => s.clone(),
        other => other.get("message").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| other.to_string()),
    })
}

/// Content, tool calls and finish reason of a non-streamed response.
pub(crate) fn parse_response(v: &Value) -> Option<(String, Vec<ToolCall>, Option<String>)> {
    let choice = v.get("choices")?.get(0)?;
    let msg = choice.get("message")?;
    let content = msg.get("content").map(content_text).unwrap_or_default();
    let mut calls = Vec::new();
    if let Some(list) = msg.get("tool_calls").and_then(Value::as_array) {
        for (i, c) in list.iter().enumerate() {
            let f = c.get("function").unwrap_or(c);
            let Some(name) = f.get("name").and_then(Value::as_str) else { continue };
            calls.push(ToolCall {
                id: c.get("id").and_then(Value::as_str).map(str::to_string).unwrap_or_else(|| format!("call_{i}")),
                name: name.to_string(),
                arguments: arguments_text(f.get("arguments")),
            });
        }
    } else if let Some(f) = msg.get("function_call").filter(|f| f.is_object())
        && let Some(name) = f.get("name").and_then(Value::as_str)
    {
        calls.push(ToolCall { id: "call_0".into(), name: name.into(), arguments: arguments_text(f.get("arguments")) });
    }
    let finish = choice.get("finish_reason").and_then(Value::as_str).map(str::to_string);
    Some((content, calls, finish))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_response_parsing() {
        let v = json!({
            "choices": [{"message": {"content": null, "tool_calls": [
                {"function": {"name": "read_file", "arguments": {"path": "a.py"}}, "extra": 1}
            ]}, "finish_reason": "tool_calls"}],
            "weird_field": true
        });
        let (content, calls, finish) = parse_response(&v).unwrap();
        assert_eq!(content, "");
        assert_eq!(calls[0].id, "call_0");
        assert_eq!(calls[0].arguments, r#"{"path":"a.py"}"#);
        assert_eq!(finish.as_deref(), Some("tool_calls"));
        assert!(usage(&v).is_none());
    }

    #[test]
    fn sampling_is_sent_only_when_set() {
        let none = request("m", &[], &[], false, Sampling::default());
        assert!(none.get("temperature").is_none() && none.get("seed").is_none());
        let fixed =
            request("m", &[], &[], false, Sampling { temperature: Some(0.0), seed: Some(7), max_tokens: Some(99) });
        assert_eq!((fixed["temperature"].as_f64(), fixed["seed"].as_u64()), (Some(0.0), Some(7)));
        assert_eq!(fixed["max_tokens"].as_u64(), Some(99));
        let hot = request("m", &[], &[], false, Sampling { temperature: Some(0.8), ..Sampling::default() });
        assert_eq!(hot["temperature"].to_string(), "0.8");
    }

    #[test]
    fn assistant_tool_calls_serialize_as_openai_does() {
        let m = Message::Assistant {
            content: String::new(),
            tool_calls: vec![ToolCall { id: "c1".into(), name: "run".into(), arguments: "{}".into() }],
        };
        let v = message(&m);
        assert_eq!(v["content"], Value::Null);
        assert_eq!(v["tool_calls"][0]["function"]["name"], "run");
    }
}
