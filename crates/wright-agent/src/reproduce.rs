//! Reproduce first: when no test fails at the base, the first attempt begins by adding a
//! test that shows the bug. wright keeps it only when it fails on the unchanged code as a
//! test (not a module that cannot load or collect); it then becomes the commit every
//! attempt starts from, and the test run there is the base the verdict compares against.

use wright_testing::TestRun;

const ASK: &str = include_str!("../prompts/reproduce.md");

/// A model that adds tests which do not fail this many times goes on without.
const MAX_TRIES: u32 = 2;

/// Where a run stands with its reproduction.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Reproduction {
    /// Not wanted, given up, or kept already.
    #[default]
    Off,
    /// Asked for; `tries` commits of test files did not reproduce the bug.
    Wanted { tries: u32 },
}

/// Whether a run should reproduce first: its tests ran at the base, named one by one (a
/// new test's failure is told by its name), and none failed.
pub(crate) fn wanted(baseline: Option<&TestRun>) -> bool {
    baseline.is_some_and(|b| !b.timed_out && !b.tests.is_empty() && b.passed())
}

/// What the first attempt is asked before anything else.
pub(crate) fn ask(command: &str) -> String {
    ASK.trim_end().replace("{command}", command)
}

/// What a commit of test files `run` shows, judged against the base run.
pub(crate) enum Shown {
    /// Tests not at the base that fail as tests: the reproduction.
    Fails(Vec<String>),
    /// Nothing reproduces the bug; why, for the model.
    Not(String),
}

/// Judges the tests run after a commit of test files only.
pub(crate) fn judge(base: &TestRun, run: &TestRun) -> Shown {
    let new_failures: Vec<String> = wright_testing::failed_tests(run)
        .into_iter()
        .filter(|t| !base.tests.contains_key(*t))
        .map(str::to_string)
        .collect();
    if !new_failures.is_empty() {
        return Shown::Fails(new_failures);
    }
    let why = if run.timed_out {
        "the tests did not finish in time".to_string()
    } else if run.passed() {
        "every test passes on the code as it is".to_string()
    } else {
        format!("the tests fail (exit {}) but no new test fails by name: it may not load or collect", run.exit_code)
    };
    Shown::Not(why)
}

impl Reproduction {
    /// Wanted, with one try left: the next commit of test files decides.
    pub(crate) fn last_try() -> Self {
        Reproduction::Wanted { tries: MAX_TRIES - 1 }
    }

    /// One more commit that did not reproduce the bug; `Off` once the tries are spent.
    pub(crate) fn missed(&mut self) {
        if let Reproduction::Wanted { tries } = self {
            *tries += 1;
            if *tries >= MAX_TRIES {
                *self = Reproduction::Off;
            }
        }
    }
}

/// The note after a commit whose new tests fail as they should.
pub(crate) fn kept_note(tests: &[String]) -> String {
    format!(
        "[wright: your test fails on the code as it is, as it should: {}. It is kept as the reproduction, and every attempt starts from it. Now change the code so that it passes; do not change the test.]",
        tests.join(", ")
    )
}

/// The note after a commit of tests that reproduce nothing.
pub(crate) fn missed_note(why: &str, again: bool) -> String {
    let next = if again {
        "Change the test so that it fails the way the task describes, then fix the code."
    } else {
        "Go on and fix the code."
    };
    format!("[wright: your change does not reproduce the bug: {why}. {next}]")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use wright_testing::{Outcome, Source};

    use super::*;

    fn run(tests: &[(&str, Outcome)], exit_code: i32, tail: &str) -> TestRun {
        let tests: BTreeMap<String, Outcome> = tests.iter().map(|(t, o)| (t.to_string(), *o)).collect();
        let (command, timed_out, duration_ms, summary) = ("pytest".to_string(), false, 1, None);
        TestRun {
            command,
            exit_code,
            timed_out,
            duration_ms,
            source: Source::Junit,
            tests,
            summary,
            output_tail: tail.into(),
        }
    }

    #[test]
    fn a_new_test_that_fails_as_a_test_reproduces_and_nothing_else_does() {
        let base = run(&[("t.py::test_old", Outcome::Passed)], 0, "");
        assert!(wanted(Some(&base)));
        assert!(!wanted(Some(&run(&[("t.py::test_old", Outcome::Failed)], 1, ""))), "a test fails already");
        assert!(!wanted(None));
        assert!(!wanted(Some(&run(&[], 0, "ok"))), "a runner that names no test cannot tell a new one failing");
        let repro = run(&[("t.py::test_old", Outcome::Passed), ("t.py::test_empty", Outcome::Failed)], 1, "");
        assert!(matches!(judge(&base, &repro), Shown::Fails(t) if t == ["t.py::test_empty"]));
        let passing = run(&[("t.py::test_old", Outcome::Passed), ("t.py::test_empty", Outcome::Passed)], 0, "");
        assert!(matches!(judge(&base, &passing), Shown::Not(why) if why.contains("every test passes")));
        let broken = run(&[("t.py", Outcome::Failed)], 2, "!!! Interrupted: 1 error during collection !!!");
        assert!(matches!(judge(&base, &broken), Shown::Not(why) if why.contains("may not load")));
        let unloadable = run(&[("unittest.loader._FailedTest.test_new", Outcome::Failed)], 1, "");
        assert!(matches!(judge(&base, &unloadable), Shown::Not(_)), "a module that cannot load is no reproduction");
    }

    #[test]
    fn two_misses_and_the_run_goes_on_without() {
        let mut r = Reproduction::Wanted { tries: 0 };
        r.missed();
        assert_eq!(r, Reproduction::Wanted { tries: 1 });
        r.missed();
        assert_eq!(r, Reproduction::Off);
        assert!(ask("pytest -q").contains("run `pytest -q`"));
    }
}
