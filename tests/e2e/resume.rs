//! Runs that survive being killed: SIGKILL mid model stream and mid tool (a file written,
//! not yet committed); the user's checkout stays byte-identical, the branch holds only
//! complete commits, and `wright resume` finishes the task.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::fixture::{Fixture, plan, strict_edit as edit};
use crate::support::server::{ModelServer, Step, turn};
use crate::support::{Home, events, finished, git, output, spawn};

const TASK: &str = "make parse_date strict about the offset";

fn finish() -> Step {
    turn("", &[("finish", json!({"summary": "strict now", "outcome": "partial"}))])
}

/// Starts `wright run`, waits until the server has had `requests` agent requests and
/// `commit_requests` commit-message requests (and `extra` more time), then SIGKILLs it.
/// Returns the run's first event.
async fn run_then_kill(
    home: &Home,
    server: &ModelServer,
    fixture: &Fixture,
    (requests, commit_requests): (usize, usize),
    extra: Duration,
) -> Value {
    run_then_kill_with(home, server, fixture, (requests, commit_requests), extra, &[]).await
}

/// As [`run_then_kill`], with more flags for `wright run`.
async fn run_then_kill_with(
    home: &Home,
    server: &ModelServer,
    fixture: &Fixture,
    (requests, commit_requests): (usize, usize),
    extra: Duration,
    flags: &[&str],
) -> Value {
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--test-command", "true"]).args(flags).arg("--repo").arg(fixture.repo()).arg(TASK);
    let mut child = spawn(cmd).await;
    // Read as it comes: a run that prints more than a pipe holds must not block on it.
    let mut stdout = child.stdout.take().unwrap();
    let printed = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut bytes).unwrap();
        bytes
    });
    let reached = || (server.requests().len(), server.commit_requests().len());
    for _ in 0..400 {
        if reached().0 >= requests && reached().1 >= commit_requests {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(reached(), (requests, commit_requests), "the run did not get that far");
    tokio::time::sleep(extra).await;
    child.kill().unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&out.status), Some(9));
    let events = events(&printed.join().unwrap());
    assert!(events.iter().all(|e| e["type"] != "run_finished"), "a killed run has no finish event");
    events[0].clone()
}

/// The branch's commits are whole and reachable, and git finds nothing broken.
fn complete_commits(repo: &Path, branch: &str) -> Vec<String> {
    git(repo, &["fsck", "--no-dangling", "--no-progress"]);
    git(repo, &["log", "--format=%s", &format!("main..{branch}")]).lines().map(str::to_string).collect()
}

async fn resume(home: &Home, server: &ModelServer, run_id: &str) -> (Option<i32>, Vec<Value>, String) {
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["resume", "--json", run_id]);
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), events(&out.stdout), stderr)
}

fn worktree_of(start: &Value) -> PathBuf {
    PathBuf::from(start["worktree"].as_str().unwrap())
}

#[tokio::test]
async fn killed_mid_stream_then_resumed() {
    let fixture = Fixture::new();
    let before = fixture.snapshot();
    let server = ModelServer::start(vec![plan(), edit(), Step::Stall, finish()]).await;
    let home = Home::new();
    let start = run_then_kill(&home, &server, &fixture, (3, 1), Duration::from_millis(300)).await;
    let run_id = start["run_id"].as_str().unwrap().to_string();
    let branch = start["branch"].as_str().unwrap().to_string();
    assert_eq!(fixture.snapshot(), before, "the user's checkout changed");
    assert_eq!(complete_commits(&fixture.repo(), &branch).len(), 1);
    assert_eq!(git(&worktree_of(&start), &["status", "--porcelain"]), "");

    let mut log = home.wright(&server.base_url);
    log.args(["log", "--json"]);
    let listed: Value = serde_json::from_slice(&output(log).await.stdout).unwrap();
    assert_eq!((listed["id"].as_str(), listed["status"].as_str()), (Some(run_id.as_str()), Some("stopped")));

    let (code, events, stderr) = resume(&home, &server, &run_id).await;
    assert_eq!(code, Some(4), "{stderr}");
    assert_eq!(events[0]["type"], "run_started");
    assert_eq!(events[0]["run_id"], run_id.as_str());
    assert_eq!(events[0]["branch"], branch.as_str());
    let end = finished(&events);
    assert_eq!(end["summary"], "strict now");
    // Steps spent before the kill count: plan, edit, the stalled turn, then finish.
    assert_eq!(end["steps"], 4);
    assert_eq!(end["commits"].as_array().unwrap().len(), 1);

    // The resumed conversation is the whole one, tool-call ids and all, plus the note.
    let requests = server.requests();
    let messages = requests.last().unwrap()["messages"].as_array().unwrap().clone();
    assert!(messages.iter().any(|m| m["tool_call_id"] == "call_0" && m["role"] == "tool"));
    let note = messages.last().unwrap()["content"].as_str().unwrap();
    assert!(note.contains("resumed") && note.contains("keeps its commits"), "{note}");
    assert_eq!(fixture.snapshot(), before);

    // The journal numbers on across both processes.
    let journal = std::fs::read_to_string(home.data().join("wright/runs").join(&run_id).join("events.jsonl")).unwrap();
    let seqs: Vec<u64> =
        journal.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "{seqs:?}");

    // The model finished this time: there is nothing left to resume.
    let mut again = home.wright(&server.base_url);
    again.args(["resume", &run_id]);
    let out = output(again).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("start a new run"));
}

