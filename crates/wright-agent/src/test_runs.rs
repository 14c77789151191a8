//! The project's tests as the run's evidence: at the base before the first turn, and at
//! the end. A run happens on a blocking thread and gives way to the interrupt, which
//! kills it. The first run settles a detected command: a candidate that runs no test
//! beside test files gives way to the next, and every later run uses the one settled on.

use std::path::PathBuf;
use std::time::Duration;

use wright_testing::{Detected, Limits, Settled, TestRun};
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
    /// Detected commands not settled yet: the next run tries them.
    candidates: Option<Detected>,
    root: PathBuf,
    limits: Limits,
    /// What the model is told once a later candidate took the first one's place.
    switched: Option<String>,
}

impl TestRunner {
    /// `command` alone when configured; detected, its candidates too.
    pub fn new(command: Option<String>, candidates: Option<Detected>, root: PathBuf, limits: Limits) -> Self {
        TestRunner { command, candidates, root, limits, switched: None }
    }

    pub fn command(&self) -> Option<&str> {
        self.command.as_deref()
    }

    /// Takes the command an earlier run of this task settled on (a resumed run's
    /// baseline), when it is one of the candidates.
    pub fn adopt(&mut self, command: &str) {
        let Some(detected) = &self.candidates else { return };
        if std::iter::once(&detected.first).chain(&detected.fallbacks).any(|c| c.command == command) {
            self.command = Some(command.to_string());
            self.candidates = None;
        }
    }

    /// Runs the tests within `timeout` (settling the command first, when detected);
    /// `None` without a test command.
    pub async fn run(&mut self, timeout: Duration, interrupt: &Interrupt, events: &mut Events) -> Option<Tested> {
        let command = self.command.clone()?;
        if timeout.is_zero() {
            return Some(Tested::Failed("no time is left of the run's --timeout".into()));
        }
        let (root, limits) = (self.root.clone(), self.limits.clone());
        let Some(detected) = self.candidates.clone() else {
            let job = tokio::task::spawn_blocking(move || wright_testing::run(&root, &command, timeout, &limits));
            return Some(tokio::select! {
                joined = job => joined.map_or_else(|e| Tested::Failed(e.to_string()), Tested::Ran),
                _ = interrupt.raised() => Tested::Interrupted,
            });
        };
        let job = tokio::task::spawn_blocking(move || wright_testing::settle(&root, &detected, timeout, &limits));
        let settled = tokio::select! {
            joined = job => match joined {
                Ok(settled) => settled,
                Err(e) => return Some(Tested::Failed(e.to_string())),
            },
            _ = interrupt.raised() => return Some(Tested::Interrupted),
        };
        Some(Tested::Ran(self.settle(settled, events)))
    }

    /// Keeps the settled command, and says how it was chosen when the first was dropped.
    fn settle(&mut self, settled: Settled, events: &mut Events) -> TestRun {
        let Some(detected) = self.candidates.take() else { return settled.run };
        if settled.dropped.is_empty() {
            return settled.run;
        }
        let dropped = settled.dropped.join("; ");
        let message = if settled.switched(&detected) {
            let first = &detected.first.command;
            self.switched = Some(format!(
                "[wright: the project's test command is `{}`, not `{first}`: {}. wright runs `{}` after you finish.]",
                settled.command,
                settled.dropped.first().map_or("", String::as_str),
                settled.command
            ));
            format!("test command settled on `{}` ({}); dropped: {dropped}", settled.command, settled.why)
        } else {
            format!("test command stays `{}`: no candidate ran a test ({dropped})", settled.command)
        };
        events.emit(EventKind::Notice { message });
        self.command = Some(settled.command);
        settled.run
    }

    /// The note for the model when the command was replaced, once.
    pub fn take_switched(&mut self) -> Option<String> {
        self.switched.take()
    }

