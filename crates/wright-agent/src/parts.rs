//! What a run is made of: assembled by `start` (a new run) or `resume` (one taken over),
//! worked by the loop in `session`.

use std::time::Duration;

use wright_llm::Usage;
use wright_testing::TestRun;

use crate::committing::Committer;
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
