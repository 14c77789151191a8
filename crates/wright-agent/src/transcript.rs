//! The run's transcript: the conversation exactly as the model saw it (full messages and
//! tool-call ids, unlike the truncated views), the plan and the budgets spent, appended as
//! JSON lines next to the journal. `wright resume` rebuilds the run from it
//! ([`crate::Resumed`]), from what the records say, never from the messages' wording.

// The transcript lives in the run's directory under wright's data, beside the worktree.
#![allow(clippy::disallowed_methods)]

use std::fs::File;
use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};
use wright_llm::{Message, Usage};

use crate::{PlanStep, PromptProfile, ToolFormat};

/// The transcript's format, the first record of each. 2: the prompt profile, the tool
/// format, text results, dropped outputs and answers given on resume are records of their
/// own. Version 1 (no `version` record) left them to be read from the messages' text.
/// Compactions (`compacted`) came later within version 2.
/// Attempts (`attempt_started`, `attempt_finished`) came later within version 2: a
/// transcript without them is a run of one attempt.
pub const TRANSCRIPT_VERSION: u32 = 2;

/// Results of tool calls written as text go back as a user message starting with this.
pub(crate) const TEXT_RESULT_PREFIX: &str = "[tool result:";

/// What a dropped tool output was replaced by, before compaction replaced dropping (read
/// back from older transcripts' `dropped` records).
pub(crate) const DROPPED_NOTE: &str = "[output dropped to fit the context window; run the tool again if you need it]";

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// The first record: the format of the lines that follow.
    Version {
        version: u32,
    },
    /// The prompt profile and the form of the tools, at the start of each process and
    /// whenever the form changes (the system prompt that follows is in that form).
    Prompt {
        profile: PromptProfile,
        tool_format: ToolFormat,
    },
    Message {
        message: Message,
    },
    /// The answers to one turn's tool calls written as text: a user message, and tool
    /// output (dropped first when the context is full).
    TextResults {
        content: String,
    },
    /// Tool outputs replaced by [`DROPPED_NOTE`] to fit the context window, by their
    /// place in the conversation (written before `compacted`; still read).
    Dropped {
        messages: Vec<usize>,
    },
    /// The conversation was compacted to fit the context window: each of `stubbed` took
    /// the place of the message there, then `summarized` stood in for a run of turns.
    Compacted {
        stubbed: Vec<(usize, Message)>,
        summarized: Option<Summarized>,
    },
    /// An answer given on resume to a tool call the stopped run never answered, inserted
    /// at its place in the conversation.
    Answered {
        at: usize,
        message: Message,
    },
    Plan {
        steps: Vec<PlanStep>,
    },
    /// Totals after a model reply: steps taken, tokens used, seconds spent, and times the
    /// conversation was rewritten.
    Spent {
        steps: u32,
        usage: Usage,
        seconds: f64,
        #[serde(default)]
        rewrites: u32,
    },
    /// The test run at the base, kept so that `resume` judges against the same one.
    Baseline {
        run: wright_testing::TestRun,
    },
    /// An attempt begins: the conversation goes back to its first `keep` messages (the
    /// system prompt, the task and what came before the first turn), and the task branch
    /// to `from`.
    AttemptStarted {
        attempt: u32,
        keep: usize,
        from: String,
        temperature: Option<f64>,
        /// A draft attempt (one request of its own; see `draft`), not turns with tools.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        draft: bool,
    },
    /// A draft attempt's request (its user message; the system prompt is fixed) and the
    /// model's reply, for the code at `path` (`lines` of it, or all).
    Drafted {
        path: String,
        lines: Option<(usize, usize)>,
        request: String,
        reply: String,
    },
    /// The first attempt's tests fail on the unchanged code as they should: `commit` holds
    /// them, every attempt starts from it, and the `baseline` record that follows is the
    /// test run there.
    Reproduced {
        commit: String,
        tests: Vec<String>,
    },
    /// An attempt ended; it was set aside on its branch before the next one started.
    AttemptFinished {
        end: crate::attempts::AttemptEnd,
    },
    /// The run reached its end (a resumed run that ends appends another).
    Finished,
}

/// Messages `from..to` replaced by one `message`: a summary of those turns.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summarized {
    pub from: usize,
    pub to: usize,
    pub message: Message,
}

/// What a message is to the loop beyond its role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MessageKind {
    #[default]
    Said,
    /// A tool's output (a tool message, or text results): dropped first when the context
    /// is full.
    ToolOutput,
    /// A tool output replaced by [`DROPPED_NOTE`] or a stub.
    Dropped,
    /// A summary of earlier turns: where the attempt's turns begin since it stood in
    /// for them, and summarized again with them by the next compaction.
    Summary,
}

impl MessageKind {
    /// The kind a message has by its role alone.
    pub fn of(message: &Message) -> Self {
        match message {
            Message::Tool { .. } => MessageKind::ToolOutput,
            _ => MessageKind::Said,
        }
    }
}

pub struct Transcript {
    file: File,
}

impl Transcript {
    /// Opens `path` for appending; a new transcript starts with its version.
    pub fn open(path: &Path) -> std::io::Result<Self> {
        let file = crate::journal::open_append(path)?;
        let fresh = file.metadata()?.len() == 0;
        let mut transcript = Transcript { file };
        if fresh {
            transcript.append(&Record::Version { version: TRANSCRIPT_VERSION }, false)?;
        }
        Ok(transcript)
    }

    /// Appends one record; `durable` also has it synced to disk, on a blocking thread
    /// (commit boundaries, the end). A killed process keeps what was written either way.
    pub fn append(&mut self, record: &Record, durable: bool) -> std::io::Result<()> {
        let line = serde_json::to_string(record).map_err(std::io::Error::other)?;
        // One write per line, so a kill leaves at most one partial last line.
        self.file.write_all(format!("{line}\n").as_bytes())?;
        if durable {
            crate::journal::sync_soon(&self.file);
        }
        Ok(())
    }
}
