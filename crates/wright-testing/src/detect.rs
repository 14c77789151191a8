//! Which commands may run a tree's tests, in the order to try them, and why: from its
//! build files and test files. Only files are read on the host; the one probe that runs a
//! program (is pytest importable?) runs in the sandbox.

use std::path::{Path, PathBuf};

use crate::Limits;
use crate::candidate::{Candidate, Detected};
use crate::scan::{Layout, has, head, scan};
use crate::shell::{does_nothing, in_each, usable};

/// node's own runner, asked for TAP: from Node 23 its default reporter is `spec` even
/// when the output is not a terminal, and only TAP is read.
const NODE_TEST: &str = "node --test --test-reporter=tap";

/// The test commands for the tree at `root`, or `None` when nothing says how to test it.
pub fn detect(root: &Path, limits: &Limits) -> Option<Detected> {
    let layout = scan(root);
    let mut found = found(root, &layout, limits)?;
    if let Some(make) = make_test(root).filter(|m| m.command != found.first.command) {
        found.fallbacks.push(make);
    }
    Some(found)
}

fn found(root: &Path, layout: &Layout, limits: &Limits) -> Option<Detected> {
    if has(root, "Cargo.toml") {
        return Some(rust(root, layout));
    }
    if has(root, "package.json")
        && let Some(found) = js(root, layout)
    {
        return Some(found);
    }
    if has(root, "go.mod") {
        return Some(go(layout));
    }
    if let Some(found) = crate::python::python(root, &layout.python, limits) {
        return Some(found);
    }
    make_test(root).map(|first| Detected { first, fallbacks: Vec::new(), test_files: 0 })
}

fn rust(root: &Path, layout: &Layout) -> Detected {
    let mut fallbacks = Vec::new();
    // A root package with members runs only its own tests without `--workspace`.
    if head(root, "Cargo.toml").contains("[workspace") {
        fallbacks.push(Candidate::new("cargo test --workspace --no-fail-fast", "the workspace's members"));
    }
    Detected { first: Candidate::new("cargo test --no-fail-fast", "Cargo.toml"), fallbacks, test_files: layout.rust }
}

fn js(root: &Path, layout: &Layout) -> Option<Detected> {
    let value: serde_json::Value = serde_json::from_str(&head(root, "package.json")).unwrap_or_default();
    let script = value.pointer("/scripts/test").and_then(|t| t.as_str())?;
    if script.contains("no test specified") {
        return None;
    }
    let mut first = Candidate::new("npm test", "package.json has a test script");
    // Only a script of no-ops is known to run nothing: `turbo run test`, `nx test` and
    // the like start a runner whose lines are not read.
    first.silent_is_empty = does_nothing(script);
    let fallbacks = match layout.js {
        0 => Vec::new(),
        _ => vec![Candidate::new(NODE_TEST, "test files node's own runner finds (*.test.js, test/)")],
    };
    Some(Detected { first, fallbacks, test_files: layout.js })
}

fn go(layout: &Layout) -> Detected {
    let mut fallbacks = Vec::new();
    if !layout.go.tags.is_empty() {
        let tags: Vec<&str> = layout.go.tags.iter().map(String::as_str).collect();
        fallbacks.push(Candidate::new(
            format!("go test -v -tags {} ./...", tags.join(",")),
            format!("test files built only with the tags {}", tags.join(", ")),
        ));
    }
    // One command for every nested module with tests, so none is left out of later runs.
    let modules: Vec<&Path> = layout
        .go
        .modules
        .iter()
        .filter(|m| usable(m) && layout.go.files.iter().any(|f| f.starts_with(m)))
        .map(PathBuf::as_path)
        .collect();
    if let Some(command) = in_each(&modules, |m| format!("cd {m} && go test -v ./...")) {
        let names: Vec<String> = modules.iter().map(|m| m.display().to_string()).collect();
        let why = match names.as_slice() {
            [one] => format!("tests in the module {one} (./... stops at its go.mod)"),
            many => format!("tests in the modules {} (./... stops at each go.mod)", many.join(", ")),
        };
        fallbacks.push(Candidate::new(command, why));
    }
    Detected { first: Candidate::new("go test -v ./...", "go.mod"), fallbacks, test_files: layout.go.files.len() }
}

