//! Talking to the model: one request per turn (raced against the interrupt and the
//! run's clock, retried once with old outputs dropped when the context is full), the
//! tool calls read from its reply, and the tool format the run has settled on.

use std::time::{Duration, Instant};

use wright_llm::{LlmClient, LlmError, LlmEvent, Reply, ToolCall, ToolDef};

use crate::conversation::Conversation;
use crate::interrupt::Interrupt;
use crate::prompt::{ToolFormat, example_call, text_tool_instructions};
use crate::{EventKind, Events, Progress, StopReason};

pub(crate) enum Asked {
    Reply(Reply),
    Stopped(StopReason, String),
}

/// The calls in a reply, and whether they were written as text.
pub(crate) struct Calls {
    pub calls: Vec<ToolCall>,
    pub as_text: bool,
}

pub(crate) struct Model {
    llm: LlmClient,
    tools: Vec<ToolDef>,
    /// The tool format in force: `auto` turns into `text` when the model shows it needs it.
    format: ToolFormat,
    /// A first call that fits the task, shown when the model needs an example.
    example: String,
}

impl Model {
    pub fn new(llm: LlmClient, tools: Vec<ToolDef>, format: ToolFormat, task: &str) -> Self {
        Model { llm, tools, format, example: example_call(task) }
    }

    pub fn format(&self) -> ToolFormat {
        self.format
    }

    /// One model turn. `clock` is when the run's wall-clock budget ends, and its length.
    pub async fn ask(
        &mut self,
        conversation: &mut Conversation,
        events: &mut Events,
        interrupt: &Interrupt,
        clock: Option<(Instant, Duration)>,
    ) -> Asked {
        let mut dropped = false;
        loop {
            events.progress(Progress::Thinking);
            let tools: &[ToolDef] = if self.format == ToolFormat::Text { &[] } else { &self.tools };
            let deadline = async {
                match clock {
                    Some((end, _)) => tokio::time::sleep_until(end.into()).await,
                    None => std::future::pending().await,
                }
            };
            let result = {
                let mut on_event = |e: LlmEvent| show(events, e);
                tokio::select! {
                    r = self.llm.chat(conversation.messages(), tools, &mut on_event) => r,
                    _ = interrupt.raised() => {
                        return Asked::Stopped(StopReason::Interrupted, "interrupted while waiting for the model".into());
                    }
                    _ = deadline => {
                        let secs = clock.map_or(0, |(_, whole)| whole.as_secs());
                        let detail = format!("the {secs} s timeout passed while waiting for the model");
                        return Asked::Stopped(StopReason::Timeout, detail);
                    }
                }
            };
            match result {
                Ok(reply) => return Asked::Reply(reply),
                Err(LlmError::ContextLength(msg)) if !dropped => {
                    let count = conversation.drop_oldest_outputs();
                    if count == 0 {
                        return Asked::Stopped(StopReason::ContextLength, msg);
                    }
                    dropped = true;
                    events.emit(EventKind::Notice {
                        message: format!("context window full; dropped the {count} oldest tool outputs and retrying"),
                    });
                }
                Err(LlmError::ContextLength(msg)) => return Asked::Stopped(StopReason::ContextLength, msg),
                Err(e) => return Asked::Stopped(StopReason::ModelError, e.to_string()),
            }
        }
    }

    /// Native tool calls, or (outside `native` mode) calls written in the text, with ids
    /// unique to the step.
    pub fn calls_of(&self, reply: &Reply, step: u32) -> Calls {
        if !reply.tool_calls.is_empty() {
            return Calls { calls: reply.tool_calls.clone(), as_text: false };
        }
        if self.format == ToolFormat::Native {
            return Calls { calls: Vec::new(), as_text: false };
        }
        let names: Vec<&str> = self.tools.iter().map(|t| t.name.as_str()).collect();
        let calls = wright_llm::parse_text_tool_calls(&reply.content, &names).into_iter().map(|mut c| {
            c.id = format!("s{step}_{}", c.id);
            c
        });
        Calls { calls: calls.collect(), as_text: true }
    }

    /// In `auto` mode, moves the rest of the run to tool calls written as text.
    pub fn switch_to_text(&mut self, why: &str, events: &mut Events) -> bool {
        if self.format != ToolFormat::Auto {
            return false;
        }
        self.format = ToolFormat::Text;
        events.emit(EventKind::Notice { message: format!("{why}; using tool calls written as text from now on") });
        true
    }

    /// What the model is told after a reply without a tool call.
    pub fn nudge(&self, with_instructions: bool) -> String {
        let mut text = String::from(
            "You did not call a tool. Do not describe or list the tools: call one now (update_plan, search, read_file, edit, apply_patch, run), \
or call finish with a summary and an outcome (fixed, partial or gave_up) if you are done.",
        );
        if with_instructions {
            text.push_str(&text_tool_instructions(&self.tools, &self.example));
        } else if self.format == ToolFormat::Text {
            text.push_str(&format!("\nReply with one call and nothing else, for example:\n{}", self.example));
        }
        text
    }
}

/// What happens during a request, for the views.
fn show(events: &mut Events, e: LlmEvent) {
    match e {
        LlmEvent::TextDelta(t) => events.progress(Progress::TextDelta(t)),
        LlmEvent::ToolCallStarted(name) => events.progress(Progress::ToolCallStarted(name)),
        LlmEvent::Retrying { attempt, delay, reason } => {
            events.emit(EventKind::Notice {
                message: format!("model request failed ({reason}); retry {attempt} in {:.1} s", delay.as_secs_f32()),
            });
        }
        LlmEvent::StreamingDisabled { reason } => {
            events.emit(EventKind::Notice {
                message: format!("{reason}; using non-streaming requests for the rest of the run"),
            });
        }
    }
}
