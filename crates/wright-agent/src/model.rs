//! Talking to the model: one request per turn (raced against the interrupt and the
//! run's clock), the tool calls read from its reply, and the tool format the run has
//! settled on. A full context is the keeper's (`context_keeper`) to handle.

use std::time::{Duration, Instant};

use wright_llm::{LlmClient, LlmError, LlmEvent, Message, Reply, Sampling, ToolCall, ToolDef};

use crate::conversation::Conversation;
use crate::interrupt::Interrupt;
use crate::offer::Offered;
use crate::profile::PromptProfile;
use crate::prompt::{Style, ToolFormat, example_call, native_tool_instructions, text_tool_instructions};
use crate::transcript::Record;
use crate::{EventKind, Events, Progress, StopReason};

pub(crate) enum Asked {
    Reply(Reply),
    Stopped(StopReason, String),
}

/// The calls in a reply, whether they were written as text, and what kept a call-shaped
/// text from being read.
pub(crate) struct Calls {
    pub calls: Vec<ToolCall>,
    pub as_text: bool,
    pub problem: Option<String>,
}

/// The system prompt in each form the tools may take: offered in the request (native) or
/// listed in the prompt (text).
#[derive(Default)]
struct SystemPrompts {
    native: String,
    text: String,
}

pub(crate) struct Model {
    llm: LlmClient,
    tools: Vec<ToolDef>,
    /// Tools called by name though the prompt may not list them (MCP tools).
    callable: Vec<String>,
    /// The tools the nudge names, in the order offered.
    nudged: Vec<String>,
    /// The configured format: `auto` follows the model turn by turn.
    configured: ToolFormat,
    /// The form of this turn: `Native` (tools in the request) or `Text` (listed in the
    /// system prompt).
    format: ToolFormat,
    prompts: SystemPrompts,
    /// A first call that fits the task, shown when the model needs an example.
    example: String,
    style: Style,
    /// The project's test command, for the worked example.
    test: Option<String>,
    /// How the first attempt samples, as configured.
    first: Sampling,
}

impl Model {
    /// `tools` as the profile offers them: the compact one leaves some out.
    pub fn new(
        llm: LlmClient,
        mut tools: Vec<Offered>,
        configured: ToolFormat,
        task: &str,
        style: Style,
        test: Option<String>,
    ) -> Self {
        // Calls are read for every listed tool, and for those called by name unlisted.
        let callable = tools.iter().filter(|t| t.callable).map(|t| t.def.name.clone()).collect();
        if style.profile == PromptProfile::Compact {
            tools.retain(|t| t.compact);
        }
        let nudged = tools.iter().filter(|t| t.nudged).map(|t| t.def.name.clone()).collect();
        let tools = tools.into_iter().map(|t| t.def).collect();
        // A small window is spent on the tools' schemas and, when the model then writes its
        // calls as text, on the prompt again after the switch: a compact run starts in text.
        let text_first = configured == ToolFormat::Auto && style.profile == PromptProfile::Compact;
        let format = if configured == ToolFormat::Text || text_first { ToolFormat::Text } else { ToolFormat::Native };
        let prompts = SystemPrompts::default();
        let first = llm.sampling();
        Model {
            llm,
            tools,
            callable,
            nudged,
            configured,
            format,
            prompts,
            example: example_call(task),
            style,
            test,
            first,
        }
    }

    /// Samples attempt `attempt`'s requests: the first as configured, later ones at
    /// `hotter` when given, with the seed moved on so a fixed seed draws a new sample.
    /// Returns the temperature the attempt samples at.
    pub fn sample_attempt(&mut self, attempt: u32, hotter: Option<f32>) -> Option<f32> {
        let later = attempt.saturating_sub(1);
        let sampling = match later {
            0 => self.first,
            _ => Sampling {
                temperature: hotter.or(self.first.temperature),
                seed: self.first.seed.map(|s| s.wrapping_add(u64::from(later))),
                ..self.first
            },
        };
        self.llm.set_sampling(sampling);
        sampling.temperature
    }

    fn text_list(&self) -> String {
        text_tool_instructions(&self.tools, &self.example, self.style, self.test.as_deref())
    }

