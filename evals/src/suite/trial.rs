//! What every agent gets (the model, its sampling, what it must not see) and what the
//! harness records of each trial: one agent on one task. (A trial of wright may make
//! several attempts of its own; the harness sees the one the run's branch holds.)

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// What the agents share: the model and its sampling, and what they must not see.
#[derive(Debug, Clone)]
pub struct AgentSettings {
    pub wright: PathBuf,
    pub model: Option<String>,
    pub base_url: Option<String>,
    /// The key for `base_url`: the user's, or the one a server wright started checks.
    pub api_key: Option<String>,
    /// Sent to the model by every agent that lets it be set.
    pub temperature: f64,
    pub seed: u64,
    /// Let wright's runs start the user's MCP servers.
    pub mcp: bool,
    /// Where peers such as mini-swe-agent are installed.
    pub peers: PathBuf,
    /// Folders hidden from every command the agent runs (the suite, the results).
    pub hide: Vec<PathBuf>,
}

/// How one agent's trial of one task went. Its fields sit flat in a result line, so
/// `results.jsonl` files written when this was called an attempt read as they are.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Trial {
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

#[cfg(test)]
mod tests {
    use crate::suite::Row;

    #[test]
    fn a_result_line_written_before_the_rename_reads_as_a_trial() {
        // A line of evals/results/2026-12-07-starter-baseline/results.jsonl.
        let line = r#"{"task":"go-asset-url-slash","language":"go","agent":"wright","model":"qwen2.5-coder-1.5b","held_out":true,"resolved":false,"check":"not reported passing: TestNameWithLeadingSlash, TestVersionedURL, TestPlainJoin","files_changed":["assets.go"],"claimed_fixed":false,"steps":5,"prompt_tokens":7943,"completion_tokens":242,"processed_prompt_tokens":2096,"cached_prompt_tokens":5847,"context_rewrites":0,"cost_usd":null,"seconds":50.556379325,"stop_reason":"finished","transcript":"/root/.local/share/wright/runs/f6450eac/transcript.jsonl"}"#;
        let row: Row = serde_json::from_str(line).unwrap();
        let t = &row.trial;
        assert_eq!(
            (t.claimed_fixed, t.steps, t.cached_prompt_tokens, t.stop_reason.as_str()),
            (false, Some(5), Some(5847), "finished")
        );
        let written = serde_json::to_value(&row).unwrap();
        assert!(written.get("trial").is_none() && written["steps"] == 5, "the fields stay flat: {written}");
    }
}
