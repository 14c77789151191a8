//! The project's own test command: configured, or detected from the files present.

use std::path::Path;
use std::time::Duration;

use wright_sandbox::{Program, RunSpec};
use wright_tools::RunLimits;

use crate::TestSummary;

/// The test command for the tree at `root`, detected from its build files. Reading files
/// is all it does on the host; the one probe that runs a program runs in the sandbox.
pub fn detect_test_command(root: &Path, limits: &RunLimits) -> Option<String> {
    let has = |name: &str| root.join(name).exists();
    if has("Cargo.toml") {
        return Some("cargo test".into());
    }
    if has("package.json") {
        let text = std::fs::read_to_string(root.join("package.json")).unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        if value.pointer("/scripts/test").and_then(|t| t.as_str()).is_some_and(|t| !t.contains("no test specified")) {
            return Some("npm test".into());
        }
    }
    if has("go.mod") {
        return Some("go test ./...".into());
    }
    if has("pyproject.toml")
        || has("setup.py")
        || has("setup.cfg")
        || has("pytest.ini")
        || has("tox.ini")
        || has_python_tests(root)
    {
        return Some(python_command(root, limits));
    }
    if has("Makefile") {
        let text = std::fs::read_to_string(root.join("Makefile")).unwrap_or_default();
        if text.lines().any(|l| l.starts_with("test:")) {
            return Some("make test".into());
        }
    }
    None
}

fn has_python_tests(root: &Path) -> bool {
    let is_test = |name: &str| name.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py"));
    let names = |dir: &Path| -> Vec<String> {
        std::fs::read_dir(dir)
            .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default()
    };
    names(root).iter().any(|n| is_test(n)) || names(&root.join("tests")).iter().any(|n| is_test(n))
}

/// pytest when the project uses it and it is installed, else unittest discovery.
fn python_command(root: &Path, limits: &RunLimits) -> String {
    let mentions_pytest = ["pytest.ini", "pyproject.toml", "setup.cfg", "tox.ini"]
        .iter()
        .any(|f| std::fs::read_to_string(root.join(f)).is_ok_and(|t| t.contains("pytest")));
    if mentions_pytest && pytest_installed(root, limits) {
        "python3 -m pytest -q".into()
    } else {
        "python3 -m unittest".into()
    }
}

/// Whether the sandbox's Python can import pytest. In the sandbox, because the tree is a
/// stranger's: with `-I` besides, so a `pytest.py` of the tree's own is not what answers.
fn pytest_installed(root: &Path, limits: &RunLimits) -> bool {
    let spec = RunSpec {
        program: Program::Argv(["python3", "-I", "-c", "import pytest"].map(String::from).to_vec()),
        worktree: root.to_path_buf(),
        cwd: root.to_path_buf(),
        timeout: Duration::from_secs(30),
        env: limits.env.clone(),
        output_limit: 4096,
        isolation: limits.isolation.clone(),
    };
    wright_sandbox::run(&spec).is_ok_and(|out| out.success())
}

pub(crate) fn run_tests(root: &Path, command: &str, timeout: Duration, limits: &RunLimits) -> TestSummary {
    let spec = RunSpec {
        program: Program::Shell(command.to_string()),
        worktree: root.to_path_buf(),
        cwd: root.to_path_buf(),
        timeout,
        env: limits.env.clone(),
        output_limit: 64 * 1024,
        isolation: limits.isolation.clone(),
    };
    match wright_sandbox::run(&spec) {
        Ok(out) => {
            let both = format!("{}{}", out.stdout.text, out.stderr.text);
            TestSummary {
                command: command.to_string(),
                exit_code: out.status_code(),
                passed: out.success(),
                timed_out: out.timed_out,
                duration_ms: out.duration.as_millis() as u64,
                output_tail: tail(&both, 40),
            }
        }
        Err(e) => TestSummary {
            command: command.to_string(),
            exit_code: 127,
            passed: false,
            timed_out: false,
            duration_ms: 0,
            output_tail: e.to_string(),
        },
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_common_projects() {
        let dir = tempfile::tempdir().unwrap();
        let limits = RunLimits::default();
        assert_eq!(detect_test_command(dir.path(), &limits), None);
        std::fs::write(dir.path().join("test_x.py"), "").unwrap();
        assert_eq!(detect_test_command(dir.path(), &limits).as_deref(), Some("python3 -m unittest"));
        std::fs::write(dir.path().join("go.mod"), "module x").unwrap();
        assert_eq!(detect_test_command(dir.path(), &limits).as_deref(), Some("go test ./..."));
        std::fs::write(dir.path().join("Cargo.toml"), "").unwrap();
        assert_eq!(detect_test_command(dir.path(), &limits).as_deref(), Some("cargo test"));
    }

    #[test]
    fn the_pytest_probe_runs_in_the_sandbox_and_ignores_the_trees_own_pytest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pytest.ini"), "[pytest]\n").unwrap();
        // A `pytest.py` that would both answer the probe and leave a mark outside the tree.
        let outside = tempfile::tempdir().unwrap();
        let mark = outside.path().join("ran");
        std::fs::write(dir.path().join("pytest.py"), format!("open({:?}, 'w').write('x')\n", mark)).unwrap();
        let limits = RunLimits::default();
        let installed = std::process::Command::new("python3")
            .args(["-I", "-c", "import pytest"])
            .current_dir(outside.path())
            .status()
            .is_ok_and(|s| s.success());
        let expected = if installed { "python3 -m pytest -q" } else { "python3 -m unittest" };
        assert_eq!(detect_test_command(dir.path(), &limits).as_deref(), Some(expected));
        assert!(!mark.exists(), "the tree's pytest.py ran");
    }

    #[test]
    fn test_results_carry_the_verdict() {
        let dir = tempfile::tempdir().unwrap();
        let ok = run_tests(dir.path(), "echo 1 passed", Duration::from_secs(10), &RunLimits::default());
        assert!(ok.passed);
        assert_eq!(ok.output_tail, "1 passed");
        let bad = run_tests(dir.path(), "exit 2", Duration::from_secs(10), &RunLimits::default());
        assert!(!bad.passed);
        assert_eq!(bad.exit_code, 2);
    }
}
