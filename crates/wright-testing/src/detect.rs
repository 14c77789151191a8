//! Which command runs a tree's tests, and why: from its build files and test files. Only
//! files are read on the host; the one probe that runs a program (is pytest importable?)
//! runs in the sandbox.

use std::path::{Path, PathBuf};
use std::time::Duration;

use wright_sandbox::{Program, RunSpec};
use wright_tree::{Kind, Tree};

use crate::Limits;

/// A detected test command and the reason it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub command: String,
    pub why: String,
}

fn found(command: &str, why: impl Into<String>) -> Option<Detected> {
    Some(Detected { command: command.to_string(), why: why.into() })
}

/// The test command for the tree at `root`, or `None` when nothing says how to test it.
pub fn detect(root: &Path, limits: &Limits) -> Option<Detected> {
    let has = |name: &str| has(root, name);
    if has("Cargo.toml") {
        return found("cargo test --no-fail-fast", "Cargo.toml");
    }
    if has("package.json") {
        let text = head(root, "package.json");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let script = value.pointer("/scripts/test").and_then(|t| t.as_str());
        if script.is_some_and(|t| !t.contains("no test specified")) {
            return found("npm test", "package.json has a test script");
        }
    }
    if has("go.mod") {
        return found("go test -v ./...", "go.mod");
    }
    if let Some(detected) = python(root, limits) {
        return Some(detected);
    }
    if has("Makefile") {
        let text = head(root, "Makefile");
        if text.lines().any(|l| l.starts_with("test:")) {
            return found("make test", "the Makefile has a test target");
        }
    }
    None
}

/// What the Python test files of a tree are written for.
#[derive(Debug, Default)]
struct PythonTests {
    files: usize,
    /// Bare `def test_...` functions, pytest imports or fixtures: only pytest runs them.
    pytest_style: bool,
    /// `unittest.TestCase` classes: both runners run them.
    test_cases: bool,
}

fn python(root: &Path, limits: &Limits) -> Option<Detected> {
    let config_names_pytest = ["pytest.ini", "conftest.py"].iter().any(|f| has(root, f))
        || ["pyproject.toml", "setup.cfg", "tox.ini"].iter().any(|f| head(root, f).contains("pytest"));
    let tests = scan_python(root);
    let python_project =
        ["pyproject.toml", "setup.py", "setup.cfg", "tox.ini", "pytest.ini"].iter().any(|f| has(root, f));
    if tests.files == 0 && !python_project {
        return None;
    }
    let wants_pytest = config_names_pytest || tests.pytest_style;
    if wants_pytest {
        let why =
            if tests.pytest_style { "test files written for pytest" } else { "the project's config names pytest" };
        return if pytest_installed(root, limits) {
            found("python3 -m pytest -q", why)
        } else {
            found("python3 -m pytest -q", format!("{why} (pytest is not importable in the sandbox: install it)"))
        };
    }
    if tests.test_cases {
        return found("python3 -m unittest -v", "unittest.TestCase suites");
    }
    found("python3 -m unittest -v", "a Python project")
}

/// Looks through `test_*.py` / `*_test.py` files (a few levels deep, a few hundred files),
/// through wright-tree: a linked directory is not entered, a linked file not read.
fn scan_python(root: &Path) -> PythonTests {
    let mut out = PythonTests::default();
    let Ok(tree) = Tree::open(root) else { return out };
    let mut dirs = vec![(PathBuf::new(), 0)];
    let mut seen = 0;
    while let Some((dir, depth)) = dirs.pop() {
        let Ok(entries) = tree.read_dir(&dir) else { continue };
        for entry in entries {
            seen += 1;
            if seen > 5_000 {
                return out;
            }
            let name = entry.name.to_string_lossy().into_owned();
            let rel = dir.join(&entry.name);
            if entry.kind == Kind::Dir {
                let skip = name.starts_with('.')
                    || ["node_modules", "venv", "site-packages", "build", "dist", "target"].contains(&name.as_str());
                if !skip && depth < 4 {
                    dirs.push((rel, depth + 1));
                }
                continue;
            }
            let is_test = name.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py"));
            if entry.kind != Kind::File || !is_test {
                continue;
            }
            out.files += 1;
            let text = tree.read(&rel, 256 * 1024).map(|r| r.text()).unwrap_or_default();
            out.test_cases |= text.contains("TestCase");
            out.pytest_style |= text.lines().any(|l| {
                l.starts_with("def test")
                    || l.starts_with("import pytest")
                    || l.starts_with("from pytest")
                    || l.starts_with("@pytest.")
            });
        }
    }
    out
}

