//! mini-swe-agent as a peer: a pinned release in a venv the harness manages, run headless,
//! every command it issues sent through `wright sandbox run` with the same hiding as
//! wright's own. Its trajectory (saved after each step) gives steps, tokens and its claim.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::EvalError;
use crate::suite::Task;
use crate::suite::trial::{AgentSettings, Trial};
use crate::suite::watched::{Watch, run_within};

pub const NEEDS_MODEL: &str = "mini-swe-agent needs --model (and --base-url for a local server)";

/// The release the comparison is pinned to.
pub const VERSION: &str = "2.4.6";

/// The environment class mini-swe-agent loads: its `LocalEnvironment`, with each command
/// wrapped in `wright sandbox run`. Written by the harness; reads its settings from the config.
const ENVIRONMENT: &str = r#""""Runs mini-swe-agent's commands inside `wright sandbox run` (written by wright's eval harness)."""
import os
import shlex
import signal
import subprocess

from minisweagent.environments.local import LocalEnvironment, LocalEnvironmentConfig


class WrightSandboxConfig(LocalEnvironmentConfig):
    wright: str
    hide: list[str] = []


class WrightSandboxEnvironment(LocalEnvironment):
    def __init__(self, **kwargs):
        super().__init__(config_class=WrightSandboxConfig, **kwargs)

    def execute(self, action: dict, cwd: str = "", *, timeout: int | None = None):
        limit = timeout or self.config.timeout
        words = [self.config.wright, "sandbox", "run", "--repo", self.config.cwd, "--timeout", str(limit)]
        for folder in self.config.hide:
            words += ["--hide", folder]
        exports = [f"{k}={v}" for k, v in self.config.env.items()]
        words += ["--", "env", *exports, "bash", "-c", action.get("command", "")]
        # In mini-swe-agent's own process group (no new session), so that when the harness
        # kills the group, the command's sandbox goes with it.
        process = subprocess.Popen(
            words, cwd=self.config.cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, encoding="utf-8", errors="replace",
        )
        try:
            # The sandbox enforces `limit`; the margin lets it report the timeout itself.
            stdout, stderr = process.communicate(timeout=limit + 15)
            returncode, info = process.returncode, ""
        except subprocess.TimeoutExpired:
            process.kill()
            stdout, stderr = process.communicate()
            returncode, info = -1, f"The command timed out after {limit} s"
        # wright's own notices go after the command's output, which must come first.
        output = {"output": stdout + stderr, "returncode": returncode, "exception_info": info}
        self._check_finished(output)
        return output
"#;

/// The venv holding mini-swe-agent, made on first use (pip needs PyPI then).
pub fn install(peers: &Path) -> Result<PathBuf, EvalError> {
    let venv = peers.join(format!("mini-swe-agent-{VERSION}"));
    let mini = venv.join("bin/mini");
    if mini.is_file() {
        write_environment(peers)?;
        return Ok(mini);
    }
    let io = |what: &str, e: std::io::Error| EvalError::Io(format!("{what}: {e}"));
    std::fs::create_dir_all(peers).map_err(|e| io(&peers.display().to_string(), e))?;
    let step = |cmd: &mut Command, what: &str| -> Result<(), EvalError> {
        let out = cmd.stdin(Stdio::null()).output().map_err(|e| io(what, e))?;
        if out.status.success() {
            return Ok(());
        }
        let err = String::from_utf8_lossy(&out.stderr);
        let tail: String =
            err.lines().rev().take(5).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        Err(EvalError::Io(format!("{what} failed ({}):\n{tail}", out.status)))
    };
    step(Command::new("python3").args(["-m", "venv"]).arg(&venv), "python3 -m venv")?;
    let pip = venv.join("bin/pip");
    step(
        Command::new(&pip).args(["install", "-q", &format!("mini-swe-agent=={VERSION}")]),
        &format!("pip install mini-swe-agent=={VERSION}"),
    )?;
    if !mini.is_file() {
        return Err(EvalError::Io(format!("{} is missing after pip install", mini.display())));
    }
    write_environment(peers)?;
    Ok(mini)
}

/// The folder holding `wright_env.py`, written once per run before any trial starts
/// (through a rename: another run may be importing it).
fn environment_dir(peers: &Path) -> PathBuf {
    peers.join("wright-env")
}

