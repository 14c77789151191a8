//! GitHub for wright's PR bot: which events start a run and who may start one
//! ([`event`]), the untrusted text they carry made into a task ([`text`], [`task`]),
//! the REST calls ([`rest`]), and what the bot writes back ([`report`]).
//!
//! Nothing here runs the agent or touches git: the binary joins these parts.

// Input from strangers reaches every crate: a byte index that lands inside a character
// must not panic, so text is cut with `get`, `split_once` and the like, never `[a..b]`.
#![cfg_attr(not(test), deny(clippy::string_slice))]
// Test fixtures are written with std::fs; production code keeps to wright-tree.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

pub mod event;
pub mod report;
pub mod rest;
pub mod task;
pub mod text;

/// Hidden in every comment wright writes: a comment that carries it is never a trigger
/// and never context, so wright cannot answer itself.
pub const MARKER: &str = "<!-- wright:bot -->";

#[derive(Debug, thiserror::Error)]
pub enum GithubError {
    #[error("the event payload {0}")]
    Payload(String),
    #[error("GitHub API: {0}")]
    Api(String),
}