#[tokio::test]
async fn killed_mid_tool_between_edit_and_commit_then_resumed() {
    let fixture = Fixture::new();
    let before = fixture.snapshot();
    let half = turn(
        "",
        &[("run", json!({"command": "printf 'half-done' > half.txt; sed -i 's/Parse/PARSE/' dates.py; sleep 60"}))],
    );
    let server = ModelServer::start(vec![plan(), edit(), half, finish()]).await;
    let home = Home::new();
    let start = run_then_kill(&home, &server, &fixture, (3, 1), Duration::from_millis(1500)).await;
    let worktree = worktree_of(&start);
    let branch = start["branch"].as_str().unwrap().to_string();
    assert!(worktree.join("half.txt").exists(), "the command should have written before the kill");
    assert_eq!(fixture.snapshot(), before);
    assert_eq!(complete_commits(&fixture.repo(), &branch).len(), 1, "the uncommitted change is not on the branch");

    let run_id = start["run_id"].as_str().unwrap();
    let (code, events, stderr) = resume(&home, &server, run_id).await;
    assert_eq!(code, Some(4), "{stderr}");
    let notice = events.iter().find(|e| e["type"] == "notice").unwrap()["message"].as_str().unwrap().to_string();
    assert!(notice.contains("half.txt") && notice.contains("dates.py"), "{notice}");
    assert!(!worktree.join("half.txt").exists(), "the uncommitted file is discarded");
    let dates = std::fs::read_to_string(worktree.join("dates.py")).unwrap();
    assert!(dates.contains("%z") && !dates.contains("PARSE"), "{dates}");
    assert_eq!(git(&worktree, &["status", "--porcelain"]), "");
    let messages = server.requests().last().unwrap()["messages"].as_array().unwrap().clone();
    let dangling = messages
        .iter()
        .find(|m| m["tool_call_id"] == "call_0" && m["content"].as_str().unwrap().contains("stopped before"));
    assert!(dangling.is_some(), "the killed call gets an answer: {messages:?}");
    assert_eq!(fixture.snapshot(), before);
}

#[tokio::test]
async fn killed_while_the_model_writes_the_commit_message_then_resumed() {
    let fixture = Fixture::new();
    let before = fixture.snapshot();
    let message = turn("fix(dates): require a UTC offset", &[]);
    let server =
        ModelServer::start_with_commits(vec![plan(), edit(), edit(), finish()], vec![Step::Stall, message]).await;
    let home = Home::new();
    let start = run_then_kill(&home, &server, &fixture, (2, 1), Duration::from_millis(300)).await;
    let worktree = worktree_of(&start);
    let branch = start["branch"].as_str().unwrap().to_string();
    assert_eq!(fixture.snapshot(), before);
    assert!(complete_commits(&fixture.repo(), &branch).is_empty(), "the edit was not committed yet");
    assert!(std::fs::read_to_string(worktree.join("dates.py")).unwrap().contains("%z"));

    let run_id = start["run_id"].as_str().unwrap();
    let (code, events, stderr) = resume(&home, &server, run_id).await;
    assert_eq!(code, Some(4), "{stderr}");
    let notice = events.iter().find(|e| e["type"] == "notice").unwrap()["message"].as_str().unwrap().to_string();
    assert!(notice.contains("discarded, in: dates.py") && notice.contains("no commits yet"), "{notice}");
    // The model redid the edit; this time the message came and the commit landed.
    assert_eq!(complete_commits(&fixture.repo(), &branch), ["fix(dates): require a UTC offset"]);
    assert_eq!(git(&worktree, &["status", "--porcelain"]), "");
    assert_eq!(fixture.snapshot(), before);
}

