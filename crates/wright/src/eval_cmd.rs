//! `wright eval ...`: benchmark programs that print a table and write JSON.

// Reports go where the user points --out; no tree of a stranger's is touched here.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::{
    DatasetArgs, EvalCommand, EvalRunArgs, MergeArgs, PlanArgs, PlanFormatArg, SandboxEvalArgs, SearchSpeedArgs,
    SuiteArgs, ValidateArgs,
};
use crate::dirs::cache_dir;
use crate::exit::usage;

pub fn run(cmd: EvalCommand) -> Result<i32> {
    match cmd {
        EvalCommand::Localize(args) => localize(args),
        EvalCommand::SearchSpeed(args) => search_speed(args),
        EvalCommand::Edits(args) => edits(args),
        EvalCommand::Sandbox(args) => sandbox(args),
        EvalCommand::Validate(args) => validate(args),
        EvalCommand::Run(args) => run_suite(args),
        EvalCommand::Plan(args) => plan(args),
        EvalCommand::Merge(args) => merge(args),
    }
}

fn run_suite(args: EvalRunArgs) -> Result<i32> {
    use wright_evals::suite::{Agent, AgentSettings, Harness, Shard, Task};
    let suite = load_suite(&args.suite)?;
    let mut tasks = suite.select(args.suite.tasks.as_deref()).map_err(|e| usage(e.to_string()))?;
    if let Some(spec) = &args.shard {
        tasks = Shard::parse(spec).map_err(|e| usage(e.to_string()))?.pick(tasks);
    }
    // Caps lower every task's budgets alike, for every agent.
    let tasks: Vec<Task> = tasks
        .into_iter()
        .cloned()
        .map(|mut t| {
            t.budgets.steps = args.max_steps.map_or(t.budgets.steps, |m| m.min(t.budgets.steps));
            t.budgets.seconds = args.max_seconds.map_or(t.budgets.seconds, |m| m.min(t.budgets.seconds));
            t
        })
        .collect();
    let tasks: Vec<&Task> = tasks.iter().collect();
    let agents: Vec<Agent> =
        args.agents.iter().map(|a| Agent::parse(a)).collect::<Result<_, _>>().map_err(|e| usage(e.to_string()))?;
    let out = std::path::absolute(&args.out)?;
    let limits = test_limits(&suite.dir)?;
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from).unwrap_or_default();
    // No key and no endpoint: one local model for the whole eval, the same for every agent.
    let flags =
        crate::cli::ModelFlags { model: args.model.clone(), base_url: args.base_url.clone(), ..Default::default() };
    let mut config = crate::config::Config::load(Path::new("."), &flags, false)?;
    let local = crate::local_model::wanted(&config);
    let _server = crate::run_cmd::runtime()?.block_on(crate::local_model::choose(&mut config))?;
    let (model, base_url) = match local {
        true => (config.named_model(), config.named_endpoint()),
        false => (args.model.clone(), args.base_url.clone()),
    };
    if local {
        for notice in config.notices() {
            eprintln!("wright: {}", crate::visible::visible(notice));
        }
    }
    let settings = AgentSettings {
        wright: std::env::current_exe().context("finding the wright binary")?,
        model,
        base_url,
        api_key: config.api_key.clone(),
        temperature: args.temperature,
        seed: args.seed,
        mcp: args.mcp,
        peers: cache_dir().join("eval-peers"),
        // An agent must not read the hidden tests, the reference fixes or earlier results.
        // The suite's own repository too: its history holds the same files.
        hide: [
            Some(suite.dir.clone()),
            Some(out.clone()),
            suite.dir.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf),
        ]
        .into_iter()
        .flatten()
        // SWE-bench's data (gold patches) and local clones (the fix in their history).
        .chain(suite.private_paths())
        // Never `/` or a folder holding the home directory (the toolchains live there).
        .filter(|d| d.parent().is_some() && !home.starts_with(d))
        .collect(),
    };
    if args.jobs == 0 {
        return Err(usage("--jobs must be at least 1"));
    }
    let bar = Progress::new();
    let progress = |p: wright_evals::suite::Progress| bar.show(p);
    let mut harness =
        Harness { out: out.clone(), rerun: args.rerun, jobs: args.jobs, settings, limits, progress: &progress };
    let rows = harness.run(&tasks, &agents);
    bar.done();
    write_reports(&out, &rows?)
}

