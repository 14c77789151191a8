//! Keeps the conversation within the model's window. Before each request, when the
//! conversation passes `compact_at` of the window (or the server refused the last one),
//! old outputs and calls become stubs and, if that is not enough, a summary replaces the
//! oldest turns; the plan is restated after a compaction and every few turns. A
//! compaction aims at half the room the turns may fill, so the next one is far off (each
//! breaks the server's prompt cache). Three failed compactions in a row end the run.

use std::time::{Duration, Instant};

use wright_llm::{LlmClient, Message, Sampling, Usage};

use crate::compaction::{first_turn, plan_note, recent_start, stubs, summary_message, summary_request, turns_in};
use crate::conversation::Conversation;
use crate::interrupt::Interrupt;
use crate::model::{Asked, race};
use crate::tokens::{Gauge, Size};
use crate::transcript::{MessageKind, Summarized};
use crate::{EventKind, Events, PlanStep, StopReason};

/// Failed compactions in a row that end the run.
const MAX_FAILURES: u32 = 3;
/// The longest summary, in tokens: at least, and at most.
const SUMMARY_TOKENS: (u64, u64) = (256, 500);
/// Characters of earlier turns a summary request carries when the window is unknown.
const UNKNOWN_WINDOW_BUDGET: usize = 32_000;

/// How the conversation is kept within the model's window. Its default is empty, not a
/// policy: the caller's settings hold the defaults.
#[derive(Debug, Clone, Default)]
pub struct ContextPolicy {
    /// The model's window in tokens; `None`: unknown, so the conversation is compacted
    /// only when the server refuses a request.
    pub window: Option<u64>,
    /// The share of the window at which the conversation is compacted.
    pub compact_at: f64,
    /// The model that writes summaries (`None`: the run's).
    pub compact_model: Option<String>,
    /// The latest turns kept whole (fewer when they alone fill the window; never none).
    pub keep_turns: usize,
    /// The plan is restated after this many turns that did not show it (0: only after a
    /// compaction).
    pub plan_every: u32,
}

/// What a run shares with the keeper for one compaction.
pub(crate) struct Work<'a> {
    pub conversation: &'a mut Conversation,
    pub events: &'a mut Events,
    pub interrupt: &'a Interrupt,
    /// When the run's clock ends, and its length.
    pub clock: Option<(Instant, Duration)>,
    pub plan: &'a [PlanStep],
    pub task: &'a str,
    /// Where the attempt's own messages begin: what comes before its first turn (the
    /// system prompt, the task, wright's notes for the attempt) is never compacted.
    pub fixed: usize,
    /// Bytes sent beside the messages (the tools' schemas).
    pub extra: usize,
}

pub(crate) struct ContextKeeper {
    policy: ContextPolicy,
    gauge: Gauge,
    /// The client summaries are asked of; `None`: the conversation is only stubbed.
    summarizer: Option<LlmClient>,
    failures: u32,
    /// Turns since the model last saw its plan.
    since_plan: u32,
}

impl ContextKeeper {
    pub fn new(policy: ContextPolicy, mut summarizer: Option<LlmClient>) -> Self {
        // A summary is short: a sixteenth of the window, within bounds.
        let longest = policy.window.map_or(SUMMARY_TOKENS.1, |w| w / 16).clamp(SUMMARY_TOKENS.0, SUMMARY_TOKENS.1);
        if let Some(llm) = &mut summarizer {
            let sampling = Sampling { max_tokens: Some(longest as u32), ..llm.sampling() };
            llm.set_sampling(sampling);
        }
        ContextKeeper { policy, gauge: Gauge::default(), summarizer, failures: 0, since_plan: 0 }
    }

    /// Learns from a reply's usage how the server counts (`sent`: the request's size).
    pub fn observe(&mut self, sent: Size, usage: &Usage) {
        self.gauge.observe(sent, usage);
    }

