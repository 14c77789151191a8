//! `wright eval validate` on the starter suite and on a task whose check cannot tell a
//! fix from none.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::support::server::{ModelServer, turn, with};
use crate::support::{Home, jsonl, output};

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
    let fix_patch =
        "--- a/calc.py\n+++ b/calc.py\n@@ -1,2 +1,2 @@\n def add(a, b):\n-    return a + b\n+    return b + a\n";
    write_task(
        &task,
        "py-weak-check",
        "",
        "test_weak.py",
        "from calc import add\n\n\ndef test_add():\n    assert add(1, 1) == 2\n",
        fix_patch,
    );
    // A second task whose check needs what its `setup` makes.
    let setup = "setup = \"printf 'def two():\\\\n    return 2\\\\n' > made.py\"\n";
    let check = "from made import two\nfrom calc import add\n\n\ndef test_add():\n    assert add(two(), 1) == 3\n";
    let trivial = fix_patch.replace("+    return b + a", "+    return a + b + 0");
    write_task(&dir.path().join("suite/py-needs-setup"), "py-needs-setup", setup, "test_made.py", check, &trivial);
    let home = Home::new();
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["eval", "validate", "--suite"]).arg(dir.path().join("suite"));
    let out = output(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(4), "{stdout}");
    // setup ran, or `import made` would fail the check: the fix passes it (the no-op does
    // too, the fix being trivial, so that task rightly does not validate either).
    assert!(stdout.lines().any(|l| l.starts_with("py-needs-setup") && l.contains(" PP ")), "{stdout}");
    assert!(stdout.contains("py-weak-check") && stdout.contains("NO") && stdout.contains("no-op #1"), "{stdout}");
    assert!(stdout.contains("0 of 2 tasks validate"), "{stdout}");

    // A task naming a file it lacks is a clear usage error.
    std::fs::remove_file(task.join("fix.patch")).unwrap();
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["eval", "validate", "--suite"]).arg(dir.path().join("suite"));
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("fix.patch is missing"), "{stderr}");
}

#[tokio::test]
async fn wright_and_a_command_peer_run_side_by_side_and_only_the_check_decides() {
    // The scripted model fixes the page count; the stand-in peer does nothing and says done.
    let fix = turn(
        "",
        &[("edit", json!({"path": "pages.py", "old": "return total // size", "new": "return -(-total // size)"}))],
    );
    let peek = turn("", &[("run", json!({"command": format!("ls {}", starter().display())}))]);
    // The last turn's server reports its prompt cache, as llama.cpp does.
    let done = with(
        json!({"timings": {"cache_n": 900, "prompt_n": 100}}),
        turn("", &[("finish", json!({"summary": "pages round up"}))]),
    );
    let server = ModelServer::start(vec![peek, fix, done]).await;
    let home = Home::new();
    let out_dir = home.dir.path().join("results");
    let run = |rerun: bool| {
        let mut cmd = home.wright(&server.base_url);
        cmd.args(["eval", "run", "--tasks", "py-paginate-last-page", "--agent", "wright", "--agent", "cmd:true"]);
        cmd.args(["--model", "scripted", "--base-url", &server.base_url, "--suite"])
            .arg(starter())
            .arg("--out")
            .arg(&out_dir);
        if rerun {
            cmd.arg("--rerun");
        }
        cmd
    };
    let out = output(run(false)).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let rows = jsonl(&out_dir.join("results.jsonl"));
    assert_eq!(rows.len(), 2, "{rows:?}");
    let wright = rows.iter().find(|r| r["agent"] == "wright").unwrap();
    // Resolved by the hidden check; wright itself only said unverified (no visible test showed it).
    assert_eq!(
        (wright["resolved"].as_bool(), wright["claimed_fixed"].as_bool()),
        (Some(true), Some(false)),
        "{wright}"
    );
    assert_eq!(wright["steps"], 3);
    assert_eq!(wright["files_changed"], json!(["pages.py"]), "only the code reaches the check");
    assert_eq!(wright["model"], "scripted");
    let cache = [&wright["processed_prompt_tokens"], &wright["cached_prompt_tokens"], &wright["context_rewrites"]];
    assert_eq!(cache, [&json!(100), &json!(900), &json!(0)], "{wright}");
    let peer = rows.iter().find(|r| r["agent"] == "cmd:true").unwrap();
    assert_eq!((peer["resolved"].as_bool(), peer["claimed_fixed"].as_bool()), (Some(false), Some(true)), "{peer}");
    assert!(peer["cached_prompt_tokens"].is_null(), "a peer that does not say claims no cache: {peer}");
    // The agent could not see the suite (the hidden tests, the reference fix).
    let requests = server.requests();
    let listing =
        requests[1]["messages"].as_array().unwrap().iter().rev().find(|m| m["role"] == "tool").unwrap()["content"]
            .to_string();
    assert!(!listing.contains("py-paginate-last-page"), "the suite was visible: {listing}");
    // Every request carries the run's fixed sampling.
    assert!(requests.iter().all(|r| r["temperature"] == 0.0 && r["seed"] == 42), "{:?}", requests[0]);
    let report = std::fs::read_to_string(out_dir.join("report.md")).unwrap();
    assert!(report.contains("| wright | scripted | 1/1 (100%) |"), "{report}");
    assert!(report.contains("| cmd:true | scripted | 0/1 (0%) |") && report.contains("| 1 of 1 claims |"), "{report}");
    assert!(report.contains("| 100 / 900 | 0 |"), "prompt processed / cached and rewrites per task: {report}");
    let page = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    assert!(page.contains("<svg") && page.contains("claimed, not resolved"), "{page}");
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary.as_array().unwrap().len(), 2);
    // A second run skips what is done.
    let again = output(run(false)).await;
    assert!(String::from_utf8_lossy(&again.stderr).contains("done before, skipped"));
    assert_eq!(std::fs::read_to_string(out_dir.join("results.jsonl")).unwrap().lines().count(), 2);
}