/// summary.json, report.md and report.html beside results.jsonl; the tables on stdout.
fn write_reports(out: &Path, rows: &[wright_evals::suite::Row]) -> Result<i32> {
    use wright_evals::suite::{report_html, report_md, summarize};
    let write = |name: &str, text: &str| {
        std::fs::write(out.join(name), text).with_context(|| format!("writing {}", out.join(name).display()))
    };
    write("summary.json", &serde_json::to_string_pretty(&summarize(rows))?)?;
    let report = report_md(rows);
    write("report.md", &report)?;
    write("report.html", &report_html(rows))?;
    print!("{report}");
    println!("results: {}", out.join("results.jsonl").display());
    println!("report: {}", out.join("report.html").display());
    Ok(0)
}

fn plan(args: PlanArgs) -> Result<i32> {
    use wright_evals::suite::{Agent, Plan, PlanFormat};
    let suite = load_suite(&args.suite)?;
    suite.select(args.suite.tasks.as_deref()).map_err(|e| usage(e.to_string()))?;
    if args.shards == 0 {
        return Err(usage("--shards must be at least 1"));
    }
    let mut words = vec!["wright".to_string(), "eval".into(), "run".into(), "--suite".into()];
    words.push(args.suite.suite.display().to_string());
    if let Some(t) = &args.suite.tasks {
        words.extend(["--tasks".into(), t.clone()]);
    }
    for agent in &args.agents {
        Agent::parse(agent).map_err(|e| usage(e.to_string()))?;
        words.extend(["--agent".into(), agent.clone()]);
    }
    for (flag, value) in [("--model", &args.model), ("--base-url", &args.base_url)] {
        if let Some(v) = value {
            words.extend([flag.into(), v.clone()]);
        }
    }
    let plan = Plan {
        shards: args.shards,
        command: words.iter().map(|w| wright_evals::suite::shell_word(w)).collect::<Vec<_>>().join(" "),
        out: args.out.clone(),
        image: args.image.clone(),
    };
    let format = match args.format {
        PlanFormatArg::GithubMatrix => PlanFormat::GithubMatrix,
        PlanFormatArg::K8s => PlanFormat::K8s,
    };
    println!("{}", serde_json::to_string_pretty(&plan.render(format))?);
    Ok(0)
}

fn merge(args: MergeArgs) -> Result<i32> {
    let shards: Vec<&Path> = args.shards.iter().map(PathBuf::as_path).collect();
    let rows = wright_evals::suite::merge(&shards).map_err(|e| usage(e.to_string()))?;
    std::fs::create_dir_all(&args.out).with_context(|| format!("creating {}", args.out.display()))?;
    let lines: String = rows.iter().map(|r| serde_json::to_string(r).map(|l| l + "\n")).collect::<Result<_, _>>()?;
    std::fs::write(args.out.join("results.jsonl"), lines)?;
    eprintln!("merged {} rows from {} shards", rows.len(), shards.len());
    write_reports(&args.out, &rows)
}

/// A progress bar on stderr while trials run; a line for each that finishes.
struct Progress {
    bar: indicatif::ProgressBar,
}

impl Progress {
    fn new() -> Progress {
        let bar = indicatif::ProgressBar::new(0);
        let style = indicatif::ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {pos}/{len} {msg}")
            .map(|s| s.progress_chars("=> "))
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        Progress { bar }
    }

    fn show(&self, p: wright_evals::suite::Progress) {
        use wright_evals::suite::Progress as P;
        match p {
            P::Planned(n) => self.bar.set_length(n as u64),
            P::Skipped { task, agent } => {
                self.line(format!("{task} / {agent}: done before, skipped (--rerun runs it again)"))
            }
            P::Started { task, agent } => {
                if self.bar.is_hidden() {
                    eprintln!("{task} / {agent} ...");
                }
                self.bar.set_message(format!("{task} / {agent}"))
            }
            P::Finished(row) => {
                let verdict = if row.resolved { "resolved" } else { "not resolved" };
                self.line(format!(
                    "{} / {}: {verdict} ({}, {:.0} s)",
                    row.task, row.agent, row.trial.stop_reason, row.trial.seconds
                ));
                self.bar.inc(1);
            }
        }
    }

    /// A line above the bar; on stderr as it is when there is no terminal to draw on.
    fn line(&self, text: String) {
        if self.bar.is_hidden() { eprintln!("{text}") } else { self.bar.println(text) }
    }

    fn done(&self) {
        self.bar.finish_and_clear();
    }
}

