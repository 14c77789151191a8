//! `wright run` and `wright resume`: config, model client, events and signals around one
//! agent session.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use tokio::sync::watch;
use wright_agent::{
    Budgets, CommitMessages, ContextPolicy, Events, Journal, PromptProfile, Redactor, Resumed, Session, SessionConfig,
};
use wright_git::TaskWorkspace;
use wright_llm::{ClientConfig, LlmClient, RetryPolicy, Sampling};
use wright_mcp::Offer;
use wright_tools::{RunLimits, Toolbox};

use crate::cli::{ResumeArgs, RunArgs, RunOptions};
use crate::config::{CommitMessageWriter, Config, ContextSettings, Settings};
use crate::exit::usage;
use crate::render::{JsonLines, Terminal};
use crate::runs;

#[allow(clippy::disallowed_methods)] // the task file the user named
pub fn run(args: RunArgs) -> Result<i32> {
    let task = match (&args.task, &args.task_file) {
        (_, Some(file)) => {
            std::fs::read_to_string(file).map_err(|e| usage(format!("--task-file {}: {e}", file.display())))?
        }
        (Some(task), None) => task.clone(),
        (None, None) => return Err(usage("give a task, or --task-file FILE")),
    };
    if task.trim().is_empty() {
        return Err(usage("the task is empty; say what wright should do"));
    }
    if !args.repo.is_dir() {
        return Err(usage(format!("--repo {} is not a directory", args.repo.display())));
    }
    let runtime = runtime()?;
    // Lives as long as the run: dropping it stops a server wright started.
    let (mut prepared, _server) = prepare(&args.repo, &args.opts, &runtime)?;
    runtime.block_on(async move {
        preflight(&prepared.session.base_url).await?;
        let run_id = crate::dirs::new_run_id();
        let run_dir = runs::runs_root().join(&run_id);
        let _lock = runs::lock(&run_dir)?;
        let events = events(&run_id, &run_dir, args.opts.json, 0, prepared.redactor(Redactor::from_env()))?;
        let tools = prepared.toolbox(Offer::Configured);
        let (mut config, llm) = prepared.session_config(task, run_id, args.repo.clone(), &run_dir).await;
        config.base = args.base.clone();
        config.include_dirty = args.include_dirty;
        // Watched from the start: a Ctrl-C while the worktree is made stops the run cleanly.
        let interrupt = interrupt_on_signals()?;
        let session = Session::start(config, tools, llm, events).await?;
        let report = session.run(interrupt).await;
        Ok(report.exit_code)
    })
}

/// `wright resume RUN`: the same worktree and branch, the conversation and budgets spent
/// from the transcript; flags may raise the budgets.
pub fn resume(args: ResumeArgs) -> Result<i32> {
    let info = runs::find(&args.run)?;
    if info.status == "running" {
        return Err(usage(format!("run {} is still running; wait for it, or stop it first", info.id)));
    }
    if !info.resumable() {
        return Err(usage(format!(
            "run {} finished (verdict {}); start a new run for more work",
            info.id,
            info.verdict.as_deref().unwrap_or("unknown")
        )));
    }
    let _lock = runs::lock(&info.dir)?;
    let earlier = Resumed::read(&info.transcript())
        .with_context(|| format!("reading the transcript {}", info.transcript().display()))?;
    let task = earlier.task();
    let Some(task) = task else {
        return Err(anyhow::anyhow!("the transcript of run {} has no task; it cannot be resumed", info.id));
    };
    if !info.worktree.is_dir() {
        return Err(usage(format!(
            "the worktree of run {} ({}) is gone (`wright clean` removes finished ones); its branch {} is kept",
            info.id,
            info.worktree.display(),
            info.branch
        )));
    }
    let workspace = TaskWorkspace::open(&info.worktree, &info.branch, &info.base)?;
    let runtime = runtime()?;
    let (mut prepared, _server) = prepare(&info.repo, &args.opts, &runtime)?;
    // The run's own test command, unless the flag names another.
    if args.opts.test_command.is_none() {
        prepared.session.test_command = info.test_command.clone().or(prepared.session.test_command.take());
    }
    runtime.block_on(async move {
        preflight(&prepared.session.base_url).await?;
        let redactor = prepared.redactor(Redactor::from_env());
        let events = events(&info.id, &info.dir, args.opts.json, info.last_seq + 1, redactor)?;
        // The servers start again; a call to a tool that is gone gets the tools there are.
        let tools = prepared.toolbox(Offer::Configured);
        let (config, llm) = prepared.session_config(task, info.id.clone(), info.repo.clone(), &info.dir).await;
        let interrupt = interrupt_on_signals()?;
        let session = Session::resume(config, tools, llm, events, workspace, earlier).await?;
        let report = session.run(interrupt).await;
        Ok(report.exit_code)
    })
}

