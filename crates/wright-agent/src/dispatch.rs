//! Running one tool call: the agent's own tools and the toolbox; a successful change is
//! committed next (see `committing`).

use std::sync::Arc;

use serde_json::Value;
use wright_llm::ToolCall;
use wright_tools::{ToolContext, Toolbox};

use crate::plan::{self, FINISH, FinishArgs, UPDATE_PLAN};
use crate::session::Session;
use crate::{EventKind, StepStatus};

/// Results of tool calls written as text go back as a user message starting with this.
pub(crate) const TEXT_RESULT_PREFIX: &str = "[tool result:";

pub(crate) struct Dispatched {
    pub ok: bool,
    pub output: String,
    pub finish: Option<FinishArgs>,
    /// A change was committed.
    pub committed: bool,
}

impl Dispatched {
    fn ok(output: impl Into<String>) -> Self {
        Dispatched { ok: true, output: output.into(), finish: None, committed: false }
    }

    fn error(output: impl Into<String>) -> Self {
        Dispatched { ok: false, output: format!("error: {}", output.into()), finish: None, committed: false }
    }
}

impl Session {
    pub(crate) async fn dispatch(&mut self, call: &ToolCall) -> Dispatched {
        let args = match parse_args(call) {
            Ok(args) => args,
            Err(done) => return done,
        };
        match call.name.as_str() {
            UPDATE_PLAN => match plan::parse_plan(&args) {
                Ok(steps) => {
                    let done = steps.iter().filter(|s| s.status == StepStatus::Completed).count();
                    let total = steps.len();
                    self.plan = steps.clone();
                    self.record(&crate::transcript::Record::Plan { steps: steps.clone() }, false);
                    self.events.emit(EventKind::PlanUpdated { steps });
                    let next = match self.plan.iter().find(|s| s.status != StepStatus::Completed) {
                        Some(step) => format!(" Next: {} (use search, read_file, edit or run).", step.step),
                        None => " All steps are completed: call finish.".to_string(),
                    };
                    Dispatched::ok(format!("Plan updated ({done}/{total} steps completed).{next}"))
                }
                Err(e) => Dispatched::error(e),
            },
            FINISH => match plan::parse_finish(&args) {
                Ok(finish) => Dispatched {
                    ok: true,
                    output: "Finishing; wright runs the tests next.".into(),
                    finish: Some(finish),
                    committed: false,
                },
                Err(e) => Dispatched::error(e),
            },
            name => self.call_tool(name, args).await,
        }
    }

    /// Runs calls of read-only tools side by side; the answers come back in call order.
    pub(crate) async fn dispatch_read_only(&mut self, calls: &[ToolCall]) -> Vec<Dispatched> {
        let started: Vec<Result<_, Dispatched>> = calls
            .iter()
            .map(|call| {
                let args = parse_args(call)?;
                let (toolbox, ctx, name) = (self.toolbox.clone(), self.tool_ctx.clone(), call.name.clone());
                Ok(tokio::task::spawn_blocking(move || toolbox.call(&ctx, &name, &args, &[UPDATE_PLAN, FINISH])))
            })
            .collect();
        let mut answers = Vec::new();
        for job in started {
            answers.push(match job {
                Err(done) => done,
                Ok(handle) => match handle.await {
                    Ok(Ok(out)) => Dispatched::ok(out.text),
                    Ok(Err(e)) => Dispatched::error(e.to_string()),
                    Err(e) => Dispatched::error(format!("the tool crashed: {e}")),
                },
            });
        }
        answers
    }

    async fn call_tool(&mut self, name: &str, args: Value) -> Dispatched {
        let toolbox: Arc<Toolbox> = self.toolbox.clone();
        let ctx: ToolContext = self.tool_ctx.clone();
        let owned_name = name.to_string();
        let command = args.get("command").and_then(Value::as_str).map(str::to_string);
        self.events.progress(crate::Progress::ToolRunning(name.to_string()));
        let joined = tokio::task::spawn_blocking(move || {
            let result = toolbox.call(&ctx, &owned_name, &args, &[UPDATE_PLAN, FINISH]);
            // A change is searchable as soon as it lands.
            if result.is_ok() && !toolbox.is_read_only(&owned_name) {
                let _ = ctx.index.refresh();
            }
            result
        })
        .await;
        let result = match joined {
            Ok(r) => r,
            Err(e) => return Dispatched::error(format!("the tool crashed: {e}")),
        };
        match result {
            Ok(out) => {
                let subject = match (&out.change, name, command) {
                    (Some(change), _, _) => Some(change.clone()),
                    (None, "run", Some(cmd)) => Some(format!("Apply changes made by `{}`", short(&cmd))),
                    _ => None,
                };
                let no_test = name == "run" && wright_testing::says_no_test_ran(&out.text);
                let mut done = Dispatched::ok(out.text);
                if no_test {
                    let project = self.test_command.as_deref().unwrap_or("none was found");
                    done.output.push_str(&format!(
                        "\n[wright: this ran no test, so its success shows nothing. The tests may be written for another runner; the project's test command is `{project}`.]"
                    ));
                }
                if let Some(subject) = subject {
                    match self.commit(&subject).await {
                        Ok(outcome) => {
                            done.committed = outcome.committed;
                            for note in outcome.notes {
                                done.output.push_str(&format!("\n[wright: {note}]"));
                            }
                        }
                        Err(e) => done.output.push_str(&format!("\n[warning: the change could not be committed: {e}]")),
                    }
                }
                done
            }
            Err(e) => Dispatched::error(e.to_string()),
        }
    }
}

/// The call's arguments as JSON, or the error the model gets when they are not JSON.
fn parse_args(call: &ToolCall) -> Result<Value, Dispatched> {
    if call.arguments.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_str(&call.arguments).map_err(|e| {
        Dispatched::error(format!(
            "the arguments of {} are not valid JSON ({e}); send one JSON object matching the tool's schema",
            call.name
        ))
    })
}

fn short(command: &str) -> String {
    let line = command.lines().next().unwrap_or("");
    if line.chars().count() > 60 {
        format!("{}…", line.chars().take(60).collect::<String>())
    } else {
        line.to_string()
    }
}
