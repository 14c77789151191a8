//! What a project's tests need still works inside the process sandbox: a cargo build and
//! test, Python multiprocessing, node spawning children, git reading the repository.

use crate::support::contain::contain;
use crate::support::{Home, git};

fn sandboxed(home: &Home, repo: &std::path::Path, cmd: &str) -> (i32, String) {
    let mut cli = home.wright("http://127.0.0.1:9/v1");
    // The test's home is a temp dir; tell rustup and cargo where the real toolchain is.
    let real_home = std::env::var("HOME").unwrap_or_default();
    for (var, dir) in [("RUSTUP_HOME", ".rustup"), ("CARGO_HOME", ".cargo")] {
        cli.env(var, std::env::var(var).unwrap_or_else(|_| format!("{real_home}/{dir}")));
    }
    cli.args(["sandbox", "run", "--repo"]).arg(repo).args(["--timeout", "300", "--", "sh", "-c", cmd]);
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
