//! One run, top to bottom: the tests at the base, then turns — ask the model, dispatch
//! its calls, commit each change, check the budgets, keep the context — and at the end
//! the final tests and the verdict from the evidence.

use std::time::{Duration, Instant};

use tokio::sync::watch;
use wright_llm::{Message, ToolCall};

use crate::attempts::AttemptState;
use crate::committing::CommitRequest;
use crate::dispatch::{Dispatched, Effect};
use crate::finish_review::{Weighed, weigh};
use crate::interrupt::Interrupt;
use crate::model::Calls;
use crate::parts::Parts;
use crate::plan::FinishArgs;
use crate::prompt::ToolFormat;
use crate::repeats::RepeatGuard;
use crate::reproduce::Reproduction;
use crate::test_runs::{allowed, hang_note};
use crate::transcript::Record;
use crate::{EventKind, PlanStep, Progress, RunReport, StepStatus, StopReason, TestPhase};

mod attempt_loop;
mod conclude;
mod context;
mod draft_attempt;
mod draft_reproduction;
mod reproduction;

pub(crate) use conclude::Judged;

/// Replies without a tool call in a row before the run stops.
const MAX_IDLE_TURNS: u32 = 3;

/// Why the run stops, and the sentence that says so.
pub(crate) type Stop = (StopReason, String);

pub struct Session {
    parts: Parts,
    /// When the run's clock started (earlier than now for a resumed run).
    started: Instant,
    repeats: RepeatGuard,
    finish: Option<FinishArgs>,
    /// Whether a `finish` was weighed already (only the first is).
    finish_reviewed: bool,
    /// The tests a finish was let through on; the final run, as nothing changed since.
    reviewed_run: Option<wright_testing::TestRun>,
    /// Where the run stands in its attempts.
    pub(crate) attempts: AttemptState,
    /// The attempt in progress, judged already: the last attempt, ended with evidence
    /// that wants no other.
    pub(crate) judged: Option<Judged>,
    /// Whether the first attempt is still to show the bug with a test.
    pub(crate) reproduction: Reproduction,
}

impl Session {
    pub(crate) fn new(parts: Parts) -> Self {
        Session {
            parts,
            started: Instant::now(),
            repeats: RepeatGuard::default(),
            finish: None,
            finish_reviewed: false,
            reviewed_run: None,
            attempts: AttemptState::default(),
            judged: None,
            reproduction: Reproduction::Off,
        }
    }

    /// Forgets what the attempt that ended knew of its own turns.
    pub(crate) fn forget_attempt(&mut self) {
        self.repeats = RepeatGuard::default();
        self.finish = None;
        self.finish_reviewed = false;
        self.reviewed_run = None;
        self.parts.plan.clear();
    }

    /// Runs until the model finishes, a budget is spent, or `interrupt` turns true.
    pub async fn run(mut self, interrupt: watch::Receiver<bool>) -> RunReport {
        let interrupt = Interrupt::new(interrupt);
        interrupt.cancels(self.parts.dispatcher.cancel());
        // A resumed run's clock starts where the earlier process left it.
        self.started = Instant::now().checked_sub(self.parts.spent_before).unwrap_or_else(Instant::now);
        self.parts.spent_before = Duration::ZERO;
        // Every command and test run of the run is cut at the user's --timeout.
        if let Some(at) = self.parts.config.budgets.timeout.and_then(|t| self.started.checked_add(t)) {
            self.parts.config.run_limits.deadline.set(at);
        }
        let stop = match self.baseline(&interrupt).await {
            Some(stop) => stop,
            None => self.attempts(&interrupt).await,
        };
        self.conclude(stop, &interrupt).await
    }

