//! Assembles streamed chunks into one reply: text deltas appended, tool-call deltas joined
//! by index (or by id, or in order, for servers that omit the index).

use serde_json::Value;

use crate::cache::CacheFigures;
use crate::message::{ToolCall, Usage};
use crate::wire::{arguments_text, content_text, usage};

#[derive(Default)]
pub(crate) struct Assembler {
    pub content: String,
    calls: Vec<(Option<u64>, ToolCall)>,
    usage: Option<Usage>,
    /// The latest cache figures: llama.cpp sends its timings on the final chunk, which
    /// need not be the one with the usage.
    cache: CacheFigures,
    pub finish_reason: Option<String>,
    pub chunks: usize,
}

/// What one chunk added, for progress display.
pub(crate) struct ChunkDelta {
    pub text: String,
    pub new_tool: Option<String>,
}

impl Assembler {
    pub(crate) fn push(&mut self, chunk: &Value) -> ChunkDelta {
        self.chunks += 1;
        if let Some(u) = usage(chunk) {
            self.usage = Some(u);
        }
        let cache = CacheFigures::of(chunk);
        if cache.is_known() {
            self.cache = cache;
        }
        let mut delta = ChunkDelta { text: String::new(), new_tool: None };
        let Some(choice) = chunk.get("choices").and_then(|c| c.get(0)) else { return delta };
        if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
            self.finish_reason = Some(reason.to_string());
        }
        let Some(d) = choice.get("delta").or_else(|| choice.get("message")) else { return delta };
        if let Some(text) = d.get("content").map(content_text).filter(|t| !t.is_empty()) {
            self.content.push_str(&text);
            delta.text = text;
        }
        for tc in d.get("tool_calls").and_then(Value::as_array).into_iter().flatten() {
            let index = tc.get("index").and_then(Value::as_u64);
            let id = tc.get("id").and_then(Value::as_str).filter(|s| !s.is_empty());
            let f = tc.get("function").unwrap_or(tc);
            let name = f.get("name").and_then(Value::as_str).filter(|s| !s.is_empty());
            let args = arguments_text(f.get("arguments"));
            let slot = self.slot(index, id);
            let call = &mut self.calls[slot].1;
            if let Some(id) = id {
                call.id = id.to_string();
            }
            if let Some(name) = name.filter(|_| call.name.is_empty()) {
                call.name = name.to_string();
                delta.new_tool = Some(name.to_string());
            }
            call.arguments.push_str(&args);
        }
        delta
    }

    fn slot(&mut self, index: Option<u64>, id: Option<&str>) -> usize {
        let found = match (index, id) {
            (Some(i), _) => self.calls.iter().position(|(idx, _)| *idx == Some(i)),
            (None, Some(id)) => self.calls.iter().position(|(_, c)| c.id == id),
            (None, None) => self.calls.len().checked_sub(1),
        };
        found.unwrap_or_else(|| {
            self.calls.push((
                index,
                ToolCall { id: id.unwrap_or_default().to_string(), name: String::new(), arguments: String::new() },
            ));
            self.calls.len() - 1
        })
    }

    /// The usage the stream reported, with the cache figures of whichever chunk had them;
    /// `None` when no chunk had a usage object.
    pub(crate) fn usage(&self) -> Option<Usage> {
        let mut usage = self.usage?;
        self.cache.fill(&mut usage);
        Some(usage)
    }

    /// Cache figures seen in the stream, for a reply whose usage must be estimated.
    pub(crate) fn cache(&self) -> CacheFigures {
        self.cache
    }

    pub(crate) fn has_output(&self) -> bool {
        !self.content.is_empty() || !self.calls.is_empty()
    }

    pub(crate) fn tool_calls(&self) -> Vec<ToolCall> {
        self.calls
            .iter()
            .enumerate()
            .filter(|(_, (_, c))| !c.name.is_empty())
            .map(|(i, (_, c))| ToolCall {
                id: if c.id.is_empty() { format!("call_{i}") } else { c.id.clone() },
                name: c.name.clone(),
                arguments: c.arguments.clone(),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn joins_tool_call_fragments_by_index() {
        let mut a = Assembler::default();
        a.push(&json!({"choices": [{"delta": {"role": "assistant", "content": "Let me look."}}]}));
        a.push(&json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "c1", "type": "function", "function": {"name": "read_file", "arguments": ""}}]}}]}));
        a.push(&json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{\"pa"}}]}}]}));
        a.push(&json!({"choices": [{"delta": {"tool_calls": [{"index": 1, "id": "c2", "function": {"name": "search", "arguments": "{}"}}]}}]}));
        a.push(
            &json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": "th\":\"a\"}"}}]}}]}),
        );
        a.push(&json!({"choices": [{"delta": {}, "finish_reason": "tool_calls"}]}));
        a.push(&json!({"choices": [], "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}));
        let calls = a.tool_calls();
        assert_eq!(a.content, "Let me look.");
        assert_eq!(calls.len(), 2);
        assert_eq!(calls[0].arguments, r#"{"path":"a"}"#);
        assert_eq!(calls[1].name, "search");
        assert_eq!(a.finish_reason.as_deref(), Some("tool_calls"));
        let usage = a.usage().unwrap();
        assert_eq!(usage.total_tokens, 15);
        assert_eq!((usage.processed_prompt_tokens, usage.cached_prompt_tokens), (None, None), "not reported");
    }

    #[test]
    fn servers_without_indexes_still_assemble() {
        let mut a = Assembler::default();
        a.push(&json!({"choices": [{"delta": {"tool_calls": [{"id": "x", "function": {"name": "run", "arguments": "{\"command\":"}}]}}]}));
        a.push(&json!({"choices": [{"delta": {"tool_calls": [{"function": {"arguments": "\"ls\"}"}}]}}]}));
        assert_eq!(a.tool_calls()[0].arguments, r#"{"command":"ls"}"#);
    }
}
