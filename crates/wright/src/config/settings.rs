//! Every setting wright has, typed, each with what it means and what a repository may do
//! with it; the defaults are the `impl Default`s below and nowhere else.

use std::collections::BTreeMap;

use wright_agent::{Price, PromptProfile, ToolFormat};
use wright_sandbox::Backend;

use super::choice::{Auto, CommitMessageWriter};
use super::field::{Setting, settings};

settings! {
    /// The effective settings, after every layer (see `Config`).
    pub struct Settings {
        /// model name sent to the endpoint
        pub model: String,
        /// OpenAI-compatible endpoint
        pub base_url: String,
        /// stream responses (falls back automatically when the endpoint can't)
        pub stream: bool,
        /// native | text | auto
        #[serde(with = "super::choice::by_name")]
        pub tool_format: ToolFormat,
        /// sampling temperature (unset: the server's default)
        pub temperature: Option<f64>,
        /// sampling seed sent to the model (unset: none)
        pub seed: Option<u64>,
        /// longest reply the model may write in one turn
        #[repo(lower)]
        pub max_tokens: u64,
        /// model turns before the run stops
        #[repo(lower)]
        pub max_steps: u64,
        /// total tokens before the run stops
        #[repo(lower)]
        pub token_budget: Option<u64>,
        /// wall time before the run stops
        #[repo(lower)]
        pub timeout_secs: Option<u64>,
        /// cost before the run stops (needs prices.<model>)
        pub budget_usd: Option<f64>,
        /// most attempts at a task; a later one starts afresh when one ends without passing
        /// evidence (unset: as many as the budgets allow, at most 4)
        #[repo(lower)]
        pub attempts: Option<u64>,
        /// sampling temperature of attempts after the first
        pub attempt_temperature: f64,
        /// attempts that are drafts (the model rewrites the code the index ranks first in
        /// one reply) before attempts with tools (unset: all with the compact prompt, none
        /// with the full)
        pub draft_attempts: Option<u64>,
        /// the project's test command (detected when unset)
        #[repo(any)]
        pub test_command: Option<String>,
        /// time limit of the final test run
        #[repo(lower)]
        pub test_timeout_secs: u64,
        /// time limit of the test run at the base (at most test_timeout_secs, and a quarter
        /// of what is left of --timeout)
        #[repo(lower)]
        pub baseline_timeout_secs: u64,
        /// default time limit of a `run` tool call
        #[repo(lower)]
        pub run_timeout_secs: u64,
        /// characters of a tool's output the model sees (at most the window's size in tokens:
        /// a quarter of it, at about 4 characters a token)
        #[repo(lower)]
        pub tool_output_chars: u64,
        /// auto (compact when the model's context holds 32K tokens or fewer) | full | compact
        pub prompt_profile: Auto<PromptProfile>,
        /// the model's context size (unset: read from the endpoint's model list)
        pub context_tokens: Option<u64>,
        /// tokens of the first prompt given to the files the index ranks highest (0: none)
        #[repo(lower)]
        pub briefing_tokens: u64,
        /// longest silence from the model endpoint
        pub request_timeout_secs: u64,
        /// retries of a failed model request
        pub max_retries: u64,
        /// repositories whose wright.toml may set every key (user config only)
        pub trusted_repos: Vec<String>,
        /// `[sandbox]`
        pub sandbox: SandboxSettings,
        /// largest size of the index cache; the least recently used indexes go first
        pub cache_mb: u64,
        /// `[git]`
        pub git: GitSettings,
        /// `[github]`
        pub github: GithubSettings,
        /// `[local]`
        pub local: LocalSettings,
        /// `[context]`
        pub context: ContextSettings,
        /// `[prices.MODEL]`: USD per million tokens, `input` and `output`
        pub prices: BTreeMap<String, Price>,
        /// `[mcp_servers.NAME]`: Model Context Protocol servers whose tools the model may call
        /// (user config only, never a repository's)
        #[repo(user_file)]
        pub mcp_servers: BTreeMap<String, McpServerSettings>,
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            model: "gpt-4o-mini".into(),
            base_url: "https://api.openai.com/v1".into(),
            stream: true,
            tool_format: ToolFormat::Auto,
            temperature: None,
            seed: None,
            max_tokens: 2048,
            max_steps: 50,
            token_budget: None,
            timeout_secs: None,
            budget_usd: None,
            attempts: None,
            attempt_temperature: 0.8,
            draft_attempts: None,
            test_command: None,
            test_timeout_secs: 900,
            baseline_timeout_secs: 300,
            run_timeout_secs: 120,
            tool_output_chars: 16_000,
            prompt_profile: Auto(None),
            context_tokens: None,
            briefing_tokens: 1500,
            request_timeout_secs: 600,
            max_retries: 4,
            trusted_repos: Vec::new(),
            sandbox: SandboxSettings::default(),
            cache_mb: 2048,
            git: GitSettings::default(),
            github: GithubSettings::default(),
            local: LocalSettings::default(),
            context: ContextSettings::default(),
            prices: BTreeMap::new(),
            mcp_servers: BTreeMap::new(),
        }
    }
}

