//! The client: one `chat` call = one model turn, with retries, streaming fallback and
//! usage accounting hidden behind it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use futures::StreamExt;
use serde_json::Value;

use crate::cache::CacheFigures;
use crate::http::{HttpFailure, StatusService};
use crate::message::{Message, Reply, Sampling, ToolDef, Usage, estimate_tokens};
use crate::stream::Assembler;
use crate::{LlmError, RetryPolicy, wire};

pub const OPENAI_DEFAULT_BASE: &str = "https://api.openai.com/v1";

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub api_key: Option<String>,
    pub model: String,
    pub stream: bool,
    pub sampling: Sampling,
    pub connect_timeout: Duration,
    /// The longest silence wright accepts while waiting for response bytes.
    pub read_timeout: Duration,
    pub retry: RetryPolicy,
}

/// What happens inside a `chat` call, for progress display and the event stream.
#[derive(Debug, Clone)]
pub enum LlmEvent {
    TextDelta(String),
    ToolCallStarted(String),
    Retrying { attempt: u32, delay: Duration, reason: String },
    StreamingDisabled { reason: String },
}

pub struct LlmClient {
    inner: Client<OpenAIConfig>,
    /// The same HTTP client, for the one request async-openai does not type fully.
    http: reqwest::Client,
    config: ClientConfig,
    streaming: AtomicBool,
}

/// How one attempt failed.
enum Failure {
    /// Switch to non-streaming requests for the rest of the run and try again.
    Fallback(String),
    Retry {
        reason: String,
        after: Option<Duration>,
        connect: bool,
    },
    Fatal(LlmError),
}