    pub(crate) async fn turns(&mut self, interrupt: &Interrupt) -> Stop {
        let mut idle = 0;
        loop {
            if interrupt.is_set() {
                return (StopReason::Interrupted, "interrupted; stopped after the last complete step".into());
            }
            let p = &mut self.parts;
            if let Some(spent) = p.config.budgets.exceeded(p.steps, &p.usage, self.started.elapsed()) {
                return spent;
            }
            p.steps += 1;
            // A step counts once it is asked for, even if the run dies waiting for the answer.
            self.record_spent(false);
            let reply = match self.ask(interrupt).await {
                Ok(reply) => reply,
                Err(stop) => return stop,
            };
            let p = &mut self.parts;
            let Calls { mut calls, as_text, problem } = p.model.calls_of(&reply, p.steps);
            let (text, usage, format) = (reply.content.clone(), reply.usage, p.model.format().as_str().into());
            p.events.emit(EventKind::ModelMessage { text, tool_calls: calls.len(), usage, format });
            let cut = reply.finish_reason.as_deref() == Some("length");
            if calls.is_empty() {
                idle += 1;
                let said = Message::Assistant { content: reply.content, tool_calls: Vec::new() };
                p.conversation.remember(said, &mut p.events);
                if idle >= MAX_IDLE_TURNS {
                    let detail = format!("the model answered {MAX_IDLE_TURNS} times without calling a tool");
                    return (StopReason::NoToolCalls, detail);
                }
                let why = "the model answered without a tool call";
                let switched = p.model.follow(ToolFormat::Text, why, &mut p.conversation, &mut p.events);
                let nudge = Message::User { content: p.model.nudge(switched, cut, problem.as_deref()) };
                p.conversation.remember(nudge, &mut p.events);
                continue;
            }
            idle = 0;
            let (to, why) = match as_text {
                true => (ToolFormat::Text, "the model writes its tool calls as text"),
                false => (ToolFormat::Native, "the model calls tools natively"),
            };
            p.model.follow(to, why, &mut p.conversation, &mut p.events);
            // Small models list every tool as a "call"; run the first, as the prompt asks.
            let skipped = if p.model.format() == ToolFormat::Text { calls.len().saturating_sub(1) } else { 0 };
            calls.truncate(calls.len() - skipped);
            let native = if as_text { Vec::new() } else { calls.clone() };
            p.conversation.remember(Message::Assistant { content: reply.content, tool_calls: native }, &mut p.events);
            if let Some(stop) = self.run_calls(&calls, as_text, skipped, interrupt).await {
                return stop;
            }
            self.restate_plan();
        }
    }

    /// Runs one reply's calls and answers each. Several read-only calls run side by side;
    /// otherwise in order, stopping early at `finish`, a repeat or the interrupt.
    async fn run_calls(
        &mut self,
        calls: &[ToolCall],
        as_text: bool,
        skipped: usize,
        interrupt: &Interrupt,
    ) -> Option<Stop> {
        let mut stop = None;
        if calls.len() > 1 && self.parts.dispatcher.all_read_only(calls) {
            calls.iter().for_each(|c| self.announce(c));
            let answers = self.parts.dispatcher.dispatch_read_only(calls).await;
            for (call, done) in calls.iter().zip(answers) {
                let answered = self.answer(call, done, as_text, interrupt).await;
                stop = stop.or(answered);
            }
        } else {
            for (i, call) in calls.iter().enumerate() {
                // A slow call may spend the time (or tokens) the next one would need.
                if i > 0
                    && let Some(spent) = self.spent_mid_reply()
                {
                    self.not_run(&calls[i..], &spent.1, as_text);
                    stop = Some(spent);
                    break;
                }
                self.announce(call);
                let done = self.parts.dispatcher.dispatch(call).await;
                stop = self.answer(call, done, as_text, interrupt).await;
                if stop.is_some() || interrupt.is_set() {
                    break;
                }
            }
        }
        let note = (skipped > 0).then(|| format!(
            "[only the first tool call was run; {skipped} more were ignored. Send one call per reply and wait for its result.]\n"
        ));
        let p = &mut self.parts;
        p.conversation.end_turn(note, as_text, &mut p.events);
        stop
    }

    /// A budget other than the step count spent between two calls of one reply.
    fn spent_mid_reply(&self) -> Option<Stop> {
        let p = &self.parts;
        p.config.budgets.exceeded(0, &p.usage, self.started.elapsed())
    }

    /// Answers calls that were not run because a budget ran out, so the conversation (and
    /// a resumed run) holds an answer for each.
    fn not_run(&mut self, calls: &[ToolCall], why: &str, as_text: bool) {
        let p = &mut self.parts;
        for call in calls {
            let output = format!("not run: the run's budget is spent ({why})");
            let (id, name) = (call.id.clone(), call.name.clone());
            p.events.emit(EventKind::ToolResult { id, name, ok: false, output: output.clone() });
            p.conversation.answer(call, &output, as_text, &mut p.events);
        }
    }

    fn announce(&mut self, call: &ToolCall) {
        let (id, name, arguments) = (call.id.clone(), call.name.clone(), call.arguments.clone());
        self.parts.events.progress(Progress::ToolRunning(name.clone()));
        self.parts.events.emit(EventKind::ToolCall { id, name, arguments });
    }