settings! {
    /// `[sandbox]`: how commands run.
    pub struct SandboxSettings {
        /// extra environment variables commands may see (never secrets)
        pub env: Vec<String>,
        /// process (bubblewrap + cgroup) | wasm (WASI in wasmtime) | none (no sandbox)
        #[serde(with = "super::choice::by_name")]
        pub backend: Backend,
        /// let commands reach the network
        pub network: bool,
        /// memory limit of a command's process tree
        pub memory_mb: u64,
        /// processes a command's tree may have at once
        pub max_pids: u64,
        /// size of a command's private /tmp
        pub tmp_mb: u64,
        /// largest file a command may write
        pub file_mb: u64,
    }
}

impl Default for SandboxSettings {
    fn default() -> Self {
        SandboxSettings {
            env: Vec::new(),
            backend: Backend::Process,
            network: false,
            memory_mb: 4096,
            max_pids: 512,
            tmp_mb: 1024,
            file_mb: 1024,
        }
    }
}

settings! {
    /// `[git]`: commits and pushes.
    pub struct GitSettings {
        /// commit author, `Name <email>` (unset: the repository's user.name/email)
        pub author: Option<String>,
        /// committer, `Name <email>` (unset: the repository's user.name/email)
        pub committer: Option<String>,
        /// model (the model writes each commit message from the diff) | derived (from the
        /// changed paths)
        #[repo(any)]
        #[serde(with = "super::choice::by_name")]
        pub commit_messages: CommitMessageWriter,
        /// model that writes commit messages (unset: the run's model)
        pub commit_model: Option<String>,
        /// longest wait for a git server when pushing (to connect, and between reads)
        pub timeout_secs: u64,
        /// hosts `wright push` offers WRIGHT_GIT_TOKEN to, over https (user config only,
        /// never a repository's)
        #[repo(user_file)]
        pub token_hosts: Vec<String>,
    }
}

impl Default for GitSettings {
    fn default() -> Self {
        GitSettings {
            author: None,
            committer: None,
            commit_messages: CommitMessageWriter::Model,
            commit_model: None,
            timeout_secs: 60,
            token_hosts: Vec::new(),
        }
    }
}

settings! {
    /// `[github]`: the PR bot, `wright github`.
    pub struct GithubSettings {
        /// `wright github`: the issue label that starts a run
        pub trigger_label: String,
        /// `wright github`: bot accounts that may trigger a run (logins; no wildcard)
        pub allowed_bots: Vec<String>,
        /// `wright github`: let the run change files under .github/
        pub allow_workflow_changes: bool,
        /// `wright github`: wright's own account, whose comments never trigger
        pub login: String,
    }
}

impl Default for GithubSettings {
    fn default() -> Self {
        GithubSettings {
            trigger_label: "wright".into(),
            allowed_bots: Vec::new(),
            allow_workflow_changes: false,
            login: "github-actions[bot]".into(),
        }
    }
}

