//! The project's tests as the run's evidence: at the base before the first turn, and at
//! the end. A run happens on a blocking thread and gives way to the interrupt, which
//! kills it.

use std::path::PathBuf;
use std::time::Duration;

use wright_testing::{Limits, TestRun};

use crate::conversation::Conversation;
use crate::interrupt::Interrupt;
use crate::transcript::Record;
use crate::{EventKind, Events, Progress, TestPhase, TestSummary};

pub(crate) enum Tested {
    Ran(TestRun),
    /// The run could not be made; says why.
    Failed(String),
    Interrupted,
}

pub(crate) struct TestRunner {
    command: Option<String>,
    root: PathBuf,
    limits: Limits,
}

impl TestRunner {
    pub fn new(command: Option<String>, root: PathBuf, limits: Limits) -> Self {
        TestRunner { command, root, limits }
    }

    pub fn command(&self) -> Option<&str> {
        self.command.as_deref()
    }

    /// Runs the tests within `timeout`; `None` without a test command.
    pub async fn run(&self, timeout: Duration, interrupt: &Interrupt) -> Option<Tested> {
        let command = self.command.clone()?;
        let (root, limits) = (self.root.clone(), self.limits.clone());
        let job = tokio::task::spawn_blocking(move || wright_testing::run(&root, &command, timeout, &limits));
        Some(tokio::select! {
            joined = job => match joined {
                Ok(run) => Tested::Ran(run),
                Err(e) => Tested::Failed(e.to_string()),
            },
            _ = interrupt.raised() => Tested::Interrupted,
        })
    }

    /// The run at the base, shown and recorded for `resume`; `None` when it could not
    /// run (and the views are told why), `Err` when interrupted.
    pub async fn baseline(
        &self,
        timeout: Duration,
        interrupt: &Interrupt,
        events: &mut Events,
        conversation: &mut Conversation,
    ) -> Result<Option<TestRun>, ()> {
        let Some(command) = self.command() else { return Ok(None) };
        events.progress(Progress::ToolRunning(format!("tests at the base: {command}")));
        match self.run(timeout, interrupt).await {
            Some(Tested::Ran(run)) => {
                events.emit(EventKind::TestResult(TestSummary::of(TestPhase::Baseline, &run)));
                conversation.record(&Record::Baseline { run: run.clone() }, true, events);
                Ok(Some(run))
            }
            Some(Tested::Failed(e)) => {
                let message = format!("the tests at the base could not run ({e}); judging without them");
                events.emit(EventKind::Notice { message });
                Ok(None)
            }
            Some(Tested::Interrupted) => Err(()),
            None => Ok(None),
        }
    }
}
