//! The agents a suite runs: wright itself, or any program as a command template. Each
//! works on a fresh tree of the task; what it leaves there is what the check sees.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::EvalError;
use crate::suite::Task;

/// Who works on the tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agent {
    /// This build of wright (`wright run`).
    Wright,
    /// A command template: `{task_file}`, `{repo}`, `{model}`, `{base_url}` are filled in.
    Cmd(String),
}

impl Agent {
    pub fn parse(spec: &str) -> Result<Agent, EvalError> {
        match spec.strip_prefix("cmd:") {
            Some(template) if !template.trim().is_empty() => Ok(Agent::Cmd(template.to_string())),
            Some(_) => {
                Err(EvalError::Io("`cmd:` needs a command, e.g. cmd:'my-agent --repo {repo} {task_file}'".into()))
            }
            None if spec == "wright" => Ok(Agent::Wright),
            None => Err(EvalError::Io(format!("unknown agent `{spec}`: use wright or cmd:'...'"))),
        }
    }

    pub fn name(&self) -> String {
        match self {
            Agent::Wright => "wright".into(),
            Agent::Cmd(t) => format!("cmd:{t}"),
        }
    }
}

/// What the agents share: the model, and what they must not see.
#[derive(Debug, Clone)]
pub struct AgentSettings {
    pub wright: PathBuf,
    pub model: Option<String>,
    pub base_url: Option<String>,
    /// Folders hidden from every command the agent runs (the suite, the results).
    pub hide: Vec<PathBuf>,
}

/// How one agent's attempt went.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Attempt {
    /// The agent's own claim: wright's verdict is `fixed`; a `cmd:` agent exited 0.
    pub claimed_fixed: bool,
    pub steps: Option<u64>,
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    pub cost_usd: Option<f64>,
    pub seconds: f64,
    pub stop_reason: String,
    /// The tree the agent left, which the check runs on.
    #[serde(skip)]
    pub tree: PathBuf,
    pub transcript: Option<String>,
}

/// Runs `agent` on `task` in `tree` (a fresh repository at the base).
pub fn attempt(agent: &Agent, task: &Task, tree: &Path, settings: &AgentSettings) -> Result<Attempt, EvalError> {
    let ticket = task.dir.join(&task.task_file);
    let started = Instant::now();
    let mut out = Attempt { tree: tree.to_path_buf(), ..Attempt::default() };
    match agent {
        Agent::Wright => {
            let mut cmd = Command::new(&settings.wright);
            cmd.args(["run", "--json", "--repo"]).arg(tree).arg("--task-file").arg(&ticket);
            cmd.args(["--max-steps", &task.budgets.steps.to_string()]);
            cmd.args(["--token-budget", &task.budgets.tokens.to_string()]);
            cmd.args(["--timeout", &task.budgets.seconds.to_string()]);
            if let Some(m) = &settings.model {
                cmd.args(["--model", m]);
            }
            if let Some(u) = &settings.base_url {
                cmd.args(["--base-url", u]);
            }
            for dir in &settings.hide {
                cmd.arg("--hide").arg(dir);
            }
            let run = cmd
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .output()
                .map_err(|e| EvalError::Io(format!("starting wright: {e}")))?;
            read_wright_events(&String::from_utf8_lossy(&run.stdout), &mut out);
        }
        Agent::Cmd(template) => {
            // The ticket alone, outside the task's folder (which holds the check and the fix).
            let private = tree.with_extension("task.md");
            std::fs::copy(&ticket, &private).map_err(|e| EvalError::Io(format!("{}: {e}", ticket.display())))?;
            let filled = fill(
                template,
                &[
                    ("task_file", &private.to_string_lossy()),
                    ("repo", &tree.to_string_lossy()),
                    ("model", settings.model.as_deref().unwrap_or("")),
                    ("base_url", settings.base_url.as_deref().unwrap_or("")),
                ],
            );
            let mut cmd = Command::new("sh");
            cmd.args(["-c", &filled])
                .current_dir(tree)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let status = run_within(cmd, Duration::from_secs(task.budgets.seconds))
                .map_err(|e| EvalError::Io(format!("running `{filled}`: {e}")))?;
            out.claimed_fixed = status.is_some_and(|s| s.success());
            out.stop_reason = match status.map(|s| s.code()) {
                None => format!("timeout: killed after {} s (the harness enforced it)", task.budgets.seconds),
                Some(Some(c)) => format!("exit {c}"),
                Some(None) => "killed by a signal".into(),
            };
        }
    }
    out.seconds = started.elapsed().as_secs_f64();
    Ok(out)
}

/// The final event of a `wright run --json`: verdict, usage, and the worktree it left.
fn read_wright_events(stdout: &str, out: &mut Attempt) {
    let events: Vec<serde_json::Value> = stdout.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let Some(end) = events.iter().rev().find(|e| e["type"] == "run_finished") else {
        out.stop_reason = "no run_finished event (wright failed to start the run)".into();
        return;
    };
    out.claimed_fixed = end["verdict"] == "fixed";
    out.steps = end["steps"].as_u64();
    out.prompt_tokens = end["usage"]["prompt_tokens"].as_u64();
    out.completion_tokens = end["usage"]["completion_tokens"].as_u64();
    out.cost_usd = end["cost_usd"].as_f64();
    out.stop_reason = end["stop_reason"].as_str().unwrap_or_default().to_string();
    if let Some(worktree) = end["worktree"].as_str() {
        out.tree = PathBuf::from(worktree);
        out.transcript = Path::new(worktree).parent().map(|d| d.join("transcript.jsonl").display().to_string());
    }
}

/// `{name}` placeholders filled with shell-quoted values, in one pass (a value that holds
/// `{model}` is not filled again).
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(rest.get(..open).unwrap_or_default());
        let after = rest.get(open + 1..).unwrap_or_default();
        match values.iter().find(|(name, _)| after.starts_with(&format!("{name}}}"))) {
            Some((name, value)) => {
                out.push_str(&shell_quote(value));
                rest = after.get(name.len() + 1..).unwrap_or_default();
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Runs `cmd` in a process group of its own; kills the group after `limit`. `None`: it
/// timed out.
fn run_within(mut cmd: Command, limit: Duration) -> std::io::Result<Option<std::process::ExitStatus>> {
    use std::os::unix::process::CommandExt;
    let mut child = cmd.process_group(0).spawn()?;
    let deadline = Instant::now().checked_add(limit);
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Some(status));
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            // SAFETY: killpg only sends a signal to the group this child leads.
            unsafe {
                libc::killpg(child.id() as i32, libc::SIGKILL);
            }
            let _ = child.wait();
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_are_named_and_templates_quoted() {
        assert_eq!(Agent::parse("wright").unwrap(), Agent::Wright);
        assert_eq!(Agent::parse("cmd:true {repo}").unwrap().name(), "cmd:true {repo}");
        assert!(Agent::parse("cmd:").is_err() && Agent::parse("aider").is_err());
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
        let filled = fill("a {repo} {model} {other}", &[("repo", "/t/{model}"), ("model", "m")]);
        assert_eq!(filled, "a '/t/{model}' 'm' {other}");
    }
}
