//! The command that runs the tests, settled by running them: the first candidate, unless
//! it ran no test while test files exist; then the next, until one runs a test. The first
//! candidate's run is the only one when it runs tests, so settling costs nothing then.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::{Candidate, Detected, Limits, TestRun, run};

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
        if tried.ran().is_some_and(|n| n > 0) {
            return settled(candidate, tried, dropped);
        }
        dropped.push(format!("`{}` {}", candidate.command, what_it_did(&tried)));
    }
    settled(first, first_run, dropped)
}

/// Whether `run` ran no test: the runner says so, or the command starts no runner and
/// printed no test.
fn ran_none(run: &TestRun, candidate: &Candidate) -> bool {
    match run.ran() {
        Some(n) => n == 0 && !run.timed_out,
        None => candidate.silent_is_empty && run.exit_code == 0 && !run.timed_out,
    }
}

fn what_it_did(run: &TestRun) -> String {
    match run.ran() {
        _ if run.timed_out => "did not finish in time".into(),
        Some(0) => "ran no test either".into(),
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
