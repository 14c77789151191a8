//! A scripted model server speaking the OpenAI Chat Completions wire format: streaming
//! (SSE) and plain JSON, tool calls, and injected faults. It records every request.
//! Requests told apart by their system prompt, which the caller names (commit messages,
//! summaries), follow scripts of their own; when one runs out they are refused. A window
//! may be enforced: a request whose body exceeds it (at 3 bytes a token) is refused as a
//! real server refuses it, and usage is reported by the same count.
//!
//! Test support only: shared by wright-llm's client tests, wright-agent's in-process
//! session tests and the end-to-end tests, so each reaches the model over real HTTP.

// A fault in the test server is a failed test: unwrap says where, nothing is recovered.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};

/// One scripted answer, rendered as SSE or JSON to match the request's `stream` flag.
#[derive(Clone, Debug)]
pub enum Step {
    /// Text and tool calls `(name, raw arguments)`.
    Turn { text: String, calls: Vec<(String, String)> },
    /// An HTTP error.
    Status { code: u16, retry_after: Option<u64>, body: String },
    /// SSE that starts a tool call, then drops the connection.
    DropMidToolCall,
    /// A 200 SSE response with no chunks at all.
    EmptyStream,
    /// Waits, then answers with the inner step.
    Delay(Duration, Box<Step>),
    /// Streams the start of a reply, then never sends more (for killing a run mid-stream).
    Stall,
    /// Text that stops at the length limit (`finish_reason: length`).
    Cut(String),
    /// These chunks as they are, as SSE then `[DONE]`, whatever the request asked (for
    /// a client's reading of fields a server adds).
    Chunks(Vec<Value>),
    /// This body as it is, as plain JSON.
    Body(Value),
    /// A turn with these fields merged into its last stream chunk (the one with the usage)
    /// or its body, as servers that report prompt-cache figures add them.
    With(Value, Box<Step>),
}

pub fn turn(text: &str, calls: &[(&str, Value)]) -> Step {
    Step::Turn { text: text.into(), calls: calls.iter().map(|(n, a)| (n.to_string(), a.to_string())).collect() }
}

/// `step` with `fields` merged into what carries its usage.
pub fn with(fields: Value, step: Step) -> Step {
    Step::With(fields, Box::new(step))
}

pub fn raw_call(name: &str, raw_args: &str) -> Step {
    Step::Turn { text: String::new(), calls: vec![(name.into(), raw_args.into())] }
}

/// Requests with one system prompt, answered from a script of their own.
#[derive(Default)]
struct Side {
    prompt: String,
    script: Vec<Step>,
    next: usize,
    requests: Vec<Value>,
}

#[derive(Default)]
struct Inner {
    script: Vec<Step>,
    next: usize,
    requests: Vec<Value>,
    /// Requests told apart by their system prompt.
    sides: Vec<Side>,
    /// The system prompt of a commit-message request; `None`: none is told apart.
    commit_prompt: Option<String>,
    /// The context size `/v1/models` gives, as llama.cpp's `meta.n_ctx`.
    context: Option<u64>,
    /// Whether requests over `context` (at 3 bytes a token) are refused.
    enforce: bool,
    /// Requests refused for the window.
    refusals: usize,
    /// Ollama's own API too: the model listed is `ollama_model`, `/api/version` answers,
    /// and `/api/create` requests are recorded.
    ollama_model: Option<String>,
    ollama_requests: Vec<Value>,
}

#[derive(Clone)]
pub struct ModelServer {
    inner: Arc<Mutex<Inner>>,
    pub base_url: String,
}

impl ModelServer {
    /// A server that answers every request from `script`, in order.
    pub async fn start(script: Vec<Step>) -> Self {
        Self::serve(Inner { script, ..Inner::default() }).await
    }

    /// A server that answers requests whose system prompt is `commit_prompt` from
    /// `commits`, in order (refused once it runs out), and the others from `script`.
    /// The caller names the prompt, so this crate depends on no part of wright.
    pub async fn start_with_commits(script: Vec<Step>, commits: Vec<Step>, commit_prompt: &str) -> Self {
        let commits = Side { prompt: commit_prompt.into(), script: commits, ..Side::default() };
        Self::serve(Inner {
            script,
            sides: vec![commits],
            commit_prompt: Some(commit_prompt.into()),
            ..Inner::default()
        })
        .await
    }

