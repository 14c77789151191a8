//! The hidden check, applied only after the agent stopped: the test-runner configuration
//! put back as it was at the base (an agent cannot loosen the check), the hidden tests
//! copied in, the command run in the sandbox, and every named test looked up by name.

use std::path::Path;
use std::time::Duration;

use wright_testing::{Limits, Outcome, TestRun};

use crate::EvalError;
use crate::suite::Task;
use crate::suite::tree::{git, git_raw};

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
        if std::fs::symlink_metadata(&to).is_ok() {
            let _ = std::fs::remove_file(&to);
        }
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

/// Carries the agent's change from `from` onto `to`, a fresh tree at `base`: every file it
/// added, changed or deleted, except symlinks and the files that hold or decide tests (the
/// check brings its own, as SWE-bench resets test files), and build output and caches
/// (what the agent's test runs left, which wright never commits either). Returns the paths
/// carried.
pub fn carry_change(from: &Path, base: &str, to: &Path) -> Result<Vec<String>, EvalError> {
    // Tracked files wherever they are; new files outside build output.
    git(from, &["add", "-u"])?;
    let mut add: Vec<String> = ["add", "-A", "--", "."].map(String::from).to_vec();
    add.extend(BUILD_OUTPUT.iter().map(|dir| format!(":(exclude,glob)**/{dir}/**")));
    add.push(":(exclude,glob)**/*.pyc".into());
    git(from, &add.iter().map(String::as_str).collect::<Vec<_>>())?;
    let raw = git(from, &["diff", "--cached", "--raw", "-z", "--no-renames", base])?;
    let mut kept = Vec::new();
    let mut fields = raw.split('\0');
    while let (Some(meta), Some(path)) = (fields.next(), fields.next()) {
        let modes: Vec<&str> = meta.trim_start_matches(':').split(' ').take(2).collect();
        if modes.contains(&"120000") || decides_tests(path) {
            continue;
        }
        kept.push(path.to_string());
    }
    if kept.is_empty() {
        return Ok(kept);
    }
    let mut args: Vec<String> = ["diff", "--cached", "--binary", "--no-renames", base, "--"].map(String::from).to_vec();
    args.extend(kept.iter().map(|p| format!(":(literal){p}")));
    let patch = git_raw(from, &args.iter().map(String::as_str).collect::<Vec<_>>())?;
    let file = to.with_extension("patch");
    std::fs::write(&file, patch).map_err(|e| EvalError::Io(format!("{}: {e}", file.display())))?;
    let applied = git(to, &["apply", "--binary", "--whitespace=nowarn", &file.to_string_lossy()]);
    let _ = std::fs::remove_file(&file);
    applied?;
    Ok(kept)
}

/// Folders of build output and caches, in any folder.
const BUILD_OUTPUT: &[&str] = &["target", "node_modules", "__pycache__", ".pytest_cache", ".venv"];

/// Test files and the files that decide how tests run, in any folder.
fn decides_tests(path: &str) -> bool {
    const NAMES: &[&str] = &[
        "conftest.py",
        "pytest.py",
        "sitecustomize.py",
        "usercustomize.py",
        "pytest.ini",
        ".pytest.ini",
        "setup.cfg",
        "tox.ini",
        "pyproject.toml",
        "Cargo.toml",
        "Cargo.lock",
        "build.rs",
        "rust-toolchain",
        "rust-toolchain.toml",
        "package.json",
        "package-lock.json",
        ".npmrc",
        "go.mod",
        "go.sum",
        "go.work",
        "go.work.sum",
        "Makefile",
    ];
    let parts: Vec<&str> = path.split('/').collect();
    let name = parts.last().copied().unwrap_or_default();
    let test_file = (name.starts_with("test_") && name.ends_with(".py"))
        || ["_test.py", "_test.go", ".test.js", ".spec.js", ".test.ts", ".spec.ts", ".test.mjs"]
            .iter()
            .any(|s| name.ends_with(s));
    NAMES.contains(&name) || test_file || parts.iter().any(|p| matches!(*p, "tests" | "test" | ".cargo" | "__tests__"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_and_runner_files_are_not_carried() {
        for path in [
            "conftest.py",
            "src/pytest.py",
            "tests/helper.py",
            "pkg/a_test.go",
            "build.rs",
            ".cargo/config",
            "x/test_a.py",
            "web/a.test.js",
        ] {
            assert!(decides_tests(path), "{path}");
        }
        for path in ["pages.py", "src/lib.rs", "words.go", "slug.js", "testing_utils.py"] {
            assert!(!decides_tests(path), "{path}");
        }
    }

    #[test]
    fn build_output_left_by_test_runs_is_not_carried() {
        let (from, to) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for dir in [from.path(), to.path()] {
            git(dir, &["init", "-q"]).unwrap();
            std::fs::write(dir.join("lib.rs"), "fn a() {}\n").unwrap();
            std::fs::create_dir_all(dir.join("src/target")).unwrap();
            std::fs::write(dir.join("src/target/mod.rs"), "// a folder of source named target\n").unwrap();
            git(dir, &["add", "."]).unwrap();
            git(dir, &["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base"]).unwrap();
        }
        let base = git(from.path(), &["rev-parse", "HEAD"]).unwrap().trim().to_string();
        std::fs::write(from.path().join("lib.rs"), "fn a() { 1; }\n").unwrap();
        std::fs::write(from.path().join("src/target/mod.rs"), "// changed\n").unwrap();
        for built in ["target/debug/x.rlib", "pkg/__pycache__/m.pyc", "web/node_modules/a/i.js", "m.pyc"] {
            let path = from.path().join(built);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "built").unwrap();
        }
        assert_eq!(carry_change(from.path(), &base, to.path()).unwrap(), ["lib.rs", "src/target/mod.rs"]);
        assert_eq!(std::fs::read_to_string(to.path().join("lib.rs")).unwrap(), "fn a() { 1; }\n");
        assert!(!to.path().join("target").exists());
    }
}