/// Tokens below which a model's window cuts wright's work: the compact prompt, a file to
/// draft and the reply.
const SMALLEST_WINDOW: u64 = 8192;

/// A session's configuration, made from the settings in one place (`session_settings`),
/// and the model client; the run's own fields are set by `session_config`.
pub(crate) struct Prepared {
    llm: LlmClient,
    pub(crate) session: SessionConfig,
    /// `None`: chosen by the model's context size.
    prompt_profile: Option<PromptProfile>,
    /// The model's context size as the user gives it.
    context_tokens: Option<u64>,
    /// The user's MCP servers (none with `--no-mcp`).
    mcp: crate::mcp_cmd::Servers,
}

impl Prepared {
    /// The tools the run offers the model: the one place they are chosen for every kind of
    /// run; `offer` says which of the MCP servers' tools.
    pub(crate) fn toolbox(&mut self, offer: Offer) -> Toolbox {
        crate::mcp_cmd::toolbox(std::mem::take(&mut self.mcp.specs), offer)
    }

    /// `redactor`, also hiding what the MCP servers are given (their tokens).
    pub(crate) fn redactor(&self, redactor: Redactor) -> Redactor {
        redactor.and(self.mcp.secrets())
    }

    pub(crate) async fn session_config(
        mut self,
        task: String,
        run_id: String,
        workdir: PathBuf,
        run_dir: &Path,
    ) -> (SessionConfig, LlmClient) {
        let window = self.window().await;
        let (profile, why) = self.prompt_profile(window);
        let config = &mut self.session;
        config.prompt_profile = profile;
        // An output may fill at most a quarter of the window (at ~4 characters a token).
        if let Some((tokens, _)) = window {
            config.tool_output_limit = config.tool_output_limit.min(usize::try_from(tokens).unwrap_or(usize::MAX));
        }
        config.context.window = window.map(|(tokens, _)| tokens);
        // The profile's notice first, then what loading the configuration had to say.
        config.notices.splice(0..0, why);
        config.task = task;
        config.run_id = run_id;
        config.workdir = workdir;
        config.worktree = run_dir.join("worktree");
        config.cache_dir = crate::dirs::cache_dir();
        config.transcript = run_dir.join(runs::TRANSCRIPT);
        (self.session, self.llm)
    }

    /// The model's context size and where it was read: `context_tokens`, else the
    /// endpoint; `None` when neither says.
    async fn window(&self) -> Option<(u64, &'static str)> {
        match self.context_tokens {
            Some(n) => Some((n, "context_tokens")),
            None => self.llm.context_window(Duration::from_secs(3)).await.map(|n| (n, "the endpoint's model list")),
        }
    }