    /// A server shaped like Ollama, listing `model`, that answers from `script`.
    pub async fn ollama(script: Vec<Step>, model: &str) -> Self {
        Self::serve(Inner { script, ollama_model: Some(model.into()), ..Inner::default() }).await
    }

    /// The bodies of the `/api/create` requests an Ollama-shaped server received.
    pub fn ollama_requests(&self) -> Vec<Value> {
        self.inner.lock().unwrap().ollama_requests.clone()
    }

    async fn serve(inner: Inner) -> Self {
        let inner = Arc::new(Mutex::new(inner));
        let app = Router::new()
            .route("/v1/chat/completions", post(chat))
            .route("/v1/models", axum::routing::get(models))
            .route("/api/version", axum::routing::get(ollama_version))
            .route("/api/show", post(|| async { StatusCode::NOT_FOUND }))
            .route("/api/create", post(ollama_create))
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        ModelServer { inner, base_url: format!("http://{addr}/v1") }
    }

    /// The agent's requests (commit-message requests are kept apart).
    pub fn requests(&self) -> Vec<Value> {
        self.inner.lock().unwrap().requests.clone()
    }

    pub fn commit_requests(&self) -> Vec<Value> {
        let prompt = self.inner.lock().unwrap().commit_prompt.clone();
        prompt.map(|p| self.requests_with(&p)).unwrap_or_default()
    }

    /// From now on requests whose system prompt is `system_prompt` are answered from
    /// `script`, in order (refused once it runs out), and kept apart.
    pub fn answer(&self, system_prompt: &str, script: Vec<Step>) {
        let side = Side { prompt: system_prompt.into(), script, ..Side::default() };
        self.inner.lock().unwrap().sides.push(side);
    }

    /// The requests whose system prompt is `system_prompt`.
    pub fn requests_with(&self, system_prompt: &str) -> Vec<Value> {
        let inner = self.inner.lock().unwrap();
        inner.sides.iter().filter(|s| s.prompt == system_prompt).flat_map(|s| s.requests.clone()).collect()
    }

    /// From now on the model's context holds `tokens`, and a request over it (its body at
    /// 3 bytes a token, more than any real tokenizer's count) is refused with a
    /// context-length error; usage reports the same count.
    pub fn enforce_window(&self, tokens: u64) {
        let mut inner = self.inner.lock().unwrap();
        inner.context = Some(tokens);
        inner.enforce = true;
    }

    /// Requests refused because they exceeded the enforced window.
    pub fn refusals(&self) -> usize {
        self.inner.lock().unwrap().refusals
    }

    /// From now on the model list says the served model's context holds `tokens`.
    pub fn set_context(&self, tokens: u64) {
        self.inner.lock().unwrap().context = Some(tokens);
    }
}

/// The model list: one model, with a context size only when one was set (as OpenAI's
/// list gives none).
async fn models(State(inner): State<Arc<Mutex<Inner>>>) -> axum::Json<Value> {
    let (context, name) = {
        let inner = inner.lock().unwrap();
        (inner.context, inner.ollama_model.clone().unwrap_or_else(|| "served-model".into()))
    };
    let mut model = serde_json::json!({"id": name, "object": "model", "owned_by": "tests"});
    if let Some(n) = context {
        model["meta"] = serde_json::json!({"n_ctx": n});
    }
    axum::Json(serde_json::json!({"object": "list", "data": [model]}))
}

