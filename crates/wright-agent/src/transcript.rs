//! The run's transcript: the conversation exactly as the model saw it (full messages and
//! tool-call ids, unlike the truncated views), the plan and the budgets spent, appended as
//! JSON lines next to the journal. `wright resume` rebuilds the run from it.

// The transcript lives in the run's directory under wright's data, beside the worktree.
#![allow(clippy::disallowed_methods)]

use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};
use wright_llm::{Message, Usage};

use crate::PlanStep;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    Message {
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
    /// The run reached its end (a resumed run that ends appends another).
    Finished,
}

pub struct Transcript {
    file: File,
}

impl Transcript {
    pub fn open(path: &Path) -> std::io::Result<Self> {
        Ok(Transcript { file: crate::journal::open_append(path)? })
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

/// What a transcript holds, read back for `wright resume`.
#[derive(Debug, Default)]
pub struct Resumed {
    pub messages: Vec<Message>,
    pub plan: Vec<PlanStep>,
    pub steps: u32,
    pub usage: Usage,
    pub seconds: f64,
    pub rewrites: u32,
    pub finished: bool,
    pub baseline: Option<wright_testing::TestRun>,
}

impl Resumed {
    /// Reads `path`; a torn last line (the run was killed while writing it) is ignored.
    pub fn read(path: &Path) -> std::io::Result<Resumed> {
        let mut out = Resumed::default();
        for line in BufReader::new(File::open(path)?).lines() {
            let Ok(record) = serde_json::from_str::<Record>(&line?) else { continue };
            match record {
                // A later system prompt replaces the first (the tools changed form).
                Record::Message { message: message @ Message::System { .. } } if !out.messages.is_empty() => {
                    out.messages[0] = message;
                }
                Record::Message { message } => {
                    out.messages.push(message);
                    out.finished = false;
                }
                Record::Plan { steps } => out.plan = steps,
                Record::Spent { steps, usage, seconds, rewrites } => {
                    out.steps = steps;
                    out.usage = usage;
                    out.seconds = seconds;
                    out.rewrites = rewrites;
                }
                Record::Baseline { run } => out.baseline = Some(run),
                Record::Finished => out.finished = true,
            }
        }
        Ok(out)
    }

    /// The task: the first user message, out of its quotes.
    pub fn task(&self) -> Option<String> {
        self.messages.iter().find_map(|m| match m {
            Message::User { content } => Some(crate::quote::unquote(content).to_string()),
            _ => None,
        })
    }

    /// Answers every tool call the run did not get to answer before it stopped, so the
    /// conversation is valid again; returns how many were answered.
    pub fn answer_dangling_calls(&mut self) -> usize {
        let mut answered = 0;
        let mut i = 0;
        while i < self.messages.len() {
            if let Message::Assistant { tool_calls, .. } = &self.messages[i] {
                let calls = tool_calls.clone();
                let mut end = i + 1;
                while matches!(self.messages.get(end), Some(Message::Tool { .. })) {
                    end += 1;
                }
                let missing: Vec<_> = calls
                    .iter()
                    .filter(|c| {
                        !self.messages[i + 1..end]
                            .iter()
                            .any(|m| matches!(m, Message::Tool { tool_call_id, .. } if *tool_call_id == c.id))
                    })
                    .collect();
                for (k, call) in missing.into_iter().enumerate() {
                    self.messages.insert(
                        end + k,
                        Message::Tool {
                            tool_call_id: call.id.clone(),
                            content: "error: the run stopped before this call's result was recorded; a change it made is either in the branch's commits or was discarded (see the next message).".to_string(),
                        },
                    );
                    answered += 1;
                }
            }
            i += 1;
        }
        answered
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wright_llm::ToolCall;

    fn call(id: &str) -> ToolCall {
        ToolCall { id: id.into(), name: "read_file".into(), arguments: "{}".into() }
    }

    #[test]
    fn reads_back_what_was_written_and_skips_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let mut t = Transcript::open(&path).unwrap();
        t.append(&Record::Message { message: Message::User { content: "task".into() } }, false).unwrap();
        let usage = Usage {
            prompt_tokens: 10,
            completion_tokens: 5,
            total_tokens: 15,
            cached_prompt_tokens: Some(8),
            processed_prompt_tokens: Some(2),
            ..Usage::default()
        };
        t.append(&Record::Spent { steps: 2, usage, seconds: 1.5, rewrites: 3 }, true).unwrap();
        drop(t);
        std::fs::OpenOptions::new().append(true).open(&path).unwrap().write_all(b"{\"kind\":\"mess").unwrap();
        let r = Resumed::read(&path).unwrap();
        assert_eq!(r.messages, vec![Message::User { content: "task".into() }]);
        assert_eq!((r.steps, r.usage, r.rewrites, r.finished), (2, usage, 3, false));
    }

    #[test]
    fn a_transcript_written_before_cache_figures_reads_as_unknown() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let old = r#"{"kind":"spent","steps":1,"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2,"estimated":false},"seconds":1.0}"#;
        std::fs::write(&path, format!("{old}\n")).unwrap();
        let r = Resumed::read(&path).unwrap();
        assert_eq!(
            (r.steps, r.rewrites, r.usage.cached_prompt_tokens, r.usage.processed_prompt_tokens),
            (1, 0, None, None)
        );
    }

    #[test]
    fn dangling_tool_calls_get_an_answer_in_place() {
        let mut r = Resumed {
            messages: vec![
                Message::Assistant { content: String::new(), tool_calls: vec![call("a"), call("b")] },
                Message::Tool { tool_call_id: "a".into(), content: "ok".into() },
                Message::Assistant { content: String::new(), tool_calls: vec![call("c")] },
            ],
            ..Resumed::default()
        };
        assert_eq!(r.answer_dangling_calls(), 2);
        let ids: Vec<_> = r
            .messages
            .iter()
            .filter_map(|m| match m {
                Message::Tool { tool_call_id, .. } => Some(tool_call_id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(ids, ["a", "b", "c"]);
        assert!(matches!(&r.messages[2], Message::Tool { tool_call_id, .. } if tool_call_id == "b"));
        assert_eq!(r.answer_dangling_calls(), 0);
    }
}
