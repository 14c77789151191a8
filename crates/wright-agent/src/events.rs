//! The one event type every view consumes.

use serde::{Deserialize, Serialize};
use wright_llm::Usage;

use crate::redact::Redactor;

pub const SCHEMA_VERSION: u32 = 1;

/// One step of a run. `seq` counts from 0 within the run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub schema: u32,
    pub run_id: String,
    pub seq: u64,
    /// RFC 3339, UTC, milliseconds.
    pub ts: String,
    #[serde(flatten)]
    pub kind: EventKind,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    RunStarted {
        task: String,
        repo: String,
        worktree: String,
        branch: String,
        base: String,
        model: String,
        base_url: String,
        streaming: bool,
        tool_format: String,
        sandbox: String,
        test_command: Option<String>,
    },
    PlanUpdated {
        steps: Vec<PlanStep>,
    },
    ModelMessage {
        text: String,
        tool_calls: usize,
        usage: Usage,
    },
    ToolCall {
        id: String,
        name: String,
        arguments: String,
    },
    ToolResult {
        id: String,
        name: String,
        ok: bool,
        output: String,
    },
    Commit {
        sha: String,
        subject: String,
        files: Vec<String>,
    },
    Notice {
        message: String,
    },
    TestResult(TestSummary),
    RunFinished {
        outcome: Option<Outcome>,
        verdict: Verdict,
        stop_reason: StopReason,
        /// Why the run stopped, in words.
        detail: String,
        summary: String,
        branch: String,
        worktree: String,
        commits: Vec<String>,
        files_changed: Vec<String>,
        tests: Option<TestSummary>,
        usage: Usage,
        cost_usd: Option<f64>,
        steps: u32,
        exit_code: i32,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PlanStep {
    pub step: String,
    pub status: StepStatus,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    Pending,
    InProgress,
    Completed,
}

/// What the model said of its own work.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Fixed,
    Partial,
    GaveUp,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Fixed => "fixed",
            Outcome::Partial => "partial",
            Outcome::GaveUp => "gave_up",
        }
    }
}

/// wright's judgement: the model's outcome checked against the tests.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Fixed,
    NotFixed,
    Unknown,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    Finished,
    MaxSteps,
    TokenBudget,
    CostBudget,
    Timeout,
    RepeatedFailure,
    /// The same call with the same answer, again and again.
    Looping,
    NoToolCalls,
    ContextLength,
    ModelError,
    Interrupted,
}

impl StopReason {
    pub fn is_budget(self) -> bool {
        matches!(
            self,
            StopReason::MaxSteps
                | StopReason::TokenBudget
                | StopReason::CostBudget
                | StopReason::Timeout
                | StopReason::ContextLength
        )
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TestSummary {
    pub command: String,
    pub exit_code: i32,
    pub passed: bool,
    pub timed_out: bool,
    pub duration_ms: u64,
    /// The end of the output, where test runners put their verdict.
    pub output_tail: String,
}

/// Transient progress for live views; not numbered, not journaled.
#[derive(Debug, Clone)]
pub enum Progress {
    Thinking,
    TextDelta(String),
    ToolCallStarted(String),
    ToolRunning(String),
}

pub trait EventSink: Send {
    fn event(&mut self, event: &Event);
    fn progress(&mut self, _progress: &Progress) {}
}

/// Numbers, stamps, redacts and fans out events.
pub struct Events {
    run_id: String,
    seq: u64,
    sinks: Vec<Box<dyn EventSink>>,
    redactor: Redactor,
    /// Streamed text held back because it may be the start of a secret.
    held: String,
}

impl Events {
    pub fn new(run_id: &str, redactor: Redactor) -> Self {
        Events { run_id: run_id.to_string(), seq: 0, sinks: Vec::new(), redactor, held: String::new() }
    }

    pub fn add_sink(&mut self, sink: Box<dyn EventSink>) {
        self.sinks.push(sink);
    }

    /// Numbers events from `seq` on (a resumed run continues its journal's numbering).
    pub fn number_from(&mut self, seq: u64) {
        self.seq = seq;
    }

    pub fn emit(&mut self, kind: EventKind) -> Event {
        if !self.held.is_empty() {
            let rest = self.redactor.text(&std::mem::take(&mut self.held));
            self.fan_out_progress(&Progress::TextDelta(rest));
        }
        let event = Event {
            schema: SCHEMA_VERSION,
            run_id: self.run_id.clone(),
            seq: self.seq,
            ts: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
            kind,
        };
        self.seq += 1;
        let event = self.redactor.event(event);
        for sink in &mut self.sinks {
            sink.event(&event);
        }
        event
    }

    /// Text with secret values replaced, for anything else wright writes (commit messages).
    pub fn redact(&self, text: &str) -> String {
        self.redactor.text(text)
    }

    pub fn progress(&mut self, progress: Progress) {
        let progress = match progress {
            Progress::TextDelta(t) => {
                let pending = std::mem::take(&mut self.held) + &t;
                let (show, hold) = self.redactor.split_stream(&pending);
                self.held = hold;
                if show.is_empty() {
                    return;
                }
                Progress::TextDelta(show)
            }
            other => other,
        };
        self.fan_out_progress(&progress);
    }

    fn fan_out_progress(&mut self, progress: &Progress) {
        for sink in &mut self.sinks {
            sink.progress(progress);
        }
    }
}
