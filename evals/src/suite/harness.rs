//! `wright eval run`: every selected task, for every agent, from a fresh tree; the hidden
//! check after the agent stops; one result line per task and agent, appended as they
//! finish, so a rerun skips what is done.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use wright_testing::Limits;

use crate::EvalError;
use crate::suite::agent::{Agent, AgentSettings, Attempt, attempt};
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
    /// The hidden check passed.
    pub resolved: bool,
    /// What the check said.
    pub check: String,
    /// The files of the agent's change that the check saw (test and runner files are not carried).
    #[serde(default)]
    pub files_changed: Vec<String>,
    /// What the agent claimed and spent.
    #[serde(flatten)]
    pub attempt: Attempt,
}

pub struct Harness<'a> {
    pub out: PathBuf,
    pub rerun: bool,
    pub settings: AgentSettings,
    pub limits: Limits,
    pub progress: &'a mut dyn FnMut(&str),
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
        let model = self.settings.model.clone().unwrap_or_default();
        let done: BTreeSet<(String, String)> =
            read_rows(&results).into_iter().filter(|r| r.model == model).map(|r| (r.task, r.agent)).collect();
        // A line torn by a kill must not swallow the next row.
        let torn = std::fs::read(&results).is_ok_and(|b| !b.is_empty() && !b.ends_with(b"\n"));
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&results).map_err(io)?;
        if torn {
            writeln!(file).map_err(io)?;
        }
        for agent in agents {
            for task in tasks {
                if done.contains(&(task.id.clone(), agent.name())) {
                    (self.progress)(&format!(
                        "{} / {}: done before, skipped (--rerun runs it again)",
                        task.id,
                        agent.name()
                    ));
                    continue;
                }
                (self.progress)(&format!("{} / {} ...", task.id, agent.name()));
                let row = self.one(task, agent)?;
                (self.progress)(&format!(
                    "{} / {}: {}",
                    task.id,
                    agent.name(),
                    if row.resolved { "resolved" } else { "not resolved" }
                ));
                let line = serde_json::to_string(&row).map_err(|e| EvalError::Io(e.to_string()))?;
                writeln!(file, "{line}").map_err(io)?;
            }
        }
        Ok(read_rows(&results))
    }

    fn one(&self, task: &Task, agent: &Agent) -> Result<Row, EvalError> {
        let slug: String =
            agent.name().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).take(40).collect();
        let dir = self.out.join("work").join(slug);
        let (tree, check_tree) = (dir.join(&task.id), dir.join(format!("{}.check", task.id)));
        for old in [&tree, &check_tree] {
            if old.exists() {
                std::fs::remove_dir_all(old).map_err(|e| EvalError::Io(format!("{}: {e}", old.display())))?;
            }
        }
        let base = fresh_tree(task, &tree)?;
        set_up(task, &tree, &self.limits)?;
        let tried = attempt(agent, task, &tree, &self.settings)?;
        let timeout = Duration::from_secs(task.budgets.seconds.max(60));
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
        Ok(Row {
            task: task.id.clone(),
            language: task.language.clone(),
            agent: agent.name(),
            model: self.settings.model.clone().unwrap_or_default(),
            resolved,
            check,
            files_changed,
            attempt: tried,
        })
    }
}

/// The rows of a results file; a torn last line is skipped.
pub fn read_rows(path: &std::path::Path) -> Vec<Row> {
    std::fs::read_to_string(path).unwrap_or_default().lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// Per agent: tasks, resolved, false fixed claims, median steps, tokens, time.
#[derive(Debug, Clone, Serialize)]
pub struct AgentSummary {
    pub agent: String,
    pub tasks: usize,
    pub resolved: usize,
    pub false_fixed_claims: usize,
    pub median_steps: Option<u64>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub seconds: f64,
}

pub fn summarize(rows: &[Row]) -> Vec<AgentSummary> {
    let agents: BTreeSet<&str> = rows.iter().map(|r| r.agent.as_str()).collect();
    agents
        .into_iter()
        .map(|agent| {
            let mine: Vec<&Row> = rows.iter().filter(|r| r.agent == agent).collect();
            let mut steps: Vec<u64> = mine.iter().filter_map(|r| r.attempt.steps).collect();
            steps.sort_unstable();
            AgentSummary {
                agent: agent.to_string(),
                tasks: mine.len(),
                resolved: mine.iter().filter(|r| r.resolved).count(),
                false_fixed_claims: mine.iter().filter(|r| r.attempt.claimed_fixed && !r.resolved).count(),
                median_steps: steps.get(steps.len() / 2).copied(),
                prompt_tokens: mine.iter().filter_map(|r| r.attempt.prompt_tokens).sum(),
                completion_tokens: mine.iter().filter_map(|r| r.attempt.completion_tokens).sum(),
                seconds: mine.iter().map(|r| r.attempt.seconds).sum(),
            }
        })
        .collect()
}

/// The side-by-side table, as Markdown.
pub fn report_md(rows: &[Row]) -> String {
    let mut out = String::from(
        "| agent | resolved | false fixed claims | median steps | tokens (prompt + completion) | time |\n|---|---|---|---|---|---|\n",
    );
    for s in summarize(rows) {
        out.push_str(&format!(
            "| {} | {}/{} | {} | {} | {} + {} | {:.0} s |\n",
            s.agent,
            s.resolved,
            s.tasks,
            s.false_fixed_claims,
            s.median_steps.map_or("-".to_string(), |m| m.to_string()),
            s.prompt_tokens,
            s.completion_tokens,
            s.seconds
        ));
    }
    out.push_str("\n| task | agent | resolved | claimed fixed | stop | check |\n|---|---|---|---|---|---|\n");
    for r in rows {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            r.task,
            r.agent,
            if r.resolved { "yes" } else { "no" },
            if r.attempt.claimed_fixed { "yes" } else { "no" },
            r.attempt.stop_reason,
            r.check.replace('|', "\\|")
        ));
    }
    out
}
