//! Prompt-cache figures, where the server reports them: llama.cpp's `timings` (`prompt_n`
//! evaluated, `cache_n` reused) or OpenAI's `usage.prompt_tokens_details.cached_tokens`.
//! On CPU a processed prompt token costs time and a cached one none, so a run should know
//! which it paid for; a server that says neither leaves both unknown, never a guessed 0.

use serde_json::Value;

use crate::message::Usage;

/// Prompt tokens processed and cached, as one response (or stream chunk) reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CacheFigures {
    pub processed: Option<u64>,
    pub cached: Option<u64>,
}

impl CacheFigures {
    /// What `v` (a response body or a stream chunk) says; llama.cpp's timings first, as
    /// they give both figures as counted.
    pub fn of(v: &Value) -> Self {
        let llama = llama_timings(v);
        if llama.is_known() { llama } else { openai_details(v) }
    }

    pub fn is_known(&self) -> bool {
        self.processed.is_some() || self.cached.is_some()
    }

    /// Usage with these figures and no token counts, for a server that sent no usage
    /// (the counts are estimated later).
    pub fn alone(self) -> Usage {
        let mut usage = Usage::default();
        self.fill(&mut usage);
        usage
    }

    /// Fills the figures `usage` lacks.
    pub fn fill(&self, usage: &mut Usage) {
        usage.processed_prompt_tokens = usage.processed_prompt_tokens.or(self.processed);
        usage.cached_prompt_tokens = usage.cached_prompt_tokens.or(self.cached);
    }
}

/// `timings.prompt_n` and `timings.cache_n`; llama.cpp sends -1 for a figure it lacks.
fn llama_timings(v: &Value) -> CacheFigures {
    let Some(t) = v.get("timings").filter(|t| t.is_object()) else { return CacheFigures::default() };
    CacheFigures {
        processed: t.get("prompt_n").and_then(Value::as_u64),
        cached: t.get("cache_n").and_then(Value::as_u64),
    }
}

/// OpenAI counts cached tokens inside `prompt_tokens`: the rest were processed.
fn openai_details(v: &Value) -> CacheFigures {
    let usage = v.get("usage");
    let cached = usage.and_then(|u| u.pointer("/prompt_tokens_details/cached_tokens")).and_then(Value::as_u64);
    let prompt = usage.and_then(|u| u.get("prompt_tokens")).and_then(Value::as_u64);
    let processed = cached.zip(prompt).and_then(|(c, p)| p.checked_sub(c));
    CacheFigures { processed, cached }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_servers_form_is_read_and_silence_claims_nothing() {
        let llama = json!({"timings": {"cache_n": 236, "prompt_n": 12, "prompt_ms": 264.1}});
        assert_eq!(CacheFigures::of(&llama), CacheFigures { processed: Some(12), cached: Some(236) });
        let openai = json!({"usage": {"prompt_tokens": 2006, "prompt_tokens_details": {"cached_tokens": 1920}}});
        assert_eq!(CacheFigures::of(&openai), CacheFigures { processed: Some(86), cached: Some(1920) });
        let none = json!({"usage": {"prompt_tokens": 10, "prompt_tokens_details": null}});
        assert!(!CacheFigures::of(&none).is_known());
        assert!(!CacheFigures::of(&json!({"timings": {"prompt_n": -1, "cache_n": -1}})).is_known());
        let odd = json!({"usage": {"prompt_tokens": 5, "prompt_tokens_details": {"cached_tokens": 9}}});
        assert_eq!(CacheFigures::of(&odd), CacheFigures { processed: None, cached: Some(9) }, "no negative count");
    }
}
