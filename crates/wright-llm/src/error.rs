/// Why a model request failed for good. Messages are one line that says what to do.
#[derive(Debug, thiserror::Error)]
pub enum LlmError {
    #[error(
        "OPENAI_API_KEY is not set: export OPENAI_API_KEY=..., or point --base-url / OPENAI_BASE_URL at a local OpenAI-compatible server"
    )]
    MissingKey,
    #[error(
        "cannot reach the model endpoint {url} ({detail}); check that the server runs, or set OPENAI_BASE_URL / --base-url"
    )]
    Unreachable { url: String, detail: String },
    #[error("the conversation is longer than the model's context window: {0}")]
    ContextLength(String),
    #[error("the model endpoint refused the request: HTTP {status}: {message}")]
    Http { status: u16, message: String },
    #[error("the model endpoint kept failing after {attempts} attempts; last error: {last}")]
    RetriesExhausted { attempts: u32, last: String },
    #[error("the model endpoint sent a response wright cannot read: {0}")]
    BadResponse(String),
    #[error("invalid model client configuration: {0}")]
    Config(String),
}
