//! Ollama serves its OpenAI-compatible API with a 4096-token window, whatever the model
//! holds, and cuts a longer prompt silently; that API cannot change it. So wright asks
//! Ollama's own API for a model of its own, derived from the chosen one with `num_ctx`
//! set, and uses that.

use std::time::Duration;

use serde_json::{Value, json};

use crate::LocalError;

/// The model to request from the Ollama server at `base_url` (its `/v1`) so that prompts
/// of `num_ctx` tokens fit: `model` derived with that window, made if missing.
pub async fn with_window(base_url: &str, model: &str, num_ctx: u64) -> Result<String, LocalError> {
    let server = base_url.trim_end_matches('/').trim_end_matches("/v1");
    let derived = derived_name(model, num_ctx);
    if model == derived {
        return Ok(derived);
    }
    let fail = |detail: String| LocalError::Ollama { url: server.to_string(), detail };
    // Creating copies no weights, but may take a moment on a busy server.
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| fail(e.to_string()))?;
    let shown = http.post(format!("{server}/api/show")).json_body(&json!({"model": derived})).send().await;
    if shown.is_ok_and(|r| r.status().is_success()) {
        return Ok(derived);
    }
    let body = json!({"model": derived, "from": model, "parameters": {"num_ctx": num_ctx}, "stream": false});
    let response =
        http.post(format!("{server}/api/create")).json_body(&body).send().await.map_err(|e| fail(e.to_string()))?;
    let status = response.status();
    let body = crate::body::read_capped(response, 64 << 10).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&body);
    if !status.is_success() {
        return Err(fail(format!(
            "creating {derived} with num_ctx {num_ctx} failed: HTTP {status}: {}; \
             start Ollama with OLLAMA_CONTEXT_LENGTH={num_ctx} instead",
            text.chars().take(300).collect::<String>()
        )));
    }
    let error = serde_json::from_str::<Value>(&text).ok().and_then(|v| v.get("error").cloned());
    match error {
        Some(e) => Err(fail(format!("creating {derived}: {e}"))),
        None => Ok(derived),
    }
}

/// Whether `model` is one wright derived (`…-wright:ctx16384`).
pub(crate) fn is_derived(model: &str) -> bool {
    model.rsplit_once("-wright:ctx").is_some_and(|(_, n)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// `qwen2.5-coder:1.5b` → `qwen2.5-coder-1.5b-wright:ctx16384`.
pub fn derived_name(model: &str, num_ctx: u64) -> String {
    let suffix = format!("-wright:ctx{num_ctx}");
    if model.ends_with(&suffix) {
        return model.to_string();
    }
    let (name, tag) = model.split_once(':').unwrap_or((model, "latest"));
    format!("{name}-{tag}{suffix}")
}

/// A JSON body without reqwest's `json` feature.
trait JsonBody {
    fn json_body(self, body: &Value) -> Self;
}

impl JsonBody for reqwest::RequestBuilder {
    fn json_body(self, body: &Value) -> Self {
        self.header(reqwest::header::CONTENT_TYPE, "application/json").body(body.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Json;
    use axum::http::StatusCode;
    use axum::routing::post;
    use std::sync::{Arc, Mutex};

    #[test]
    fn derived_names_keep_the_tag_and_are_not_derived_twice() {
        assert_eq!(derived_name("qwen2.5-coder:1.5b", 16384), "qwen2.5-coder-1.5b-wright:ctx16384");
        assert_eq!(derived_name("llama3", 8192), "llama3-latest-wright:ctx8192");
        assert_eq!(derived_name("llama3-latest-wright:ctx8192", 8192), "llama3-latest-wright:ctx8192");
        assert!(is_derived("llama3-latest-wright:ctx8192") && !is_derived("llama3:8b") && !is_derived("x-wright:ctx"));
    }

    #[tokio::test]
    async fn the_window_is_set_through_ollamas_own_api() {
        let created: Arc<Mutex<Vec<Value>>> = Arc::default();
        let seen = created.clone();
        let app = axum::Router::new().route("/api/show", post(|| async { StatusCode::NOT_FOUND })).route(
            "/api/create",
            post(move |Json(body): Json<Value>| {
                let seen = seen.clone();
                async move {
                    seen.lock().unwrap().push(body);
                    Json(json!({"status": "success"}))
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let model = with_window(&format!("http://{addr}/v1"), "qwen2.5-coder:1.5b", 16384).await.unwrap();
        assert_eq!(model, "qwen2.5-coder-1.5b-wright:ctx16384");
        let created = created.lock().unwrap();
        assert_eq!(created[0]["from"], "qwen2.5-coder:1.5b");
        assert_eq!(created[0]["parameters"]["num_ctx"], 16384);
    }
}
