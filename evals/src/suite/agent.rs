//! The agents a suite runs: wright itself, or any program as a command template. Each
//! works on a fresh tree of the task; what it leaves there is what the check sees.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::EvalError;
use crate::suite::Task;
use crate::suite::shell::quote;

/// Who works on the tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agent {
    /// This build of wright (`wright run`).
    Wright,
    /// mini-swe-agent, pinned; `text`: its text-based configuration, else tool calling.
    Mini { text: bool },
    /// A command template: `{task_file}`, `{repo}`, `{model}`, `{base_url}` and the task's
    /// budgets `{steps}`, `{seconds}`, `{tokens}` are filled in.
    Cmd(String),
}

impl Agent {
    pub fn parse(spec: &str) -> Result<Agent, EvalError> {
        match spec.strip_prefix("cmd:") {
            Some(template) if !template.trim().is_empty() => Ok(Agent::Cmd(template.to_string())),
            Some(_) => {
                Err(EvalError::Io("`cmd:` needs a command, e.g. cmd:'my-agent --repo {repo} {task_file}'".into()))
            }
            None => match spec {
                "wright" => Ok(Agent::Wright),
                "mini-swe-agent" => Ok(Agent::Mini { text: false }),
                "mini-swe-agent:text" => Ok(Agent::Mini { text: true }),
                _ => Err(EvalError::Io(format!(
                    "unknown agent `{spec}`: use wright, mini-swe-agent, mini-swe-agent:text or cmd:'...'"
                ))),
            },
        }
    }

    pub fn name(&self) -> String {
        match self {
            Agent::Wright => "wright".into(),
            Agent::Mini { text: false } => "mini-swe-agent".into(),
            Agent::Mini { text: true } => "mini-swe-agent:text".into(),
            Agent::Cmd(t) => format!("cmd:{t}"),
        }
    }
}

/// What the agents share: the model and its sampling, and what they must not see.
#[derive(Debug, Clone)]
pub struct AgentSettings {
    pub wright: PathBuf,
    pub model: Option<String>,
    pub base_url: Option<String>,
    /// Sent to the model by every agent that lets it be set.
    pub temperature: f64,
    pub seed: u64,
    /// Where peers such as mini-swe-agent are installed.
    pub peers: PathBuf,
    /// Folders hidden from every command the agent runs (the suite, the results).
    pub hide: Vec<PathBuf>,
}

/// How one agent's attempt went.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Attempt {
    /// The agent's own claim: wright's verdict is `fixed`; mini-swe-agent submitted; a
    /// `cmd:` agent exited 0.
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