async fn ollama_version(State(inner): State<Arc<Mutex<Inner>>>) -> Response {
    match inner.lock().unwrap().ollama_model {
        Some(_) => axum::Json(serde_json::json!({"version": "0.12.0"})).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn ollama_create(State(inner): State<Arc<Mutex<Inner>>>, body: Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    inner.lock().unwrap().ollama_requests.push(body);
    axum::Json(serde_json::json!({"status": "success"})).into_response()
}

async fn chat(State(inner): State<Arc<Mutex<Inner>>>, body: Bytes) -> Response {
    let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let stream = request["stream"].as_bool().unwrap_or(false);
    // A conservative count: every real tokenizer finds fewer tokens in the same JSON.
    let tokens = body.len() as u64 / 3;
    if let Some(problem) = unanswerable(&request) {
        let body = json!({"error": {"code": 400, "message": problem, "type": "invalid_request_error"}});
        return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    }
    let step = {
        let mut g = inner.lock().unwrap();
        if g.enforce
            && let Some(window) = g.context.filter(|&w| tokens > w)
        {
            g.refusals += 1;
            let message = format!("the request exceeds the available context size ({tokens} > {window} tokens)");
            let body = json!({"error": {"code": 400, "message": message, "type": "exceed_context_size_error"}});
            return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
        }
        let system = request["messages"][0]["content"].as_str().unwrap_or("").to_string();
        match g.sides.iter_mut().find(|s| s.prompt == system) {
            Some(side) => {
                side.requests.push(request);
                side.next += 1;
                side.script.get(side.next - 1).cloned()
            }
            None => {
                g.requests.push(request);
                g.next += 1;
                g.script.get(g.next - 1).cloned()
            }
        }
    };
    let prompt_tokens = if inner.lock().unwrap().enforce { tokens } else { 100 };
    let Some(mut step) = step else {
        return (StatusCode::BAD_REQUEST, "{\"error\":{\"message\":\"script exhausted\"}}").into_response();
    };
    while let Step::Delay(d, inner_step) = step {
        tokio::time::sleep(d).await;
        step = *inner_step;
    }
    let mut extra = Value::Null;
    if let Step::With(fields, inner_step) = step {
        (extra, step) = (fields, *inner_step);
    }
    match step {
        Step::Turn { text, calls } if stream => {
            let mut parts = chunks(&text, &calls, prompt_tokens);
            merge(parts.last_mut().unwrap(), &extra);
            sse(parts, false)
        }
        Step::Turn { text, calls } => {
            let mut body = completion(&text, &calls, prompt_tokens);
            merge(&mut body, &extra);
            axum::Json(body).into_response()
        }
        Step::Status { code, retry_after, body } => {
            let mut headers = HeaderMap::new();
            if let Some(s) = retry_after {
                headers.insert(header::RETRY_AFTER, s.to_string().parse().unwrap());
            }
            (StatusCode::from_u16(code).unwrap(), headers, body).into_response()
        }
        Step::DropMidToolCall => {
            let first = json!({"choices": [{"index": 0, "delta": {"tool_calls": [
                {"index": 0, "id": "dropped", "type": "function", "function": {"name": "read_file", "arguments": "{\"pa"}}
            ]}}]});
            sse(vec![first], true)
        }
        Step::EmptyStream => sse(Vec::new(), false),
        Step::Chunks(parts) => sse(parts, false),
        Step::Body(body) => axum::Json(body).into_response(),
        Step::Cut(text) if stream => {
            let mut parts = chunks(&text, &[], prompt_tokens);
            let end = parts.len() - 2;
            parts[end]["choices"][0]["finish_reason"] = json!("length");
            sse(parts, false)
        }
        Step::Cut(text) => {
            let mut body = completion(&text, &[], prompt_tokens);
            body["choices"][0]["finish_reason"] = json!("length");
            axum::Json(body).into_response()
        }
        Step::Stall => {
            let first = json!({"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Let me look"}}]});
            let parts = futures::StreamExt::chain(
                futures::stream::iter(vec![Ok::<Bytes, std::io::Error>(Bytes::from(format!("data: {first}\n\n")))]),
                futures::stream::pending(),
            );
            Response::builder()
                .header(header::CONTENT_TYPE, "text/event-stream")
                .body(Body::from_stream(parts))
                .unwrap()
        }
        Step::Delay(..) | Step::With(..) => unreachable!(),
    }
}

