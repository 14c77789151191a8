//! `wright run`: config, model client, events and signals around one agent session.

use std::time::Duration;

use anyhow::{Context, Result};
use tokio::sync::watch;
use wright_agent::{Budgets, Events, Journal, Redactor, Session, SessionConfig, ToolFormat};
use wright_llm::{ClientConfig, LlmClient, RetryPolicy};
use wright_tools::RunLimits;

use crate::cli::RunArgs;
use crate::config::Config;
use crate::exit::usage;
use crate::render::{JsonLines, Terminal};

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
    let config = Config::load(&args.repo, &args.model)?;
    let model = config.str("model")?.unwrap_or_default();
    let base_url = config.str("base_url")?.unwrap_or_default();
    let tool_format = match config.str("tool_format")?.as_deref() {
        Some("native") => ToolFormat::Native,
        Some("text") => ToolFormat::Text,
        Some("auto") | None => ToolFormat::Auto,
        Some(other) => return Err(usage(format!("tool_format must be native, text or auto, not `{other}`"))),
    };
    let price = config.price(&model)?;
    let budget_usd = match args.budget_usd.or(config.float("budget_usd")?) {
        Some(_) if price.is_none() => {
            return Err(usage(format!(
                "--budget-usd needs the price of `{model}`: add [prices.\"{model}\"] input = ..., output = ... (USD per million tokens) to wright.toml or {}",
                crate::dirs::user_config().display()
            )));
        }
        b => b,
    };
    let budgets = Budgets {
        max_steps: args.max_steps.map(Ok).unwrap_or_else(|| config.int("max_steps").map(|v| v.unwrap_or(50) as u32))?,
        token_budget: args.token_budget.or(config.int("token_budget")?),
        budget_usd,
        timeout: args.timeout.or(config.int("timeout_secs")?).map(Duration::from_secs),
        price,
    };
    let secs =
        |key: &str, default: u64| -> Result<Duration> { Ok(Duration::from_secs(config.int(key)?.unwrap_or(default))) };
    let mut run_limits = RunLimits { default_timeout: secs("run_timeout_secs", 120)?, ..RunLimits::default() };
    run_limits.env.allow = config.strings("sandbox.env")?;
    run_limits.isolation = crate::sandbox_cmd::isolation(&config, &args.sandbox)?;

    let llm = LlmClient::new(ClientConfig {
        base_url: base_url.clone(),
        api_key: config.api_key.clone(),
        model,
        stream: config.bool("stream")?.unwrap_or(true),
        temperature: config.float("temperature")?.map(|t| t as f32),
        connect_timeout: Duration::from_secs(10),
        read_timeout: secs("request_timeout_secs", 600)?,
        retry: RetryPolicy { max_retries: config.int("max_retries")?.unwrap_or(4) as u32, ..RetryPolicy::default() },
    })?;

    let tool_output_limit = config.int("tool_output_chars")?.unwrap_or(16_000) as usize;
    let test_command = args.test_command.clone().or(config.str("test_command")?);
    let test_timeout = secs("test_timeout_secs", 900)?;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the async runtime")?;
    runtime.block_on(async move {
        preflight(&base_url).await?;
        let run_id = crate::dirs::new_run_id();
        let run_dir = crate::dirs::data_dir().join("runs").join(&run_id);
        let mut events = Events::new(&run_id, Redactor::from_env());
        events.add_sink(Box::new(Journal::open(&run_dir.join("events.jsonl")).context("opening the run journal")?));
        if args.json {
            events.add_sink(Box::new(JsonLines));
        } else {
            events.add_sink(Box::new(Terminal::new()));
        }
        let session = Session::start(
            SessionConfig {
                task,
                run_id,
                workdir: args.repo.clone(),
                worktree: run_dir.join("worktree"),
                budgets,
                tool_format,
                tool_output_limit,
                test_command,
                test_timeout,
                run_limits,
                base_url,
                cache_dir: crate::dirs::cache_dir(),
            },
            llm,
            events,
        )?;
        let report = session.run(interrupt_on_signals()?).await;
        Ok(report.exit_code)
    })
}

/// Fails fast, before any branch is made, when nothing listens at the endpoint.
async fn preflight(base_url: &str) -> Result<()> {
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

/// The first Ctrl-C or SIGTERM asks the run to stop after its current step; a second
/// one exits at once.
fn interrupt_on_signals() -> Result<watch::Receiver<bool>> {
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
            eprintln!("wright: stopping after the current step (interrupt again to exit now)");
            let _ = tx.send(true);
        }
    });
    Ok(rx)
}