fn load_suite(args: &SuiteArgs) -> Result<wright_evals::suite::Suite> {
    if !args.suite.is_dir() {
        return Err(usage(format!("--suite {} is not a directory of tasks", args.suite.display())));
    }
    let suite = wright_evals::suite::Suite::load(&args.suite).map_err(|e| usage(e.to_string()))?;
    if !suite.skipped.is_empty() {
        eprintln!("{} SWE-bench instances cannot be scored and are left out:", suite.skipped.len());
        for (id, why) in &suite.skipped {
            eprintln!("  {id}: {why}");
        }
    }
    Ok(suite)
}

/// The sandbox of the hidden checks: the user's, from config.
fn test_limits(suite: &Path) -> Result<wright_testing::Limits> {
    let settings = crate::config::Config::load(suite, &Default::default(), false)?.settings()?;
    Ok(wright_testing::Limits {
        env: wright_sandbox::EnvPolicy { allow: settings.sandbox.env.clone(), ..Default::default() },
        isolation: crate::sandbox_cmd::isolation(&settings, &Default::default()),
        cancel: Default::default(),
    })
}

fn validate(args: ValidateArgs) -> Result<i32> {
    let suite = load_suite(&args.suite)?;
    let tasks = suite.select(args.suite.tasks.as_deref()).map_err(|e| usage(e.to_string()))?;
    let limits = test_limits(&suite.dir)?;
    let work = tempfile::tempdir().context("making a scratch directory")?;
    let mut rows = Vec::new();
    for task in tasks {
        eprintln!("validating {} ...", task.id);
        rows.push(wright_evals::suite::validate(task, work.path(), &limits)?);
    }
    print!("{}", wright_evals::suite::table(&rows));
    write_json(args.out.as_deref(), &rows, "per-task results")?;
    Ok(if rows.iter().all(|r| r.valid) { 0 } else { 4 })
}

fn sandbox(args: SandboxEvalArgs) -> Result<i32> {
    if args.runs < 2 {
        return Err(usage("--runs must be at least 2"));
    }
    let dir = tempfile::tempdir().context("making a scratch directory")?;
    let wasm = crate::install_python::wasm_setup();
    let installed = wasm.programs.join("python.wasm").is_file();
    let report = wright_evals::sandbox_speed::run(dir.path(), args.runs, installed.then_some(&wasm))?;
    print!("{}", wright_evals::sandbox_speed::table(&report));
    write_json(args.out.as_deref(), &report, "figures")
}

fn edits(args: DatasetArgs) -> Result<i32> {
    let report = wright_evals::edits::run(dataset_run(&args, "eval-edits", &mut |l| eprintln!("{l}"))?)?;
    print!("{}", wright_evals::edits::table(&report));
    write_json(args.out.as_deref(), &report, "every case")
}

fn localize(args: DatasetArgs) -> Result<i32> {
    let report = wright_evals::localize::run(dataset_run(&args, "eval-localize", &mut |l| eprintln!("{l}"))?)?;
    print!("{}", wright_evals::localize::table(&report));
    write_json(args.out.as_deref(), &report, "per-instance ranks")
}

/// The data file and snapshot folder checked; the work folder defaults to one in the cache.
fn dataset_run<'a>(
    args: &'a DatasetArgs,
    default_work: &str,
    progress: &'a mut dyn FnMut(&str),
) -> Result<wright_evals::DatasetRun<'a>> {
    if !args.data.is_file() {
        return Err(usage(format!("--data {} is not a file", args.data.display())));
    }
    if !args.repos.is_dir() {
        return Err(usage(format!("--repos {} is not a directory of repository snapshots", args.repos.display())));
    }
    Ok(wright_evals::DatasetRun {
        data: &args.data,
        repos: &args.repos,
        work: args.work.clone().unwrap_or_else(|| cache_dir().join(default_work)),
        limit: args.limit,
        progress,
    })
}

fn write_json(out: Option<&Path>, report: &impl serde::Serialize, what: &str) -> Result<i32> {
    if let Some(out) = out {
        std::fs::write(out, serde_json::to_string_pretty(report)?)
            .with_context(|| format!("writing {}", out.display()))?;
        println!("{what}: {}", out.display());
    }
    Ok(0)
}

fn search_speed(args: SearchSpeedArgs) -> Result<i32> {
    if !args.repo.is_dir() {
        return Err(usage(format!("--repo {} is not a directory", args.repo.display())));
    }
    let issues = match &args.data {
        Some(d) => wright_evals::speed::issues_from(d)?,
        None => Vec::new(),
    };
    let report = wright_evals::speed::run(&args.repo, &issues, &wright_evals::speed::default_work())?;
    print!("{}", wright_evals::speed::table(&report));
    write_json(args.out.as_deref(), &report, "figures")
}