/// What makes a conversation one OpenAI refuses: a tool message that answers no call of
/// the assistant message before it.
fn unanswerable(request: &Value) -> Option<String> {
    let messages = request["messages"].as_array()?;
    let mut calls: Vec<&str> = Vec::new();
    for message in messages {
        match message["role"].as_str() {
            Some("assistant") => {
                let listed = message["tool_calls"].as_array().map(Vec::as_slice).unwrap_or_default();
                calls = listed.iter().filter_map(|c| c["id"].as_str()).collect();
            }
            Some("tool") => {
                let id = message["tool_call_id"].as_str().unwrap_or_default();
                if !calls.contains(&id) {
                    return Some(format!(
                        "messages with role 'tool' must be a response to a preceding message with 'tool_calls' ({id})"
                    ));
                }
            }
            _ => calls.clear(),
        }
    }
    None
}

/// Merges `fields` into `into`, objects key by key; `null` adds nothing.
fn merge(into: &mut Value, fields: &Value) {
    match (into, fields) {
        (_, Value::Null) => {}
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (a, b) => *a = b.clone(),
    }
}

fn sse(chunks: Vec<Value>, drop_connection: bool) -> Response {
    let mut parts: Vec<Result<Bytes, std::io::Error>> =
        chunks.iter().map(|c| Ok(Bytes::from(format!("data: {c}\n\n")))).collect();
    if drop_connection {
        parts.push(Err(std::io::Error::other("connection dropped by the test server")));
    } else {
        parts.push(Ok(Bytes::from("data: [DONE]\n\n")));
    }
    Response::builder()
        .header(header::CONTENT_TYPE, "text/event-stream")
        .body(Body::from_stream(futures::StreamExt::then(futures::stream::iter(parts), |part| async move {
            // Let the headers and the first chunks reach the client before the drop.
            if part.is_err() {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            part
        })))
        .unwrap()
}

/// SSE chunks for a turn: text in pieces, each call's arguments split across chunks.
fn chunks(text: &str, calls: &[(String, String)], prompt_tokens: u64) -> Vec<Value> {
    let mut out = vec![json!({"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]})];
    let mid = text.char_indices().nth(text.chars().count() / 2).map(|(i, _)| i).unwrap_or(0);
    for piece in [&text[..mid], &text[mid..]] {
        if !piece.is_empty() {
            out.push(json!({"choices": [{"index": 0, "delta": {"content": piece}}]}));
        }
    }
    for (i, (name, args)) in calls.iter().enumerate() {
        out.push(json!({"choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": i, "id": format!("call_{i}"), "type": "function", "function": {"name": name, "arguments": ""}}
        ]}}]}));
        let cut = args.char_indices().nth(args.chars().count() / 2).map(|(i, _)| i).unwrap_or(0);
        for piece in [&args[..cut], &args[cut..]] {
            out.push(json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": i, "function": {"arguments": piece}}]}}]}));
        }
    }
    let reason = if calls.is_empty() { "stop" } else { "tool_calls" };
    out.push(json!({"choices": [{"index": 0, "delta": {}, "finish_reason": reason}]}));
    let usage = json!({"prompt_tokens": prompt_tokens, "completion_tokens": 20, "total_tokens": prompt_tokens + 20});
    out.push(json!({"choices": [], "usage": usage}));
    out
}

fn completion(text: &str, calls: &[(String, String)], prompt_tokens: u64) -> Value {
    let tool_calls: Vec<Value> = calls
        .iter()
        .enumerate()
        .map(|(i, (name, args))| json!({"id": format!("call_{i}"), "type": "function", "function": {"name": name, "arguments": args}}))
        .collect();
    let mut message = json!({"role": "assistant", "content": if text.is_empty() { Value::Null } else { json!(text) }});
    if !tool_calls.is_empty() {
        message["tool_calls"] = json!(tool_calls);
    }
    json!({
        "id": "x", "object": "chat.completion", "created": 0, "model": "scripted",
        "choices": [{"index": 0, "message": message, "finish_reason": if calls.is_empty() { "stop" } else { "tool_calls" }}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 20, "total_tokens": prompt_tokens + 20}
    })
}
