//! One run of the test command in the sandbox, read test by test.

use std::path::Path;
use std::time::Duration;

use wright_sandbox::{Cancel, EnvPolicy, Isolation, Program, RunSpec};

use crate::{Source, TestRun};

/// The sandbox a test run gets.
#[derive(Debug, Clone, Default)]
pub struct Limits {
    pub env: EnvPolicy,
    pub isolation: Isolation,
    /// Cancelling it stops the run at once (a run cut short passes nothing).
    pub cancel: Cancel,
}

/// Where pytest writes its report, in the worktree (the sandbox's `/tmp` dies with it);
/// removed right after the run.
const JUNIT_FILE: &str = ".wright-junit.xml";
/// Enough output to name every test of a large suite; the tail is what is shown.
const OUTPUT_LIMIT: usize = 4 << 20;

/// Runs `command` in `root` under `limits`. A command that cannot start is a failed run
/// that names why, not an error.
pub fn run(root: &Path, command: &str, timeout: Duration, limits: &Limits) -> TestRun {
    let tree = wright_tree::Tree::open(root).ok();
    let junit = Path::new(JUNIT_FILE);
    let remove = || {
        if let Some(t) = &tree {
            let _ = t.remove_file(junit);
        }
    };
    remove();
    let shell = match wants_junit(command) {
        true => format!("{command} --junitxml={JUNIT_FILE} -o junit_family=xunit1"),
        false => command.to_string(),
    };
    // One stream, in order: cargo names each test binary on stderr and its tests on stdout.
    let shell = format!("{{ {shell}\n}} 2>&1");
    let mut spec = RunSpec::new(Program::Shell(shell), root);
    spec.timeout = timeout;
    spec.env = limits.env.clone();
    spec.output_limit = OUTPUT_LIMIT;
    spec.isolation = limits.isolation.clone();
    spec.cancel = limits.cancel.clone();
    let result = wright_sandbox::run(&spec);
    // A regular file only (a test could leave a FIFO or a link there), and not without end.
    let report = tree.as_ref().and_then(|t| t.read(junit, 64 << 20).ok()).filter(|r| !r.cut()).map(|r| r.text());
    remove();
    let out = match result {
        Ok(out) => out,
        Err(e) => {
            return TestRun {
                command: command.to_string(),
                exit_code: 127,
                timed_out: false,
                duration_ms: 0,
                source: Source::ExitCode,
                tests: Default::default(),
                summary: None,
                output_tail: e.to_string(),
            };
        }
    };
    let both = format!("{}{}", out.stdout.text, out.stderr.text);
    let read = crate::output::read(&both);
    let (source, tests) = match report.as_deref().and_then(crate::junit::parse) {
        Some(tests) => (Source::Junit, tests),
        None if !read.tests.is_empty() || read.summary.is_some() => (Source::Output, read.tests),
        None => (Source::ExitCode, Default::default()),
    };
    TestRun {
        command: command.to_string(),
        exit_code: out.status_code(),
        timed_out: out.timed_out,
        duration_ms: u64::try_from(out.duration.as_millis()).unwrap_or(u64::MAX),
        source,
        tests,
        summary: read.summary,
        output_tail: tail(&both, 40),
    }
}

/// A plain pytest command (no shell syntax around it) can be asked for a JUnit report.
fn wants_junit(command: &str) -> bool {
    let plain = !command.contains(['|', '&', ';', '>', '<', '`', '$', '\n']);
    let words: Vec<&str> = command.split_whitespace().collect();
    let pytest = match words.as_slice() {
        ["pytest" | "py.test", ..] => true,
        [python, "-m", "pytest", ..] => python.starts_with("python"),
        _ => false,
    };
    plain && pytest && !command.contains("--junitxml")
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_are_read_and_zero_tests_is_not_a_pass() {
        let dir = tempfile::tempdir().unwrap();
        let limits = Limits::default();
        let ok = run(dir.path(), "echo '3 passed in 0.01s'", Duration::from_secs(10), &limits);
        assert!(ok.passed(), "{ok:?}");
        assert_eq!(ok.ran(), Some(3));
        let none = run(dir.path(), "printf 'Ran 0 tests in 0.000s\\n\\nOK\\n'", Duration::from_secs(10), &limits);
        assert_eq!(none.exit_code, 0);
        assert!(!none.passed(), "a run of no test is not a pass: {none:?}");
        let bare = run(dir.path(), "exit 2", Duration::from_secs(10), &limits);
        assert_eq!((bare.exit_code, bare.source, bare.ran()), (2, Source::ExitCode, None));
        let unknown_ok = run(dir.path(), "true", Duration::from_secs(10), &limits);
        assert!(unknown_ok.passed(), "only an exit code: it speaks");
    }

    #[test]
    fn pytest_writes_a_report_that_is_read_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let installed = std::process::Command::new("python3")
            .args(["-I", "-c", "import pytest"])
            .status()
            .is_ok_and(|s| s.success());
        assert!(installed, "pytest is not installed: `python3 -m pip install pytest` (the README's setup does)");
        std::fs::write(
            dir.path().join("test_calc.py"),
            "def test_ok():\n    assert 1\n\ndef test_bad():\n    assert 0\n",
        )
        .unwrap();
        let r =
            run(dir.path(), "python3 -m pytest -q -p no:cacheprovider", Duration::from_secs(60), &Limits::default());
        assert_eq!(r.source, Source::Junit, "{r:?}");
        assert_eq!(r.named(crate::Outcome::Failed), ["test_calc.py::test_bad"]);
        assert_eq!(r.named(crate::Outcome::Passed), ["test_calc.py::test_ok"]);
        assert!(!dir.path().join(JUNIT_FILE).exists());
        assert!(wants_junit("pytest -x tests") && !wants_junit("pytest | tee log") && !wants_junit("make test"));
    }
}
