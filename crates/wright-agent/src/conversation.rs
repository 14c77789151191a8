//! The conversation the model sees: messages in order, each appended to the run's
//! transcript as well; tool outputs cut to a budget, and compacted (see `compaction`)
//! as the window fills. Every change to an earlier message is an event
//! (`context_rewritten`, `context_compacted`): the server's prompt cache breaks there, and
//! is counted. What a message is to the loop (a tool's output, a stubbed one) is kept
//! beside it and recorded, never read back from its wording.

use wright_llm::{Message, ToolCall};

use crate::transcript::{MessageKind, Record, Summarized, TEXT_RESULT_PREFIX, Transcript};
use crate::{EventKind, Events};

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

    /// Times earlier messages were changed (each a `context_rewritten` or
    /// `context_compacted` event).
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
        crate::output_cut::truncate(output, self.output_limit)
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

    /// What each message is to the loop.
    pub fn kinds(&self) -> &[MessageKind] {
        &self.kinds
    }

    /// Compacts the conversation: `stubbed` messages take their places, then `summarized`
    /// stands in for its turns. Recorded durably (a resumed run sees what the model last
    /// saw), counted as a rewrite, and told as a `context_compacted` event with the
    /// `tokens` before and after.
    pub fn compact(
        &mut self,
        stubbed: Vec<(usize, Message)>,
        summarized: Option<Summarized>,
        tokens: (u64, u64),
        events: &mut Events,
    ) {
        let turns = summarized.as_ref().map_or(0, |s| crate::compaction::turns_in(&self.messages, s.from, s.to));
        crate::compaction::apply(&mut self.messages, &mut self.kinds, &stubbed, summarized.as_ref());
        let stubs = stubbed.len();
        self.record(&Record::Compacted { stubbed, summarized }, true, events);
        self.rewrites += 1;
        events.emit(EventKind::ContextCompacted {
            before_tokens: tokens.0,
            after_tokens: tokens.1,
            stubbed: stubs,
            summarized_turns: turns,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let stub = Message::Tool { tool_call_id: "1".into(), content: "stub".into() };
        c.compact(vec![(2, stub)], None, (900, 300), &mut events);
        assert_eq!(c.rewrites(), 2);
        assert_eq!(c.kinds()[2], MessageKind::Dropped);
        let kinds = kept.lock().unwrap().clone();
        let whys: Vec<&String> = kinds
            .iter()
            .filter_map(|k| match k {
                EventKind::ContextRewritten { why } => Some(why),
                _ => None,
            })
            .collect();
        assert_eq!(whys, ["the system prompt was rebuilt: tools listed as text"]);
        let compacted =
            EventKind::ContextCompacted { before_tokens: 900, after_tokens: 300, stubbed: 1, summarized_turns: 0 };
        assert!(kinds.contains(&compacted), "{kinds:?}");
        c.restore((Vec::new(), Vec::new()), 5);
        assert_eq!(c.rewrites(), 5, "a resumed run counts on from the transcript's figure");
    }

    #[test]
    fn a_resumed_run_reads_back_the_conversation_as_it_was_compactions_included() {
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
        let stubbed = vec![
            (2, Message::Tool { tool_call_id: "a".into(), content: "stub".into() }),
            (3, Message::User { content: "[tool result: read_file]\nstub".into() }),
        ];
        c.compact(stubbed, None, (0, 0), &mut events);
        c.remember(Message::Assistant { content: "next".into(), tool_calls: Vec::new() }, &mut events);
        let summary = crate::compaction::summary_message("what was learned", 1);
        c.compact(Vec::new(), Some(Summarized { from: 2, to: 5, message: summary }), (0, 0), &mut events);
        c.remember(Message::User { content: "after the compaction".into() }, &mut events);

        let mut read = crate::Resumed::read(&path).unwrap();
        let (messages, kinds) = read.take_conversation();
        assert_eq!(messages, c.messages(), "what the model saw last, exactly");
        assert_eq!(kinds, c.kinds);
        use MessageKind::*;
        assert_eq!(kinds, [Said, Said, Summary, ToolOutput, Said, Said]);
        assert!(messages[2].text().contains("what was learned"));
    }
}
