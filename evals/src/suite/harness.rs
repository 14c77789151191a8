//! `wright eval run`: every selected task, for every agent, from a fresh tree; the hidden
//! check after the agent stops; one result line per task and agent, appended as they
//! finish, so a rerun skips what is done.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use wright_testing::Limits;

use crate::EvalError;
use crate::suite::agent::{Agent, trial};
use crate::suite::trial::{AgentSettings, Trial};
use crate::suite::{Task, carry_change, fresh_tree, run_check, set_up};

/// One task done by one agent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    pub task: String,
    pub language: String,
    pub agent: String,
    /// The model every agent was given (empty: the agent's own default).
    #[serde(default)]
    pub model: String,
    /// An odd-numbered task (in the suite's id order): held out from tuning.
    #[serde(default)]
    pub held_out: bool,
    /// The hidden check passed.
    pub resolved: bool,
    /// What the check said.
    pub check: String,
    /// The files of the agent's change that the check saw (test and runner files are not carried).
    #[serde(default)]
    pub files_changed: Vec<String>,
    /// What the agent claimed and spent.
    #[serde(flatten)]
    pub trial: Trial,
}

/// What the harness reports while it works.
#[derive(Debug)]
pub enum Progress<'a> {
    /// How many trials will run (finished ones from an earlier run are not counted).
    Planned(usize),
    Started {
        task: &'a str,
        agent: &'a str,
    },
    Finished(&'a Row),
    Skipped {
        task: &'a str,
        agent: &'a str,
    },
}

pub struct Harness<'a> {
    pub out: PathBuf,
    pub rerun: bool,
    /// Trials run at once (1 for timing comparisons).
    pub jobs: usize,
    pub settings: AgentSettings,
    pub limits: Limits,
    pub progress: &'a (dyn Fn(Progress) + Sync),
}

