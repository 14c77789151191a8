//! Flags as the last layer: each names the setting it sets and the source `wright config`
//! shows. They go through the layers, so a repository's caps lower even them.

use toml::Value;

use super::{Config, Source};
use crate::cli::{GithubArgs, ModelFlags, RunOptions};

/// Budgets the PR bot has when neither the user nor the action sets one: a run in CI must end.
const BOT_TIMEOUT_SECS: i64 = 1800;
const BOT_TOKEN_BUDGET: i64 = 2_000_000;

impl Config {
    /// The flags every command that talks to the model takes.
    pub(super) fn model_flags(&mut self, flags: &ModelFlags) {
        self.flag("model", flags.model.clone(), "--model");
        self.flag("base_url", flags.base_url.clone(), "--base-url");
        if flags.no_stream {
            self.set("stream", Value::Boolean(false), Source::Flag("--no-stream"));
        }
        self.flag("tool_format", flags.tool_format.map(|f| f.as_str()), "--tool-format");
        self.flag("temperature", flags.temperature, "--temperature");
        self.flag("seed", flags.seed.map(saturating_i64), "--seed");
    }

    /// `wright run` and `wright resume`: the budgets and the test command.
    pub fn run_flags(&mut self, opts: &RunOptions) {
        let b = &opts.budgets;
        self.flag("max_steps", b.max_steps.map(i64::from), "--max-steps");
        self.flag("token_budget", b.token_budget.map(saturating_i64), "--token-budget");
        self.flag("timeout_secs", b.timeout.map(saturating_i64), "--timeout");
        self.flag("budget_usd", b.budget_usd, "--budget-usd");
        self.flag("attempts", b.attempts.map(i64::from), "--attempts");
        self.flag("draft_attempts", b.drafts.map(i64::from), "--drafts");
        self.flag("test_command", opts.test_command.clone(), "--test-command");
    }

    /// `wright github`: the action's inputs, as flags for `wright run` are, then the bot's
    /// own budgets where none is set. The budget inputs themselves come with `run_flags`.
    pub fn bot_flags(&mut self, args: &GithubArgs) {
        self.flag("github.trigger_label", args.trigger_label.clone(), "--trigger-label");
        self.flag("github.login", args.login.clone(), "--login");
        if !args.allowed_bots.is_empty() {
            let bots = args.allowed_bots.iter().map(|b| Value::String(b.clone())).collect();
            self.set("github.allowed_bots", Value::Array(bots), Source::Flag("--allowed-bot"));
        }
        if args.allow_workflow_changes {
            self.set("github.allow_workflow_changes", Value::Boolean(true), Source::Flag("--allow-workflow-changes"));
        }
        if args.budgets.timeout.is_none() && self.effective("timeout_secs").is_none() {
            self.set("timeout_secs", Value::Integer(BOT_TIMEOUT_SECS), Source::Default);
        }
        if args.budgets.token_budget.is_none() && self.effective("token_budget").is_none() {
            self.set("token_budget", Value::Integer(BOT_TOKEN_BUDGET), Source::Default);
        }
    }
}

fn saturating_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}