    /// Sets the system prompt, as written without tool instructions; each form adds its own.
    pub fn set_system_prompt(&mut self, base: &str) {
        let list = self.text_list();
        let native = native_tool_instructions(self.style, self.test.as_deref());
        self.prompts = SystemPrompts { text: format!("{base}{list}"), native: format!("{base}{native}") };
    }

    /// A resumed run's system prompt, in the form its transcript `recorded`; in `auto`
    /// mode the run goes on in that form. `None`: a transcript of version 1, whose form is
    /// read from how the prompt ends (see `legacy`).
    pub fn resume_system_prompt(&mut self, prompt: &str, recorded: Option<ToolFormat>) {
        let list = self.text_list();
        let native = native_tool_instructions(self.style, self.test.as_deref());
        let recorded = recorded.or_else(|| crate::legacy::in_text_form(prompt, &list).then_some(ToolFormat::Text));
        if self.configured == ToolFormat::Auto
            && let Some(format) = recorded
        {
            self.format = format;
        }
        // Each form's instructions are taken off, to be added again in either form: the
        // recorded form's first, else the other's (a run resumed before with another
        // --tool-format recorded that form, not the one its prompt is in).
        let (first, second) = if recorded == Some(ToolFormat::Text) { (list, native) } else { (native, list) };
        // An empty form (native instructions may be) matches every prompt: it is tried last.
        let strip = |end: &str| prompt.strip_suffix(end).filter(|_| !end.is_empty());
        let base = strip(&first).or_else(|| strip(&second)).unwrap_or(prompt);
        self.set_system_prompt(base);
    }

    /// The form of this turn's tools: `Native` or `Text`.
    pub fn format(&self) -> ToolFormat {
        self.format
    }

    /// The system prompt for the turn's format.
    pub fn system_prompt(&self) -> &str {
        if self.format == ToolFormat::Text { &self.prompts.text } else { &self.prompts.native }
    }

    /// One model turn. `clock` is when the run's wall-clock budget ends, and its length.
    pub async fn ask(
        &mut self,
        conversation: &Conversation,
        events: &mut Events,
        interrupt: &Interrupt,
        clock: Option<(Instant, Duration)>,
    ) -> Asked {
        let tools: &[ToolDef] = if self.format == ToolFormat::Native { &self.tools } else { &[] };
        match race(&self.llm, conversation.messages(), tools, events, interrupt, clock).await {
            Ok(Ok(reply)) => Asked::Reply(reply),
            Ok(Err(LlmError::ContextLength(msg))) => Asked::Stopped(StopReason::ContextLength, msg),
            Ok(Err(e)) => Asked::Stopped(StopReason::ModelError, e.to_string()),
            Err(stopped) => stopped,
        }
    }

    /// Bytes a request carries beside its messages: the tools' schemas, when offered.
    pub fn tools_bytes(&self) -> usize {
        if self.format != ToolFormat::Native {
            return 0;
        }
        self.tools.iter().map(|t| t.name.len() + t.description.len() + t.parameters.to_string().len()).sum()
    }

    /// One draft request: `messages` of its own, no tools, a reply of at most
    /// `max_tokens`; sampled as the attempt samples.
    pub async fn draft(
        &mut self,
        messages: &[Message],
        max_tokens: u32,
        events: &mut Events,
        interrupt: &Interrupt,
        clock: Option<(Instant, Duration)>,
    ) -> Asked {
        let sampling = self.llm.sampling();
        self.llm.set_sampling(Sampling { max_tokens: Some(max_tokens), ..sampling });
        let result = race(&self.llm, messages, &[], events, interrupt, clock).await;
        self.llm.set_sampling(sampling);
        match result {
            Ok(Ok(reply)) => Asked::Reply(reply),
            Ok(Err(LlmError::ContextLength(msg))) => Asked::Stopped(StopReason::ContextLength, msg),
            Ok(Err(e)) => Asked::Stopped(StopReason::ModelError, e.to_string()),
            Err(stopped) => stopped,
        }
    }

    /// The longest reply the run allows (`None`: the server's).
    pub fn max_tokens(&self) -> Option<u32> {
        self.llm.sampling().max_tokens
    }