    /// The model set or saw its plan.
    pub fn plan_seen(&mut self) {
        self.since_plan = 0;
    }

    /// After a turn: the plan, restated, when the model has not seen it for long enough.
    pub fn plan_due(&mut self, plan: &[PlanStep]) -> Option<String> {
        self.since_plan += 1;
        if self.policy.plan_every == 0 || self.since_plan < self.policy.plan_every {
            return None;
        }
        let note = plan_note(plan)?;
        self.since_plan = 0;
        Some(note)
    }

    /// Before a request: compacts the conversation when it passes the threshold, or
    /// whatever its size when `forced` (the server refused it). Returns the tokens the
    /// summary request used and, when the run must end, why.
    pub async fn keep(&mut self, work: Work<'_>, forced: bool) -> (Usage, Option<(StopReason, String)>) {
        let messages = work.conversation.messages();
        let before = self.gauge.tokens(Size::of(messages, work.extra));
        let threshold = self.policy.window.map(|w| (w as f64 * self.policy.compact_at) as u64);
        if !forced && threshold.is_none_or(|t| before <= t) {
            return (Usage::default(), None);
        }
        // Before the attempt's first turn: the system prompt, the task and wright's notes.
        let fixed = first_turn(messages, work.conversation.kinds(), work.fixed);
        let base = self.gauge.tokens(Size::of(messages.get(..fixed).unwrap_or_default(), work.extra));
        // Half the room the turns may fill (half their size now, when the window is unknown).
        let room = threshold.unwrap_or(before).min(before).saturating_sub(base);
        let target = base + room / 2;
        let most = self.policy.keep_turns.clamp(1, turns_in(messages, fixed, messages.len()).max(1));
        let (mut stubbed, mut after) = self.stub(work.conversation, (fixed, most), target, work.extra);
        let mut usage = Usage::default();
        let mut summarized = None;
        let mut failed = None;
        let to = self.summary_end(work.conversation, (fixed, most), target, work.extra);
        let turns = turns_in(work.conversation.messages(), fixed, to);
        if after > target && turns > 0 {
            match self.summarize(&work, (fixed, to)).await {
                Ok((summary, used)) => {
                    usage += used;
                    let message = summary_message(&summary, turns);
                    let kept = Summarized { from: fixed, to, message };
                    stubbed.clear();
                    after = self.after(work.conversation, &[], Some(&kept), work.extra);
                    summarized = Some(kept);
                }
                Err(Unsummarized { used, why, stop }) => {
                    usage += used;
                    if stop.is_some() {
                        return (usage, stop);
                    }
                    failed = Some(why);
                }
            }
        }
        let compacted = !stubbed.is_empty() || summarized.is_some();
        if compacted {
            work.conversation.compact(stubbed, summarized, (before, after), work.events);
            if let Some(note) = plan_note(work.plan) {
                work.conversation.remember(Message::User { content: note }, work.events);
                self.since_plan = 0;
            }
        }
        // Compacted, yet still over: the next turn would compact again, in vain.
        let over = compacted && threshold.is_some_and(|t| after > t);
        let failed = failed
            .or_else(|| (forced && !compacted).then(|| "nothing was left to compact".to_string()))
            .or_else(|| over.then(|| format!("{after} tokens are still over the threshold")));
        let Some(why) = failed else {
            self.failures = 0;
            return (usage, None);
        };
        self.failures += 1;
        let failures = self.failures;
        if failures >= MAX_FAILURES || (forced && !compacted) {
            let detail = format!(
                "the conversation no longer fits the model's context window: {failures} compaction(s) in a row failed, the last because {why}"
            );
            return (usage, Some((StopReason::ContextLength, detail)));
        }
        let message = format!("could not compact the conversation ({why}); {failures} of {MAX_FAILURES} tries failed");
        work.events.emit(EventKind::Notice { message });
        (usage, None)
    }

