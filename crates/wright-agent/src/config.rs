//! What a run is given by its caller: the task, where it works, its budgets and limits.

use std::path::PathBuf;
use std::time::Duration;

use wright_tools::RunLimits;

use crate::{Budgets, CommitMessages, ContextPolicy, Event, PromptProfile, ToolFormat};

/// Made with `SessionConfig::default()`, then every field set, so a new field does not
/// break callers. The default is empty, not a configuration: the caller's settings (wright's
/// `config::Settings`) hold the defaults, and set every field that comes from them.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct SessionConfig {
    pub task: String,
    pub run_id: String,
    /// The directory the user pointed at (the repository root or a directory in it).
    pub workdir: PathBuf,
    /// Where the task worktree goes; must not exist yet.
    pub worktree: PathBuf,
    pub budgets: Budgets,
    pub tool_format: ToolFormat,
    /// Characters of a tool's output the model sees.
    pub tool_output_limit: usize,
    /// How the conversation is kept within the model's window.
    pub context: ContextPolicy,
    /// Tokens of the first message given to the files the index ranks highest (0: none).
    pub briefing_tokens: usize,
    /// How much the prompt says: `Compact` for models with small windows.
    pub prompt_profile: PromptProfile,
    /// Configured test command; detected when `None`.
    pub test_command: Option<String>,
    pub test_timeout: Duration,
    /// Skip the test run at the base (`--no-baseline`); the verdict then says so.
    pub no_baseline: bool,
    /// Time limit of the test run at the base.
    pub baseline_timeout: Duration,
    pub run_limits: RunLimits,
    pub base_url: String,
    /// wright's cache directory (code indexes).
    pub cache_dir: PathBuf,
    /// The run's transcript (full conversation, plan, budgets spent), for `wright resume`.
    pub transcript: PathBuf,
    /// Branch from this revision instead of HEAD.
    pub base: Option<String>,
    /// Copy the checkout's uncommitted changes in as the branch's first commit.
    pub include_dirty: bool,
    /// Configured commit author and committer.
    pub identity: wright_git::Identity,
    /// Who writes commit messages.
    pub commit_messages: CommitMessages,
    /// Notices to show once the run has started (configuration the repository was refused).
    pub notices: Vec<String>,
    /// The branch is `wright/<this>` instead of a slug of the task (suffixed when taken).
    pub branch_slug: Option<String>,
    /// Path prefixes the run may not change (see `TaskWorkspace::protected`).
    pub protected_paths: Vec<String>,
    /// The most attempts a run makes (`None`: as many as the budgets allow, at most 4).
    pub max_attempts: Option<u32>,
    /// The sampling temperature of attempts after the first (`None`: as configured).
    pub attempt_temperature: Option<f32>,
    /// How many attempts are drafts (the model rewrites the code the index ranks first in
    /// one reply) before attempts with tools. `None`: every attempt with the compact
    /// prompt, none with the full one.
    pub draft_attempts: Option<u32>,
}

/// How a run ended: its last event and the process exit code.
pub struct RunReport {
    pub exit_code: i32,
    pub finished: Event,
}
