//! The commands for a Python tree: pytest when its tests or config ask for it, else
//! unittest; then what to try when that runs no test (unittest's default discovery skips
//! a `tests/` directory that is not a package).

use std::path::{Path, PathBuf};
use std::time::Duration;

use wright_sandbox::{Program, RunSpec};

use crate::Limits;
use crate::candidate::{Candidate, Detected};
use crate::scan::PythonTests;
use crate::scan::{has, head};
use crate::shell::{in_each, usable};

const PYTEST: &str = "python3 -m pytest -q";
const UNITTEST: &str = "python3 -m unittest -v";

pub(crate) fn python(root: &Path, tests: &PythonTests, limits: &Limits) -> Option<Detected> {
    let config_names_pytest = ["pytest.ini", "conftest.py"].iter().any(|f| has(root, f))
        || ["pyproject.toml", "setup.cfg", "tox.ini"].iter().any(|f| head(root, f).contains("pytest"));
    let python_project =
        ["pyproject.toml", "setup.py", "setup.cfg", "tox.ini", "pytest.ini"].iter().any(|f| has(root, f));
    if tests.files == 0 && !python_project {
        return None;
    }
    let first = if config_names_pytest || tests.pytest_style {
        let why =
            if tests.pytest_style { "test files written for pytest" } else { "the project's config names pytest" };
        match pytest_installed(root, limits) {
            true => Candidate::new(PYTEST, why),
            false => Candidate::new(PYTEST, format!("{why} (pytest is not importable in the sandbox: install it)")),
        }
    } else if tests.test_cases {
        Candidate::new(UNITTEST, "unittest.TestCase suites")
    } else {
        Candidate::new(UNITTEST, "a Python project")
    };
    let mut fallbacks = Vec::new();
    if first.command != PYTEST {
        // Tried, not probed: when pytest is missing the try fails and the next is tried.
        fallbacks.push(Candidate::new(PYTEST, "pytest runs unittest suites too, in any directory"));
    }
    // One command for every test folder, so none is left out of later runs.
    let dirs: Vec<&Path> = tests.dirs.iter().filter(|d| usable(d)).map(PathBuf::as_path).collect();
    if tests.test_cases
        && let Some(command) = in_each(&dirs, |d| format!("python3 -m unittest discover -v -s {d}"))
    {
        let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
        fallbacks.push(Candidate::new(command, format!("unittest suites in {}", names.join(", "))));
    }
    Some(Detected { first, fallbacks, test_files: tests.files })
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
    use crate::detect;

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
        assert_eq!(d.first.command, PYTEST);
        assert!(d.first.why.contains("written for pytest"), "{}", d.first.why);
        assert!(d.fallbacks.is_empty(), "unittest runs no bare function: {d:?}");
    }

    #[test]
    fn unittest_suites_in_a_directory_have_fallbacks() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("tests")).unwrap();
        std::fs::write(dir.path().join("tests/test_calc.py"), "import unittest\nclass T(unittest.TestCase): pass\n")
            .unwrap();
        let d = detect(dir.path(), &Limits::default()).unwrap();
        assert_eq!((d.first.command.as_str(), d.test_files), (UNITTEST, 1));
        let next: Vec<&str> = d.fallbacks.iter().map(|c| c.command.as_str()).collect();
        assert_eq!(next, [PYTEST, "python3 -m unittest discover -v -s tests"]);
        // Every test folder, in one command: the settled one runs them all.
        std::fs::create_dir(dir.path().join("more tests")).unwrap();
        std::fs::write(dir.path().join("more tests/test_more.py"), "import unittest\n").unwrap();
        let d = detect(dir.path(), &Limits::default()).unwrap();
        assert_eq!(d.fallbacks.len(), 2, "{d:?}");
        assert_eq!(
            d.fallbacks[1].command,
            r#"rc=0; for d in 'more tests' tests; do (python3 -m unittest discover -v -s "$d") || rc=1; done; exit $rc"#
        );
        assert_eq!(d.fallbacks[1].why, "unittest suites in more tests, tests");
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
        assert_eq!(d.first.command, PYTEST);
        assert_eq!(d.first.why.contains("not importable"), !installed, "{}", d.first.why);
        assert!(!mark.exists(), "the tree's pytest.py ran");
    }
}
