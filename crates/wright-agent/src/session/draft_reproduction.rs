//! Before the first draft, when no test fails at the base: one request for a new test
//! file that shows the bug. It is added and committed like any change; the commit check
//! (`check_reproduction`) keeps it when a new test in it fails on the unchanged code, and
//! a test that shows nothing is taken back off the branch.

use super::Session;
use crate::dispatch::{Dispatched, Effect};
use crate::draft::{self, Target};
use crate::interrupt::Interrupt;
use crate::reproduce::Reproduction;
use crate::{EventKind, StopReason};

/// The longest drafted test, in reply tokens.
const TEST_TOKENS: u32 = 800;

impl Session {
    /// Drafts the reproduction for `target` (whose text is `code`) when one is wanted.
    /// Returns a stop when the run must end (a budget, an interrupt, a failing model).
    pub(crate) async fn draft_reproduction(
        &mut self,
        target: &Target,
        code: &str,
        interrupt: &Interrupt,
    ) -> Option<(StopReason, String)> {
        if std::mem::take(&mut self.reproduction) == Reproduction::Off {
            return None;
        }
        let task = self.parts.config.task.clone();
        let site = self.parts.dispatcher.test_site(&task, target).await?;
        let example = match &site.example {
            Some(path) => self.parts.dispatcher.text_of(path).await.unwrap_or_default(),
            None => String::new(),
        };
        let p = &mut self.parts;
        if let Some(spent) = p.config.budgets.exceeded(p.steps, &p.usage, self.started.elapsed()) {
            return Some(spent);
        }
        let messages = draft::reproduce::request(&task, target, code, &site, &example);
        let max = p.model.max_tokens().map_or(TEST_TOKENS, |cap| cap.min(TEST_TOKENS));
        let about = Target { path: site.path.clone(), lines: None };
        let reply = match self.ask_alone(&messages, max, &about, interrupt).await {
            Ok(reply) => reply,
            Err(stop) => return Some(stop),
        };
        let Some(test) = draft::code_block(&reply) else {
            self.not_reproduced("the reply held no complete code block");
            return None;
        };
        self.add_reproduction(&site.path, &test, interrupt).await;
        None
    }

    /// Adds and commits the drafted test at `path`; keeps it when its commit shows the bug.
    async fn add_reproduction(&mut self, path: &str, test: &str, interrupt: &Interrupt) {
        let Some(call) = self.parts.dispatcher.creation(path, test) else {
            return self.not_reproduced("no tool creates files");
        };
        let from = self.attempts.from.clone();
        self.announce(&call);
        let Dispatched { ok, mut output, effect } = self.parts.dispatcher.dispatch(&call).await;
        let changed = matches!(effect, Effect::Change(_));
        if let Effect::Change(summary) = effect {
            // The commit is checked as a reproduction, and decides it.
            self.reproduction = Reproduction::last_try();
            self.commit(&summary, &mut output, interrupt).await;
            self.reproduction = Reproduction::Off;
        }
        let (id, name) = (call.id.clone(), call.name.clone());
        self.parts.events.emit(EventKind::ToolResult { id, name, ok, output: output.clone() });
        if self.attempts.from != from {
            self.attempts.draft_test = Some((path.to_string(), test.to_string()));
            return;
        }
        // Committed or not, the test is taken off the branch and out of the worktree.
        if changed && let Some(from) = from {
            let p = &mut self.parts;
            match p.committer.git(move |w| w.restart_at(&from)).await {
                Ok(()) => p.dispatcher.refresh_index().await,
                Err(e) => {
                    let message = format!("the drafted test could not be taken off the branch: {e}");
                    p.events.emit(EventKind::Notice { message });
                }
            }
        }
        let why = if ok { "no new test in it fails on the unchanged code" } else { "it could not be added" };
        self.not_reproduced(why);
    }

    fn not_reproduced(&mut self, why: &str) {
        let message = format!("the drafted test is not kept: {why}; the drafts go on without one");
        self.parts.events.emit(EventKind::Notice { message });
    }
}