fn write_environment(peers: &Path) -> Result<(), EvalError> {
    let dir = environment_dir(peers);
    let module = dir.join("wright_env.py");
    if std::fs::read_to_string(&module).is_ok_and(|t| t == ENVIRONMENT) {
        return Ok(());
    }
    let io = |e: std::io::Error| EvalError::Io(format!("{}: {e}", module.display()));
    std::fs::create_dir_all(&dir).map_err(io)?;
    let tmp = dir.join(format!(".wright_env.py.{}", std::process::id()));
    std::fs::write(&tmp, ENVIRONMENT).map_err(io)?;
    std::fs::rename(&tmp, &module).map_err(io)
}

/// The file of the harness's settings for a trial; named unlike any built-in config.
const OVERRIDES: &str = "wright-overrides.yaml";

/// One trial: `text` picks the text-based configuration (`mini_textbased.yaml`) over the
/// default tool-calling one (`mini.yaml`).
pub fn trial(
    text: bool,
    task: &Task,
    tree: &Path,
    scratch: &Path,
    settings: &AgentSettings,
    out: &mut Trial,
) -> Result<(), EvalError> {
    let mini = install(&settings.peers)?;
    let model = settings.model.as_deref().ok_or_else(|| EvalError::Io(NEEDS_MODEL.into()))?;
    let io = |p: &Path, e: std::io::Error| EvalError::Io(format!("{}: {e}", p.display()));
    let trajectory = scratch.join("traj.json");
    // JSON is YAML, and mini-swe-agent reads its configs by the `.yaml` suffix. Not
    // `mini.yaml`: mini-swe-agent looks in the current folder (this one) first, and would
    // take the overrides for its own built-in config of that name.
    let overrides = scratch.join(OVERRIDES);
    let config = overrides_for(task, tree, settings)?;
    std::fs::write(&overrides, config.to_string()).map_err(|e| io(&overrides, e))?;
    let log_path = scratch.join("mini.log");
    let log = std::fs::File::create(&log_path).map_err(|e| io(&log_path, e))?;
    let log_err = log.try_clone().map_err(|e| io(&log_path, e))?;

    let mut cmd = Command::new(&mini);
    cmd.args(["--yolo", "--exit-immediately", "--agent-class", "default"])
        .args(["--environment-class", "wright_env.WrightSandboxEnvironment"])
        .args(["-c", if text { "mini_textbased.yaml" } else { "mini.yaml" }])
        .arg("-c")
        .arg(&overrides)
        .args(["--model", &format!("openai/{model}")])
        .args(["--model-class", if text { "litellm_textbased" } else { "litellm" }])
        .arg("--output")
        .arg(&trajectory)
        .env("PYTHONPATH", environment_dir(&settings.peers))
        .env("MSWEA_CONFIGURED", "1")
        .env("MSWEA_SILENT_STARTUP", "1")
        .env("MSWEA_COST_TRACKING", "ignore_errors")
        // litellm's own price list, not a fetch from the network that fails offline.
        .env("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        // Not the tree: mini-swe-agent looks for its config files in the current folder
        // first, and the tree is the task's repository. Its commands run in the tree.
        .current_dir(scratch)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err);
    // litellm refuses to start without a key; a local server that checks none takes any.
    cmd.env("OPENAI_API_KEY", settings.api_key.as_deref().unwrap_or("local"));
    // Its own wall-time limit is checked between steps; the harness stops a step that
    // overruns, and the token budget, which mini-swe-agent does not know.
    let limit = Duration::from_secs(task.budgets.seconds.saturating_add(30));
    let tokens = task.budgets.tokens;
    // The last good reading: the file may be caught mid-write.
    let mut seen = Trajectory::default();
    let mut over_budget = || {
        let now = read_trajectory(&trajectory);
        if now.api_calls.is_some() {
            seen = now;
        }
        seen.tokens() > tokens
    };
    let finished = run_within(cmd, limit, Some(Watch { every: Duration::from_secs(2), stop: &mut over_budget }))
        .map_err(|e| EvalError::Io(format!("running {}: {e}", mini.display())))?;
    let last = read_trajectory(&trajectory);
    let seen = if last.api_calls.is_some() { last } else { seen };
    out.steps = seen.api_calls;
    out.prompt_tokens = Some(seen.prompt_tokens);
    out.completion_tokens = Some(seen.completion_tokens);
    out.cost_usd = seen.cost.filter(|c| *c > 0.0);
    out.claimed_fixed = seen.exit_status == "Submitted";
    out.transcript = Some(trajectory.display().to_string());
    out.stop_reason = match finished {
        Ok(_) if seen.exit_status.is_empty() => {
            format!("no trajectory (mini-swe-agent failed to start; see {})", log_path.display())
        }
        Ok(_) => seen.exit_status,
        Err(run_stop) if run_stop.watched => {
            format!("token budget: {} tokens, over {tokens} (the harness enforced it)", seen.tokens())
        }
        Err(_) => format!("timeout: killed after {} s (the harness enforced it)", limit.as_secs()),
    };
    Ok(())
}

