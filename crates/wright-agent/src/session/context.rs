//! A turn's request within the model's window: the keeper compacts the conversation
//! before it when needed, and once more, forced, when the server refuses it as too long.

use wright_llm::{Message, Reply};

use super::{Session, Stop};
use crate::context_keeper::Work;
use crate::interrupt::Interrupt;
use crate::model::Asked;
use crate::tokens::Size;
use crate::{EventKind, StopReason};

impl Session {
    /// Asks the model for the turn's reply, within the window; the reply's tokens are
    /// counted and teach the keeper how the server counts.
    pub(super) async fn ask(&mut self, interrupt: &Interrupt) -> Result<Reply, Stop> {
        let mut forced = false;
        loop {
            self.keep_context(forced, interrupt).await?;
            let clock = self.clock();
            let p = &mut self.parts;
            let sent = Size::of(p.conversation.messages(), p.model.tools_bytes());
            match p.model.ask(&p.conversation, &mut p.events, interrupt, clock).await {
                Asked::Reply(reply) => {
                    p.context.observe(sent, &reply.usage);
                    p.usage += reply.usage;
                    self.record_spent(false);
                    return Ok(reply);
                }
                Asked::Stopped(StopReason::ContextLength, detail) if !forced => {
                    let message =
                        format!("the server refused the request as too long ({detail}); compacting and retrying once");
                    p.events.emit(EventKind::Notice { message });
                    forced = true;
                }
                Asked::Stopped(reason, detail) => return Err((reason, detail)),
            }
        }
    }

    /// Compacts the conversation when the keeper says it must.
    async fn keep_context(&mut self, forced: bool, interrupt: &Interrupt) -> Result<(), Stop> {
        let clock = self.clock();
        let p = &mut self.parts;
        let work = Work {
            extra: p.model.tools_bytes(),
            conversation: &mut p.conversation,
            events: &mut p.events,
            interrupt,
            clock,
            plan: &p.plan,
            task: &p.config.task,
            fixed: self.attempts.keep,
        };
        let (used, stop) = p.context.keep(work, forced).await;
        p.usage += used;
        match stop {
            Some(stop) => Err(stop),
            None => Ok(()),
        }
    }

    /// After a turn: the plan restated, when the model has not seen it for a while.
    pub(super) fn restate_plan(&mut self) {
        let p = &mut self.parts;
        if let Some(note) = p.context.plan_due(&p.plan) {
            p.conversation.remember(Message::User { content: note }, &mut p.events);
        }
    }
}
