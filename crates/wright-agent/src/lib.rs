//! The planner loop: a task and a workspace in, a verdict and commits out. Every step is
//! a typed [`Event`]; renderers (terminal, JSONL, journal) only consume them.

// Input from strangers reaches every crate: a byte index that lands inside a character
// must not panic, so text is cut with `get`, `split_once` and the like, never `[a..b]`.
#![cfg_attr(not(test), deny(clippy::string_slice))]
// Test fixtures are written with std::fs; production code keeps to wright-tree.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod attempts;
mod briefing;
mod budget;
mod commit_writer;
mod committing;
mod compaction;
mod config;
mod context_keeper;
mod conversation;
mod dispatch;
mod draft;
mod events;
mod finish_review;
mod interrupt;
mod journal;
mod journal_reader;
mod legacy;
mod model;
mod offer;
mod output_cut;
mod parts;
mod plan;
mod profile;
mod prompt;
mod quote;
mod redact;
mod repeats;
mod reproduce;
mod resumed;
mod seen;
mod session;
mod start;
mod test_runs;
#[cfg(test)]
mod tests;
mod tokens;
mod tool_names;
mod transcript;
mod verdict;

pub use attempts::{AttemptEnd, AttemptState};
pub use budget::{Budgets, Price};
pub use commit_writer::{COMMIT_WRITER_PROMPT, CommitMessages};
pub use compaction::SUMMARY_PROMPT;
pub use config::{RunReport, SessionConfig};
pub use context_keeper::ContextPolicy;
pub use events::{
    Event, EventKind, EventSink, Events, Outcome, PlanStep, Progress, SCHEMA_VERSION, StepStatus, StopReason,
    TestPhase, TestSummary, Verdict,
};
pub use journal::{Journal, record_panics};
pub use journal_reader::{AttemptHistory, Finish, RunHistory, read_events, read_journal};
pub use profile::PromptProfile;
pub use prompt::{ToolFormat, agents_md};
pub use redact::Redactor;
pub use resumed::{PromptState, Resumed};
pub use session::Session;
pub use transcript::{Record, Summarized, TRANSCRIPT_VERSION, Transcript};

#[derive(Debug, thiserror::Error)]
pub enum AgentError {
    #[error(transparent)]
    Git(#[from] wright_git::GitError),
    #[error(transparent)]
    Llm(#[from] wright_llm::LlmError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}
