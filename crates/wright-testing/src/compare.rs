//! What changed between the run at the base and the run at the end, test by test.

use serde::{Deserialize, Serialize};

use crate::{Outcome, TestRun};

/// Tests that changed state, by name (empty when a run named no test).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comparison {
    /// Failed at the base, pass now: the change's progress.
    pub now_passing: Vec<String>,
    /// Passed at the base, fail now: what the change broke.
    pub now_failing: Vec<String>,
    /// Failed at the base and still fail.
    pub still_failing: Vec<String>,
    /// Not run at the base (added, or renamed) and pass now.
    pub added_passing: Vec<String>,
    /// Passed at the base and did not run now (deleted, or no longer collected).
    pub gone_passing: Vec<String>,
    /// Failed at the base and did not run now.
    pub gone_failing: Vec<String>,
}

pub fn compare(base: &TestRun, now: &TestRun) -> Comparison {
    let mut c = Comparison::default();
    for (id, outcome) in &now.tests {
        let was = base.tests.get(id);
        let bucket = match (was, outcome) {
            (Some(Outcome::Failed), Outcome::Passed) => &mut c.now_passing,
            (Some(Outcome::Passed), Outcome::Failed) => &mut c.now_failing,
            (Some(Outcome::Failed), Outcome::Failed) => &mut c.still_failing,
            (None, Outcome::Passed) => &mut c.added_passing,
            _ => continue,
        };
        bucket.push(id.clone());
    }
    for (id, outcome) in &base.tests {
        match (now.tests.contains_key(id), outcome) {
            (false, Outcome::Passed) => c.gone_passing.push(id.clone()),
            (false, Outcome::Failed) => c.gone_failing.push(id.clone()),
            _ => {}
        }
    }
    c
}

/// Whether test `id` lives in one of `files` (paths from the repository root): pytest
/// and cargo ids start with the file (`tests/test_x.py::t`, `src/lib.rs::tests::t`),
/// unittest ids with its dotted module (`tests.test_x.Case.t`).
pub fn in_files(id: &str, files: &[String]) -> bool {
    files.iter().any(|file| {
        let dotted = file.strip_suffix(".py").map(|m| m.replace('/', "."));
        id.starts_with(&format!("{file}::")) || dotted.is_some_and(|m| id.starts_with(&format!("{m}.")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Source;

    fn run(tests: &[(&str, Outcome)]) -> TestRun {
        TestRun {
            command: "t".into(),
            exit_code: 0,
            timed_out: false,
            duration_ms: 0,
            source: Source::Output,
            tests: tests.iter().map(|(t, o)| (t.to_string(), *o)).collect(),
            summary: None,
            output_tail: String::new(),
        }
    }

    #[test]
    fn states_that_changed_are_named() {
        use Outcome::*;
        let base = run(&[("a", Failed), ("b", Passed), ("c", Failed), ("d", Passed)]);
        let now = run(&[("a", Passed), ("b", Failed), ("c", Failed), ("d", Passed), ("e", Passed)]);
        let c = compare(&base, &now);
        let gone = compare(&base, &run(&[("a", Passed)]));
        assert_eq!(
            (gone.gone_passing, gone.gone_failing),
            (vec!["b".to_string(), "d".to_string()], vec!["c".to_string()])
        );
        assert_eq!(
            (c.now_passing, c.now_failing, c.still_failing, c.added_passing),
            (vec!["a".to_string()], vec!["b".to_string()], vec!["c".to_string()], vec!["e".to_string()])
        );
    }

    #[test]
    fn tests_are_found_in_their_files() {
        let files = vec!["tests/test_x.py".to_string(), "src/lib.rs".to_string()];
        assert!(in_files("tests/test_x.py::test_a", &files));
        assert!(in_files("tests.test_x.Case.test_a", &files));
        assert!(in_files("src/lib.rs::tests::adds", &files));
        assert!(!in_files("tests/test_y.py::test_a", &files));
        assert!(!in_files("tests.test_xy.Case.t", &files));
    }
}