#[tokio::test]
async fn a_compacted_conversation_survives_kill_9_and_resume_sees_what_the_model_saw() {
    let fixture = Fixture::new();
    let repo = fixture.repo();
    std::fs::create_dir(repo.join("src")).unwrap();
    for i in 0..20 {
        let text: String = (0..150).map(|j| format!("def f{i}_{j}(x):  return x + {j}\n")).collect();
        std::fs::write(repo.join(format!("src/m{i}.py")), text).unwrap();
    }
    git(&repo, &["add", "src"]);
    git(&repo, &["commit", "-q", "-m", "Add modules"]);
    let read = |i: usize| {
        let args =
            json!({"path": format!("src/m{}.py", i % 20), "start_line": 1 + i / 20 * 40, "end_line": 40 + i / 20 * 40});
        turn("", &[("read_file", args)])
    };
    let mut script = vec![plan()];
    script.extend((0..30).map(read));
    script.extend([Step::Stall, finish(), finish()]);
    let stalled = script.len() - 2;
    let server = ModelServer::start(script).await;
    server.enforce_window(8192);
    let notes = "## Task\nstrict offsets\n## What was learned\nsrc holds adders\n## Next step\nedit dates.py";
    server.answer(wright_agent::SUMMARY_PROMPT, (0..20).map(|_| turn(notes, &[])).collect());
    let home = Home::new();
    let flags = ["--drafts", "0"];
    let start = run_then_kill_with(&home, &server, &fixture, (stalled, 0), Duration::from_millis(300), &flags).await;
    let journal = home.data().join("wright/runs").join(start["run_id"].as_str().unwrap()).join("events.jsonl");
    let compacted = crate::support::jsonl(&journal).into_iter().filter(|e| e["type"] == "context_compacted").count();
    assert!(compacted >= 1, "the run compacted before it was killed");
    let seen = server.requests()[stalled - 1]["messages"].as_array().unwrap().clone();
    assert!(seen.iter().any(|m| m["content"].as_str().unwrap_or("").contains("summarized to fit the context window")));

    let (code, events, stderr) = resume(&home, &server, start["run_id"].as_str().unwrap()).await;
    assert!(code.is_some() && events[0]["type"] == "run_started", "{stderr}");
    let resumed = server.requests()[stalled]["messages"].as_array().unwrap().clone();
    assert_eq!(resumed[..seen.len()], seen[..], "resume rebuilt exactly what the model last saw");
    assert_eq!(server.refusals(), 0);
}

