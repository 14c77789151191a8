//! What a run is made of: assembled by `start` (a new run) or `resume` (one taken over),
//! worked by the loop in `session`.

use std::time::Duration;

use wright_llm::Usage;
use wright_testing::TestRun;

use crate::committing::Committer;
use crate::context_keeper::ContextKeeper;
use crate::conversation::Conversation;
use crate::dispatch::Dispatcher;
use crate::model::Model;
use crate::test_runs::TestRunner;
use crate::{Events, PlanStep, SessionConfig};

pub(crate) struct Parts {
    pub config: SessionConfig,
    pub model: Model,
    pub dispatcher: Dispatcher,
    pub committer: Committer,
    pub conversation: Conversation,
    /// Keeps the conversation within the model's window.
    pub context: ContextKeeper,
    pub tests: TestRunner,
    pub events: Events,
    pub plan: Vec<PlanStep>,
    /// The test run at the base: made before the first turn, or read back on resume.
    pub baseline: Option<TestRun>,
    pub steps: u32,
    pub usage: Usage,
    /// Time spent before this process took the run over.
    pub spent_before: Duration,
}

impl Parts {
    /// After a run that replaced the detected command: the hint for a `run` of no test
    /// names the new one, and the note telling the model which command the project's tests
    /// run with is returned. The caller puts it where the conversation may take it: a
    /// message between a tool call and its answer is refused by OpenAI-style servers.
    pub(crate) fn switch_note(&mut self) -> Option<String> {
        let note = self.tests.take_switched()?;
        self.dispatcher.set_test_command(self.tests.command().map(str::to_string));
        Some(note)
    }
}