impl LlmClient {
    pub fn new(config: ClientConfig) -> Result<Self, LlmError> {
        let base = config.base_url.trim_end_matches('/').to_string();
        if !base.starts_with("http://") && !base.starts_with("https://") {
            return Err(LlmError::Config(format!("base URL `{base}` must start with http:// or https://")));
        }
        crate::endpoint::check_key_transport(&base, config.api_key.as_ref().is_some_and(|k| !k.is_empty()))?;
        let key = match &config.api_key {
            Some(k) if !k.is_empty() => k.clone(),
            // Local servers take any key; OpenAI itself needs a real one.
            _ if base.contains("api.openai.com") => return Err(LlmError::MissingKey),
            _ => "none".to_string(),
        };
        let mut builder = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .read_timeout(config.read_timeout)
            .redirect(crate::endpoint::redirect_policy());
        // Plain http is only allowed to this machine: no proxy may stand between.
        if !base.starts_with("https://") {
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(|e| LlmError::Config(e.to_string()))?;
        let inner = Client::with_config(OpenAIConfig::new().with_api_base(base).with_api_key(key))
            .with_http_service(StatusService::new(http.clone()));
        let streaming = AtomicBool::new(config.stream);
        Ok(LlmClient { inner, http, config, streaming })
    }

    /// A client of its own for the same endpoint, key and settings, speaking to `model`
    /// (a cheaper one for commit messages, say), streaming or not.
    pub fn with_model(&self, model: &str, stream: bool) -> Result<LlmClient, LlmError> {
        LlmClient::new(ClientConfig { model: model.to_string(), stream, ..self.config.clone() })
    }

    pub fn model(&self) -> &str {
        &self.config.model
    }

    /// How requests sample from here on.
    pub fn sampling(&self) -> Sampling {
        self.config.sampling
    }

    /// Samples later requests as `sampling` says (a later attempt at a task samples hotter).
    pub fn set_sampling(&mut self, sampling: Sampling) {
        self.config.sampling = sampling;
    }

    pub fn is_streaming(&self) -> bool {
        self.streaming.load(Ordering::Relaxed)
    }

    /// The served model's context size in tokens, when the endpoint says: its model list,
    /// else llama.cpp's `/props` beside the API; `None` when it does not or cannot be asked
    /// within `wait`.
    pub async fn context_window(&self, wait: Duration) -> Option<u64> {
        let base = self.config.base_url.trim_end_matches('/');
        if let Some(n) = self
            .get_json(&format!("{base}/models"), wait)
            .await
            .and_then(|listing| crate::context_window::from_listing(&listing, &self.config.model))
        {
            return Some(n);
        }
        let server = base.strip_suffix("/v1").unwrap_or(base);
        crate::context_window::from_props(&self.get_json(&format!("{server}/props"), wait).await?)
    }

    /// A small JSON document from the endpoint's own host (the same client and redirect
    /// policy as the chat requests, so the key goes nowhere else).
    async fn get_json(&self, url: &str, wait: Duration) -> Option<Value> {
        let mut request = self.http.get(url).timeout(wait);
        if let Some(key) = self.config.api_key.as_ref().filter(|k| !k.is_empty()) {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.ok()?.error_for_status().ok()?;
        // These documents are small: a body that says it is huge is not read.
        if response.content_length().is_some_and(|n| n > 4 << 20) {
            return None;
        }
        serde_json::from_slice(&response.bytes().await.ok()?).ok()
    }

    /// One model turn. Retries transient failures within the policy; falls back to
    /// non-streaming (for the rest of the client's life) when streaming does not work.
    pub async fn chat(
        &self,
        messages: &[Message],
        tools: &[ToolDef],
        on_event: &mut (dyn FnMut(LlmEvent) + Send),
    ) -> Result<Reply, LlmError> {
        let mut retries = 0;
        loop {
            let streaming = self.is_streaming();
            let attempt = if streaming {
                self.streamed(messages, tools, on_event).await
            } else {
                self.plain(messages, tools).await
            };
            match attempt {
                Ok(mut reply) => {
                    let u = reply.usage;
                    if (u.prompt_tokens, u.completion_tokens, u.total_tokens) == (0, 0, 0) {
                        // No counts from the server: estimated, though any cache figures it sent stay.
                        let (processed_prompt_tokens, cached_prompt_tokens) =
                            (u.processed_prompt_tokens, u.cached_prompt_tokens);
                        reply.usage =
                            Usage { processed_prompt_tokens, cached_prompt_tokens, ..estimate(messages, &reply) };
                    }
                    return Ok(reply);
                }
                Err(Failure::Fallback(reason)) if streaming => {
                    self.streaming.store(false, Ordering::Relaxed);
                    on_event(LlmEvent::StreamingDisabled { reason });
                }
                Err(Failure::Fallback(reason)) => return Err(LlmError::BadResponse(reason)),
                Err(Failure::Retry { reason, after, connect }) => {
                    // An endpoint that refuses connections gets fewer tries: it is likely down.
                    let limit =
                        if connect { self.config.retry.max_retries.min(2) } else { self.config.retry.max_retries };
                    if retries >= limit {
                        return Err(if connect {
                            LlmError::Unreachable { url: self.config.base_url.clone(), detail: reason }
                        } else {
                            LlmError::RetriesExhausted { attempts: retries + 1, last: reason }
                        });
                    }
                    retries += 1;
                    let delay = self.config.retry.delay(retries, after);
                    on_event(LlmEvent::Retrying { attempt: retries, delay, reason });
                    tokio::time::sleep(delay).await;
                }
                Err(Failure::Fatal(e)) => return Err(e),
            }
        }
    }

    fn body(&self, messages: &[Message], tools: &[ToolDef], stream: bool) -> Value {
        wire::request(&self.config.model, messages, tools, stream, self.config.sampling)
    }

    async fn plain(&self, messages: &[Message], tools: &[ToolDef]) -> Result<Reply, Failure> {
        let body = self.body(messages, tools, false);
        let v: Value = self.inner.chat().create_byot(body).await.map_err(|e| classify(e, false))?;
        if let Some(message) = wire::error_message(&v) {
            return Err(classify_message(message));
        }
        let (content, tool_calls, finish_reason) = wire::parse_response(&v).ok_or_else(|| {
            Failure::Fatal(LlmError::BadResponse(format!("no choices in {}", preview(&v.to_string()))))
        })?;
        let usage = wire::usage(&v).unwrap_or_else(|| CacheFigures::of(&v).alone());
        Ok(Reply { content, tool_calls, usage, finish_reason })
    }

    async fn streamed(
        &self,
        messages: &[Message],
        tools: &[ToolDef],
        on_event: &mut (dyn FnMut(LlmEvent) + Send),
    ) -> Result<Reply, Failure> {
        let body = self.body(messages, tools, true);
        let mut stream =
            self.inner.chat().create_stream_byot::<Value, Value>(body).await.map_err(|e| classify(e, true))?;
        let mut acc = Assembler::default();
        while let Some(item) = stream.next().await {
            match item {
                Ok(chunk) => {
                    if let Some(message) = wire::error_message(&chunk) {
                        return Err(classify_message(message));
                    }
                    let delta = acc.push(&chunk);
                    if !delta.text.is_empty() {
                        on_event(LlmEvent::TextDelta(delta.text));
                    }
                    if let Some(name) = delta.new_tool {
                        on_event(LlmEvent::ToolCallStarted(name));
                    }
                }
                Err(e) if acc.chunks == 0 => return Err(classify(e, true)),
                Err(e) => {
                    return Err(Failure::Retry {
                        reason: format!("the stream dropped: {e}"),
                        after: None,
                        connect: false,
                    });
                }
            }
        }
        if !acc.has_output() && acc.finish_reason.is_none() {
            return Err(Failure::Fallback("the endpoint sent an empty stream".into()));
        }
        if acc.finish_reason.is_none() {
            return Err(Failure::Retry {
                reason: "the stream ended before the reply was complete".into(),
                after: None,
                connect: false,
            });
        }
        Ok(Reply {
            content: acc.content.clone(),
            tool_calls: acc.tool_calls(),
            usage: acc.usage().unwrap_or_else(|| acc.cache().alone()),
            finish_reason: acc.finish_reason.clone(),
        })
    }
}

fn estimate(messages: &[Message], reply: &Reply) -> Usage {
    let prompt: u64 = messages.iter().map(Message::estimated_tokens).sum();
    let calls: usize = reply.tool_calls.iter().map(|c| c.name.len() + c.arguments.len()).sum();
    let completion = estimate_tokens(reply.content.len() + calls);
    Usage {
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: prompt + completion,
        estimated: true,
        ..Usage::default()
    }
}

fn is_context_length(text: &str) -> bool {
    let t = text.to_lowercase();
    [
        "context_length_exceeded",
        "maximum context length",
        "context length",
        "context size",
        "context window",
        "too many tokens",
        "reduce the length",
    ]
    .iter()
    .any(|p| t.contains(p))
}

fn classify_message(message: String) -> Failure {
    if is_context_length(&message) {
        Failure::Fatal(LlmError::ContextLength(preview(&message)))
    } else {
        Failure::Retry { reason: preview(&message), after: None, connect: false }
    }
}

fn classify(e: OpenAIError, streaming: bool) -> Failure {
    match e {
        OpenAIError::Boxed(boxed) => match boxed.downcast::<HttpFailure>() {
            Ok(f) => classify_http(*f, streaming),
            Err(other) => Failure::Retry { reason: other.to_string(), after: None, connect: false },
        },
        OpenAIError::Reqwest(e) => {
            let connect = e.is_connect();
            Failure::Retry { reason: describe_reqwest(&e), after: None, connect }
        }
        OpenAIError::StreamError(e) => {
            Failure::Retry { reason: format!("stream error: {e}"), after: None, connect: false }
        }
        OpenAIError::JSONDeserialize(e, body) if streaming => {
            Failure::Fallback(format!("unreadable stream chunk ({e}): {}", preview(&body)))
        }
        OpenAIError::JSONDeserialize(e, body) => {
            Failure::Fatal(LlmError::BadResponse(format!("{e}: {}", preview(&body))))
        }
        other => Failure::Fatal(LlmError::BadResponse(other.to_string())),
    }
}

fn classify_http(f: HttpFailure, streaming: bool) -> Failure {
    let message = preview(&f.body);
    match f.status {
        400 | 413 if is_context_length(&f.body) => Failure::Fatal(LlmError::ContextLength(message)),
        300..=399 => Failure::Fatal(LlmError::Http {
            status: f.status,
            message: format!(
                "the endpoint redirected to {}; wright follows no redirect off the endpoint's own scheme, host and port (the API key would go along): set base_url to the address you mean",
                f.location.as_deref().unwrap_or("another address")
            ),
        }),
        401 | 403 => {
            Failure::Fatal(LlmError::Http { status: f.status, message: format!("{message} (check OPENAI_API_KEY)") })
        }
        408 | 409 | 425 | 429 | 500..=599 => {
            Failure::Retry { reason: format!("HTTP {}: {message}", f.status), after: f.retry_after, connect: false }
        }
        400 | 404 | 405 | 415 | 422 if streaming => {
            Failure::Fallback(format!("streaming refused with HTTP {}: {message}", f.status))
        }
        status => Failure::Fatal(LlmError::Http { status, message }),
    }
}

fn describe_reqwest(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    if e.is_timeout() { format!("timed out: {text}") } else { text }
}

fn preview(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 300 {
        format!("{}…", one_line.chars().take(300).collect::<String>())
    } else {
        one_line
    }
}
