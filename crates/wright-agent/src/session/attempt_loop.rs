//! Attempts, one after another: an attempt that ends without passing evidence while the
//! budgets would carry another is set aside on a branch of its own, and a fresh one
//! starts from the same commit with the same first messages (a server's prompt cache
//! serves them) and a short account of the attempts before it.

use std::time::Duration;

use wright_llm::Message;

use super::{Session, Stop};
use crate::attempts::{DEFAULT_MAX_ATTEMPTS, MIN_SECONDS_LEFT, MIN_STEPS_LEFT, account, deserves_another};
use crate::interrupt::Interrupt;
use crate::reproduce::{self, Reproduction};
use crate::transcript::Record;
use crate::{EventKind, PromptProfile, StopReason};

impl Session {
    /// Runs attempts until one ends with evidence that wants no other, or the budgets
    /// would not carry another; returns how the last one stopped.
    pub(crate) async fn attempts(&mut self, interrupt: &Interrupt) -> Stop {
        loop {
            if self.attempts.between()
                && let Err(why) = self.begin_attempt().await
            {
                return self.no_next_attempt(why);
            }
            let stop = match self.attempts.draft {
                true => self.draft(interrupt).await,
                false => self.turns(interrupt).await,
            };
            if !self.room_for_another(stop.0) {
                return stop;
            }
            let judged = self.judge_attempt(stop, interrupt).await;
            if !deserves_another(judged.stop.0, judged.end.verdict) {
                let stop = judged.stop.clone();
                self.judged = Some(judged);
                return stop;
            }
            let mut end = judged.end;
            let n = end.attempt;
            match self.parts.committer.git(move |w| w.set_aside(n)).await {
                Ok(branch) => end.branch = Some(branch),
                Err(e) => {
                    let message = format!("attempt {n} could not be set aside ({e}); no other attempt follows");
                    self.parts.events.emit(EventKind::Notice { message });
                    let stop = judged.stop.clone();
                    self.judged = Some(super::Judged { end, ..judged });
                    return stop;
                }
            }
            let p = &mut self.parts;
            p.conversation.record(&Record::AttemptFinished { end: end.clone() }, true, &mut p.events);
            self.emit_attempt_finished(&end);
            self.attempts.ended.push(end);
        }
    }

