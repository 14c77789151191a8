//! Real projects whose first detected command runs no test, each with its own toolchain
//! in the real sandbox: the next candidate takes its place and runs the tests. A missing
//! Go or Node is a skip (CI installs both); Python and cargo are always there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use std::path::Path;
use std::time::Duration;

use wright_testing::{Limits, Settled, detect, settle};

fn write(root: &Path, files: &[(&str, &str)]) {
    for (path, text) in files {
        let path = root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Detects and settles, and checks the first candidate was dropped for running no test.
fn settled(root: &Path, first: &str) -> Settled {
    let limits = Limits::default();
    let detected = detect(root, &limits).expect("a test command");
    assert_eq!(detected.first.command, first, "{detected:?}");
    let s = settle(root, &detected, Duration::from_secs(300), &limits);
    assert!(s.switched(&detected), "{s:?}");
    assert!(s.dropped[0].starts_with(&format!("`{first}` ran no test while")), "{:?}", s.dropped);
    s
}

fn installed(program: &str) -> bool {
    let ok = std::process::Command::new(program).arg("version").output().is_ok();
    if !ok {
        eprintln!("skipped: {program} is not installed");
    }
    ok
}

#[test]
fn unittest_suites_in_a_tests_directory_are_run() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("calc.py", "def add(a, b):\n    return a + b\n"),
            (
                "tests/test_calc.py",
                "import unittest\nfrom calc import add\n\n\nclass CalcTest(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n\n    def test_zero(self):\n        self.assertEqual(add(0, 0), 0)\n",
            ),
        ],
    );
    let s = settled(dir.path(), "python3 -m unittest -v");
    assert!(s.command.contains("pytest") || s.command.contains("discover -v -s tests"), "{s:?}");
    assert_eq!(s.run.ran(), Some(2), "{:?}", s.run);
    assert!(s.run.passed(), "{:?}", s.run);
}

/// Two test folders whose files share a name: pytest stops at the clash before any test
/// (a collection error, not a test that ran), and unittest runs each folder in turn.
#[test]
fn unittest_suites_in_every_test_folder_are_run() {
    let dir = tempfile::tempdir().unwrap();
    let suite = |class: &str, test: &str| {
        format!(
            "import unittest\nfrom calc import add\n\n\nclass {class}(unittest.TestCase):\n    def {test}(self):\n        self.assertEqual(add(1, 2), 3)\n"
        )
    };
    write(
        dir.path(),
        &[
            ("calc.py", "def add(a, b):\n    return a + b\n"),
            ("tests/test_calc.py", &suite("CalcTest", "test_add")),
            ("more tests/test_calc.py", &suite("MoreTest", "test_more")),
        ],
    );
    let s = settled(dir.path(), "python3 -m unittest -v");
    assert!(s.command.contains("discover -v -s \"$d\""), "{s:?}");
    assert!(s.dropped.iter().any(|d| d.starts_with("`python3 -m pytest -q` could not collect")), "{:?}", s.dropped);
    assert_eq!((s.run.ran(), s.run.passed()), (Some(2), true), "{:?}", s.run);
    let limits = Limits::default();
    let again = wright_testing::run(dir.path(), &s.command, Duration::from_secs(120), &limits);
    assert_eq!(again.named(wright_testing::Outcome::Passed).len(), 2, "later runs run both folders: {again:?}");
    // A failure in any folder fails the run, though a later folder passes.
    write(dir.path(), &[("more tests/test_calc.py", &suite("MoreTest", "test_more").replace("3)", "4)"))]);
    let failing = wright_testing::run(dir.path(), &s.command, Duration::from_secs(120), &limits);
    assert!(failing.exit_code != 0 && failing.counts().failed == 1, "{failing:?}");
}

#[test]
fn go_tests_in_nested_modules_are_run() {
    if !installed("go") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("go.mod", "module example.com/root\n\ngo 1.19\n"),
            ("root.go", "package root\n\nfunc One() int { return 1 }\n"),
            ("calc/go.mod", "module example.com/calc\n\ngo 1.19\n"),
            ("calc/add.go", "package calc\n\nfunc Add(a, b int) int { return a + b }\n"),
            (
                "calc/add_test.go",
                "package calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fatal(\"1+2\")\n\t}\n}\n",
            ),
            ("my tools/go.mod", "module example.com/tools\n\ngo 1.19\n"),
            ("my tools/tools_test.go", "package tools\n\nimport \"testing\"\n\nfunc TestTool(t *testing.T) {}\n"),
        ],
    );
    let s = settled(dir.path(), "go test -v ./...");
    assert!(s.command.starts_with("rc=0; for d in calc 'my tools';"), "{s:?}");
    assert_eq!((s.run.ran(), s.run.passed()), (Some(2), true), "{:?}", s.run);
    assert_eq!(s.run.named(wright_testing::Outcome::Passed), ["TestAdd", "TestTool"]);
}

#[test]
fn go_tests_behind_a_build_tag_are_run() {
    if !installed("go") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("go.mod", "module example.com/calc\n\ngo 1.19\n"),
            ("add.go", "package calc\n\nfunc Add(a, b int) int { return a + b }\n"),
            (
                "add_test.go",
                "//go:build integration\n\npackage calc\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fatal(\"1+2\")\n\t}\n}\n",
            ),
        ],
    );
    let s = settled(dir.path(), "go test -v ./...");
    assert_eq!(s.command, "go test -v -tags integration ./...");
    assert_eq!(s.run.ran(), Some(1), "{:?}", s.run);
}

#[test]
fn a_workspace_members_tests_are_run() {
    let dir = tempfile::tempdir().unwrap();
    let package = |name: &str| format!("[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n");
    write(
        dir.path(),
        &[
            ("Cargo.toml", &format!("{}\n[workspace]\nmembers = [\"calc\"]\n", package("app"))),
            ("src/lib.rs", "pub fn name() -> &'static str { \"app\" }\n"),
            ("calc/Cargo.toml", &package("calc")),
            (
                "calc/src/lib.rs",
                "pub fn add(a: u32, b: u32) -> u32 { a + b }\n\n#[test]\nfn adds() { assert_eq!(add(1, 2), 3); }\n",
            ),
        ],
    );
    let s = settled(dir.path(), "cargo test --no-fail-fast");
    assert_eq!(s.command, "cargo test --workspace --no-fail-fast");
    assert_eq!((s.run.ran(), s.run.passed()), (Some(1), true), "{:?}", s.run);
}

#[test]
fn a_test_script_that_runs_no_runner_gives_way_to_node_test() {
    // `npm test` is the first candidate: without npm it fails, and nothing is settled.
    if !installed("node") || !installed("npm") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[
            ("package.json", r#"{"name": "calc", "version": "1.0.0", "scripts": {"test": "echo ok"}}"#),
            ("calc.js", "exports.add = (a, b) => a + b;\n"),
            (
                "calc.test.js",
                "const test = require('node:test');\nconst assert = require('node:assert');\nconst { add } = require('./calc');\n\ntest('adds', () => assert.strictEqual(add(1, 2), 3));\ntest('adds zero', () => assert.strictEqual(add(0, 0), 0));\n",
            ),
        ],
    );
    let s = settled(dir.path(), "npm test");
    assert_eq!(s.command, "node --test --test-reporter=tap");
    assert_eq!((s.run.ran(), s.run.passed()), (Some(2), true), "{:?}", s.run);
}
