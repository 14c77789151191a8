//! wright's model client: OpenAI-compatible Chat Completions over async-openai, with tool
//! calls, streaming (and a fallback when an endpoint can't stream), bounded retries that
//! honour `Retry-After`, tool calls written as text by small models, and token usage.

// Input from strangers reaches every crate: a byte index that lands inside a character
// must not panic, so text is cut with `get`, `split_once` and the like, never `[a..b]`.
#![cfg_attr(not(test), deny(clippy::string_slice))]
// Test fixtures are written with std::fs; production code keeps to wright-tree.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod cache;
mod client;
mod context_window;
mod endpoint;
mod error;
mod http;
mod message;
mod retry;
mod stream;
mod text_calls;
mod wire;

pub use client::{ClientConfig, LlmClient, LlmEvent, OPENAI_DEFAULT_BASE};
pub use error::LlmError;
pub use message::{Message, Reply, Sampling, ToolCall, ToolDef, Usage};
pub use retry::RetryPolicy;
pub use text_calls::{TextCalls, parse_text_tool_calls};