settings! {
    /// `[local]`: a model on this machine, used when no API key and no base URL are set.
    pub struct LocalSettings {
        /// loopback ports asked for a running model server (llama.cpp, Ollama, LM Studio, vLLM)
        pub ports: Vec<u16>,
        /// the installed catalog model wright starts when no server runs (unset: the
        /// catalog's first, see `wright model list`)
        pub model: Option<String>,
        /// longest wait for a started server to load its model
        pub start_timeout_secs: u64,
    }
}

impl Default for LocalSettings {
    fn default() -> Self {
        LocalSettings { ports: vec![8080, 11434, 1234, 8000], model: None, start_timeout_secs: 180 }
    }
}

settings! {
    /// `[context]`: how a long run's conversation is kept within the model's window.
    pub struct ContextSettings {
        /// the share of the window (0.1 to 1) at which old outputs become stubs and, if
        /// that is not enough, a summary replaces the oldest turns
        pub compact_at: f64,
        /// model that writes those summaries (unset: the run's model)
        pub compact_model: Option<String>,
        /// latest turns kept whole by a compaction (fewer only when they alone fill the window)
        pub keep_turns: u64,
        /// turns without the plan in view after which it is restated (0: only after a compaction)
        pub plan_every_turns: u64,
    }
}

impl Default for ContextSettings {
    fn default() -> Self {
        ContextSettings { compact_at: 0.8, compact_model: None, keep_turns: 3, plan_every_turns: 8 }
    }
}

settings! {
    /// One `[mcp_servers.NAME]`: a Model Context Protocol server; its tools are offered as
    /// `NAME__tool`.
    #[serde(deny_unknown_fields)]
    pub struct McpServerSettings {
        /// the program of a stdio server, started in the run's sandbox (cwd: the worktree)
        pub command: Option<String>,
        /// its arguments
        pub args: Vec<String>,
        /// variables set for it, beside the sandbox's scrubbed environment
        pub env: BTreeMap<String, String>,
        /// variables of wright's own environment passed to it, by name
        pub env_vars: Vec<String>,
        /// let a stdio server reach the network (npx and uvx fetch packages)
        pub network: bool,
        /// host paths shown to a stdio server read-only, such as its program under your home
        /// (which the sandbox hides); never a folder that holds credentials
        pub read_only_paths: Vec<String>,
        /// the endpoint of a streamable HTTP server, instead of `command`
        pub url: Option<String>,
        /// the environment variable holding the HTTP server's bearer token (sent to its
        /// origin only, over https unless on loopback)
        pub bearer_token_env_var: Option<String>,
        /// only these tools are offered (unset: all); `wright github` offers only these
        pub enabled_tools: Option<Vec<String>>,
        /// tools never offered
        pub disabled_tools: Vec<String>,
        /// longest wait for the server to start and list its tools
        pub startup_timeout_secs: u64,
        /// longest wait for one call's answer
        pub tool_timeout_secs: u64,
        /// false: configured, not started
        pub enabled: bool,
    }
}

impl Default for McpServerSettings {
    fn default() -> Self {
        McpServerSettings {
            command: None,
            args: Vec::new(),
            env: BTreeMap::new(),
            env_vars: Vec::new(),
            network: false,
            read_only_paths: Vec::new(),
            url: None,
            bearer_token_env_var: None,
            enabled_tools: None,
            disabled_tools: Vec::new(),
            startup_timeout_secs: 30,
            tool_timeout_secs: 60,
            enabled: true,
        }
    }
}

/// An entry of `[prices.MODEL]`.
impl Setting for Price {
    fn expected() -> String {
        "a table of numbers `input` and `output` (USD per million tokens)".into()
    }

    fn fits(value: &toml::Value) -> bool {
        let number = |k: &str| value.get(k).is_some_and(<f64 as Setting>::fits);
        value.is_table() && number("input") && number("output")
    }
}
