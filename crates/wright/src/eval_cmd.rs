//! `wright eval ...`: benchmark programs that print a table and write JSON.

use std::path::Path;

use anyhow::{Context, Result};

use crate::cli::{DatasetArgs, EvalCommand, EvalRunArgs, SandboxEvalArgs, SearchSpeedArgs, SuiteArgs, ValidateArgs};
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
    }
}

fn run_suite(args: EvalRunArgs) -> Result<i32> {
    use wright_evals::suite::{Agent, AgentSettings, Harness, report_md, summarize};
    let suite = load_suite(&args.suite)?;
    let tasks = suite.select(args.suite.tasks.as_deref()).map_err(|e| usage(e.to_string()))?;
    let agents: Vec<Agent> =
        args.agents.iter().map(|a| Agent::parse(a)).collect::<Result<_, _>>().map_err(|e| usage(e.to_string()))?;
    let out = std::path::absolute(&args.out)?;
    let limits = test_limits(&suite.dir)?;
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from).unwrap_or_default();
    let settings = AgentSettings {
        wright: std::env::current_exe().context("finding the wright binary")?,
        model: args.model.clone(),
        base_url: args.base_url.clone(),
        temperature: args.temperature,
        seed: args.seed,
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
    let rows = rows?;
    let summary = summarize(&rows);
    std::fs::write(out.join("summary.json"), serde_json::to_string_pretty(&summary)?)?;
    let report = report_md(&rows);
    std::fs::write(out.join("report.md"), &report)?;
    std::fs::write(out.join("report.html"), wright_evals::suite::report_html(&rows))?;
    print!("{report}");
    println!("results: {}", out.join("results.jsonl").display());
    Ok(0)
}

/// A progress bar on stderr while attempts run; a line for each that finishes.
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
                self.bar.println(format!("{task} / {agent}: done before, skipped (--rerun runs it again)"))
            }
            P::Started { task, agent } => self.bar.set_message(format!("{task} / {agent}")),
            P::Finished(row) => {
                let verdict = if row.resolved { "resolved" } else { "not resolved" };
                self.bar.println(format!(
                    "{} / {}: {verdict} ({}, {:.0} s)",
                    row.task, row.agent, row.attempt.stop_reason, row.attempt.seconds
                ));
                self.bar.inc(1);
            }
        }
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
    let config = crate::config::Config::load(suite, &Default::default(), false)?;
    Ok(wright_testing::Limits {
        env: wright_sandbox::EnvPolicy { allow: config.strings("sandbox.env")?, ..Default::default() },
        isolation: crate::sandbox_cmd::isolation(&config, &Default::default())?,
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