#[tokio::test]
async fn finished_runs_are_reviewed_undone_and_cleaned() {
    let fixture = Fixture::new();
    let before = fixture.snapshot();
    let server = ModelServer::start(vec![
        plan(),
        edit(),
        turn("", &[("finish", json!({"summary": "done", "outcome": "fixed"}))]),
    ])
    .await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--test-command", "true", "--repo"]).arg(fixture.repo()).arg(TASK);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let events = events(&out.stdout);
    let run_id = events[0]["run_id"].as_str().unwrap().to_string();
    let branch = events[0]["branch"].as_str().unwrap().to_string();
    let worktree = worktree_of(&events[0]);
    let wright = |args: &[&str]| {
        let mut c = home.wright(&server.base_url);
        c.args(args);
        c.output().unwrap()
    };

    let log = wright(&["log"]);
    let text = String::from_utf8_lossy(&log.stdout);
    assert!(text.contains(&run_id[..8]) && text.contains("unverified") && text.contains(&branch), "{text}");
    let show = wright(&["show", &run_id[..5]]);
    let text = String::from_utf8_lossy(&show.stdout);
    assert!(text.contains("[>] Make it strict"), "{text}");
    assert!(text.contains("+    return datetime.strptime(text, \"%Y-%m-%dT%H:%M:%S%z\")"), "{text}");
    assert!(text.contains("Wright-Session: "), "{text}");
    assert!(!text.contains("\x1b["), "no colour when not on a terminal");

    let resumed = wright(&["resume", &run_id]);
    assert_eq!(resumed.status.code(), Some(2), "a finished run is not resumed");
    assert!(String::from_utf8_lossy(&resumed.stderr).contains("finished"));

    let undo = wright(&["undo", &run_id, "--json"]);
    assert_eq!(undo.status.code(), Some(0), "{}", String::from_utf8_lossy(&undo.stderr));
    assert_eq!(git(&fixture.repo(), &["rev-parse", &branch]), git(&fixture.repo(), &["rev-parse", "main"]));
    assert_eq!(std::fs::read_to_string(worktree.join("dates.py")).unwrap(), crate::support::fixture::DATES_PY);
    let again = wright(&["undo", &run_id]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("cannot drop 1"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    let clean = wright(&["clean", "--json"]);
    let report: Value = serde_json::from_slice(&clean.stdout).unwrap();
    assert_eq!(report["removed"].as_array().unwrap().len(), 1, "{report}");
    // The finished run's index view goes with it; the repository's own index stays.
    let pruned = report["index_cache"]["removed"].as_array().unwrap();
    assert!(
        pruned.iter().any(|r| r["why"] == "its run is over" && r["path"].as_str().unwrap().ends_with(&run_id)),
        "{report}"
    );
    let index_root = home.dir.path().join(".cache/wright/index");
    let repo_indexes = || std::fs::read_dir(&index_root).map(|d| d.count()).unwrap_or(0);
    assert_eq!(repo_indexes(), 1, "{report}");
    // `--all`, from outside any repository, drops the rest and says what it freed.
    let mut all = home.wright(&server.base_url);
    all.args(["clean", "--all"]).current_dir(home.dir.path());
    let all = all.output().unwrap();
    let text = String::from_utf8_lossy(&all.stdout);
    assert_eq!(all.status.code(), Some(0), "{text}{}", String::from_utf8_lossy(&all.stderr));
    assert!(text.contains("index cache: freed") && text.contains("0.0 MB kept"), "{text}");
    assert_eq!(repo_indexes(), 0, "{text}");
    assert!(!worktree.exists());
    assert_eq!(git(&fixture.repo(), &["branch", "--list", &branch]).trim().trim_start_matches("* "), branch);
    assert!(!git(&fixture.repo(), &["worktree", "list"]).contains(worktree.to_str().unwrap()));
    let missing = wright(&["show", "nosuchrun"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("wright log"));
    assert_eq!(fixture.snapshot(), before);
}

#[tokio::test]
async fn two_runs_on_one_repository_at_once() {
    let fixture = Fixture::new();
    let before = fixture.snapshot();
    let home = Home::new();
    let mut children = Vec::new();
    let mut servers = Vec::new();
    for text in ["first", "second"] {
        let change = turn("", &[("run", json!({"command": format!("echo {text} > {text}.txt")}))]);
        let done = turn("", &[("finish", json!({"summary": text, "outcome": "fixed"}))]);
        let server = ModelServer::start(vec![change, done]).await;
        let mut cmd = home.wright(&server.base_url);
        cmd.args(["run", "--json", "--test-command", "true", "--repo"]).arg(fixture.repo()).arg("add a note");
        children.push(spawn(cmd).await);
        servers.push(server);
    }
    let mut branches = Vec::new();
    for (child, name) in children.into_iter().zip(["first", "second"]) {
        let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
        assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
        let events = events(&out.stdout);
        let branch = events[0]["branch"].as_str().unwrap().to_string();
        let files = git(&fixture.repo(), &["diff", "--name-only", "main", &branch]);
        assert_eq!(files.trim(), format!("{name}.txt"));
        branches.push(branch);
    }
    branches.sort();
    assert_eq!(branches, ["wright/add-a-note", "wright/add-a-note-2"]);
    assert_eq!(fixture.snapshot(), before);
}