fn make_test(root: &Path) -> Option<Candidate> {
    let has_target = head(root, "Makefile").lines().any(|l| l.starts_with("test:"));
    has_target.then(|| Candidate::new("make test", "the Makefile has a test target"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detected(root: &Path) -> Option<String> {
        detect(root, &Limits::default()).map(|d| d.first.command)
    }

    fn fallbacks(root: &Path) -> Vec<String> {
        detect(root, &Limits::default()).map(|d| d.fallbacks.into_iter().map(|c| c.command).collect()).unwrap()
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
        assert!(fallbacks(dir.path()).is_empty());
        std::fs::write(dir.path().join("Cargo.toml"), "[workspace]\nmembers = [\"a\"]\n").unwrap();
        std::fs::write(dir.path().join("Makefile"), "test:\n\tcargo test\n").unwrap();
        assert_eq!(fallbacks(dir.path()), ["cargo test --workspace --no-fail-fast", "make test"]);
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
        let d = detect(dir.path(), &Limits::default()).unwrap();
        assert_eq!((d.first.command.as_str(), d.first.silent_is_empty), ("npm test", false));
        assert!(d.fallbacks.is_empty(), "no test file for node --test: {d:?}");
        std::fs::write(dir.path().join("package.json"), r#"{"scripts": {"test": "echo ok"}}"#).unwrap();
        std::fs::write(dir.path().join("calc.test.js"), "").unwrap();
        let d = detect(dir.path(), &Limits::default()).unwrap();
        assert!(d.first.silent_is_empty);
        assert_eq!((d.fallbacks[0].command.as_str(), d.test_files), ("node --test --test-reporter=tap", 1));
        // Runners that are not known by name still run tests: node --test is not tried
        // for them, as it would run their files without them.
        for script in
            ["turbo run test", "lerna run test", "nx test", "hardhat test", "ng test", "wdio run wdio.conf.js"]
        {
            let json = serde_json::json!({"scripts": {"test": script}}).to_string();
            std::fs::write(dir.path().join("package.json"), json).unwrap();
            let d = detect(dir.path(), &Limits::default()).unwrap();
            assert!(!d.first.silent_is_empty, "{script}");
        }
    }

    #[test]
    fn go_falls_back_to_tags_and_nested_modules() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("go.mod"), "module x").unwrap();
        std::fs::create_dir_all(dir.path().join("my tools")).unwrap();
        std::fs::write(dir.path().join("my tools/go.mod"), "module y").unwrap();
        std::fs::write(dir.path().join("my tools/a_test.go"), "package y\n").unwrap();
        std::fs::write(dir.path().join("b_test.go"), "//go:build integration\n\npackage x\n").unwrap();
        assert_eq!(fallbacks(dir.path()), ["go test -v -tags integration ./...", "cd 'my tools' && go test -v ./..."]);
        // Every nested module with tests, in one command: the settled one runs them all.
        std::fs::create_dir_all(dir.path().join("calc")).unwrap();
        std::fs::write(dir.path().join("calc/go.mod"), "module z").unwrap();
        std::fs::write(dir.path().join("calc/c_test.go"), "package z\n").unwrap();
        std::fs::create_dir_all(dir.path().join("empty")).unwrap();
        std::fs::write(dir.path().join("empty/go.mod"), "module e").unwrap();
        // A name a command line cannot carry intact is left out, from the reason too.
        std::fs::create_dir_all(dir.path().join("bad\x1b[2Jname")).unwrap();
        std::fs::write(dir.path().join("bad\x1b[2Jname/go.mod"), "module b").unwrap();
        std::fs::write(dir.path().join("bad\x1b[2Jname/b_test.go"), "package b\n").unwrap();
        let d = detect(dir.path(), &Limits::default()).unwrap();
        assert_eq!(
            d.fallbacks[1].command,
            r#"rc=0; for d in calc 'my tools'; do (cd "$d" && go test -v ./...) || rc=1; done; exit $rc"#
        );
        assert_eq!(d.fallbacks[1].why, "tests in the modules calc, my tools (./... stops at each go.mod)");
    }
}
