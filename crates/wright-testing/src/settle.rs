//! The command that runs the tests, settled by running them: the first candidate, unless
//! it ran no test while test files exist; then the next, until one runs a test. The first
//! candidate's run is the only one when it runs tests, so settling costs nothing then.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::{Candidate, Counts, Detected, Limits, Outcome, TestRun, run};

/// The command settled on, its run, and what was tried before it.
#[derive(Debug, Clone, PartialEq)]
pub struct Settled {
    pub command: String,
    pub why: String,
    /// Each candidate dropped, in order, with what its run did (`` `x` ran no test``).
    pub dropped: Vec<String>,
    /// The settled command's run: the first candidate's when no candidate ran a test.
    pub run: TestRun,
}

impl Settled {
    /// Whether a later candidate took the first one's place.
    pub fn switched(&self, detected: &Detected) -> bool {
        self.command != detected.first.command
    }
}

/// Runs the candidates of `detected` in `root`, all within `timeout`, until one runs a
/// test; a run of no test is replaced only where test files exist.
pub fn settle(root: &Path, detected: &Detected, timeout: Duration, limits: &Limits) -> Settled {
    let started = Instant::now();
    let first = &detected.first;
    let first_run = run(root, &first.command, timeout, limits);
    let settled = |c: &Candidate, run: TestRun, dropped: Vec<String>| Settled {
        command: c.command.clone(),
        why: c.why.clone(),
        dropped,
        run,
    };
    if detected.test_files == 0 || detected.fallbacks.is_empty() || !ran_none(&first_run, first) {
        return settled(first, first_run, Vec::new());
    }
    let files = match detected.test_files {
        1 => "1 test file exists".to_string(),
        n => format!("{n} test files exist"),
    };
    let mut dropped = vec![format!("`{}` ran no test while {files}", first.command)];
    for candidate in &detected.fallbacks {
        let left = timeout.saturating_sub(started.elapsed());
        if left.is_zero() || limits.cancel.is_cancelled() {
            break;
        }
        let tried = run(root, &candidate.command, left, limits);
        if ran_a_test(&tried) {
            return settled(candidate, tried, dropped);
        }
        dropped.push(format!("`{}` {}", candidate.command, what_it_did(&tried)));
    }
    // Settling showed the first ran nothing, even when only its exit code spoke.
    let mut first_run = first_run;
    if first_run.ran().is_none() {
        first_run.summary = Some(Counts::default());
    }
    settled(first, first_run, dropped)
}

/// Whether `run` ran no test and ended cleanly: the runner says so (exit 0, or 5 with
/// "no tests ran" as pytest and unittest end then), or the command starts no runner and
/// printed no test. Anything else (a crash, a timeout) may have hidden tests that ran.
fn ran_none(run: &TestRun, candidate: &Candidate) -> bool {
    if run.timed_out {
        return false;
    }
    match (run.exit_code, run.ran()) {
        (0, Some(n)) => n == 0,
        (0, None) => candidate.silent_is_empty,
        (5, Some(0)) => crate::says_no_test_ran(&run.output_tail),
        _ => false,
    }
}

/// Whether `run` ran a test: one passed, or one failed that is a test and not a module
/// that could not be loaded (unittest's `_FailedTest`, a pytest collection error).
fn ran_a_test(run: &TestRun) -> bool {
    if run.timed_out || collection_failed(&run.output_tail) {
        return false;
    }
    run.counts().passed > 0 || !failed_tests(run).is_empty()
}

/// The tests of `run` that failed as tests: none when the run timed out or its tests could
/// not be collected, and never a module unittest could not load.
pub fn failed_tests(run: &TestRun) -> Vec<&str> {
    if run.timed_out || collection_failed(&run.output_tail) {
        return Vec::new();
    }
    run.named(Outcome::Failed).into_iter().filter(|t| !LOADER_ERRORS.iter().any(|e| t.contains(e))).collect()
}

/// What unittest names a module it could not import or load in place of its tests.
const LOADER_ERRORS: [&str; 3] =
    ["unittest.loader._FailedTest", "unittest.loader.ModuleImportFailure", "unittest.loader.LoadTestsFailure"];

/// pytest stops before any test when a module fails to collect, and says so.
fn collection_failed(output: &str) -> bool {
    output.lines().any(|l| l.contains("Interrupted: ") && l.contains(" during collection"))
}