/// Runs `agent` on `task` in `tree` (a fresh repository at the base); what the agent
/// leaves beside its tree goes in `scratch`.
pub fn attempt(
    agent: &Agent,
    task: &Task,
    tree: &Path,
    scratch: &Path,
    settings: &AgentSettings,
) -> Result<Attempt, EvalError> {
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
            cmd.args(["--temperature", &settings.temperature.to_string(), "--seed", &settings.seed.to_string()]);
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
        Agent::Mini { text } => crate::suite::mini::attempt(*text, task, tree, scratch, settings, &mut out)?,
        Agent::Cmd(template) => {
            // The ticket alone, outside the task's folder (which holds the check and the fix).
            let private = scratch.join("task.md");
            std::fs::copy(&ticket, &private).map_err(|e| EvalError::Io(format!("{}: {e}", ticket.display())))?;
            let filled = fill(
                template,
                &[
                    ("task_file", &private.to_string_lossy()),
                    ("repo", &tree.to_string_lossy()),
                    ("model", settings.model.as_deref().unwrap_or("")),
                    ("base_url", settings.base_url.as_deref().unwrap_or("")),
                    ("steps", &task.budgets.steps.to_string()),
                    ("seconds", &task.budgets.seconds.to_string()),
                    ("tokens", &task.budgets.tokens.to_string()),
                ],
            );
            let mut cmd = Command::new("sh");
            cmd.args(["-c", &filled])
                .current_dir(tree)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let status = run_within(cmd, Duration::from_secs(task.budgets.seconds), None)
                .map_err(|e| EvalError::Io(format!("running `{filled}`: {e}")))?;
            out.claimed_fixed = status.as_ref().is_ok_and(|s| s.success());
            out.stop_reason = match status.map(|s| s.code()) {
                Err(_) => format!("timeout: killed after {} s (the harness enforced it)", task.budgets.seconds),
                Ok(Some(c)) => format!("exit {c}"),
                Ok(None) => "killed by a signal".into(),
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
                out.push_str(&quote(value));
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

/// A check made while a command runs: when `stop` says so, the command is killed.
pub(crate) struct Watch<'a> {
    pub every: Duration,
    pub stop: &'a mut dyn FnMut() -> bool,
}

/// Why the harness killed a command: its time ran out, or (`watched`) its watch said stop.
#[derive(Debug)]
pub(crate) struct Stopped {
    pub watched: bool,
}

/// Runs `cmd` in a process group of its own; kills the group after `limit`, or when the
/// watch says so.
pub(crate) fn run_within(
    mut cmd: Command,
    limit: Duration,
    mut watch: Option<Watch>,
) -> std::io::Result<Result<std::process::ExitStatus, Stopped>> {
    use std::os::unix::process::CommandExt;
    let mut child = cmd.process_group(0).spawn()?;
    let deadline = Instant::now().checked_add(limit);
    let mut next_look = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Ok(status));
        }
        let watched = match &mut watch {
            Some(w) if Instant::now() >= next_look => {
                next_look = Instant::now().checked_add(w.every).unwrap_or(next_look);
                (w.stop)()
            }
            _ => false,
        };
        if watched || deadline.is_some_and(|d| Instant::now() >= d) {
            // SAFETY: killpg only sends a signal to the group this child leads.
            unsafe {
                libc::killpg(child.id() as i32, libc::SIGKILL);
            }
            let _ = child.wait();
            return Ok(Err(Stopped { watched }));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_are_named_and_templates_quoted() {
        assert_eq!(Agent::parse("wright").unwrap(), Agent::Wright);
        assert_eq!(Agent::parse("cmd:true {repo}").unwrap().name(), "cmd:true {repo}");
        assert!(Agent::parse("cmd:").is_err() && Agent::parse("aider").is_err());
        assert_eq!(Agent::parse("mini-swe-agent:text").unwrap(), Agent::Mini { text: true });
        assert_eq!(Agent::parse("mini-swe-agent").unwrap().name(), "mini-swe-agent");
        assert_eq!(quote("it's"), "'it'\\''s'");
        let filled = fill("a {repo} {model} {other}", &[("repo", "/t/{model}"), ("model", "m")]);
        assert_eq!(filled, "a '/t/{model}' 'm' {other}");
    }

    #[test]
    fn a_command_is_killed_at_its_limit_or_when_its_watch_says_stop() {
        let sleeper = || {
            let mut c = Command::new("sh");
            c.args(["-c", "sleep 30 & sleep 30"]);
            c
        };
        let started = Instant::now();
        let timed_out = run_within(sleeper(), Duration::from_millis(200), None).unwrap();
        assert!(matches!(timed_out, Err(Stopped { watched: false })));
        let mut looks = 0;
        let mut stop = || {
            looks += 1;
            looks == 2
        };
        let watched =
            run_within(sleeper(), Duration::from_secs(60), Some(Watch { every: Duration::ZERO, stop: &mut stop }))
                .unwrap();
        assert!(matches!(watched, Err(Stopped { watched: true })));
        assert!(started.elapsed() < Duration::from_secs(30), "the whole group was killed, not waited for");
        let done = run_within(Command::new("true"), Duration::from_secs(60), None).unwrap();
        assert!(done.is_ok_and(|s| s.success()));
    }
}
