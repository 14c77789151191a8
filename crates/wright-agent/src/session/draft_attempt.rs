//! A draft attempt: one request of its own for the code the index ranks first for the
//! task, told how the attempt before went; the code in the reply is applied as an edit
//! (the same guard and checks as any) and committed, and the attempt ends for the tests
//! to judge. With nothing to draft, the attempt goes on as turns with tools.

use wright_llm::Message;

use super::{Session, Stop};
use crate::dispatch::{Dispatched, Effect};
use crate::draft::{self, Target, Unusable};
use crate::interrupt::Interrupt;
use crate::model::Asked;
use crate::transcript::Record;
use crate::{EventKind, StopReason};

/// Characters of a file drafted whole, per reply token allowed (code runs ~3.5 per token;
/// the reply needs room to spare).
const WHOLE_CHARS_PER_TOKEN: usize = 2;
/// Requests one draft attempt makes while the replies hold no change to apply.
const DRAFT_REQUESTS: u32 = 3;
/// The reply tokens a file drafted whole is sized against when the run sets no cap.
const UNCAPPED_TOKENS: usize = 3000;

impl Session {
    pub(crate) async fn draft(&mut self, interrupt: &Interrupt) -> Stop {
        if interrupt.is_set() {
            return (StopReason::Interrupted, "interrupted; stopped after the last complete step".into());
        }
        let p = &mut self.parts;
        // A resumed draft is done again from where attempts start.
        if let Some(from) = self.attempts.from.clone()
            && p.committer.git(|w| w.head()).await.is_ok_and(|head| head != from)
        {
            if let Err(e) = p.committer.git(move |w| w.restart_at(&from)).await {
                return (StopReason::NoToolCalls, format!("the draft could not start afresh: {e}"));
            }
            p.dispatcher.refresh_index().await;
        }
        let cap = p.model.max_tokens().map_or(UNCAPPED_TOKENS, |t| t as usize);
        let task = p.config.task.clone();
        let Some((target, text)) = self.draft_target(&task, cap * WHOLE_CHARS_PER_TOKEN).await else {
            self.turns_instead_of_draft();
            return self.turns(interrupt).await;
        };
        let old = draft::excerpt(&text, target.lines);
        if let Some(stop) = self.draft_reproduction(&target, &old, interrupt).await {
            return stop;
        }
        // Test output reaches the model as it reaches every event: redacted.
        let feedback = self.attempts.ended.last().map(draft::feedback).map(|mut f| {
            f.output = f.output.map(|o| self.parts.events.redact(&o));
            f
        });
        let mut again = None;
        for asked in 1..=DRAFT_REQUESTS {
            let p = &mut self.parts;
            if let Some(spent) = p.config.budgets.exceeded(p.steps, &p.usage, self.started.elapsed()) {
                return spent;
            }
            if asked > 1 {
                // Asked again within the attempt: hotter, so the same reply is not drawn.
                let n = self.attempts.current;
                p.model.sample_attempt(n.saturating_add(asked - 1), p.config.attempt_temperature);
            }
            let code = match self.ask_draft(&task, &target, &old, feedback.clone(), again, interrupt).await {
                Ok(code) => code,
                Err(stop) => return stop,
            };
            match code {
                Err(unusable) => again = Some(unusable),
                Ok(code) => return self.apply_draft(&target, &old, &code, interrupt).await,
            }
        }
        let what = again.map_or("was no draft", |a| a.what());
        (StopReason::Finished, format!("the draft's last reply {what}"))
    }

    /// One draft request and its code: `Err` when the run must stop, `Ok(Err)` when the
    /// reply is no draft to apply.
    async fn ask_draft(
        &mut self,
        task: &str,
        target: &Target,
        old: &str,
        feedback: Option<draft::Feedback>,
        again: Option<Unusable>,
        interrupt: &Interrupt,
    ) -> Result<Result<String, Unusable>, Stop> {
        let test = self.attempts.draft_test.as_ref().map(|(path, text)| (path.as_str(), text.as_str()));
        let messages = draft::request(task, target, old, test, feedback, again);
        let max = draft::reply_tokens(old, self.parts.model.max_tokens());
        let reply = self.ask_alone(&messages, max, target, interrupt).await?;
        Ok(match draft::code_block(&reply) {
            None => Err(Unusable::NoCode),
            Some(code) if code.trim().is_empty() => Err(Unusable::NoCode),
            Some(code) if code.trim_end() == old.trim_end() => Err(Unusable::Unchanged),
            Some(code) => Ok(code),
        })
    }

    /// One request of its own (a step, with no tools) for the code at `about`, recorded
    /// with its reply; the reply's text, or the stop when the run must end.
    pub(crate) async fn ask_alone(
        &mut self,
        messages: &[Message],
        max_tokens: u32,
        about: &Target,
        interrupt: &Interrupt,
    ) -> Result<String, Stop> {
        let p = &mut self.parts;
        p.steps += 1;
        self.record_spent(false);
        let clock = self.clock();
        let p = &mut self.parts;
        let reply = match p.model.draft(messages, max_tokens, &mut p.events, interrupt, clock).await {
            Asked::Reply(reply) => reply,
            Asked::Stopped(reason, detail) => return Err((reason, detail)),
        };
        p.usage += reply.usage;
        let (text, usage) = (reply.content.clone(), reply.usage);
        p.events.emit(EventKind::ModelMessage { text, tool_calls: 0, usage, format: "draft".into() });
        let request = messages.last().map(Message::text).unwrap_or_default().to_string();
        let (path, lines) = (about.path.clone(), about.lines);
        let drafted = Record::Drafted { path, lines, request, reply: reply.content.clone() };
        p.conversation.record(&drafted, false, &mut p.events);
        self.record_spent(false);
        Ok(reply.content)
    }

    /// Where the draft looks, and the file's text there.
    async fn draft_target(&self, task: &str, whole_chars: usize) -> Option<(Target, String)> {
        let dispatcher = &self.parts.dispatcher;
        let target = dispatcher.draft_target(task, whole_chars).await?;
        let text = dispatcher.text_of(&target.path).await?;
        Some((target, text))
    }

    /// Applies `code` in place of `old` as an edit the model could have made, and commits it.
    async fn apply_draft(&mut self, target: &Target, old: &str, code: &str, interrupt: &Interrupt) -> Stop {
        let new = code.trim_end_matches('\n');
        let Some(call) = self.parts.dispatcher.replacement(self.attempts.current, &target.path, old, new) else {
            return (StopReason::Finished, "the draft could not be applied: no tool replaces text".into());
        };
        self.announce(&call);
        let Dispatched { ok, mut output, effect } = self.parts.dispatcher.dispatch(&call).await;
        if let Effect::Change(summary) = effect {
            self.commit(&summary, &mut output, interrupt).await;
        }
        let p = &mut self.parts;
        let (id, name) = (call.id.clone(), call.name.clone());
        p.events.emit(EventKind::ToolResult { id, name, ok, output: output.clone() });
        if !ok {
            let why = output.lines().next().unwrap_or("the edit failed").to_string();
            return (StopReason::Finished, format!("the draft could not be applied: {why}"));
        }
        (StopReason::Finished, format!("wright applied the model's draft of {}", target.path))
    }
}
