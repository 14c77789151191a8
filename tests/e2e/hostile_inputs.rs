//! Inputs built to abort or stall wright: a file nested 200,000 levels deep, a command
//! that leaves 100,000 new files, and wasm modules and working directories reached
//! through a link or `..`. Each ends normally and says what it did.

use std::path::Path;

use serde_json::{Value, json};
use wright_sandbox::{Backend, Program, RunSpec};

use crate::support::contain::contain;
use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, turn};
use crate::support::{Home, events, finished, git, of_type, output, python_wasm};

const DEPTH: usize = 200_000;

/// A file whose middle is `DEPTH` brackets deep, between two definitions; in lines of
/// 100 brackets, so it reads as written by hand, not generated.
fn deep(before: &str, open: &str, close: &str, after: &str) -> String {
    let lines = |b: &str| format!("{}\n", b.repeat(100)).repeat(DEPTH / 100);
    format!("{before}{}1{}{after}", lines(open), lines(close))
}

/// The fixture with a deeply nested Python, JavaScript and Rust file committed.
fn deep_fixture() -> Fixture {
    let fixture = Fixture::new();
    let repo = fixture.repo();
    let files = [
        (
            "deep.py",
            deep(
                "def before_the_deep_one():\n    return 1\n\n\nDEEP = ",
                "(",
                ")",
                "\n\n\ndef after_the_deep_one():\n    return 2\n",
            ),
        ),
        (
            "deep.js",
            deep("function jsBefore() {}\nconst deep = ", "[", "]", ";\nfunction jsAfterDeep() { return 2; }\n"),
        ),
        ("deep.rs", deep("fn rs_before() {}\nconst DEEP: i32 = ", "(", ")", ";\nfn rs_after_deep() {}\n")),
    ];
    for (name, text) in files {
        std::fs::write(repo.join(name), text).unwrap();
    }
    git(&repo, &["add", "deep.py", "deep.js", "deep.rs"]);
    git(&repo, &["commit", "-q", "-m", "Deep files"]);
    fixture
}

fn search(home: &Home, repo: &Path, args: &[&str]) -> (Option<i32>, Value, String) {
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["search", "--json", "--repo"]).arg(repo).args(args);
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), serde_json::from_slice(&out.stdout).unwrap_or(Value::Null), stderr)
}

#[tokio::test]
async fn files_nested_200000_deep_are_indexed_searched_and_edited() {
    let fixture = deep_fixture();
    let repo = fixture.repo();
    let home = Home::new();
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["index", "--json", "--repo"]).arg(&repo);
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "the index run must end normally: {stderr}");
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(stats["files"].as_u64().unwrap() >= 7 && stats["skipped"]["generated"] == 0, "{stats}");

    // The definitions on either side of the deep part are found by name.
    for (symbol, path) in [("after_the_deep_one", "deep.py"), ("jsAfterDeep", "deep.js"), ("rs_after_deep", "deep.rs")]
    {
        let (code, hits, stderr) = search(&home, &repo, &["--kind", "symbol", symbol]);
        assert_eq!(code, Some(0), "{stderr}");
        assert_eq!(hits[0]["path"], path, "{symbol}: {hits}");
        assert_eq!(hits[0]["symbol"], symbol, "{hits}");
    }

    // A run whose model searches and edits the deep file: checked, committed, finished.
    let server = ModelServer::start(vec![
        turn("", &[("search", json!({"query": "after_the_deep_one", "kind": "symbol"}))]),
        turn("", &[("edit", json!({"path": "deep.py", "old": "    return 2\n", "new": "    return 3\n"}))]),
        turn("", &[("finish", json!({"summary": "edited the deep file", "outcome": "fixed"}))]),
    ])
    .await;
    let mut cmd = home.wright(&server.base_url);
    cmd.args([
        "run",
        "--attempts",
        "1",
        "--json",
        "--no-baseline",
        "--test-command",
        "true",
        "--model",
        "scripted",
        "--repo",
    ]);
    cmd.arg(&repo).arg("change what after_the_deep_one returns");
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The verdict sets the code (`true` proves nothing); a signal would leave none.
    assert!(out.status.code().is_some(), "{stderr}");
    let events = events(&out.stdout);
    assert_eq!(finished(&events)["stop_reason"], "finished", "{stderr}");
    let results = of_type(&events, "tool_result");
    assert!(results.iter().all(|r| r["ok"] == true), "{results:?}");
    assert!(results[0]["output"].as_str().unwrap().starts_with("deep.py:"), "{}", results[0]);
    let commits = of_type(&events, "commit");
    assert_eq!(commits.len(), 1, "{commits:?}");
    assert_eq!(commits[0]["files"], json!(["deep.py"]));
    let branch = events[0]["branch"].as_str().unwrap();
    let committed = git(&repo, &["show", &format!("{branch}:deep.py")]);
    assert!(committed.ends_with("def after_the_deep_one():\n    return 3\n"));
}

