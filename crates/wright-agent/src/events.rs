//! The one event type every view consumes.

use serde::{Deserialize, Serialize};
use wright_llm::Usage;

use crate::redact::Redactor;

/// 2: verdicts from the evidence (`verdict_reason`, `baseline`, `final`, `tests_changed`).
pub const SCHEMA_VERSION: u32 = 2;

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

// `RunFinished` is large, but there is one per run; boxing it would burden every match.
#[allow(clippy::large_enum_variant)]
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
        /// `full`, or `compact` for models with small windows. (Absent in journals written
        /// before profiles; the field defaults so that they still read.)
        #[serde(default)]
        prompt_profile: String,
        sandbox: String,
        test_command: Option<String>,
        /// Why that command: configured, or what detection found.
        test_command_reason: Option<String>,
    },
    PlanUpdated {
        steps: Vec<PlanStep>,
    },
    ModelMessage {
        text: String,
        tool_calls: usize,
        usage: Usage,
        /// How the turn's tools were offered: `native` (in the request) or `text` (in the
        /// system prompt).
        #[serde(default)]
        format: String,
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
    /// Earlier messages of the conversation were changed: the server's prompt cache breaks
    /// there, and the next request processes the prompt again from that point.
    ContextRewritten {
        why: String,
    },
    /// The conversation was compacted to fit the model's window: `stubbed` old outputs
    /// and calls became one-line stubs, and `summarized_turns` turns a summary. A cache
    /// break, counted with the rewrites.
    ContextCompacted {
        before_tokens: u64,
        after_tokens: u64,
        stubbed: usize,
        summarized_turns: usize,
    },
    TestResult(TestSummary),
    /// An attempt at the task begins: the first, or a fresh one after an attempt that
    /// ended without passing evidence (from `from`, the commit every attempt starts at).
    AttemptStarted {
        attempt: u32,
        from: String,
        /// The sampling temperature of its requests (null: the server's default).
        temperature: Option<f64>,
        /// A draft: the model rewrites the code the index ranks first in one reply.
        draft: bool,
    },
    /// An attempt ended, with the evidence attempts are selected by.
    AttemptFinished {
        attempt: u32,
        /// The branch it is kept on when it was set aside (null: the task branch's).
        branch: Option<String>,
        verdict: Verdict,
        verdict_reason: String,
        stop_reason: StopReason,
        detail: String,
        commits: usize,
        files_changed: Vec<String>,
        diff_lines: usize,
        #[serde(rename = "final")]
        final_tests: Option<TestSummary>,
    },
    RunFinished {
        /// What the model said of its work (null when it did not say); never the verdict.
        outcome: Option<Outcome>,
        verdict: Verdict,
        /// The verdict's evidence, in one sentence.
        #[serde(default)]
        verdict_reason: String,
        stop_reason: StopReason,
        /// Why the run stopped, in words.
        detail: String,
        summary: String,
        branch: String,
        worktree: String,
        commits: Vec<String>,
        files_changed: Vec<String>,
        /// The tests at the base, before the model's first turn (null with --no-baseline).
        baseline: Option<TestSummary>,
        /// The tests at the end (null when the run stopped before them).
        #[serde(rename = "final")]
        final_tests: Option<TestSummary>,
        /// Tests that changed state between the two, by name.
        tests_changed: Option<wright_testing::Comparison>,
        /// Summed over the run; the cache figures over the turns whose server reported them.
        usage: Usage,
        /// How many `context_rewritten` and `context_compacted` events the run had (each a
        /// prompt-cache break).
        #[serde(default)]
        context_rewrites: u32,
        cost_usd: Option<f64>,
        steps: u32,
        /// Attempts made, and the one the task branch holds (1 and 1 for a run of one).
        #[serde(default = "one")]
        attempts: u32,
        #[serde(default = "one")]
        selected_attempt: u32,
        exit_code: i32,
    },
}

/// What journals written before attempts existed read as: a run of one.
fn one() -> u32 {
    1
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

/// wright's judgement, from the commits and the tests (see `verdict`).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A commit, tests ran, none broken, and a test shows the progress.
    Fixed,
    /// A change, the tests pass, but no test shows the fix.
    Unverified,
    /// A test that passed at the base fails now.
    TestsBroken,
    /// The tests that failed at the base still fail.
    NotFixed,
    /// No commit.
    NoChange,
    /// No test command, or no test run.
    Unknown,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fixed => "fixed",
            Verdict::Unverified => "unverified",
            Verdict::TestsBroken => "tests_broken",
            Verdict::NotFixed => "not_fixed",
            Verdict::NoChange => "no_change",
            Verdict::Unknown => "unknown",
        }
    }
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
    /// The name the events give it.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Finished => "finished",
            StopReason::MaxSteps => "max_steps",
            StopReason::TokenBudget => "token_budget",
            StopReason::CostBudget => "cost_budget",
            StopReason::Timeout => "timeout",
            StopReason::RepeatedFailure => "repeated_failure",
            StopReason::Looping => "looping",
            StopReason::NoToolCalls => "no_tool_calls",
            StopReason::ContextLength => "context_length",
            StopReason::ModelError => "model_error",
            StopReason::Interrupted => "interrupted",
        }
    }

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

/// Which test run a summary describes.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TestPhase {
    /// At the base, before the model's first turn.
    Baseline,
    /// When the model first called finish, to weigh it.
    Review,
    /// After the first attempt committed the tests that should show the bug.
    Reproduction,
    /// After the model stopped.
    Final,
}

/// One test run, for the views: counts and the failing tests' names, not every test.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct TestSummary {
    pub phase: TestPhase,
    pub command: String,
    pub exit_code: i32,
    /// Exit 0 in time, no test failed, and (when the runner counts) at least one ran.
    pub passed: bool,
    pub timed_out: bool,
    pub duration_ms: u64,
    /// Where the per-test results came from: junit, output, or exit_code (none).
    pub source: wright_testing::Source,
    pub counts: wright_testing::Counts,
    /// Tests that ran; null when only the exit code is known.
    pub ran: Option<u64>,
    /// The failing tests, at most 50.
    pub failing: Vec<String>,
    /// The end of the output, where test runners put their verdict.
    pub output_tail: String,
}

impl TestSummary {
    pub fn of(phase: TestPhase, run: &wright_testing::TestRun) -> Self {
        TestSummary {
            phase,
            command: run.command.clone(),
            exit_code: run.exit_code,
            passed: run.passed(),
            timed_out: run.timed_out,
            duration_ms: run.duration_ms,
            source: run.source,
            counts: run.counts(),
            ran: run.ran(),
            failing: run.named(wright_testing::Outcome::Failed).into_iter().take(50).map(str::to_string).collect(),
            output_tail: run.output_tail.clone(),
        }
    }
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
        let event = self.redactor.redacted(event);
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