    /// The configured profile, or the one the model's context size calls for, with a
    /// notice saying why when it is compact, or warning when the window is too small.
    fn prompt_profile(&self, window: Option<(u64, &'static str)>) -> (PromptProfile, Option<String>) {
        let small = window.filter(|&(n, _)| n < SMALLEST_WINDOW).map(|(n, source)| {
            format!(
                "the model's context holds only {n} tokens (from {source}): wright's prompts, a file and a reply \
                 need about {SMALLEST_WINDOW}, so requests may be cut or refused. The window is fixed when the \
                 server starts: restart it larger (llama.cpp: --ctx-size 16384)"
            )
        });
        if let Some(profile) = self.prompt_profile {
            return (profile, small);
        }
        match window.map(|(n, source)| (PromptProfile::for_context(n), n, source)) {
            Some((PromptProfile::Compact, n, source)) => (
                PromptProfile::Compact,
                Some(small.unwrap_or_else(|| {
                    format!(
                        "compact prompt: the model's context holds {n} tokens (from {source}); set prompt_profile = \"full\" to change it"
                    )
                })),
            ),
            _ => (PromptProfile::Full, small),
        }
    }
}

/// The session's configuration and client; with no key and no base URL, the local model
/// (and the server wright started for it, which must outlive the run).
fn prepare(
    repo: &Path,
    opts: &RunOptions,
    runtime: &tokio::runtime::Runtime,
) -> Result<(Prepared, Option<wright_local::ManagedServer>)> {
    let mut config = Config::load(repo, &opts.model, opts.trust_repo_config)?;
    let server = runtime.block_on(crate::local_model::choose(&mut config))?;
    Ok((prepare_from(config, repo, opts)?, server))
}

/// `prepare`, with the configuration already loaded.
pub(crate) fn prepare_from(mut config: Config, repo: &Path, opts: &RunOptions) -> Result<Prepared> {
    // Flags go through the config too: a repository's budgets may lower even them.
    config.run_flags(opts);
    let settings = config.settings()?;
    // The cache stays within its cap; a failure here costs disk, not the run.
    if let Err(e) = crate::index_cache::prune(crate::index_cache::cap(&settings), Some(&crate::config::repo_root(repo)))
    {
        eprintln!("wright: could not prune the index cache: {e:#}");
    }
    let price = settings.prices.get(&settings.model).copied();
    if settings.budget_usd.is_some() && price.is_none() {
        return Err(usage(format!(
            "--budget-usd needs the price of `{model}`: add [prices.\"{model}\"] input = ..., output = ... (USD per million tokens) to {}",
            crate::dirs::user_config().display(),
            model = settings.model,
        )));
    }
    let llm = LlmClient::new(ClientConfig {
        base_url: settings.base_url.clone(),
        api_key: config.api_key.clone(),
        model: settings.model.clone(),
        stream: settings.stream,
        sampling: Sampling {
            temperature: settings.temperature.map(|t| t as f32),
            seed: settings.seed,
            max_tokens: Some(saturating_u32(settings.max_tokens.max(64))),
        },
        connect_timeout: Duration::from_secs(10),
        read_timeout: Duration::from_secs(settings.request_timeout_secs),
        retry: RetryPolicy { max_retries: saturating_u32(settings.max_retries), ..RetryPolicy::default() },
    })
    // A refused endpoint is the user's to fix: a usage error.
    .map_err(|e| match e {
        wright_llm::LlmError::Config(_) => usage(e.to_string()),
        other => other.into(),
    })?;
    let mcp = if opts.no_mcp { Default::default() } else { crate::mcp_cmd::servers(&settings)? };
    for notice in &mcp.notices {
        config.add_notice(notice.clone());
    }
    Ok(Prepared {
        llm,
        session: session_settings(&settings, price, opts, config.notices().to_vec())?,
        prompt_profile: settings.prompt_profile.0,
        // 0 says nothing about the window: as if unset.
        context_tokens: settings.context_tokens.filter(|&n| n > 0),
        mcp,
    })
}

/// The one hand-off from the settings to a session: every field a session takes from
/// configuration and flags, set here and nowhere else.
fn session_settings(
    settings: &Settings,
    price: Option<wright_agent::Price>,
    opts: &RunOptions,
    notices: Vec<String>,
) -> Result<SessionConfig> {
    let secs = Duration::from_secs;
    let mut config = SessionConfig::default();
    config.budgets = Budgets {
        max_steps: saturating_u32(settings.max_steps),
        token_budget: settings.token_budget,
        budget_usd: settings.budget_usd,
        timeout: settings.timeout_secs.map(secs),
        price,
    };
    // A repository may lower the cap to 0: one attempt, as a run always makes.
    config.max_attempts = settings.attempts.map(|n| saturating_u32(n).max(1));
    config.attempt_temperature = Some(settings.attempt_temperature as f32);
    config.draft_attempts = settings.draft_attempts.map(saturating_u32);
    config.tool_format = settings.tool_format;
    config.tool_output_limit = usize::try_from(settings.tool_output_chars).unwrap_or(usize::MAX);
    config.briefing_tokens = usize::try_from(settings.briefing_tokens).unwrap_or(0);
    config.context = context_policy(&settings.context)?;
    config.test_command = settings.test_command.clone();
    config.test_timeout = secs(settings.test_timeout_secs);
    config.no_baseline = opts.no_baseline;
    // A hang at the base must not keep the model waiting for the whole test budget.
    config.baseline_timeout = secs(settings.baseline_timeout_secs.min(settings.test_timeout_secs));
    config.run_limits = RunLimits { default_timeout: secs(settings.run_timeout_secs), ..RunLimits::default() };
    config.run_limits.env.allow = settings.sandbox.env.clone();
    config.run_limits.isolation = crate::sandbox_cmd::isolation(settings, &opts.sandbox);
    config.base_url = settings.base_url.clone();
    config.identity = settings.git.identity()?;
    config.commit_messages = match settings.git.commit_messages {
        CommitMessageWriter::Model => CommitMessages::Model(settings.git.commit_model.clone()),
        CommitMessageWriter::Derived => CommitMessages::Derived,
    };
    config.notices = notices;
    Ok(config)
}

/// How the conversation is kept within the window; the window itself is read later.
fn context_policy(context: &ContextSettings) -> Result<ContextPolicy> {
    if !(0.1..=1.0).contains(&context.compact_at) {
        return Err(usage(format!(
            "context.compact_at is {}: give the share of the window at which to compact, from 0.1 to 1 (0.8 by default)",
            context.compact_at
        )));
    }
    Ok(ContextPolicy {
        window: None,
        compact_at: context.compact_at,
        compact_model: context.compact_model.clone(),
        keep_turns: usize::try_from(context.keep_turns).unwrap_or(usize::MAX),
        plan_every: saturating_u32(context.plan_every_turns),
    })
}

fn saturating_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")
}