    /// The stubs that bring the conversation to `target`, keeping as many of the latest
    /// turns whole as the policy asks (`most`; fewer if those alone are too large, never
    /// none): the stubs and the tokens after.
    fn stub(
        &self,
        c: &Conversation,
        (fixed, most): (usize, usize),
        target: u64,
        extra: usize,
    ) -> (Vec<(usize, Message)>, u64) {
        let mut last = (Vec::new(), u64::MAX);
        for keep in (1..=most).rev() {
            let to = recent_start(c.messages(), fixed, keep);
            let stubbed = stubs(c.messages(), c.kinds(), fixed, to);
            let after = self.after(c, &stubbed, None, extra);
            if after <= target {
                return (stubbed, after);
            }
            last = (stubbed, after);
        }
        last
    }

    /// Where the turns a summary leaves whole begin: as many of the latest as fit beside
    /// the longest summary within `target` (`most` at most, one at least).
    fn summary_end(&self, c: &Conversation, (fixed, most): (usize, usize), target: u64, extra: usize) -> usize {
        let messages = c.messages();
        let kept_from = |keep| recent_start(messages, fixed, keep);
        let fits = |to: usize| {
            let mut size = Size::of(messages.get(..fixed).unwrap_or_default(), extra);
            size.add(Size::of(messages.get(to..).unwrap_or_default(), 0));
            self.gauge.tokens(size) + SUMMARY_TOKENS.1 <= target
        };
        (2..=most).rev().map(kept_from).find(|&to| fits(to)).unwrap_or_else(|| kept_from(1))
    }

    /// The tokens the conversation would hold compacted so.
    fn after(
        &self,
        c: &Conversation,
        stubbed: &[(usize, Message)],
        summarized: Option<&Summarized>,
        extra: usize,
    ) -> u64 {
        let (mut messages, mut kinds): (Vec<Message>, Vec<MessageKind>) = (c.messages().to_vec(), c.kinds().to_vec());
        crate::compaction::apply(&mut messages, &mut kinds, stubbed, summarized);
        self.gauge.tokens(Size::of(&messages, extra))
    }

    /// A summary of the turns in `from..to`, in a request of its own, and the tokens used.
    async fn summarize(&self, work: &Work<'_>, range: (usize, usize)) -> Result<(String, Usage), Unsummarized> {
        let failed = |used, why: &str| Unsummarized { used, why: why.to_string(), stop: None };
        let Some(llm) = &self.summarizer else { return Err(failed(Usage::default(), "no model writes summaries")) };
        // Half the window for the turns: the prompt, the task and the reply fit beside them.
        let budget = self.policy.window.map_or(UNKNOWN_WINDOW_BUDGET, |w| self.gauge.bytes_for(w / 2));
        let c = &work.conversation;
        let request = summary_request(work.task, (c.messages(), c.kinds()), range, budget);
        // The summary is not the run's own conversation: its events stay quiet.
        let mut quiet = Events::new("summary", crate::Redactor::default());
        match race(llm, &request, &[], &mut quiet, work.interrupt, work.clock).await {
            Ok(Ok(reply)) if !reply.content.trim().is_empty() => Ok((reply.content, reply.usage)),
            Ok(Ok(reply)) => Err(failed(reply.usage, "the summary came back empty")),
            Ok(Err(e)) => Err(failed(Usage::default(), &format!("the summary request failed: {e}"))),
            Err(Asked::Stopped(reason, detail)) => {
                Err(Unsummarized { used: Usage::default(), why: detail.clone(), stop: Some((reason, detail)) })
            }
            Err(Asked::Reply(_)) => Err(failed(Usage::default(), "the summary request was cut short")),
        }
    }
}

/// A summary that was not written: the tokens used, why, and when the run must stop
/// (the interrupt, the clock), the stop.
struct Unsummarized {
    used: Usage,
    why: String,
    stop: Option<(StopReason, String)>,
}