    /// A run shown to the views as `phase`: `None` without a test command or when the run
    /// could not be made (the views are told why); `Err` when interrupted.
    pub async fn shown(
        &mut self,
        phase: TestPhase,
        timeout: Duration,
        interrupt: &Interrupt,
        events: &mut Events,
    ) -> Result<Option<TestRun>, Interrupted> {
        let Some(command) = self.command() else { return Ok(None) };
        let what = if phase == TestPhase::Baseline { "tests at the base" } else { "tests" };
        events.progress(Progress::ToolRunning(format!("{what}: {command}")));
        match self.run(timeout, interrupt, events).await {
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
        (TestRunner::new(Some(command.into()), None, dir.to_path_buf(), limits), cancel)
    }

    #[tokio::test]
    async fn a_run_gives_way_to_the_interrupt() {
        let dir = tempfile::tempdir().unwrap();
        let (tx, rx) = watch::channel(false);
        let interrupt = Interrupt::new(rx);
        let mut events = Events::new("r", crate::Redactor::new(Vec::new()));
        let (mut tests, cancel) = runner(dir.path(), "exit 0");
        assert!(matches!(
            tests.run(Duration::from_secs(30), &interrupt, &mut events).await,
            Some(Tested::Ran(r)) if r.exit_code == 0
        ));
        let (mut tests, cancel_slow) = runner(dir.path(), "sleep 30");
        interrupt.cancels(cancel_slow);
        let started = std::time::Instant::now();
        let sender = tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(200)).await;
            tx.send(true).unwrap();
        });
        assert!(matches!(tests.run(Duration::from_secs(60), &interrupt, &mut events).await, Some(Tested::Interrupted)));
        assert!(started.elapsed() < Duration::from_secs(20));
        sender.await.unwrap();
        assert!(!cancel.is_cancelled(), "only the token the interrupt was given is cancelled");
        let mut none = TestRunner::new(None, None, dir.path().to_path_buf(), Limits::default());
        assert!(none.run(Duration::from_secs(1), &interrupt, &mut events).await.is_none());
    }

    struct Notices(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

    impl crate::EventSink for Notices {
        fn event(&mut self, event: &crate::Event) {
            if let EventKind::Notice { message } = &event.kind {
                self.0.lock().unwrap().push(message.clone());
            }
        }
    }

    #[tokio::test]
    async fn the_first_run_settles_the_command_and_later_runs_keep_it() {
        let dir = tempfile::tempdir().unwrap();
        let (_tx, rx) = watch::channel(false);
        let interrupt = Interrupt::new(rx);
        let notices = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let mut events = Events::new("r", crate::Redactor::new(Vec::new()));
        events.add_sink(Box::new(Notices(notices.clone())));
        let candidate = |command: &str| wright_testing::Candidate {
            command: command.into(),
            why: format!("why {command}"),
            silent_is_empty: false,
        };
        let (zero, two) = ("printf 'Ran 0 tests in 0.000s\\n\\nOK\\n'", "echo '2 passed in 0.01s'");
        let detected = Detected { first: candidate(zero), fallbacks: vec![candidate(two)], test_files: 1 };
        let (mut tests, _) = runner(dir.path(), zero);
        tests.candidates = Some(detected);
        let ran = |t: Option<Tested>| match t {
            Some(Tested::Ran(r)) => (r.command.clone(), r.ran()),
            _ => panic!("no run"),
        };
        assert_eq!(ran(tests.run(Duration::from_secs(30), &interrupt, &mut events).await), (two.into(), Some(2)));
        assert_eq!(tests.command(), Some(two));
        let note = tests.take_switched().unwrap();
        assert!(note.contains(&format!("`{zero}` ran no test while 1 test file exists")), "{note}");
        assert!(tests.take_switched().is_none(), "told once");
        let said = notices.lock().unwrap().clone();
        assert!(said.len() == 1 && said[0].starts_with(&format!("test command settled on `{two}`")), "{said:?}");
        assert_eq!(ran(tests.run(Duration::from_secs(30), &interrupt, &mut events).await), (two.into(), Some(2)));
        assert_eq!(notices.lock().unwrap().len(), 1, "settled once");
    }

    #[test]
    fn a_resumed_run_adopts_the_command_its_baseline_settled_on() {
        let dir = tempfile::tempdir().unwrap();
        let candidate = |command: &str| wright_testing::Candidate {
            command: command.into(),
            why: String::new(),
            silent_is_empty: false,
        };
        let detected = Detected { first: candidate("a"), fallbacks: vec![candidate("b")], test_files: 1 };
        let (mut tests, _) = runner(dir.path(), "a");
        tests.candidates = Some(detected);
        tests.adopt("elsewhere");
        assert!(tests.candidates.is_some() && tests.command() == Some("a"), "not a candidate: kept");
        tests.adopt("b");
        assert!(tests.candidates.is_none() && tests.command() == Some("b"));
    }
}