/// The run's events: to its journal, and to the terminal or as JSON lines, with the
/// secrets `redactor` knows taken out.
pub(crate) fn events(run_id: &str, run_dir: &Path, json: bool, first_seq: u64, redactor: Redactor) -> Result<Events> {
    wright_agent::record_panics(&run_dir.join(runs::JOURNAL), run_id);
    let mut events = Events::new(run_id, redactor);
    events.number_from(first_seq);
    events.add_sink(Box::new(Journal::open(&run_dir.join(runs::JOURNAL)).context("opening the run journal")?));
    if json {
        events.add_sink(Box::new(JsonLines));
    } else {
        events.add_sink(Box::new(Terminal::new()));
    }
    Ok(events)
}

/// Fails fast, before any branch is made, when nothing listens at the endpoint.
pub(crate) async fn preflight(base_url: &str) -> Result<()> {
    let rest = base_url.split("://").nth(1).unwrap_or(base_url);
    let host_port = rest.split('/').next().unwrap_or(rest);
    let addr = if host_port.rsplit(':').next().is_some_and(|p| p.parse::<u16>().is_ok()) && !host_port.ends_with(']') {
        host_port.to_string()
    } else if base_url.starts_with("https://") {
        format!("{host_port}:443")
    } else {
        format!("{host_port}:80")
    };
    match tokio::time::timeout(Duration::from_secs(10), tokio::net::TcpStream::connect(&addr)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(anyhow::anyhow!(
            "cannot reach the model endpoint {base_url} ({e}); start the server, or set OPENAI_BASE_URL / --base-url"
        )),
        Err(_) => Err(anyhow::anyhow!(
            "cannot reach the model endpoint {base_url} (no answer in 10 s); check the address, or set OPENAI_BASE_URL / --base-url"
        )),
    }
}

/// The first Ctrl-C or SIGTERM stops the run: a running command or test run is killed,
/// completed changes are committed, and the run ends with its summary. A second one
/// exits at once.
pub(crate) fn interrupt_on_signals() -> Result<watch::Receiver<bool>> {
    use tokio::signal::unix::{SignalKind, signal};
    let (tx, rx) = watch::channel(false);
    let mut int = signal(SignalKind::interrupt()).context("installing the SIGINT handler")?;
    let mut term = signal(SignalKind::terminate()).context("installing the SIGTERM handler")?;
    tokio::spawn(async move {
        let mut seen = 0;
        loop {
            tokio::select! {
                _ = int.recv() => {}
                _ = term.recv() => {}
            }
            seen += 1;
            if seen > 1 {
                eprintln!("wright: interrupted again; exiting now");
                std::process::exit(130);
            }
            eprintln!(
                "wright: stopping: the running command is killed, completed changes are kept (interrupt again to exit now)"
            );
            let _ = tx.send(true);
        }
    });
    Ok(rx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn the_default_settings_hand_off_the_documented_session() {
        let cli = crate::cli::Cli::try_parse_from(["wright", "run", "task"]).unwrap();
        let crate::cli::Command::Run(args) = cli.command else { panic!("not a run") };
        let c = session_settings(&Settings::default(), None, &args.opts, Vec::new()).unwrap();
        assert_eq!(c.budgets.max_steps, 50);
        assert_eq!(c.tool_format, wright_agent::ToolFormat::Auto);
        assert_eq!(c.commit_messages, CommitMessages::Model(None));
        assert_eq!((c.tool_output_limit, c.briefing_tokens), (16_000, 1500));
        assert_eq!((c.test_timeout, c.baseline_timeout), (Duration::from_secs(900), Duration::from_secs(300)));
        assert_eq!(c.run_limits.default_timeout, Duration::from_secs(120));
        assert!(!c.no_baseline && !c.include_dirty && c.test_command.is_none());
    }
}
