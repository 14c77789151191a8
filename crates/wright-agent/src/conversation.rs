//! The conversation the model sees: messages in order, each appended to the run's
//! transcript as well; tool outputs cut to a budget, and the oldest dropped when the
//! server says the context is full. Every change to an earlier message is a
//! `context_rewritten` event: the server's prompt cache breaks there, and is counted. What
//! a message is to the loop (a tool's output, a dropped one) is kept beside it and
//! recorded, never read back from its wording.

use wright_llm::{Message, ToolCall};

use crate::transcript::{DROPPED_NOTE, MessageKind, Record, Transcript};
use crate::{EventKind, Events};

/// Results of tool calls written as text go back as a user message starting with this.
pub(crate) const TEXT_RESULT_PREFIX: &str = "[tool result:";

pub(crate) struct Conversation {
    messages: Vec<Message>,
    /// What each message is to the loop, beside `messages`.
    kinds: Vec<MessageKind>,
    transcript: Option<Transcript>,
    /// Characters of a tool's output the model sees.
    output_limit: usize,
    /// This turn's answers to calls written as text; they go back as one message.
    text_results: String,
    /// Times earlier messages were changed, over the whole run.
    rewrites: u32,
}

impl Conversation {
    pub fn new(transcript: Option<Transcript>, output_limit: usize) -> Self {
        Conversation {
            messages: Vec::new(),
            kinds: Vec::new(),
            transcript,
            output_limit,
            text_results: String::new(),
            rewrites: 0,
        }
    }

    /// Takes over a resumed run's messages with their kinds (its transcript holds them
    /// already) and the rewrites counted before.
    pub fn restore(&mut self, (messages, kinds): (Vec<Message>, Vec<MessageKind>), rewrites: u32) {
        self.messages = messages;
        self.kinds = kinds;
        self.rewrites = rewrites;
    }

    /// Times earlier messages were changed (each a `context_rewritten` event).
    pub fn rewrites(&self) -> u32 {
        self.rewrites
    }

    fn rewritten(&mut self, why: String, events: &mut Events) {
        self.rewrites += 1;
        events.emit(EventKind::ContextRewritten { why });
    }

    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// Puts `content` in place of the system prompt (the tools changed form, `why`); the
    /// transcript records it, and a resumed run reads it back in place.
    pub fn replace_system(&mut self, content: String, why: &str, events: &mut Events) {
        let message = Message::System { content };
        if self.messages.first() == Some(&message) {
            return;
        }
        self.record(&Record::Message { message: message.clone() }, false, events);
        match self.messages.first_mut() {
            Some(first @ Message::System { .. }) => *first = message,
            _ => {
                self.messages.insert(0, message);
                self.kinds.insert(0, MessageKind::Said);
            }
        }
        self.rewritten(format!("the system prompt was rebuilt: {why}"), events);
    }

    /// How many messages the conversation holds.
    pub fn message_count(&self) -> usize {
        self.messages.len()
    }

    /// Begins a new attempt: `record` (its start) goes to the transcript, durably, and the
    /// conversation goes back to its first `keep` messages. Those stay as they were, so a
    /// server's prompt cache still holds them: no rewrite.
    pub fn restart(&mut self, keep: usize, record: &Record, events: &mut Events) {
        self.record(record, true, events);
        self.messages.truncate(keep);
        self.kinds.truncate(keep);
        self.text_results.clear();
    }

    /// Adds a message to the conversation and to the transcript.
    pub fn remember(&mut self, message: Message, events: &mut Events) {
        self.record(&Record::Message { message: message.clone() }, false, events);
        self.kinds.push(MessageKind::of(&message));
        self.messages.push(message);
    }

    /// Appends to the transcript; `durable` at commit boundaries and at the end.
    pub fn record(&mut self, record: &Record, durable: bool, events: &mut Events) {
        if let Some(t) = &mut self.transcript
            && let Err(e) = t.append(record, durable)
        {
            self.transcript = None;
            events.emit(EventKind::Notice {
                message: format!("cannot write the transcript ({e}); this run cannot be resumed past this point"),
            });
        }
    }

    /// A tool's output as the model gets it: within the output budget.
    pub fn fit(&self, output: &str) -> String {
        truncate(output, self.output_limit)
    }

