//! A project's tests as evidence. Which command runs them (detected from the files, and
//! why; settled by running it, the next candidate taking the place of one that runs no
//! test beside test files), a run in the sandbox read test by test (JUnit XML where the
//! runner writes it, else the runner's own lines, else only the exit code), and what
//! changed between the run at the base and the run at the end. A run that executed no
//! test is never a pass.

// Input from strangers reaches every crate: a byte index that lands inside a character
// must not panic, so text is cut with `get`, `split_once` and the like, never `[a..b]`.
#![cfg_attr(not(test), deny(clippy::string_slice))]
// Test fixtures are written with std::fs; production code keeps to wright-tree.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod candidate;
mod compare;
mod detect;
mod junit;
mod output;
mod python;
mod run;
mod scan;
mod settle;
mod shell;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use candidate::{Candidate, Detected};
pub use compare::{Comparison, compare, in_files};
pub use detect::detect;
pub use run::{Limits, run};
pub use settle::{Settled, failed_tests, settle};

/// Whether a command's output says it ran no test at all (`Ran 0 tests`, `no tests ran`):
/// such a run "passes" and shows nothing.
pub fn says_no_test_ran(output: &str) -> bool {
    let read = output::read(output);
    read.tests.is_empty() && read.summary.is_some_and(|c| c.passed.saturating_add(c.failed) == 0)
}

/// How one test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    Failed,
    Skipped,
}

/// Where a run's per-test results came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A JUnit XML report the runner wrote.
    Junit,
    /// The runner's own lines (`test x ... ok`, `--- FAIL: TestX`, summary lines).
    Output,
    /// Nothing readable: only the exit code speaks.
    ExitCode,
}

/// Tests passed, failed and skipped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
}

/// One run of the test command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TestRun {
    pub command: String,
    pub exit_code: i32,
    pub timed_out: bool,
    pub duration_ms: u64,
    pub source: Source,
    /// Each test the runner named, and how it ended.
    pub tests: BTreeMap<String, Outcome>,
    /// The runner's summary line, when it printed one (it may count more than it named).
    pub summary: Option<Counts>,
    /// The end of the output, where runners put their verdict.
    pub output_tail: String,
}

fn total(c: &Counts) -> u64 {
    c.passed.saturating_add(c.failed).saturating_add(c.skipped)
}

impl TestRun {
    /// The counts: from the named tests, or the summary when it counts more.
    pub fn counts(&self) -> Counts {
        let mut named = Counts::default();
        for outcome in self.tests.values() {
            match outcome {
                Outcome::Passed => named.passed += 1,
                Outcome::Failed => named.failed += 1,
                Outcome::Skipped => named.skipped += 1,
            }
        }
        match self.summary {
            Some(s) if total(&s) > total(&named) => s,
            _ => named,
        }
    }

    /// How many tests ran (passed or failed); `None` when only the exit code is known.
    pub fn ran(&self) -> Option<u64> {
        if self.source == Source::ExitCode && self.summary.is_none() {
            return None;
        }
        let c = self.counts();
        Some(c.passed.saturating_add(c.failed))
    }

    /// Exit 0, in time, and not a run of no test at all.
    pub fn passed(&self) -> bool {
        self.exit_code == 0 && !self.timed_out && self.ran() != Some(0) && self.counts().failed == 0
    }

    /// The named tests that ended `outcome`.
    pub fn named(&self, outcome: Outcome) -> Vec<&str> {
        self.tests.iter().filter(|(_, o)| **o == outcome).map(|(t, _)| t.as_str()).collect()
    }
}
