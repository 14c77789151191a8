//! What every agent gets (the model, its sampling, what it must not see) and what the
//! harness records of each attempt.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// What the agents share: the model and its sampling, and what they must not see.
#[derive(Debug, Clone)]
pub struct AgentSettings {
    pub wright: PathBuf,
    pub model: Option<String>,
    pub base_url: Option<String>,
    /// Sent to the model by every agent that lets it be set.
    pub temperature: f64,
    pub seed: u64,
    /// Where peers such as mini-swe-agent are installed.
    pub peers: PathBuf,
    /// Folders hidden from every command the agent runs (the suite, the results).
    pub hide: Vec<PathBuf>,
}

/// How one agent's attempt went.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Attempt {
    /// The agent's own claim: wright's verdict is `fixed`; mini-swe-agent submitted; a
    /// `cmd:` agent exited 0.
    pub claimed_fixed: bool,
    pub steps: Option<u64>,
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    /// Prompt tokens the server processed, and reused from its cache (free on a local
    /// server); `None` where it did not say.
    pub processed_prompt_tokens: Option<u64>,
    pub cached_prompt_tokens: Option<u64>,
    /// Times earlier messages were rewritten, each a cache break (wright says; others do not).
    pub context_rewrites: Option<u64>,
    pub cost_usd: Option<f64>,
    pub seconds: f64,
    pub stop_reason: String,
    /// The tree the agent left, which the check runs on.
    #[serde(skip)]
    pub tree: PathBuf,
    pub transcript: Option<String>,
}
