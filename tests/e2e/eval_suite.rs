//! `wright eval validate` on the starter suite and on a task whose check cannot tell a
//! fix from none.

use std::path::{Path, PathBuf};

use crate::support::{Home, output};

fn starter() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../evals/suites/starter")
}

#[tokio::test]
async fn the_starter_smoke_tasks_validate() {
    let home = Home::new();
    let out_file = home.dir.path().join("validate.json");
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    // The Rust tasks need the user's toolchain, which a test's own `$HOME` lacks.
    let real_home = std::env::var("HOME").unwrap_or_default();
    for (var, dir) in [("CARGO_HOME", ".cargo"), ("RUSTUP_HOME", ".rustup")] {
        cmd.env(var, std::env::var(var).unwrap_or_else(|_| format!("{real_home}/{dir}")));
    }
    cmd.args(["eval", "validate", "--tasks", "smoke", "--suite"]).arg(starter()).arg("--out").arg(&out_file);
    let out = output(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("8 of 8 tasks validate"), "{stdout}");
    let rows: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    let languages: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["language"].as_str().unwrap()).collect();
    assert_eq!(languages, ["go", "go", "javascript", "javascript", "python", "python", "rust", "rust"]);
}

#[tokio::test]
async fn a_check_that_passes_without_the_fix_does_not_validate() {
    let dir = tempfile::tempdir().unwrap();
    let task = dir.path().join("suite/py-weak-check");
    std::fs::create_dir_all(task.join("repo")).unwrap();
    std::fs::create_dir_all(task.join("check")).unwrap();
    std::fs::write(task.join("repo/calc.py"), "def add(a, b):\n    return a + b\n").unwrap();
    std::fs::write(
        task.join("check/test_weak.py"),
        "from calc import add\n\n\ndef test_add():\n    assert add(1, 1) == 2\n",
    )
    .unwrap();
    std::fs::write(task.join("task.md"), "add is fine\n").unwrap();
    std::fs::write(
        task.join("fix.patch"),
        "--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a + b\n+    return b + a\n",
    )
    .unwrap();
    std::fs::write(
        task.join("task.toml"),
        "id = \"py-weak-check\"\nlanguage = \"python\"\nkind = \"bug\"\nrepo = { path = \"repo\" }\ntask_file = \"task.md\"\nfix = \"fix.patch\"\n\n[check]\nfiles = [\"test_weak.py\"]\ncommand = \"python3 -m pytest -q\"\nfail_to_pass = [\"test_weak.py::test_add\"]\n",
    )
    .unwrap();
    let home = Home::new();
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["eval", "validate", "--suite"]).arg(dir.path().join("suite"));
    let out = output(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(4), "{stdout}");
    assert!(stdout.contains("py-weak-check") && stdout.contains("NO") && stdout.contains("no-op #1"), "{stdout}");
    assert!(stdout.contains("0 of 1 tasks validate"), "{stdout}");

    // A task naming a file it lacks is a clear usage error.
    std::fs::remove_file(task.join("fix.patch")).unwrap();
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["eval", "validate", "--suite"]).arg(dir.path().join("suite"));
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("fix.patch is missing"), "{stderr}");
}
