//! The agents a suite runs: wright itself, or any program as a command template. Each
//! works on a fresh tree of the task; what it leaves there is what the check sees.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use wright_testing::Limits;

use crate::EvalError;
use crate::suite::Task;
use crate::suite::shell::quote;
use crate::suite::trial::{AgentSettings, Trial};
use crate::suite::watched::run_within;

/// Who works on the tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agent {
    /// This build of wright (`wright run`).
    Wright,
    /// mini-swe-agent, pinned; `text`: its text-based configuration, else tool calling.
    Mini { text: bool },
    /// The fixed yardstick: whole corrected files sampled until the visible tests pass.
    Sample,
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
                "sample" => Ok(Agent::Sample),
                _ => Err(EvalError::Io(format!(
                    "unknown agent `{spec}`: use wright, sample, mini-swe-agent, mini-swe-agent:text or cmd:'...'"
                ))),
            },
        }
    }

    pub fn name(&self) -> String {
        match self {
            Agent::Wright => "wright".into(),
            Agent::Mini { text: false } => "mini-swe-agent".into(),
            Agent::Mini { text: true } => "mini-swe-agent:text".into(),
            Agent::Sample => "sample".into(),
            Agent::Cmd(t) => format!("cmd:{t}"),
        }
    }
}

/// Runs `agent` on `task` in `tree` (a fresh repository at the base); what the agent
/// leaves beside its tree goes in `scratch`.
pub fn trial(
    agent: &Agent,
    task: &Task,
    tree: &Path,
    scratch: &Path,
    settings: &AgentSettings,
    limits: &Limits,
) -> Result<Trial, EvalError> {
    let ticket = task.dir.join(&task.task_file);
    let started = Instant::now();
    let mut out = Trial { tree: tree.to_path_buf(), ..Trial::default() };
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
            if let Some(k) = &settings.api_key {
                cmd.env("OPENAI_API_KEY", k);
            }
            for dir in &settings.hide {
                cmd.arg("--hide").arg(dir);
            }
            if !settings.mcp {
                cmd.arg("--no-mcp");
            }
            let run = cmd
                .stdin(Stdio::null())
                .stderr(Stdio::null())
                .output()
                .map_err(|e| EvalError::Io(format!("starting wright: {e}")))?;
            read_wright_events(&String::from_utf8_lossy(&run.stdout), &mut out);
        }
        Agent::Mini { text } => crate::suite::mini::trial(*text, task, tree, scratch, settings, &mut out)?,
        Agent::Sample => crate::suite::sample::trial(task, tree, scratch, settings, limits, &mut out)?,
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
            if let Some(k) = &settings.api_key {
                cmd.env("OPENAI_API_KEY", k);
            }
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
/// Its stdout is the run's journal line for line, read by the same typed reader.
fn read_wright_events(stdout: &str, out: &mut Trial) {
    let run = wright_agent::RunHistory::of(&wright_agent::read_events(stdout));
    let Some(end) = run.and_then(|r| r.finished) else {
        out.stop_reason = "no run_finished event (wright failed to start the run)".into();
        return;
    };
    out.claimed_fixed = end.verdict == wright_agent::Verdict::Fixed;
    out.steps = Some(u64::from(end.steps));
    out.prompt_tokens = Some(end.usage.prompt_tokens);
    out.completion_tokens = Some(end.usage.completion_tokens);
    out.processed_prompt_tokens = end.usage.processed_prompt_tokens;
    out.cached_prompt_tokens = end.usage.cached_prompt_tokens;
    out.context_rewrites = Some(u64::from(end.context_rewrites));
    out.cost_usd = end.cost_usd;
    out.stop_reason = end.stop_reason.as_str().to_string();
    out.tree = PathBuf::from(&end.worktree);
    out.transcript = Path::new(&end.worktree).parent().map(|d| d.join("transcript.jsonl").display().to_string());
}

/// `{name}` placeholders filled with shell-quoted values, in one pass.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let quoted: Vec<(&str, String)> = values.iter().map(|(name, value)| (*name, quote(value))).collect();
    let quoted: Vec<(&str, &str)> = quoted.iter().map(|(name, value)| (*name, value.as_str())).collect();
    crate::suite::placeholders::fill(template, &quoted)
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
        assert_eq!(Agent::parse("sample").unwrap().name(), "sample");
        assert_eq!(quote("it's"), "'it'\\''s'");
        let filled = fill("a {repo} {model} {other}", &[("repo", "/t/{model}"), ("model", "m")]);
        assert_eq!(filled, "a '/t/{model}' 'm' {other}");
    }

    #[test]
    fn wrights_last_event_is_read_typed() {
        let started = r#"{"schema":2,"run_id":"r","seq":0,"ts":"t","type":"run_started","task":"x","repo":"/r","worktree":"/runs/r/worktree","branch":"b","base":"c","model":"m","base_url":"u","streaming":false,"tool_format":"auto","prompt_profile":"full","sandbox":"process","test_command":null,"test_command_reason":null}"#;
        let finished = r#"{"schema":2,"run_id":"r","seq":1,"ts":"t","type":"run_finished","outcome":"fixed","verdict":"fixed","verdict_reason":"","stop_reason":"finished","detail":"","summary":"","branch":"b","worktree":"/runs/r/worktree","commits":[],"files_changed":[],"baseline":null,"final":null,"tests_changed":null,"usage":{"prompt_tokens":10,"completion_tokens":4,"total_tokens":14,"estimated":false,"processed_prompt_tokens":6,"cached_prompt_tokens":null},"context_rewrites":2,"cost_usd":null,"steps":3,"exit_code":0}"#;
        let mut out = Trial::default();
        read_wright_events(
            &format!(
                "{started}
not json
{finished}
"
            ),
            &mut out,
        );
        assert!(out.claimed_fixed);
        assert_eq!((out.steps, out.prompt_tokens, out.completion_tokens), (Some(3), Some(10), Some(4)));
        assert_eq!((out.processed_prompt_tokens, out.cached_prompt_tokens), (Some(6), None));
        assert_eq!((out.context_rewrites, out.cost_usd, out.stop_reason.as_str()), (Some(2), None, "finished"));
        assert_eq!(out.transcript.as_deref(), Some("/runs/r/transcript.jsonl"));
        let mut none = Trial::default();
        read_wright_events(started, &mut none);
        assert!(none.stop_reason.starts_with("no run_finished event"));
    }
}
