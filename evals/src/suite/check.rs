//! The hidden check, applied only after the agent stopped: the test-runner configuration
//! put back as it was at the base (an agent cannot loosen the check), the hidden tests
//! copied in, the command run in the sandbox, and every named test looked up by name.

use std::path::Path;
use std::time::Duration;

use wright_testing::{Limits, Outcome, TestRun};

use crate::EvalError;
use crate::suite::Task;
use crate::suite::tree::git;

/// Files that decide how tests run; restored from the base before the check.
const RUNNER_CONFIG: &[&str] = &[
    "conftest.py",
    "tests/conftest.py",
    "pytest.ini",
    "pyproject.toml",
    "setup.cfg",
    "tox.ini",
    "Cargo.toml",
    ".cargo/config.toml",
    "package.json",
    "go.mod",
];

/// How the check went.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CheckResult {
    pub passed: bool,
    /// Why, in one sentence.
    pub why: String,
    pub run: TestRun,
}

/// Runs the task's hidden check on `tree` (at `base` plus whatever changed since).
pub fn run_check(
    task: &Task,
    tree: &Path,
    base: &str,
    timeout: Duration,
    limits: &Limits,
) -> Result<CheckResult, EvalError> {
    for path in RUNNER_CONFIG {
        let at_base = git(tree, &["cat-file", "-e", &format!("{base}:{path}")]).is_ok();
        if at_base {
            git(tree, &["checkout", "-q", base, "--", path])?;
        } else if tree.join(path).exists() {
            std::fs::remove_file(tree.join(path)).map_err(|e| EvalError::Io(format!("{path}: {e}")))?;
        }
    }
    for file in &task.check.files {
        let (from, to) = (task.dir.join("check").join(file), tree.join(file));
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| EvalError::Io(format!("{}: {e}", parent.display())))?;
        }
        std::fs::copy(&from, &to).map_err(|e| EvalError::Io(format!("{}: {e}", from.display())))?;
    }
    if let Some(patch) = &task.check.patch {
        let patch = task.dir.join(patch);
        git(tree, &["apply", "--whitespace=nowarn", &patch.to_string_lossy()])?;
    }
    let run = wright_testing::run(tree, &task.check.command, timeout, limits);
    let (passed, why) = judge(task, &run);
    Ok(CheckResult { passed, why, run })
}

fn judge(task: &Task, run: &TestRun) -> (bool, String) {
    let seen = |id: &str| run.tests.get(id).copied();
    let f2p = &task.check.fail_to_pass;
    if f2p.iter().all(|t| seen(t).is_none()) {
        return (false, format!("the check ran none of the fail-to-pass tests ({})", f2p.join(", ")));
    }
    let not_passing: Vec<&str> = f2p
        .iter()
        .chain(&task.check.pass_to_pass)
        .filter(|t| seen(t) != Some(Outcome::Passed))
        .map(String::as_str)
        .collect();
    if run.timed_out {
        return (false, "the check timed out".into());
    }
    match not_passing.as_slice() {
        [] => (true, format!("{} named tests pass", f2p.len() + task.check.pass_to_pass.len())),
        names => (false, format!("not reported passing: {}", names.join(", "))),
    }
}