    /// Answers one call: a tool message, or for a call written as text, a part of the
    /// turn's one answer (sent by [`Conversation::end_turn`]).
    /// A secret a command printed (read from a file the sandbox shows) reaches the model
    /// redacted, as it reaches every event.
    pub fn answer(&mut self, call: &ToolCall, output: &str, as_text: bool, events: &mut Events) {
        let quoted = crate::quote::quote(&call.name, &events.redact(output));
        if as_text {
            self.text_results.push_str(&format!("{TEXT_RESULT_PREFIX} {}]\n{quoted}\n", call.name));
        } else {
            self.remember(Message::Tool { tool_call_id: call.id.clone(), content: quoted }, events);
        }
    }

    /// Ends a turn: `note` is added, and calls written as text get their answers.
    pub fn end_turn(&mut self, note: Option<String>, as_text: bool, events: &mut Events) {
        let mut results = std::mem::take(&mut self.text_results);
        let outputs = !results.is_empty();
        if let Some(note) = note {
            results.push_str(&note);
        }
        if !as_text {
            return;
        }
        if outputs {
            self.record(&Record::TextResults { content: results.clone() }, false, events);
            self.messages.push(Message::User { content: results });
            self.kinds.push(MessageKind::ToolOutput);
        } else {
            self.remember(Message::User { content: results }, events);
        }
    }

    /// Replaces the older half of tool outputs (at least one) with a short note. The
    /// system prompt, the task and the model's own calls (which carry the plan) are never
    /// dropped. Returns how many outputs were dropped.
    pub fn drop_oldest_outputs(&mut self, events: &mut Events) -> usize {
        let dropped = drop_oldest_outputs(&mut self.messages, &mut self.kinds);
        let count = dropped.len();
        if count > 0 {
            // Recorded, so that a resumed run does not bring them back.
            self.record(&Record::Dropped { messages: dropped }, false, events);
            self.rewritten(
                format!("the context window was full: the {count} oldest tool outputs were dropped"),
                events,
            );
        }
        count
    }
}

/// Cuts `text` to about `limit` characters in one pass, in whole lines: the head, the
/// tail, and from the middle the lines that name a failure or a `file:line` (a test
/// run's first failure is often there), saying what was cut. Text of few, very long
/// lines is cut by characters.
pub(crate) fn truncate(text: &str, limit: usize) -> String {
    let count = text.chars().count();
    if count <= limit {
        return text.to_string();
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let len = |line: &&str| line.chars().count();
    let (head_room, tail_room) = (limit * 2 / 5, limit * 2 / 5);
    let mut head = 0;
    let mut used = 0;
    while let Some(line) = lines.get(head).filter(|l| used + len(l) <= head_room) {
        used += len(line);
        head += 1;
    }
    let mut tail = lines.len();
    used = 0;
    while let Some(line) = tail.checked_sub(1).filter(|&t| t > head).and_then(|t| lines.get(t)) {
        if used + len(line) > tail_room {
            break;
        }
        used += len(line);
        tail -= 1;
    }
    let middle = lines.get(head..tail).unwrap_or_default();
    if head == 0 || tail == lines.len() || middle.is_empty() {
        return truncate_chars(text, limit);
    }
    let mut room = limit.saturating_sub(head_room + tail_room);
    let kept: Vec<&str> = middle
        .iter()
        .filter(|l| wright_sandbox::is_salient(l))
        .filter(|l| {
            let fits = len(l) <= room;
            room = room.saturating_sub(if fits { len(l) } else { 0 });
            fits
        })
        .copied()
        .collect();
    let cut_lines = middle.len() - kept.len();
    let cut_chars = middle.iter().map(len).sum::<usize>() - kept.iter().map(len).sum::<usize>();
    let mut out: String = lines.get(..head).unwrap_or_default().concat();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    if kept.is_empty() {
        out.push_str(&format!(
            "[... {cut_lines} lines ({cut_chars} characters) cut to fit the output budget; ask for a narrower window or command ...]\n"
        ));
    } else {
        out.push_str(&format!(
            "[... {cut_lines} lines ({cut_chars} characters) cut to fit the output budget; the {} of them that name a failure or a file:line follow ...]\n",
            kept.len()
        ));
        for line in &kept {
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push('\n');
            }
        }
        out.push_str("[... end of the lines kept from the cut ...]\n");
    }
    out.push_str(&lines.get(tail..).unwrap_or_default().concat());
    out
}

