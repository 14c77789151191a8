//! A transcript read back for `wright resume`: the conversation as the model last saw it
//! (with what each message is to the loop), the plan, the budgets spent, and the prompt
//! profile and tool format the run was in.

// The transcript lives in the run's directory under wright's data, beside the worktree.
#![allow(clippy::disallowed_methods)]

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use wright_llm::{Message, Usage};

use crate::transcript::{DROPPED_NOTE, MessageKind, Record};
use crate::{PlanStep, PromptProfile, ToolFormat};

/// The prompt a run was in, as its last `prompt` record says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromptState {
    pub profile: PromptProfile,
    pub tool_format: ToolFormat,
}

/// What a transcript holds.
#[derive(Debug, Default)]
pub struct Resumed {
    pub messages: Vec<Message>,
    /// What each message is to the loop, beside `messages`.
    pub(crate) kinds: Vec<MessageKind>,
    /// The transcript's format: 1 when it has no `version` record.
    pub version: u32,
    /// `None` for a transcript that never said (version 1, never resumed since).
    pub prompt: Option<PromptState>,
    pub plan: Vec<PlanStep>,
    pub steps: u32,
    pub usage: Usage,
    pub seconds: f64,
    pub rewrites: u32,
    pub finished: bool,
    pub baseline: Option<wright_testing::TestRun>,
    /// Where the run stands in its attempts (a transcript from before attempts: none begun).
    pub attempts: crate::AttemptState,
    /// The last drafted test file asked for (path, reply): the drafted test, when a
    /// reproduction record follows it.
    drafted_test: Option<(String, String)>,
}

impl Resumed {
    /// Reads `path`; a torn last line (the run was killed while writing it) is ignored.
    pub fn read(path: &Path) -> std::io::Result<Resumed> {
        let mut out = Resumed { version: 1, ..Resumed::default() };
        for line in BufReader::new(File::open(path)?).lines() {
            let Ok(record) = serde_json::from_str::<Record>(&line?) else { continue };
            out.apply(record);
        }
        Ok(out)
    }

    fn apply(&mut self, record: Record) {
        match record {
            Record::Version { version } => self.version = version,
            Record::Prompt { profile, tool_format } => self.prompt = Some(PromptState { profile, tool_format }),
            // A later system prompt replaces the first (the tools changed form).
            Record::Message { message: message @ Message::System { .. } } if !self.messages.is_empty() => {
                self.messages[0] = message;
            }
            Record::Message { message } => {
                let kind = match &message {
                    Message::User { content } if self.version < 2 && crate::legacy::is_text_results(content) => {
                        MessageKind::ToolOutput
                    }
                    m => MessageKind::of(m),
                };
                self.push(message, kind);
            }
            Record::TextResults { content } => self.push(Message::User { content }, MessageKind::ToolOutput),
            Record::Dropped { messages } => {
                for i in messages {
                    // A damaged transcript may name any place; only outputs are dropped.
                    if self.kinds.get(i) != Some(&MessageKind::ToolOutput) {
                        continue;
                    }
                    if let Some(Message::Tool { content, .. } | Message::User { content }) = self.messages.get_mut(i) {
                        *content = DROPPED_NOTE.to_string();
                        self.kinds[i] = MessageKind::Dropped;
                    }
                }
            }
            Record::Compacted { stubbed, summarized } => {
                crate::compaction::apply(&mut self.messages, &mut self.kinds, &stubbed, summarized.as_ref());
            }
            Record::Answered { at, message } => {
                let at = at.min(self.messages.len());
                self.kinds.insert(at, MessageKind::of(&message));
                self.messages.insert(at, message);
            }
            Record::Plan { steps } => self.plan = steps,
            Record::Spent { steps, usage, seconds, rewrites } => {
                self.steps = steps;
                self.usage = usage;
                self.seconds = seconds;
                self.rewrites = rewrites;
            }
            Record::Baseline { run } => self.baseline = Some(run),
            // Each attempt's conversation begins again from the shared first messages.
            Record::AttemptStarted { attempt, keep, from, draft, .. } => {
                self.attempts.draft = draft;
                self.messages.truncate(keep);
                self.kinds.truncate(keep);
                self.plan.clear();
                self.attempts.current = attempt;
                self.attempts.keep = keep;
                self.attempts.from = Some(from);
            }
            Record::AttemptFinished { end } => self.attempts.ended.push(end),
            Record::Reproduced { commit, .. } => {
                self.attempts.from = Some(commit);
                self.attempts.draft_test =
                    self.drafted_test.take().and_then(|(path, reply)| Some((path, crate::draft::code_block(&reply)?)));
            }
            // A draft is asked again on resume; a drafted test is kept once reproduced.
            Record::Drafted { path, reply, .. } => {
                self.drafted_test = crate::verdict::is_test_file(&path).then_some((path, reply));
            }
            Record::Finished => self.finished = true,
        }
    }

