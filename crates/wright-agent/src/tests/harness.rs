//! A `Session` driven in-process: a real git repository in a temp dir, the task branch
//! and worktree made by `Session::start` as in a run, and a scripted model reached over
//! HTTP by the real client. A loop behaviour is tested in milliseconds, and the test
//! reads the run's events, the requests the model saw and the worktree directly.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;
use wright_llm::{ClientConfig, LlmClient, RetryPolicy, Sampling};
use wright_scripted::{ModelServer, Step};
use wright_tools::{RunLimits, Toolbox};

use crate::{
    Budgets, CommitMessages, Event, EventKind, EventSink, Events, Redactor, RunReport, Session, SessionConfig,
};

/// What a run left for the test to read.
pub struct Ran {
    pub events: Vec<Event>,
    pub report: RunReport,
    /// The model's requests, in order (commit-message requests apart).
    pub requests: Vec<Value>,
    pub worktree: PathBuf,
    /// The repository, the run's directory and the cache; removed when dropped.
    _dir: tempfile::TempDir,
}

impl Ran {
    /// The events' kinds, in order.
    pub fn kinds(&self) -> impl Iterator<Item = &EventKind> {
        self.events.iter().map(|e| &e.kind)
    }
}

/// A run of `task` on a small repository with a passing `true` test command, against a
/// model that answers from `script`; `adjust` changes the configuration first.
pub async fn run(task: &str, script: Vec<Step>, adjust: impl FnOnce(&mut SessionConfig)) -> Ran {
    run_with_files(task, &[], script, adjust).await
}

/// As [`run`], on a repository that also holds `files` (path, text).
pub async fn run_with_files(
    task: &str,
    files: &[(&str, &str)],
    script: Vec<Step>,
    adjust: impl FnOnce(&mut SessionConfig),
) -> Ran {
    // Every commit message is derived: the script answers only the loop's requests.
    let server = ModelServer::start(script).await;
    // A script that runs out is answered 400: fail at once, never back off.
    run_on(&server, task, files, RetryPolicy { max_retries: 0, ..RetryPolicy::default() }, adjust).await
}

/// As [`run_with_files`], against a `server` the test set up (a window, scripts for
/// other requests), with the client retrying as `retry` says.
pub async fn run_on(
    server: &ModelServer,
    task: &str,
    files: &[(&str, &str)],
    retry: RetryPolicy,
    adjust: impl FnOnce(&mut SessionConfig),
) -> Ran {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    init_repo(&repo, files);
    let mut config = config(task, &repo, dir.path(), &server.base_url);
    adjust(&mut config);
    let worktree = config.worktree.clone();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut events = Events::new(&config.run_id, Redactor::default());
    events.add_sink(Box::new(Collect(seen.clone())));
    let llm = LlmClient::new(client(&server.base_url, retry)).unwrap();
    let session = Session::start(config, Toolbox::builtin(), llm, events).await.unwrap();
    let (_stop, interrupt) = watch::channel(false);
    let report = session.run(interrupt).await;
    let events = seen.lock().unwrap().clone();
    Ran { events, report, requests: server.requests(), worktree, _dir: dir }
}

/// What a run sets from its settings, with limits small enough for a test.
fn config(task: &str, repo: &Path, dir: &Path, base_url: &str) -> SessionConfig {
    let run_dir = dir.join("run");
    let mut run_limits = RunLimits::default();
    // Commands run unsandboxed: the test machine may have no bubblewrap.
    run_limits.isolation.backend = wright_sandbox::Backend::None;
    SessionConfig {
        task: task.into(),
        run_id: "harness".into(),
        workdir: repo.to_path_buf(),
        worktree: run_dir.join("worktree"),
        transcript: run_dir.join("transcript.jsonl"),
        cache_dir: dir.join("cache"),
        budgets: Budgets { max_steps: 10, ..Budgets::default() },
        tool_output_limit: 8_000,
        // No briefing: the index is not built, and no run waits for it.
        briefing_tokens: 0,
        test_command: Some("true".into()),
        test_timeout: Duration::from_secs(30),
        baseline_timeout: Duration::from_secs(30),
        run_limits,
        base_url: base_url.into(),
        commit_messages: CommitMessages::Derived,
        // One attempt: a loop test's script ends with its attempt (see `attempts`).
        max_attempts: Some(1),
        ..SessionConfig::default()
    }
}

fn client(base_url: &str, retry: RetryPolicy) -> ClientConfig {
    ClientConfig {
        base_url: base_url.into(),
        api_key: None,
        model: "scripted".into(),
        stream: true,
        sampling: Sampling::default(),
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(30),
        retry,
    }
}

/// A repository of one Python module, its README and `files`, committed on `main`.
fn init_repo(repo: &Path, files: &[(&str, &str)]) {
    std::fs::create_dir_all(repo).unwrap();
    std::fs::write(repo.join("dates.py"), "def parse_date(text):\n    return text\n").unwrap();
    std::fs::write(repo.join("README.md"), "# repo\n").unwrap();
    for (path, text) in files {
        let path = repo.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    for args in [
        &["init", "-q", "-b", "main"][..],
        &["config", "user.name", "Pat Developer"],
        &["config", "user.email", "pat@example.com"],
        &["add", "."],
        &["commit", "-q", "-m", "Initial commit"],
    ] {
        let out = Command::new("git").args(args).current_dir(repo).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

/// Keeps every event the run emits.
struct Collect(Arc<Mutex<Vec<Event>>>);

impl EventSink for Collect {
    fn event(&mut self, event: &Event) {
        self.0.lock().unwrap().push(event.clone());
    }
}

impl Ran {
    /// The events of type `kind` (`tool_result`, `notice`, ...), as `--json` writes them.
    pub fn of_type(&self, kind: &str) -> Vec<Value> {
        let all = self.events.iter().map(|e| serde_json::to_value(e).unwrap());
        all.filter(|e| e["type"] == kind).collect()
    }

    /// The `run_finished` event, as `--json` writes it.
    pub fn finished(&self) -> Value {
        serde_json::to_value(&self.report.finished).unwrap()
    }
}
