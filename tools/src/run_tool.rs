//! `run`: a shell command in the worktree through wright-sandbox.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use wright_sandbox::{Program, RunOutput, RunSpec};

use crate::{Tool, ToolContext, ToolError, ToolOutput, ToolSpec, args};

pub struct Run;

#[derive(Deserialize)]
struct RunArgs {
    command: String,
    timeout_secs: Option<u64>,
}

impl Tool for Run {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "run",
            description: "Run a shell command (sh -c) in the repository root, e.g. the tests. Sandboxed: only the repository is writable, no network, no secrets in the environment; output is capped. Default timeout 120 s.",
            parameters: json!({
                "type": "object",
                "properties": {
                    "command": {"type": "string"},
                    "timeout_secs": {"type": "integer", "description": "at most 1800"}
                },
                "required": ["command"]
            }),
        }
    }

    fn call(&self, ctx: &ToolContext, args: &Value) -> Result<ToolOutput, ToolError> {
        let a: RunArgs = args::parse("run", args)?;
        if a.command.trim().is_empty() {
            return Err(ToolError::InvalidArgs { tool: "run", message: "`command` is empty".into() });
        }
        let wanted =
            a.timeout_secs.map(Duration::from_secs).unwrap_or(ctx.run.default_timeout).min(ctx.run.max_timeout);
        let (timeout, cut) = ctx.run.deadline.cap(wanted);
        if timeout.is_zero() {
            return Err(ToolError::Failed("not run: the run's time budget (--timeout) is spent".into()));
        }
        let mut spec = RunSpec::new(Program::Shell(a.command.clone()), &ctx.root);
        spec.timeout = timeout;
        spec.env = ctx.run.env.clone();
        spec.output_limit = ctx.run.output_limit;
        spec.isolation = ctx.run.isolation.clone();
        spec.cancel = ctx.run.cancel.clone();
        let out = wright_sandbox::run(&spec)?;
        let mut text = render(&out, timeout);
        if cut && out.timed_out {
            text.push_str("\n[the command was cut at what is left of the run's time budget (--timeout)]");
        }
        Ok(ToolOutput { cut_short: out.cancelled, ..ToolOutput::text(text) })
    }
}

/// The model's view of a finished command.
pub fn render(out: &RunOutput, timeout: Duration) -> String {
    let status = if out.timed_out {
        format!("timed out after {} s (killed)", timeout.as_secs())
    } else if out.cancelled {
        "interrupted by the user (killed)".to_string()
    } else if let Some(limit) = out.limit_killed {
        format!("killed for exceeding the {limit} limit")
    } else if let Some(code) = out.exit_code {
        format!("exit code {code}")
    } else {
        format!("killed by signal {}", out.signal.unwrap_or(0))
    };
    let mut text = format!("{status} ({:.1} s)\n", out.duration.as_secs_f32());
    for (name, stream) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        if !stream.text.is_empty() {
            text.push_str(&format!("--- {name} ---\n{}", stream.text));
            if !stream.text.ends_with('\n') {
                text.push('\n');
            }
        }
    }
    text
}