    /// Whether the attempt that stopped so may be followed by another: it stopped by its
    /// own doing (not a budget, an interrupt or a failing model), the cap is not reached,
    /// and the budgets left would carry a fresh attempt.
    fn room_for_another(&self, stop: StopReason) -> bool {
        let own_doing = matches!(
            stop,
            StopReason::Finished | StopReason::RepeatedFailure | StopReason::Looping | StopReason::NoToolCalls
        );
        let p = &self.parts;
        let cap = p.config.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS);
        let spent = (p.steps, &p.usage, self.started.elapsed());
        own_doing
            && self.attempts.current < cap
            && p.config.budgets.room_for(MIN_STEPS_LEFT, Duration::from_secs(MIN_SECONDS_LEFT), spent)
    }

    /// Begins the next attempt. The first keeps the conversation as it stands (the system
    /// prompt, the task, what came before the first turn); a later one puts the task
    /// branch back where attempts start, refreshes the index, and starts the conversation
    /// again from those messages, told what the earlier attempts did.
    async fn begin_attempt(&mut self) -> Result<(), String> {
        let n = self.attempts.current + 1;
        let from = match self.attempts.from.clone() {
            Some(from) => from,
            None => self.parts.committer.git(|w| w.head()).await.map_err(|e| e.to_string())?,
        };
        if n > 1 {
            let at = from.clone();
            self.parts.committer.git(move |w| w.restart_at(&at)).await.map_err(|e| e.to_string())?;
            self.parts.dispatcher.refresh_index().await;
            self.forget_attempt();
        } else {
            self.attempts.keep = self.parts.conversation.message_count();
        }
        let draft = n <= self.draft_attempts();
        let p = &mut self.parts;
        // As the request carries it: 0.8, not the f32's 0.800000011920929.
        let temperature = p.model.sample_attempt(n, p.config.attempt_temperature).map(as_sent);
        let keep = self.attempts.keep;
        let record = Record::AttemptStarted { attempt: n, keep, from: from.clone(), temperature, draft };
        p.conversation.restart(keep, &record, &mut p.events);
        p.events.emit(EventKind::AttemptStarted { attempt: n, from: from.clone(), temperature, draft });
        self.attempts.current = n;
        self.attempts.from = Some(from);
        self.attempts.draft = draft;
        if !draft {
            self.open_turns(n);
        } else if n == 1 && p.tests.command().is_some() && reproduce::wanted(p.baseline.as_ref()) {
            // A draft is a request of its own; the first one reproduces the bug first.
            self.reproduction = Reproduction::Wanted { tries: 0 };
        }
        Ok(())
    }

    /// What attempt `n` with tools says after the shared messages: the account of the
    /// attempts before it, or (the first, when no test fails at the base) the request for a
    /// test that shows the bug.
    fn open_turns(&mut self, n: u32) {
        let p = &mut self.parts;
        if n > 1 {
            let cap = p.config.max_attempts.unwrap_or(DEFAULT_MAX_ATTEMPTS);
            let told = account(&self.attempts.ended, n, cap);
            p.conversation.remember(Message::User { content: told }, &mut p.events);
        } else if let Some(command) = p.tests.command().filter(|_| reproduce::wanted(p.baseline.as_ref())) {
            // After the messages later attempts share: they start from the reproduction.
            let content = reproduce::ask(command);
            p.conversation.remember(Message::User { content }, &mut p.events);
            self.reproduction = Reproduction::Wanted { tries: 0 };
        }
    }

    /// The draft attempt in progress found nothing to draft: it goes on as an attempt with
    /// tools, recorded so (a resumed run goes on with tools too), begun as one would be.
    pub(crate) fn turns_instead_of_draft(&mut self) {
        let n = self.attempts.current;
        let (keep, from) = (self.attempts.keep, self.attempts.from.clone().unwrap_or_default());
        let p = &mut self.parts;
        let temperature = p.model.sample_attempt(n, p.config.attempt_temperature).map(as_sent);
        let record = Record::AttemptStarted { attempt: n, keep, from, temperature, draft: false };
        p.conversation.restart(keep, &record, &mut p.events);
        let message = "nothing to draft (no file ranks for the task, or it is not text); this attempt uses tools";
        p.events.emit(EventKind::Notice { message: message.into() });
        self.attempts.draft = false;
        self.reproduction = Reproduction::Off;
        self.open_turns(n);
    }

    /// How many attempts are drafts before attempts with tools: as configured, else all
    /// of them for a model given the compact prompt and none for one given the full.
    fn draft_attempts(&self) -> u32 {
        let c = &self.parts.config;
        c.draft_attempts.unwrap_or(if c.prompt_profile == PromptProfile::Compact { u32::MAX } else { 0 })
    }

    /// The next attempt could not begin (git failed, `why`): the run ends with the last
    /// attempt that ended, judged as it was.
    fn no_next_attempt(&mut self, why: String) -> Stop {
        let message = format!("no further attempt could begin: {why}");
        self.parts.events.emit(EventKind::Notice { message: message.clone() });
        match self.attempts.ended.pop() {
            Some(end) => {
                let stop = (end.stop_reason, end.detail.clone());
                self.attempts.current = end.attempt;
                self.judged = Some(super::Judged { stop: stop.clone(), end, tests_changed: None });
                stop
            }
            None => (StopReason::NoToolCalls, message),
        }
    }
}

/// A temperature as the wire sends it: its shortest decimal.
fn as_sent(t: f32) -> f64 {
    t.to_string().parse().unwrap_or(f64::from(t))
}
