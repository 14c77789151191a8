//! `run`: a shell command in the worktree through wright-sandbox.

use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use wright_sandbox::{Program, RunOutput, RunSpec};

use crate::{BlockingTool, Rerouted, ToolContext, ToolError, ToolFacts, ToolOutput, ToolSpec, args};

pub struct Run;

#[derive(Deserialize)]
struct RunArgs {
    command: String,
    timeout_secs: Option<u64>,
}

impl ToolFacts for Run {
    fn command(&self, args: &Value) -> Option<String> {
        args.get("command").and_then(Value::as_str).map(str::to_string)
    }

    /// `apply_patch <<'EOF' … EOF`, as Codex-trained models write it, is a patch.
    fn reroute(&self, args: &Value) -> Option<Rerouted> {
        let patch = crate::heredoc::heredoc_patch(&self.command(args)?)?;
        Some(Rerouted { tool: crate::patch_tools::APPLY_PATCH.into(), args: json!({ "patch": patch }) })
    }

    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "run".into(),
            description: "Run a shell command (sh -c) in the repository root, e.g. the tests. Sandboxed: only the repository is writable, no network, no secrets in the environment; output is capped. Default timeout 120 s."
                .into(),
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
}

impl BlockingTool for Run {
    fn call(&self, ctx: &ToolContext, args: &Value) -> Result<ToolOutput, ToolError> {
        let a: RunArgs = args::parse("run", args)?;
        if a.command.trim().is_empty() {
            return Err(ToolError::InvalidArgs { tool: "run".into(), message: "`command` is empty".into() });
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_patch_written_as_a_command_is_rerouted_to_the_patch_tool() {
        let heredoc = json!({"command": "apply_patch <<'EOF'\n*** Begin Patch\n*** End Patch\nEOF\n"});
        let patch = json!({"patch": "*** Begin Patch\n*** End Patch"});
        assert_eq!(Run.reroute(&heredoc), Some(Rerouted { tool: "apply_patch".into(), args: patch }));
        assert_eq!(Run.reroute(&json!({"command": "pytest -q"})), None);
        assert_eq!(Run.command(&json!({"command": "pytest -q"})).as_deref(), Some("pytest -q"));
    }
}