impl Harness<'_> {
    /// Runs `tasks` × `agents`; returns every row in `results.jsonl` afterwards.
    pub fn run(&mut self, tasks: &[&Task], agents: &[Agent]) -> Result<Vec<Row>, EvalError> {
        let io = |e: std::io::Error| EvalError::Io(format!("{}: {e}", self.out.display()));
        std::fs::create_dir_all(&self.out).map_err(io)?;
        let results = self.out.join("results.jsonl");
        if self.rerun {
            let _ = std::fs::remove_file(&results);
        }
        // Peers are installed before the clock of any task starts.
        if agents.iter().any(|a| matches!(a, Agent::Mini { .. })) {
            if self.settings.model.is_none() {
                return Err(EvalError::Io(crate::suite::mini::NEEDS_MODEL.into()));
            }
            crate::suite::mini::install(&self.settings.peers)?;
        }
        if agents.contains(&Agent::Sample) && self.settings.model.is_none() {
            return Err(EvalError::Io(crate::suite::sample::NEEDS_MODEL.into()));
        }
        let model = self.settings.model.clone().unwrap_or_default();
        let done: BTreeSet<(String, String)> =
            read_rows(&results).into_iter().filter(|r| r.model == model).map(|r| (r.task, r.agent)).collect();
        // A line torn by a kill must not swallow the next row.
        let torn = std::fs::read(&results).is_ok_and(|b| !b.is_empty() && !b.ends_with(b"\n"));
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&results).map_err(io)?;
        if torn {
            writeln!(file).map_err(io)?;
        }
        let mut todo = Vec::new();
        // Task by task, every agent in turn: drift in the machine or the endpoint falls on
        // all agents alike.
        let mut queued = BTreeSet::new();
        for task in tasks {
            for agent in agents {
                // A task or agent named twice runs once.
                if !queued.insert((task.id.clone(), agent.name())) {
                    continue;
                }
                if done.contains(&(task.id.clone(), agent.name())) {
                    (self.progress)(Progress::Skipped { task: &task.id, agent: &agent.name() });
                } else {
                    todo.push((*task, agent));
                }
            }
        }
        (self.progress)(Progress::Planned(todo.len()));
        let queue = Mutex::new(todo.into_iter());
        let file = Mutex::new(file);
        let failure: Mutex<Option<EvalError>> = Mutex::new(None);
        let this = &*self;
        std::thread::scope(|scope| {
            for _ in 0..this.jobs.max(1) {
                scope.spawn(|| {
                    while let Some((task, agent)) = next(&queue) {
                        if let Err(e) = this.record(task, agent, &file) {
                            // The first failure stops the workers; the rows so far are kept.
                            failure.lock().unwrap_or_else(|p| p.into_inner()).get_or_insert(e);
                            queue.lock().unwrap_or_else(|p| p.into_inner()).by_ref().for_each(drop);
                        }
                    }
                });
            }
        });
        match failure.into_inner().unwrap_or_else(|p| p.into_inner()) {
            Some(e) => Err(e),
            None => Ok(read_rows(&results)),
        }
    }

    fn record(&self, task: &Task, agent: &Agent, file: &Mutex<std::fs::File>) -> Result<(), EvalError> {
        (self.progress)(Progress::Started { task: &task.id, agent: &agent.name() });
        let row = self.one(task, agent)?;
        let line = serde_json::to_string(&row).map_err(|e| EvalError::Io(e.to_string()))?;
        let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(file, "{line}").map_err(|e| EvalError::Io(format!("{}: {e}", self.out.display())))?;
        drop(file);
        (self.progress)(Progress::Finished(&row));
        Ok(())
    }

    fn one(&self, task: &Task, agent: &Agent) -> Result<Row, EvalError> {
        // One folder per trial: the agent's tree, the check's, and what the agent leaves
        // beside them (a trajectory, a log); none shared with another trial.
        let dir = self.out.join("work").join(agent_slug(agent)).join(&task.id);
        let io = |e: std::io::Error| EvalError::Io(format!("{}: {e}", dir.display()));
        if dir.exists() {
            std::fs::remove_dir_all(&dir).map_err(io)?;
        }
        std::fs::create_dir_all(&dir).map_err(io)?;
        let (tree, check_tree) = (dir.join("tree"), dir.join("check"));
        let row = |resolved, check: String, files_changed, trial| Row {
            task: task.id.clone(),
            language: task.language.clone(),
            held_out: task.number % 2 == 1,
            agent: agent.name(),
            model: self.settings.model.clone().unwrap_or_default(),
            resolved,
            check,
            files_changed,
            trial,
        };
        let prepared = fresh_tree(task, &tree).and_then(|base| set_up(task, &tree, &self.limits).map(|()| base));
        let base = match prepared {
            Ok(base) => base,
            // One task that cannot be set up (a fetch, its setup command) is a row, not the end of the run.
            Err(e) => {
                let not_started =
                    Trial { stop_reason: "not started: the task could not be set up".into(), ..Trial::default() };
                return Ok(row(false, format!("the task could not be set up: {e}"), Vec::new(), not_started));
            }
        };
        let tried = trial(agent, task, &tree, &dir, &self.settings, &self.limits)?;
        // The check's own time: an agent's time cap must not fail a slow but honest check.
        let timeout = task.check_timeout();
        // The check runs on a fresh tree holding only the agent's change to the code: what
        // the agent did to tests, runner config, history or symlinks does not reach it.
        let checked = fresh_tree(task, &check_tree)
            .and_then(|check_base| {
                set_up(task, &check_tree, &self.limits)?;
                Ok((carry_change(&tried.tree, &base, &check_tree)?, check_base))
            })
            .and_then(|(files, check_base)| {
                Ok((files, run_check(task, &check_tree, &check_base, timeout, &self.limits)?))
            });
        let (resolved, check, files_changed) = match checked {
            Ok((files, c)) => (c.passed, c.why, files),
            Err(e) => (false, format!("the check could not run: {e}"), Vec::new()),
        };
        Ok(row(resolved, check, files_changed, tried))
    }
}

/// A folder name for an agent: readable, and unique (two templates may share a start).
fn agent_slug(agent: &Agent) -> String {
    use std::hash::{Hash, Hasher};
    let name = agent.name();
    let readable: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).take(32).collect();
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut hasher);
    format!("{readable}-{:08x}", hasher.finish() as u32)
}

fn next<T>(queue: &Mutex<impl Iterator<Item = T>>) -> Option<T> {
    queue.lock().unwrap_or_else(|p| p.into_inner()).next()
}

/// The rows of a results file; a torn last line is skipped.
pub fn read_rows(path: &std::path::Path) -> Vec<Row> {
    std::fs::read_to_string(path).unwrap_or_default().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}