    fn push(&mut self, message: Message, kind: MessageKind) {
        self.messages.push(message);
        self.kinds.push(kind);
        self.finished = false;
    }

    /// The messages, with what each is to the loop.
    pub(crate) fn take_conversation(&mut self) -> (Vec<Message>, Vec<MessageKind>) {
        let messages = std::mem::take(&mut self.messages);
        let mut kinds = std::mem::take(&mut self.kinds);
        // Only messages set by hand (tests) go without kinds: their roles say.
        if kinds.len() != messages.len() {
            kinds = messages.iter().map(MessageKind::of).collect();
        }
        (messages, kinds)
    }

    /// The task: the first user message, out of its quotes.
    pub fn task(&self) -> Option<String> {
        self.messages.iter().find_map(|m| match m {
            Message::User { content } => Some(crate::quote::unquote(content).to_string()),
            _ => None,
        })
    }

    /// Answers every tool call the run did not get to answer before it stopped, so the
    /// conversation is valid again; returns each answer with the place it was inserted
    /// at, in order, for the transcript to record.
    pub fn answer_dangling_calls(&mut self) -> Vec<(usize, Message)> {
        if self.kinds.len() != self.messages.len() {
            self.kinds = self.messages.iter().map(MessageKind::of).collect();
        }
        let mut answered = Vec::new();
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
                    let answer = Message::Tool {
                        tool_call_id: call.id.clone(),
                        content: "error: the run stopped before this call's result was recorded; a change it made is either in the branch's commits or was discarded (see the next message).".to_string(),
                    };
                    self.messages.insert(end + k, answer.clone());
                    self.kinds.insert(end + k, MessageKind::ToolOutput);
                    answered.push((end + k, answer));
                }
            }
            i += 1;
        }
        answered
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::transcript::{TRANSCRIPT_VERSION, Transcript};
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
    fn a_new_transcript_starts_with_its_version_and_a_reopened_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        drop(Transcript::open(&path).unwrap());
        drop(Transcript::open(&path).unwrap());
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text, format!("{{\"kind\":\"version\",\"version\":{TRANSCRIPT_VERSION}}}\n"));
        let r = Resumed::read(&path).unwrap();
        assert_eq!((r.version, r.prompt), (TRANSCRIPT_VERSION, None));
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
    fn records_say_the_prompt_text_results_and_drops() {
        let mut r = Resumed { version: TRANSCRIPT_VERSION, ..Resumed::default() };
        let user = |c: &str| Message::User { content: c.into() };
        let records = [
            Record::Prompt { profile: PromptProfile::Compact, tool_format: ToolFormat::Native },
            Record::Message { message: Message::System { content: "native form".into() } },
            Record::Message { message: user("task") },
            Record::Message { message: Message::Tool { tool_call_id: "a".into(), content: "out a".into() } },
            // Worded as version 1 answered text calls, but said plainly: a plain message.
            Record::Message { message: user("[tool result: read_file] only words") },
            Record::TextResults { content: "results, whatever their wording".into() },
            Record::Prompt { profile: PromptProfile::Compact, tool_format: ToolFormat::Text },
            Record::Message { message: Message::System { content: "text form".into() } },
            Record::Dropped { messages: vec![2, 3, 4, 99] },
        ];
        records.into_iter().for_each(|rec| r.apply(rec));
        let state = PromptState { profile: PromptProfile::Compact, tool_format: ToolFormat::Text };
        assert_eq!(r.prompt, Some(state));
        assert_eq!(r.messages[0].text(), "text form");
        use MessageKind::*;
        assert_eq!(r.kinds, [Said, Said, Dropped, Said, Dropped]);
        assert_eq!(r.messages[2].text(), DROPPED_NOTE);
        assert_eq!(r.messages[3].text(), "[tool result: read_file] only words");
        assert_eq!(r.messages[4].text(), DROPPED_NOTE);
    }

    #[test]
    fn a_version_one_transcript_reads_text_results_from_their_wording() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/transcript_v1.jsonl");
        let r = Resumed::read(&path).unwrap();
        assert_eq!((r.version, r.prompt), (1, None));
        use MessageKind::*;
        assert_eq!(r.kinds, [Said, Said, Said, ToolOutput, Said]);
        assert_eq!(r.task().as_deref(), Some("fix parse_date"));
        assert_eq!((r.steps, r.finished), (2, false));
    }

    #[test]
    fn dangling_tool_calls_get_an_answer_in_place_and_it_is_recorded() {
        let mut r = Resumed {
            messages: vec![
                Message::Assistant { content: String::new(), tool_calls: vec![call("a"), call("b")] },
                Message::Tool { tool_call_id: "a".into(), content: "ok".into() },
                Message::Assistant { content: String::new(), tool_calls: vec![call("c")] },
            ],
            ..Resumed::default()
        };
        let answered = r.answer_dangling_calls();
        assert_eq!(answered.iter().map(|(at, _)| *at).collect::<Vec<_>>(), [2, 4]);
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
        assert!(r.answer_dangling_calls().is_empty());

        // The records put them back where they were, so places recorded later still hold.
        let mut again = Resumed { version: TRANSCRIPT_VERSION, ..Resumed::default() };
        for m in [
            Message::Assistant { content: String::new(), tool_calls: vec![call("a"), call("b")] },
            Message::Tool { tool_call_id: "a".into(), content: "ok".into() },
            Message::Assistant { content: String::new(), tool_calls: vec![call("c")] },
        ] {
            again.apply(Record::Message { message: m });
        }
        for (at, message) in answered {
            again.apply(Record::Answered { at, message });
        }
        assert_eq!(again.messages, r.messages);
        assert!(again.answer_dangling_calls().is_empty());
    }

    #[test]
    fn a_drafted_test_kept_as_the_reproduction_is_read_back_for_the_drafts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let mut t = Transcript::open(&path).unwrap();
        let started =
            Record::AttemptStarted { attempt: 1, keep: 0, from: "base".into(), temperature: None, draft: true };
        let reply = "```python\ndef test_x():\n    assert f() == 1\n```".to_string();
        let drafted =
            |path: &str| Record::Drafted { path: path.into(), lines: None, request: "r".into(), reply: reply.clone() };
        for record in
            [started, drafted("tests/test_repro.py"), Record::Reproduced { commit: "c1".into(), tests: vec![] }]
        {
            t.append(&record, false).unwrap();
        }
        drop(t);
        let r = Resumed::read(&path).unwrap();
        assert!(r.attempts.draft);
        assert_eq!(r.attempts.from.as_deref(), Some("c1"));
        let kept = r.attempts.draft_test.clone().unwrap();
        assert_eq!(kept, ("tests/test_repro.py".to_string(), "def test_x():\n    assert f() == 1".to_string()));
        // A draft of code is no test, whatever follows it.
        let mut t = Transcript::open(&path).unwrap();
        t.append(&drafted("src/f.py"), false).unwrap();
        t.append(&Record::Reproduced { commit: "c2".into(), tests: vec![] }, false).unwrap();
        drop(t);
        assert_eq!(Resumed::read(&path).unwrap().attempts.draft_test, None);
    }
}