/// Cuts `text` to at most `limit` characters, keeping head and tail, with a note.
fn truncate_chars(text: &str, limit: usize) -> String {
    let count = text.chars().count();
    let head_len = limit * 2 / 3;
    let tail_len = limit - head_len;
    let head: String = text.chars().take(head_len).collect();
    let tail: String = text.chars().skip(count - tail_len).collect();
    format!(
        "{head}\n[... {} characters cut to fit the output budget; ask for a narrower window or command ...]\n{tail}",
        count - head_len - tail_len
    )
}

/// Drops the older half of the outputs not dropped yet; returns their places.
fn drop_oldest_outputs(messages: &mut [Message], kinds: &mut [MessageKind]) -> Vec<usize> {
    let outputs: Vec<usize> =
        kinds.iter().enumerate().filter(|(i, k)| *i > 1 && **k == MessageKind::ToolOutput).map(|(i, _)| i).collect();
    let count = outputs.len().div_ceil(2);
    let dropped: Vec<usize> = outputs.into_iter().take(count).collect();
    for &i in &dropped {
        if let Some(Message::Tool { content, .. } | Message::User { content }) = messages.get_mut(i) {
            *content = DROPPED_NOTE.to_string();
        }
        kinds[i] = MessageKind::Dropped;
    }
    dropped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_both_ends() {
        let text: String = (0..1000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        let out = truncate(&text, 90);
        assert!(out.starts_with(&text[..60]));
        assert!(out.ends_with(&text[970..]));
        assert!(out.contains("910 characters cut"));
        assert_eq!(truncate("short", 90), "short");
    }

    #[test]
    fn a_failure_in_the_middle_survives_the_cut() {
        let mut text = String::new();
        for i in 0..300 {
            text.push_str(&format!("tests/test_{i}.py::test_ok PASSED\n"));
        }
        text.push_str("    def average(values):\n>       return sum(values) / len(values)\n");
        text.push_str("E       ZeroDivisionError: division by zero\n\nstats.py:4: ZeroDivisionError\n");
        for i in 300..600 {
            text.push_str(&format!("tests/test_{i}.py::test_ok PASSED\n"));
        }
        let out = truncate(&text, 4000);
        assert!(out.starts_with("tests/test_0.py::test_ok PASSED\n"));
        assert!(out.ends_with("tests/test_599.py::test_ok PASSED\n"));
        assert!(out.contains("E       ZeroDivisionError: division by zero\n"), "{out}");
        assert!(out.contains("stats.py:4: ZeroDivisionError\n"));
        assert!(out.contains("of them that name a failure or a file:line follow"));
        assert!(out.chars().count() < 4000 + 300, "about the budget: {}", out.chars().count());
        // Nothing salient: only how much was cut.
        let plain: String = (0..600).map(|i| format!("line {i} is fine\n")).collect();
        let out = truncate(&plain, 1000);
        assert!(out.contains("lines (") && out.contains("ask for a narrower window"), "{out}");
        assert!(out.starts_with("line 0 is fine\n") && out.ends_with("line 599 is fine\n"));
    }

    #[test]
    fn oldest_outputs_go_first_and_task_stays() {
        let mut m = vec![
            Message::System { content: "sys".into() },
            Message::User { content: "task".into() },
            Message::Tool { tool_call_id: "1".into(), content: "old".into() },
            Message::Tool { tool_call_id: "2".into(), content: "mid".into() },
            Message::Tool { tool_call_id: "3".into(), content: "new".into() },
        ];
        let mut kinds: Vec<MessageKind> = m.iter().map(MessageKind::of).collect();
        assert_eq!(drop_oldest_outputs(&mut m, &mut kinds), [2, 3]);
        assert_eq!(m[1].text(), "task");
        assert_eq!(m[2].text(), DROPPED_NOTE);
        assert_eq!(m[3].text(), DROPPED_NOTE);
        assert_eq!(m[4].text(), "new");
        assert_eq!(drop_oldest_outputs(&mut m, &mut kinds), [4], "the dropped are not dropped again");
    }

    #[test]
    fn text_calls_are_answered_in_one_message_and_native_ones_each() {
        let mut events = Events::new("r", crate::Redactor::new(Vec::new()));
        let mut c = Conversation::new(None, 10);
        let call = ToolCall { id: "a".into(), name: "read_file".into(), arguments: "{}".into() };
        let long = c.fit("0123456789abcdef");
        assert!(long.contains("characters cut"));
        c.answer(&call, "one", true, &mut events);
        c.answer(&call, "two", true, &mut events);
        assert!(c.messages().is_empty(), "text answers wait for the end of the turn");
        c.end_turn(Some("[note]".into()), true, &mut events);
        c.answer(&call, "three", false, &mut events);
        c.end_turn(None, false, &mut events);
        assert_eq!(c.messages().len(), 2);
        let text = c.messages()[0].text();
        assert!(text.starts_with(TEXT_RESULT_PREFIX) && text.contains("one") && text.contains("two"));
        assert!(text.ends_with("[note]"));
        assert!(matches!(&c.messages()[1], Message::Tool { tool_call_id, .. } if tool_call_id == "a"));
    }

    /// Keeps the events' kinds, for looking at what was emitted.
    struct Kept(std::sync::Arc<std::sync::Mutex<Vec<EventKind>>>);

    impl crate::EventSink for Kept {
        fn event(&mut self, event: &crate::Event) {
            self.0.lock().unwrap().push(event.kind.clone());
        }
    }

    #[test]
    fn every_rewrite_of_earlier_messages_is_an_event_and_counted() {
        let kept = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut events = Events::new("r", crate::Redactor::new(Vec::new()));
        events.add_sink(Box::new(Kept(kept.clone())));
        let mut c = Conversation::new(None, 100);
        c.remember(Message::System { content: "native".into() }, &mut events);
        c.remember(Message::User { content: "task".into() }, &mut events);
        c.remember(Message::Tool { tool_call_id: "1".into(), content: "out".into() }, &mut events);
        c.replace_system("native".into(), "tools offered natively", &mut events);
        assert_eq!(c.rewrites(), 0, "the same prompt again changes nothing");
        c.replace_system("text".into(), "tools listed as text", &mut events);
        assert_eq!(c.drop_oldest_outputs(&mut events), 1);
        assert_eq!(c.drop_oldest_outputs(&mut events), 0, "nothing left to drop: no rewrite");
        assert_eq!(c.rewrites(), 2);
        let whys: Vec<String> = kept
            .lock()
            .unwrap()
            .iter()
            .filter_map(|k| match k {
                EventKind::ContextRewritten { why } => Some(why.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            whys,
            [
                "the system prompt was rebuilt: tools listed as text",
                "the context window was full: the 1 oldest tool outputs were dropped"
            ]
        );
        c.restore((Vec::new(), Vec::new()), 5);
        assert_eq!(c.rewrites(), 5, "a resumed run counts on from the transcript's figure");
    }

    #[test]
    fn a_resumed_run_reads_back_the_conversation_as_it_was_dropped_outputs_included() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("transcript.jsonl");
        let mut events = Events::new("r", crate::Redactor::new(Vec::new()));
        let mut c = Conversation::new(Some(Transcript::open(&path).unwrap()), 100);
        let call = ToolCall { id: "a".into(), name: "read_file".into(), arguments: "{}".into() };
        c.remember(Message::System { content: "sys".into() }, &mut events);
        c.remember(Message::User { content: "task".into() }, &mut events);
        c.answer(&call, "native output", false, &mut events);
        c.answer(&call, "text output", true, &mut events);
        c.end_turn(None, true, &mut events);
        c.end_turn(Some("[a note, no output]".into()), true, &mut events);
        c.answer(&call, "newest output", false, &mut events);
        assert_eq!(c.drop_oldest_outputs(&mut events), 2);
        c.remember(Message::User { content: "after the drop".into() }, &mut events);

        let mut read = crate::Resumed::read(&path).unwrap();
        let (messages, kinds) = read.take_conversation();
        assert_eq!(messages, c.messages(), "the dropped outputs stay dropped");
        assert_eq!(kinds, c.kinds);
        use MessageKind::*;
        assert_eq!(kinds, [Said, Said, Dropped, Dropped, Said, ToolOutput, Said]);
    }
}