/// The settings merged over mini-swe-agent's own config: model endpoint and sampling,
/// budgets, and the sandboxed environment.
fn overrides_for(task: &Task, tree: &Path, settings: &AgentSettings) -> Result<Value, EvalError> {
    let mut model_kwargs = json!({ "temperature": settings.temperature, "seed": settings.seed });
    if let Some(url) = &settings.base_url {
        model_kwargs["api_base"] = json!(url);
    }
    Ok(json!({
        // In the config, not on the command line: a long ticket overflows an argument.
        "run": { "task": task.ticket()? },
        "agent": {
            "step_limit": task.budgets.steps,
            "cost_limit": 0,
            "wall_time_limit_seconds": task.budgets.seconds,
        },
        "model": { "cost_tracking": "ignore_errors", "model_kwargs": model_kwargs },
        "environment": {
            "cwd": tree.display().to_string(),
            "timeout": 120,
            "wright": settings.wright.display().to_string(),
            "hide": settings.hide.iter().map(|d| d.display().to_string()).collect::<Vec<_>>(),
        },
    }))
}

/// What a trajectory file says so far.
#[derive(Debug, Default, PartialEq)]
struct Trajectory {
    exit_status: String,
    api_calls: Option<u64>,
    prompt_tokens: u64,
    completion_tokens: u64,
    cost: Option<f64>,
}

impl Trajectory {
    fn tokens(&self) -> u64 {
        self.prompt_tokens.saturating_add(self.completion_tokens)
    }
}

fn read_trajectory(path: &Path) -> Trajectory {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else { return Trajectory::default() };
    let Ok(read) = wright_tree::read_capped(dir, Path::new(name), 256 << 20) else { return Trajectory::default() };
    let Ok(data) = serde_json::from_str::<Value>(&read.text()) else { return Trajectory::default() };
    let info = &data["info"];
    let usage = |field: &str| -> u64 {
        data["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|m| m["extra"]["response"]["usage"][field].as_u64())
            .fold(0, u64::saturating_add)
    };
    Trajectory {
        exit_status: info["exit_status"].as_str().unwrap_or_default().to_string(),
        api_calls: info["model_stats"]["api_calls"].as_u64(),
        prompt_tokens: usage("prompt_tokens"),
        completion_tokens: usage("completion_tokens"),
        cost: info["model_stats"]["instance_cost"].as_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overrides_file_shadows_no_built_in_config() {
        // mini-swe-agent 2.4.6's own configs (minisweagent/config and its benchmarks/).
        let built_in = ["default.yaml", "mini.yaml", "mini_textbased.yaml", "programbench.yaml", "swebench.yaml"];
        assert!(!built_in.contains(&OVERRIDES));
        assert!(!OVERRIDES.starts_with("swebench"));
    }

    #[test]
    fn a_trajectory_gives_the_claim_steps_and_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.traj.json");
        assert_eq!(read_trajectory(&path), Trajectory::default());
        let data = json!({
            "info": {"exit_status": "Submitted", "model_stats": {"api_calls": 3, "instance_cost": 0.0}},
            "messages": [
                {"role": "system", "content": "x"},
                {"role": "assistant", "extra": {"response": {"usage": {"prompt_tokens": 100, "completion_tokens": 10}}}},
                {"role": "assistant", "extra": {"response": {"usage": {"prompt_tokens": 150, "completion_tokens": 5}}}},
            ]
        });
        std::fs::write(&path, data.to_string()).unwrap();
        let t = read_trajectory(&path);
        assert_eq!((t.exit_status.as_str(), t.api_calls, t.tokens()), ("Submitted", Some(3), 265));
        std::fs::write(&path, "{\"info\": ").unwrap();
        assert_eq!(read_trajectory(&path), Trajectory::default(), "a torn file reads as nothing yet");
    }
}