fn what_it_did(run: &TestRun) -> String {
    match run.ran() {
        _ if run.timed_out => "did not finish in time".into(),
        Some(0) => "ran no test either".into(),
        _ if collection_failed(&run.output_tail) => format!("could not collect its tests (exit {})", run.exit_code),
        Some(_) if run.named(Outcome::Failed).iter().any(|t| LOADER_ERRORS.iter().any(|e| t.contains(e))) => {
            format!("could not load its tests (exit {})", run.exit_code)
        }
        _ => format!("named no test it ran (exit {})", run.exit_code),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(first: &str, fallbacks: &[&str], test_files: usize) -> Detected {
        Detected {
            first: Candidate::new(first, "first"),
            fallbacks: fallbacks.iter().map(|c| Candidate::new(*c, format!("why {c}"))).collect(),
            test_files,
        }
    }

    fn settle_in(dir: &Path, d: &Detected) -> Settled {
        settle(dir, d, Duration::from_secs(30), &Limits::default())
    }

    #[test]
    fn a_run_of_no_test_beside_test_files_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let zero = "printf 'Ran 0 tests in 0.000s\\n\\nOK\\n'";
        let two = "echo '2 passed in 0.01s'";
        let d = detected(zero, &["exit 3", two], 1);
        let s = settle_in(dir.path(), &d);
        assert_eq!((s.command.as_str(), s.why.as_str(), s.run.ran()), (two, "why echo '2 passed in 0.01s'", Some(2)));
        assert!(s.switched(&d));
        assert_eq!(s.dropped.len(), 2, "{:?}", s.dropped);
        assert!(s.dropped[0].contains("ran no test while 1 test file exists"), "{:?}", s.dropped);
        assert!(s.dropped[1].contains("exit 3"), "{:?}", s.dropped);
        // No test file: the run of no test stands, and nothing else is run.
        let s = settle_in(dir.path(), &detected(zero, &[two], 0));
        assert_eq!((s.command.as_str(), s.run.ran(), s.dropped.len()), (zero, Some(0), 0));
    }

    #[test]
    fn a_failure_or_a_silent_runner_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let two = "echo '2 passed in 0.01s'";
        let s = settle_in(dir.path(), &detected("echo '1 failed in 0.1s'; exit 1", &[two], 3));
        assert!(s.dropped.is_empty() && s.run.ran() == Some(1), "{s:?}");
        let s = settle_in(dir.path(), &detected("echo ok", &[two], 3));
        assert!(s.dropped.is_empty(), "an unread runner may have run tests: {s:?}");
        let mut d = detected("echo ok", &[two], 3);
        d.first.silent_is_empty = true;
        assert_eq!(settle_in(dir.path(), &d).command, two);
    }

    #[test]
    fn only_a_clean_exit_ran_no_test() {
        let dir = tempfile::tempdir().unwrap();
        let two = "echo '2 passed in 0.01s'";
        // A test binary aborted (exit 101) before the doc tests said `0 passed`.
        let aborted = "printf 'test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured\\n'; exit 101";
        let s = settle_in(dir.path(), &detected(aborted, &[two], 2));
        assert!(s.dropped.is_empty() && s.command == aborted, "{s:?}");
        // pytest's exit 5 is its "no tests collected".
        let five = "echo 'no tests ran in 0.01s'; exit 5";
        assert_eq!(settle_in(dir.path(), &detected(five, &[two], 2)).command, two);
        let unread_five = "exit 5";
        let mut d = detected(unread_five, &[two], 2);
        d.first.silent_is_empty = true;
        assert_eq!(settle_in(dir.path(), &d).command, unread_five, "exit 5 alone says nothing");
    }

    #[test]
    fn a_module_that_cannot_load_is_not_a_test_that_ran() {
        let dir = tempfile::tempdir().unwrap();
        let zero = "printf 'Ran 0 tests in 0.000s\\n\\nOK\\n'";
        let collection = "printf 'ERROR tests/test_x.py\\n!!! Interrupted: 1 error during collection !!!\\n1 error in 0.07s\\n'; exit 2";
        let loader = "printf 'test_x (unittest.loader._FailedTest.test_x) ... ERROR\\n\\nRan 1 test in 0.000s\\n\\nFAILED (errors=1)\\n'; exit 1";
        let failing = "printf 'test_add (test_calc.T.test_add) ... FAIL\\n\\nRan 1 test in 0.000s\\n\\nFAILED (failures=1)\\n'; exit 1";
        let s = settle_in(dir.path(), &detected(zero, &[collection, loader, failing], 1));
        assert_eq!((s.command.as_str(), s.run.ran()), (failing, Some(1)), "a test that fails ran: {s:?}");
        assert!(s.dropped[1].ends_with("could not collect its tests (exit 2)"), "{:?}", s.dropped);
        assert!(s.dropped[2].ends_with("could not load its tests (exit 1)"), "{:?}", s.dropped);
    }

    #[test]
    fn a_script_of_no_ops_that_nothing_replaces_is_no_pass() {
        let dir = tempfile::tempdir().unwrap();
        let mut d = detected("echo ok", &["exit 3"], 1);
        d.first.silent_is_empty = true;
        let s = settle_in(dir.path(), &d);
        assert_eq!((s.command.as_str(), s.run.ran(), s.run.passed()), ("echo ok", Some(0), false), "{s:?}");
    }

    #[test]
    fn when_no_candidate_runs_a_test_the_first_stands_with_the_reasons() {
        let dir = tempfile::tempdir().unwrap();
        let zero = "echo 'no tests ran in 0.01s'";
        let d = detected(zero, &["echo 'no tests ran in 0.02s'"], 2);
        let s = settle_in(dir.path(), &d);
        assert_eq!((s.command.as_str(), s.run.ran()), (zero, Some(0)));
        assert!(!s.switched(&d));
        assert_eq!(s.dropped.len(), 2);
        assert!(s.dropped[1].ends_with("ran no test either"), "{:?}", s.dropped);
    }
}
