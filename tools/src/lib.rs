//! The tools wright's model can call. Each tool takes JSON arguments and answers with
//! text for the model; every failure is a [`ToolError`] whose message says what to do.

// Input from strangers reaches every crate: a byte index that lands inside a character
// must not panic, so text is cut with `get`, `split_once` and the like, never `[a..b]`.
#![cfg_attr(not(test), deny(clippy::string_slice))]
// Test fixtures are written with std::fs; production code keeps to wright-tree.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod args;
mod builtin;
mod compile_check;
mod deadline;
mod fs_tools;
mod heredoc;
mod index_handle;
mod line_window;
mod patch_journal;
mod patch_tools;
mod paths;
mod replace_definition;
mod repo_map_tool;
mod run_tool;
mod search_tool;
mod source;
mod tool;
mod toolbox;
mod tree_io;

use std::path::PathBuf;
use std::time::Duration;

pub use args::signature;
pub use deadline::Deadline;
pub use index_handle::IndexHandle;
pub use patch_journal::recover as recover_interrupted_patch;
pub use patch_tools::{Applied, apply_to_tree, recovered_note};
pub use source::{OpenFuture, Opened, ToolSource};
pub use tool::{BlockingTool, Rerouted, Tool, ToolFacts, ToolFuture, ToolSpec};
pub use toolbox::{NameTaken, Toolbox};

/// Where and how tools work during one run.
#[derive(Debug, Clone)]
pub struct ToolContext {
    /// The task worktree; no tool reads or writes outside it.
    pub root: PathBuf,
    pub workspace: Option<wright_git::TaskWorkspace>,
    /// The code index of `root`, shared by the search tools.
    pub index: IndexHandle,
    pub run: RunLimits,
}

#[cfg(test)]
impl ToolContext {
    /// A context for `root` alone: no workspace, an index beside the tree (not in it, so
    /// no tool sees it), default limits.
    pub(crate) fn bare(root: &std::path::Path) -> Self {
        let index = IndexHandle::new(root.to_path_buf(), root.with_extension("index"), None);
        ToolContext { root: root.to_path_buf(), workspace: None, index, run: RunLimits::default() }
    }
}

/// Limits of the `run` tool.
#[derive(Debug, Clone)]
pub struct RunLimits {
    pub default_timeout: Duration,
    pub max_timeout: Duration,
    pub output_limit: usize,
    pub env: wright_sandbox::EnvPolicy,
    pub isolation: wright_sandbox::Isolation,
    /// Cancelling it kills a running command (the run was interrupted).
    pub cancel: wright_sandbox::Cancel,
    /// The user's `--timeout`: no command runs past it.
    pub deadline: Deadline,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            default_timeout: Duration::from_secs(120),
            max_timeout: Duration::from_secs(1800),
            output_limit: 20_000,
            env: wright_sandbox::EnvPolicy::default(),
            isolation: wright_sandbox::Isolation::default(),
            cancel: wright_sandbox::Cancel::default(),
            deadline: Deadline::default(),
        }
    }
}

/// A tool's answer.
#[derive(Debug, Clone, Default)]
pub struct ToolOutput {
    pub text: String,
    /// The command was killed by its cancel (the run was interrupted), not finished.
    pub cut_short: bool,
    /// A short description of the files the tool changed, used as the commit subject.
    pub change: Option<String>,
}

impl ToolOutput {
    fn text(text: impl Into<String>) -> Self {
        ToolOutput { text: text.into(), ..ToolOutput::default() }
    }
}

/// A tool call the model should correct. The message is written for the model.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error("unknown tool `{name}`; the tools are: {known}")]
    UnknownTool { name: String, known: String },
    #[error("invalid arguments for {tool}: {message}")]
    InvalidArgs { tool: String, message: String },
    #[error("{0}")]
    Path(String),
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("{0}")]
    Edit(#[from] wright_edit::EditError),
    #[error("search failed: {0}")]
    Search(#[from] wright_index::IndexError),
    #[error("{0}")]
    Failed(String),
    #[error("the command could not start: {0}")]
    Run(#[from] wright_sandbox::SandboxError),
    #[error("{0}")]
    Git(#[from] wright_git::GitError),
    #[error("no tool of this toolbox shows files")]
    NoFileReader,
    /// The tool panicked or its task was lost; nothing it said is known.
    #[error("the tool crashed: {0}")]
    Crashed(String),
}
