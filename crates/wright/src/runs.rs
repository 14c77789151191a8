//! wright's runs on disk: `$XDG_DATA_HOME/wright/runs/<id>/` holds a run's worktree, its
//! journal (`events.jsonl`), its transcript and a lock held while a process works on it.

// The runs directory is wright's own data.
#![allow(clippy::disallowed_methods)]

use std::fs::File;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;
use wright_agent::{AttemptHistory, PlanStep, RunHistory};

use crate::exit::usage;

pub const JOURNAL: &str = "events.jsonl";
pub const TRANSCRIPT: &str = "transcript.jsonl";
const LOCK: &str = "lock";

pub fn runs_root() -> PathBuf {
    crate::dirs::data_dir().join("runs")
}

/// What `wright log` knows of a run, read from its journal.
#[derive(Debug, Clone, Serialize)]
pub struct RunInfo {
    pub id: String,
    #[serde(skip)]
    pub dir: PathBuf,
    pub task: String,
    pub repo: PathBuf,
    pub worktree: PathBuf,
    pub branch: String,
    pub base: String,
    pub started: String,
    /// `running`, `finished`, or `stopped` (killed, or ended before its finish event).
    pub status: &'static str,
    pub verdict: Option<String>,
    pub stop_reason: Option<String>,
    pub commits: usize,
    pub tokens: u64,
    pub test_command: Option<String>,
    /// Each attempt begun, and the one the task branch holds once the run ended.
    pub attempts: Vec<AttemptHistory>,
    pub selected_attempt: Option<u32>,
    /// The plan as the run last updated it.
    #[serde(skip)]
    pub plan: Option<Vec<PlanStep>>,
    /// The last event's sequence number, so a resumed run numbers on from it.
    #[serde(skip)]
    pub last_seq: u64,
}

impl RunInfo {
    pub fn transcript(&self) -> PathBuf {
        self.dir.join(TRANSCRIPT)
    }

    /// Resumable: not running, and not ended by the model's own `finish`.
    pub fn resumable(&self) -> bool {
        self.status == "stopped" || (self.status == "finished" && self.stop_reason.as_deref() != Some("finished"))
    }
}

/// Every run with a readable journal, oldest first.
pub fn list() -> Vec<RunInfo> {
    let Ok(entries) = std::fs::read_dir(runs_root()) else { return Vec::new() };
    let mut runs: Vec<RunInfo> = entries.flatten().filter_map(|e| read(&e.path())).collect();
    runs.sort_by(|a, b| a.started.cmp(&b.started).then(a.id.cmp(&b.id)));
    runs
}

/// The run `query` names: its id, or a prefix of exactly one id.
pub fn find(query: &str) -> Result<RunInfo> {
    let runs = list();
    if let Some(run) = runs.iter().find(|r| r.id == query) {
        return Ok(run.clone());
    }
    let matches: Vec<&RunInfo> = runs.iter().filter(|r| r.id.starts_with(query)).collect();
    match matches.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(usage(format!("no run `{query}` in {}; `wright log` lists the runs", runs_root().display()))),
        many => Err(usage(format!(
            "`{query}` matches {} runs ({}); give more of the id",
            many.len(),
            many.iter().map(|r| r.id.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

fn read(dir: &Path) -> Option<RunInfo> {
    let events = wright_agent::read_journal(&dir.join(JOURNAL)).ok()?;
    let run = RunHistory::of(&events)?;
    let running = is_locked(dir);
    Some(RunInfo {
        id: run.run_id,
        dir: dir.to_path_buf(),
        task: run.task,
        repo: PathBuf::from(run.repo),
        worktree: PathBuf::from(run.worktree),
        branch: run.branch,
        base: run.base,
        started: run.started,
        status: if running {
            "running"
        } else if run.finished.is_some() {
            "finished"
        } else {
            "stopped"
        },
        verdict: run.finished.as_ref().map(|f| f.verdict.as_str().to_string()),
        stop_reason: run.finished.as_ref().map(|f| f.stop_reason.as_str().to_string()),
        commits: run.commits,
        tokens: run.tokens,
        test_command: run.test_command,
        selected_attempt: run.finished.as_ref().map(|f| f.selected_attempt),
        attempts: run.attempts,
        plan: run.plan,
        last_seq: run.last_seq,
    })
}

/// Held while a process works on a run; the OS releases it when the process dies.
pub struct RunLock {
    _file: File,
}

/// Takes the run's lock, or says which state stops it.
pub fn lock(dir: &Path) -> Result<RunLock> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let file = File::create(dir.join(LOCK)).with_context(|| format!("creating {}", dir.join(LOCK).display()))?;
    match file.try_lock() {
        Ok(()) => Ok(RunLock { _file: file }),
        Err(_) => {
            Err(usage(format!("the run in {} is in use by another wright process; wait for it to end", dir.display())))
        }
    }
}

fn is_locked(dir: &Path) -> bool {
    let Ok(file) = File::open(dir.join(LOCK)) else { return false };
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(_) => true,
    }
}
