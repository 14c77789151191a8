//! The project's tests as the run's evidence: at the base before the first turn, and at
//! the end. A run happens on a blocking thread and gives way to the interrupt, which
//! kills it.

use std::path::PathBuf;
use std::time::Duration;

use wright_testing::{Limits, TestRun};
use wright_tools::Deadline;

use crate::interrupt::Interrupt;
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
        if timeout.is_zero() {
            return Some(Tested::Failed("no time is left of the run's --timeout".into()));
        }
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

    /// A run shown to the views as `phase`: `None` without a test command or when the run
    /// could not be made (the views are told why); `Err` when interrupted.
    pub async fn shown(
        &self,
        phase: TestPhase,
        timeout: Duration,
        interrupt: &Interrupt,
        events: &mut Events,
    ) -> Result<Option<TestRun>, Interrupted> {
        let Some(command) = self.command() else { return Ok(None) };
        let what = if phase == TestPhase::Baseline { "tests at the base" } else { "tests" };
        events.progress(Progress::ToolRunning(format!("{what}: {command}")));
        match self.run(timeout, interrupt).await {
            Some(Tested::Ran(run)) => {
                events.emit(EventKind::TestResult(TestSummary::of(phase, &run)));
                Ok(Some(run))
            }
            Some(Tested::Failed(e)) => {
                let message = match phase {
                    TestPhase::Baseline => format!("the tests at the base could not run ({e}); judging without them"),
                    _ => format!("the final tests could not run ({e})"),
                };
                events.emit(EventKind::Notice { message });
                Ok(None)
            }
            Some(Tested::Interrupted) => Err(Interrupted),
            None => Ok(None),
        }
    }
}

/// The user interrupted the test run.
pub(crate) struct Interrupted;

/// The time a test run gets: what is configured, cut at `1/share` of what is left of the
/// run's `--timeout`.
pub(crate) fn allowed(configured: Duration, deadline: &Deadline, share: u32) -> Duration {
    match deadline.left() {
        Some(left) => configured.min(left / share.max(1)),
        None => configured,
    }
}

/// What the model is told when the tests at the base did not finish: for a report of a
/// hang, the hang reproduced, with where the runner stopped.
pub(crate) fn hang_note(run: &TestRun, timeout: Duration) -> String {
    let lines: Vec<&str> = run.output_tail.lines().filter(|l| !l.trim().is_empty()).collect();
    let last = lines.get(lines.len().saturating_sub(HANG_TAIL_LINES)..).unwrap_or_default().join("\n");
    format!(
        "[wright: the project's tests did not finish in {} s at the base and were stopped. If the task reports a hang or an endless loop, this is it reproduced. The command and the end of its output:]\n{}",
        timeout.as_secs_f64().round(),
        crate::quote::quote("test output", &format!("$ {}\n{last}", run.command))
    )
}

/// Lines of a hung run's output shown to the model.
const HANG_TAIL_LINES: usize = 12;

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::sync::watch;

    fn runner(dir: &std::path::Path, command: &str) -> (TestRunner, wright_sandbox::Cancel) {
        let mut limits = Limits::default();
        limits.isolation.backend = wright_sandbox::Backend::None;
        let cancel = limits.cancel.clone();
        (TestRunner::new(Some(command.into()), dir.to_path_buf(), limits), cancel)
    }

    #[tokio::test]
    async fn a_run_gives_way_to_the_interrupt() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, rx) = watch::channel(false);
        let interrupt = Interrupt::new(rx);
        let (tests, cancel) = runner(dir.path(), "exit 0");
        assert!(
            matches!(tests.run(Duration::from_secs(30), &interrupt).await, Some(Tested::Ran(r)) if r.exit_code == 0)
        );
        let (tests, cancel_slow) = runner(dir.path(), "sleep 30");
        interrupt.cancels(cancel_slow);
        let started = std::time::Instant::now();
        let sender = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            tx.send(true).unwrap();
        });
        assert!(matches!(tests.run(Duration::from_secs(60), &interrupt).await, Some(Tested::Interrupted)));
        assert!(started.elapsed() < Duration::from_secs(20));
        sender.await.unwrap();
        assert!(!cancel.is_cancelled(), "only the token the interrupt was given is cancelled");
        let none = TestRunner::new(None, dir.path().to_path_buf(), Limits::default());
        assert!(none.run(Duration::from_secs(1), &interrupt).await.is_none());
    }
}