    /// Native tool calls, or (outside `native` mode) calls written in the text, with ids
    /// unique to the step.
    pub fn calls_of(&self, reply: &Reply, step: u32) -> Calls {
        if !reply.tool_calls.is_empty() {
            return Calls { calls: reply.tool_calls.clone(), as_text: false, problem: None };
        }
        if self.configured == ToolFormat::Native {
            return Calls { calls: Vec::new(), as_text: false, problem: None };
        }
        let listed = self.tools.iter().map(|t| t.name.as_str());
        let names: Vec<&str> = listed.chain(self.callable.iter().map(String::as_str)).collect();
        let found = wright_llm::parse_text_tool_calls(&reply.content, &names);
        let calls = found.calls.into_iter().map(|mut c| {
            c.id = format!("s{step}_{}", c.id);
            c
        });
        Calls { calls: calls.collect(), as_text: true, problem: found.problem }
    }

    /// In `auto` mode, follows the form the model used: text calls move the run to the
    /// text list in the system prompt, native calls back to tools in the request. True
    /// when the form changed (the system prompt must then be rebuilt).
    pub fn follow(&mut self, to: ToolFormat, why: &str, conversation: &mut Conversation, events: &mut Events) -> bool {
        if self.configured != ToolFormat::Auto || self.format == to {
            return false;
        }
        self.format = to;
        let form = if to == ToolFormat::Text { "tools listed as text" } else { "tools offered natively" };
        let prompt = Record::Prompt { profile: self.style.profile, tool_format: to };
        conversation.record(&prompt, false, events);
        conversation.replace_system(self.system_prompt().to_string(), form, events);
        let message = match to {
            ToolFormat::Text => format!("{why}; using tool calls written as text from now on"),
            _ => format!("{why}; offering the tools natively again"),
        };
        events.emit(EventKind::Notice { message });
        true
    }

    /// What the model is told after a reply without a tool call (`cut`: one that stopped
    /// at the length limit).
    pub fn nudge(&self, with_instructions: bool, cut: bool, problem: Option<&str>) -> String {
        if let Some(problem) = problem.filter(|_| !cut) {
            return format!(
                "Your tool call could not be read: {problem}. Send it again as one call, for example:\n{}",
                self.example
            );
        }
        if cut {
            return format!(
                "Your reply was cut off at the length limit before it made a complete tool call. Reply with one short call and nothing else; split a large edit into several smaller ones, for example:\n{}",
                self.example
            );
        }
        let mut text = format!(
            "You did not call a tool. Do not describe or list the tools: call one now ({}), \
or call finish with a summary and an outcome (fixed, partial or gave_up) if you are done.",
            self.nudged.join(", ")
        );
        if with_instructions {
            text.push_str(&self.text_list());
        } else if self.format == ToolFormat::Text {
            text.push_str(&format!("\nReply with one call and nothing else, for example:\n{}", self.example));
        }
        text
    }
}

/// One request, raced against the interrupt and the run's clock (`clock`: when it ends,
/// and its length); `Err` when one of those stopped it.
pub(crate) async fn race(
    llm: &LlmClient,
    messages: &[Message],
    tools: &[ToolDef],
    events: &mut Events,
    interrupt: &Interrupt,
    clock: Option<(Instant, Duration)>,
) -> Result<Result<Reply, LlmError>, Asked> {
    events.progress(Progress::Thinking);
    let deadline = async {
        match clock {
            Some((end, _)) => tokio::time::sleep_until(end.into()).await,
            None => std::future::pending().await,
        }
    };
    let mut on_event = |e: LlmEvent| show(events, e);
    tokio::select! {
        r = llm.chat(messages, tools, &mut on_event) => Ok(r),
        _ = interrupt.raised() => {
            Err(Asked::Stopped(StopReason::Interrupted, "interrupted while waiting for the model".into()))
        }
        _ = deadline => {
            let secs = clock.map_or(0, |(_, whole)| whole.as_secs());
            let detail = format!("the {secs} s timeout passed while waiting for the model");
            Err(Asked::Stopped(StopReason::Timeout, detail))
        }
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

#[cfg(test)]
mod tests;