    /// Acts on one call's effect and answers it; says why the run must stop, if it must.
    async fn answer(
        &mut self,
        call: &ToolCall,
        done: Dispatched,
        as_text: bool,
        interrupt: &Interrupt,
    ) -> Option<Stop> {
        let Dispatched { ok, mut output, effect } = done;
        let (mut committed, mut finished) = (false, None);
        match effect {
            Effect::None => {}
            Effect::Plan(steps) => self.set_plan(steps),
            Effect::Change(summary) => committed = self.commit(&summary, &mut output, interrupt).await,
            Effect::Finish(f) => match weigh(&mut self.parts, f.outcome, &mut self.finish_reviewed, interrupt).await {
                Weighed::Object(why) => output = why,
                Weighed::Accept(run) => {
                    let outcome = f.outcome.map_or("no outcome given", |o| o.as_str());
                    finished = Some((StopReason::Finished, format!("the model finished: {outcome}")));
                    self.finish = Some(f);
                    self.reviewed_run = run;
                }
            },
        }
        let p = &mut self.parts;
        let mut output = p.conversation.fit(&output);
        let edit = p.dispatcher.is_edit(call);
        let stop = self.repeats.review(call, ok, committed, edit, &mut output).or(finished);
        let (id, name) = (call.id.clone(), call.name.clone());
        p.events.emit(EventKind::ToolResult { id, name, ok, output: output.clone() });
        p.conversation.answer(call, &output, as_text, &mut p.events);
        stop
    }

    fn set_plan(&mut self, steps: Vec<PlanStep>) {
        let p = &mut self.parts;
        p.context.plan_seen();
        p.plan = steps.clone();
        p.conversation.record(&Record::Plan { steps: steps.clone() }, false, &mut p.events);
        p.events.emit(EventKind::PlanUpdated { steps });
    }

    /// Commits what a tool changed, labelled with the plan step it served; what the model
    /// should know about it goes into `output`. True when a commit was made.
    async fn commit(&mut self, summary: &str, output: &mut String, interrupt: &Interrupt) -> bool {
        let p = &mut self.parts;
        let step = p.plan.iter().find(|s| s.status == StepStatus::InProgress).map(|s| s.step.replace('\n', " "));
        let elapsed = self.started.elapsed();
        // The message's tokens count against the run's budgets like any other request's.
        let ask_for = match p.config.budgets.exceeded(0, &p.usage, elapsed) {
            Some((_, why)) => Err(why),
            None => Ok(p.config.budgets.timeout.map_or(Duration::MAX, |t| t.saturating_sub(elapsed))),
        };
        let request = CommitRequest { summary, step: step.as_deref(), ask_for };
        let done = match p.committer.commit(request, &mut p.events, interrupt).await {
            Ok(done) => done,
            Err(e) => {
                output.push_str(&format!("\n[warning: the change could not be committed: {e}]"));
                return false;
            }
        };
        p.usage += done.usage;
        for note in done.notes {
            output.push_str(&format!("\n[wright: {note}]"));
        }
        if let Some(e) = done.failed {
            output.push_str(&format!("\n[warning: the change could not be committed: {e}]"));
        }
        if done.committed {
            // A commit boundary: what led to it is written before the run goes on (and
            // synced on a blocking thread).
            let plan = Record::Plan { steps: p.plan.clone() };
            p.conversation.record(&plan, true, &mut p.events);
            self.check_reproduction(output, interrupt).await;
        }
        self.record_spent(false);
        done.committed
    }

    /// When the run's clock ends, and its length (a timeout too large for the clock is no
    /// deadline).
    pub(crate) fn clock(&self) -> Option<(Instant, Duration)> {
        self.parts.config.budgets.timeout.and_then(|t| Some((self.started.checked_add(t)?, t)))
    }

    /// Records the budgets spent so far.
    fn record_spent(&mut self, durable: bool) {
        let p = &mut self.parts;
        let seconds = (p.spent_before + self.started.elapsed()).as_secs_f64();
        let spent = Record::Spent { steps: p.steps, usage: p.usage, seconds, rewrites: p.conversation.rewrites() };
        p.conversation.record(&spent, durable, &mut p.events);
    }

    /// The tests at the base, unless a resumed run has them or the user said
    /// `--no-baseline`. A stop when interrupted.
    async fn baseline(&mut self, interrupt: &Interrupt) -> Option<Stop> {
        let p = &mut self.parts;
        if p.baseline.is_some() || p.config.no_baseline {
            return None;
        }
        // At most a quarter of what is left: the model must have time to work.
        let timeout = allowed(p.config.baseline_timeout, &p.config.run_limits.deadline, 4);
        let shown = p.tests.shown(TestPhase::Baseline, timeout, interrupt, &mut p.events).await;
        // Before the first turn no tool call is open (a resumed run's are answered): the
        // note may be a message of its own.
        if let Some(note) = p.switch_note() {
            p.conversation.remember(Message::User { content: note }, &mut p.events);
        }
        match shown {
            Ok(run) => {
                if let Some(run) = &run {
                    p.conversation.record(&Record::Baseline { run: run.clone() }, true, &mut p.events);
                    if run.timed_out {
                        let note = hang_note(run, timeout);
                        p.conversation.remember(Message::User { content: note }, &mut p.events);
                    }
                }
                p.baseline = run;
                None
            }
            Err(_) => Some((StopReason::Interrupted, "interrupted while the tests ran at the base".into())),
        }
    }
}