#[tokio::test]
async fn shards_run_apart_and_merge_into_one_report() {
    let home = Home::new();
    let tasks = "py-average-empty,js-range-inclusive,py-paginate-last-page";
    let mut plan = home.wright("http://127.0.0.1:9/v1");
    plan.args(["eval", "plan", "--shards", "2", "--format", "k8s", "--agent", "cmd:true", "--tasks", tasks, "--suite"])
        .arg(starter());
    let out = output(plan).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let job: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((job["kind"].as_str(), job["spec"]["completions"].as_u64()), (Some("Job"), Some(2)));
    let script = job["spec"]["template"]["spec"]["containers"][0]["command"][2].as_str().unwrap();
    assert!(script.contains("--agent cmd:true") && script.contains("--shard \"$JOB_COMPLETION_INDEX\"/2"), "{script}");

    let shard_dir = |i: usize| home.dir.path().join(format!("shard-{i}"));
    for i in 0..2 {
        let mut cmd = home.wright("http://127.0.0.1:9/v1");
        cmd.args(["eval", "run", "--agent", "cmd:true", "--tasks", tasks, "--shard", &format!("{i}/2"), "--suite"])
            .arg(starter())
            .arg("--out")
            .arg(shard_dir(i));
        let out = output(cmd).await;
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let rows = |dir: &Path| std::fs::read_to_string(dir.join("results.jsonl")).unwrap().lines().count();
    assert_eq!((rows(&shard_dir(0)), rows(&shard_dir(1))), (2, 1), "every other task in each shard");
    let merged = home.dir.path().join("merged");
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["eval", "merge", "--out"]).arg(&merged).arg(shard_dir(0)).arg(shard_dir(1));
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(rows(&merged), 3);
    let report = std::fs::read_to_string(merged.join("report.md")).unwrap();
    assert!(report.contains("| cmd:true | - | 0/3 (0%) |"), "{report}");
    assert!(merged.join("report.html").is_file() && merged.join("summary.json").is_file());
    let mut bad = home.wright("http://127.0.0.1:9/v1");
    bad.args(["eval", "run", "--agent", "cmd:true", "--shard", "2/2", "--out", "x", "--suite"]).arg(starter());
    let out = output(bad).await;
    assert_eq!(out.status.code(), Some(2), "a shard past the count is a usage error");
}

/// A one-file Python task: `calc.py` with `add`, a hidden check file, a fix, and `extra`
/// lines for task.toml.
fn write_task(dir: &Path, id: &str, extra: &str, check_file: &str, check: &str, fix: &str) {
    std::fs::create_dir_all(dir.join("repo")).unwrap();
    std::fs::create_dir_all(dir.join("check")).unwrap();
    std::fs::write(dir.join("repo/calc.py"), "def add(a, b):\n    return a + b\n").unwrap();
    std::fs::write(dir.join("check").join(check_file), check).unwrap();
    std::fs::write(dir.join("task.md"), "add is fine\n").unwrap();
    std::fs::write(dir.join("fix.patch"), fix).unwrap();
    let toml = format!(
        "id = \"{id}\"\nlanguage = \"python\"\nkind = \"bug\"\nrepo = {{ path = \"repo\" }}\ntask_file = \"task.md\"\nfix = \"fix.patch\"\n{extra}\n[check]\nfiles = [\"{check_file}\"]\ncommand = \"python3 -m pytest -q\"\nfail_to_pass = [\"{check_file}::test_add\"]\n"
    );
    std::fs::write(dir.join("task.toml"), toml).unwrap();
}