/// Makes 100,000 new files in 1,000 folders, and one beside them.
const FLOOD: &str = "python3 -c \"
import os
for d in range(1000):
    os.mkdir('gen%03d' % d)
    for i in range(100):
        open('gen%03d/f%02d.txt' % (d, i), 'w').write('x')
open('lone.txt', 'w').write('y')
\"";

#[tokio::test]
async fn a_command_that_leaves_100000_new_files_is_committed_in_part_and_told_briefly() {
    let fixture = Fixture::new();
    let server = ModelServer::start(vec![
        turn("", &[("run", json!({"command": FLOOD, "timeout_secs": 300}))]),
        turn("", &[("finish", json!({"summary": "made files", "outcome": "gave_up"}))]),
    ])
    .await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--no-baseline", "--test-command", "true", "--model", "scripted", "--repo"]);
    cmd.arg(fixture.repo()).arg("make many files");
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.code().is_some(), "{stderr}");
    let events = events(&out.stdout);
    assert_eq!(finished(&events)["stop_reason"], "finished", "{stderr}");

    let commits = of_type(&events, "commit");
    assert_eq!(commits.len(), 1, "{commits:?}");
    assert_eq!(commits[0]["files"].as_array().unwrap().len(), 200);
    let ran = of_type(&events, "tool_result")[0]["output"].as_str().unwrap();
    let note = ran.lines().find(|l| l.contains("not committed, left in the worktree")).unwrap_or_default();
    assert!(note.contains("(100 files, more than 200 files in one change)"), "{ran}");
    assert!(note.len() < 1500, "{} bytes: {note}", note.len());
}

/// `wright sandbox run --sandbox wasm` in `repo`: (exit code, stdout + stderr).
fn wasm_cli(home: &Home, repo: &Path, argv: &[&str]) -> (i32, String) {
    let mut cli = home.wright("http://127.0.0.1:9/v1");
    cli.args(["sandbox", "run", "--sandbox", "wasm", "--repo"]).arg(repo).args(["--timeout", "60", "--"]).args(argv);
    let out = cli.output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn wasm_modules_and_working_dirs_through_a_link_or_dotdot_are_refused() {
    contain();
    let home = Home::new();
    let wasm = python_wasm();
    wasm.link_into(&home);
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().canonicalize().unwrap();
    let (repo, outside) = (base.join("repo"), base.join("outside"));
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("marker"), "OUTSIDE-SECRET-4242").unwrap();
    let python = wasm.programs.join("python.wasm");
    std::os::unix::fs::symlink(&python, repo.join("py.wasm")).unwrap();
    std::os::unix::fs::symlink(&python, base.join("beside.wasm")).unwrap();
    std::os::unix::fs::symlink(&outside, repo.join("outlink")).unwrap();

    // The program itself: a link in the worktree, `..`, an absolute host path.
    let absolute = python.display().to_string();
    for (program, why) in [
        ("./py.wasm", "symbolic link"),
        ("../beside.wasm", "stay inside the worktree"),
        ("outlink/../beside.wasm", "stay inside the worktree"),
        (absolute.as_str(), "modules of the worktree"),
    ] {
        let (code, text) = wasm_cli(&home, &repo, &[program, "-c", "print('RAN-' + 'OUTSIDE')"]);
        assert_ne!(code, 0, "{program}: {text}");
        assert!(!text.contains("RAN-OUTSIDE"), "{program} ran: {text}");
        assert!(text.contains("no WASI module at") && text.contains(why), "{program}: {text}");
    }

    // The guest itself, opening host paths through the link and through `..`.
    let probe = "for p in ('outlink/marker', '../outside/marker', '/work/../outside/marker'):\n    \
                 try:\n        print(p, 'READ', open(p).read())\n    \
                 except OSError as e:\n        print(p, 'refused', type(e).__name__)\n";
    let (code, text) = wasm_cli(&home, &repo, &["python", "-c", probe]);
    assert_eq!(code, 0, "{text}");
    assert!(!text.contains("OUTSIDE-SECRET") && text.matches("refused").count() == 3, "{text}");

    // A working directory that is a link out of the worktree, or climbs out of it.
    for cwd in [repo.join("outlink"), repo.join("outlink/.."), repo.join("..").join("outside")] {
        let mut spec = RunSpec::new(Program::Argv(vec!["python".into(), "-c".into(), probe_cwd()]), &repo);
        spec.cwd = cwd.clone();
        spec.isolation.backend = Backend::Wasm;
        spec.isolation.wasm = wasm.setup();
        match wright_sandbox::run(&spec) {
            Ok(out) => panic!("{cwd:?} ran: {} {}", out.stdout.text, out.stderr.text),
            Err(e) => assert!(e.to_string().contains("the working directory"), "{cwd:?}: {e}"),
        }
    }
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1, "nothing was written outside");
}

/// Python that reads the marker from its working directory and writes beside it.
fn probe_cwd() -> String {
    "print('READ', open('marker').read()); open('written', 'w').write('x')".to_string()
}