/// The first 256 KiB of the tree's regular file `name`, as text (empty for anything else).
fn head(root: &Path, name: &str) -> String {
    wright_tree::read_capped(root, Path::new(name), 256 * 1024).map(|r| r.text()).unwrap_or_default()
}

/// Whether the tree holds an entry `name` (a link counts, and is not followed).
fn has(root: &Path, name: &str) -> bool {
    Tree::open(root).is_ok_and(|t| t.kind(Path::new(name)).is_some())
}

/// Whether the sandbox's Python can import pytest: in the sandbox, because the tree is
/// a stranger's, and with `-I`, so a `pytest.py` of the tree's own is not what answers.
fn pytest_installed(root: &Path, limits: &Limits) -> bool {
    let mut spec =
        RunSpec::new(Program::Argv(["python3", "-I", "-c", "import pytest"].map(String::from).to_vec()), root);
    spec.timeout = Duration::from_secs(30);
    spec.env = limits.env.clone();
    spec.output_limit = 4096;
    spec.isolation = limits.isolation.clone();
    spec.cancel = limits.cancel.clone();
    wright_sandbox::run(&spec).is_ok_and(|out| out.success())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(root: &Path) -> Option<String> {
        detect(root, &Limits::default()).map(|d| d.command)
    }

    #[test]
    fn detects_common_projects() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(detected(dir.path()), None);
        std::fs::write(dir.path().join("test_x.py"), "import unittest\nclass T(unittest.TestCase):\n    pass\n")
            .unwrap();
        assert_eq!(detected(dir.path()).as_deref(), Some("python3 -m unittest -v"));
        std::fs::write(dir.path().join("go.mod"), "module x").unwrap();
        assert_eq!(detected(dir.path()).as_deref(), Some("go test -v ./..."));
        std::fs::write(dir.path().join("Cargo.toml"), "").unwrap();
        assert_eq!(detected(dir.path()).as_deref(), Some("cargo test --no-fail-fast"));
    }

    #[test]
    fn bare_test_functions_mean_pytest_even_without_config() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tests")).unwrap();
        std::fs::write(
            dir.path().join("tests/test_calc.py"),
            "from calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n",
        )
        .unwrap();
        let d = detect(dir.path(), &Limits::default()).unwrap();
        assert_eq!(d.command, "python3 -m pytest -q");
        assert!(d.why.contains("written for pytest"), "{}", d.why);
    }

    #[test]
    fn package_json_needs_a_real_test_script() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("package.json"),
            r#"{"scripts": {"test": "echo \"Error: no test specified\" && exit 1"}}"#,
        )
        .unwrap();
        assert_eq!(detected(dir.path()), None);
        std::fs::write(
            dir.path().join("package.json"),
            r#"{"name": "x", "scripts": {"build": "tsc", "test": "vitest run"}}"#,
        )
        .unwrap();
        assert_eq!(detected(dir.path()).as_deref(), Some("npm test"));
    }

    #[test]
    fn the_pytest_probe_runs_in_the_sandbox_and_ignores_the_trees_own_pytest() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pytest.ini"), "[pytest]\n").unwrap();
        let outside = tempfile::tempdir().unwrap();
        let mark = outside.path().join("ran");
        std::fs::write(dir.path().join("pytest.py"), format!("open({:?}, 'w').write('x')\n", mark)).unwrap();
        let installed = std::process::Command::new("python3")
            .args(["-I", "-c", "import pytest"])
            .current_dir(outside.path())
            .status()
            .is_ok_and(|s| s.success());
        let d = detect(dir.path(), &Limits::default()).unwrap();
        assert_eq!(d.command, "python3 -m pytest -q");
        assert_eq!(d.why.contains("not importable"), !installed, "{}", d.why);
        assert!(!mark.exists(), "the tree's pytest.py ran");
    }
}
