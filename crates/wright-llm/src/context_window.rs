//! How many tokens the served model's context holds, as the endpoint's model list says
//! (llama.cpp's `meta.n_ctx`, vLLM's `max_model_len`, OpenRouter's and LM Studio's
//! `context_length`), or llama.cpp's `/props` for builds whose list has no `n_ctx`.
//! Many endpoints say nothing; then the caller decides.

use serde_json::Value;

/// The context size `listing` (a `GET /models` body) gives for `model`: its own entry, or
/// the only entry when the server serves one model under another name.
pub(crate) fn from_listing(listing: &Value, model: &str) -> Option<u64> {
    let entries = listing.get("data")?.as_array()?;
    let entry = entries.iter().find(|e| e.get("id").and_then(Value::as_str) == Some(model)).or_else(|| {
        let [only] = entries.as_slice() else { return None };
        Some(only)
    })?;
    let fields = [
        entry.pointer("/meta/n_ctx"),
        entry.get("max_model_len"),
        entry.get("context_length"),
        entry.get("context_window"),
        entry.pointer("/top_provider/context_length"),
    ];
    fields.into_iter().flatten().find_map(Value::as_u64).filter(|&n| n > 0)
}

/// The context size in llama.cpp's `/props` (`default_generation_settings.n_ctx`).
pub(crate) fn from_props(props: &Value) -> Option<u64> {
    props.pointer("/default_generation_settings/n_ctx").and_then(Value::as_u64).filter(|&n| n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn each_servers_field_is_read() {
        let llama = json!({"data": [{"id": "/models/q.gguf", "meta": {"n_ctx": 16384, "n_ctx_train": 32768}}]});
        assert_eq!(from_listing(&llama, "local"), Some(16384), "the only model, under any name");
        let vllm = json!({"data": [{"id": "a", "max_model_len": 8192}, {"id": "b", "max_model_len": 32768}]});
        assert_eq!(from_listing(&vllm, "b"), Some(32768));
        assert_eq!(from_listing(&vllm, "c"), None, "two models, neither named: no guess");
        let openai = json!({"object": "list", "data": [{"id": "gpt-4o-mini", "object": "model"}]});
        assert_eq!(from_listing(&openai, "gpt-4o-mini"), None);
        assert_eq!(from_listing(&json!({"data": [{"id": "x", "context_length": "lots"}]}), "x"), None);
        assert_eq!(from_listing(&json!("not a listing"), "x"), None);
        let train_only = json!({"data": [{"id": "q", "meta": {"n_ctx_train": 32768}}]});
        assert_eq!(from_listing(&train_only, "q"), None, "the training context is not the window");
        assert_eq!(from_props(&json!({"default_generation_settings": {"n_ctx": 8192}})), Some(8192));
        assert_eq!(from_props(&json!({"default_generation_settings": {}})), None);
    }
}
