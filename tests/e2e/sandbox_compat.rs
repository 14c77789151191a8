//! What a project's tests need still works inside the sandbox: in the process backend a
//! cargo build and test, pytest, Python multiprocessing, node spawning children, git
//! reading the repository; in the wasm backend unittest, and pytest vendored in the tree.

use std::path::Path;
use std::process::Command;

use crate::support::contain::contain;
use crate::support::{Home, git, python_wasm};

fn sandboxed(home: &Home, repo: &Path, cmd: &str) -> (i32, String) {
    sandboxed_in(home, repo, &["--sandbox", "process", "--", "sh", "-c", cmd])
}

fn sandboxed_in(home: &Home, repo: &Path, args: &[&str]) -> (i32, String) {
    let mut cli = home.wright("http://127.0.0.1:9/v1");
    // The test's home is a temp dir; tell rustup and cargo where the real toolchain is.
    let real_home = std::env::var("HOME").unwrap_or_default();
    for (var, dir) in [("RUSTUP_HOME", ".rustup"), ("CARGO_HOME", ".cargo")] {
        cli.env(var, std::env::var(var).unwrap_or_else(|_| format!("{real_home}/{dir}")));
    }
    cli.args(["sandbox", "run", "--repo"]).arg(repo).args(["--timeout", "300"]).args(args);
    let out = cli.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

#[test]
fn toolchains_work_inside_the_sandbox() {
    contain();
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().canonicalize().unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::create_dir_all(repo.join("src")).unwrap();
    std::fs::write(repo.join("Cargo.toml"), "[package]\nname = \"small\"\nversion = \"0.1.0\"\nedition = \"2021\"\n")
        .unwrap();
    std::fs::write(
        repo.join("src/lib.rs"),
        "pub fn two() -> u32 { 2 }\n#[test]\nfn it_is_two() { assert_eq!(two(), 2); }\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("pool.py"),
        "import multiprocessing as mp\ndef sq(x): return x * x\nif __name__ == '__main__':\n    with mp.Pool(2) as p: print('pool', p.map(sq, range(4)))\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("kids.js"),
        "const {execSync} = require('child_process');\nconsole.log('node', execSync('echo child').toString().trim());\n",
    )
    .unwrap();

    let (code, out) = sandboxed(&home, &repo, "cargo test -q --offline 2>&1");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("1 passed"), "{out}");
    let (code, out) = sandboxed(&home, &repo, "python3 pool.py");
    assert_eq!((code, out.trim()), (0, "pool [0, 1, 4, 9]"), "{out}");
    if std::process::Command::new("node").arg("--version").output().is_ok() {
        let (code, out) = sandboxed(&home, &repo, "node kids.js");
        assert_eq!((code, out.trim()), (0, "node child"), "{out}");
    }
    let (code, out) = sandboxed(&home, &repo, "git status --short");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("?? pool.py"), "{out}");
}

/// A pure-Python project: `calc.py` and its tests in both unittest and pytest style.
fn python_project(repo: &Path) {
    git(repo, &["init", "-q"]);
    std::fs::create_dir_all(repo.join("tests")).unwrap();
    std::fs::write(repo.join("calc.py"), "def add(a, b):\n    return a + b\n").unwrap();
    std::fs::write(repo.join("tests/__init__.py"), "").unwrap();
    std::fs::write(
        repo.join("tests/test_calc.py"),
        "import unittest\nfrom calc import add\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\
         def test_strings():\n    assert add('a', 'b') == 'ab'\n\n\
         class AddCase(unittest.TestCase):\n    def test_negative(self):\n        self.assertEqual(add(-1, -1), -2)\n",
    )
    .unwrap();
}

/// Copies the host's pytest and what it imports into the tree, as a project vendoring it would.
fn vendor_pytest(repo: &Path) {
    let out = Command::new("python3")
        .args(["-c", "import pytest, os; print(os.path.dirname(os.path.dirname(pytest.__file__)))"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pytest is not installed on the host: `python3 -m pip install pytest` (README setup)"
    );
    let site = String::from_utf8(out.stdout).unwrap();
    let site = Path::new(site.trim());
    for package in ["pytest", "_pytest", "pluggy", "iniconfig", "packaging", "pygments", "py.py"] {
        let status = Command::new("cp").arg("-r").arg(site.join(package)).arg(repo).status().unwrap();
        assert!(status.success(), "copying {package}");
    }
}

#[test]
fn pytest_runs_in_the_process_sandbox() {
    contain();
    let home = Home::new();
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().canonicalize().unwrap();
    python_project(&repo);
    let (code, out) = sandboxed(&home, &repo, "python3 -m pytest -q tests");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3 passed"), "{out}");
}

#[test]
fn python_tests_run_in_the_wasm_backend() {
    contain();
    let home = Home::new();
    python_wasm().link_into(&home);
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().canonicalize().unwrap();
    python_project(&repo);
    let wasm = |args: &[&str]| {
        let mut all = vec!["--sandbox", "wasm", "--"];
        all.extend_from_slice(args);
        sandboxed_in(&home, &repo, &all)
    };
    let (code, out) = wasm(&["python", "-m", "unittest", "discover", "-s", "tests", "-t", ".", "-v"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("test_negative") && out.contains("OK"), "{out}");

    vendor_pytest(&repo);
    // What WASI lacks: faulthandler's signals, os.dup for fd capture, os.umask for the cache.
    let flags = ["-p", "no:faulthandler", "-p", "no:cacheprovider", "--capture=sys"];
    let mut args = vec!["python", "-m", "pytest", "-q"];
    args.extend_from_slice(&flags);
    args.push("tests");
    let (code, out) = wasm(&args);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("3 passed"), "{out}");

    // A failing test fails the run, with pytest's report intact.
    std::fs::write(repo.join("calc.py"), "def add(a, b):\n    return a - b\n").unwrap();
    let (code, out) = wasm(&args);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("failed") && out.contains("assert -1 == 5"), "{out}");
}
