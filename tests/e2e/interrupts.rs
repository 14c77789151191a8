//! Ctrl-C reaches every wait: a long `run` command, the final test run and a commit-message
//! request are cut short, the sandboxed tree is killed, completed changes stay committed.

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::fixture::{Fixture, plan, strict_edit as edit};
use crate::support::server::{ModelServer, Step, turn};
use crate::support::{Home, events, finished, git, of_type, spawn};

const SIGINT: i32 = 2;

fn finish() -> Step {
    turn("", &[("finish", json!({"summary": "done", "outcome": "fixed"}))])
}

/// The run's worktree once `marker` appears in it (the command that writes it has started).
async fn worktree_with(home: &Home, marker: &str) -> PathBuf {
    for _ in 0..600 {
        let runs = home.data().join("wright/runs");
        for run in std::fs::read_dir(&runs).into_iter().flatten().flatten() {
            let worktree = run.path().join("worktree");
            if worktree.join(marker).exists() {
                return worktree;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{marker} never appeared in a run's worktree");
}

/// Sends SIGINT and waits for the exit; the events and how long the exit took.
async fn interrupt(child: Child) -> (Option<i32>, Vec<Value>, Duration, String) {
    let sent = Instant::now();
    crate::support::send_signal(child.id(), SIGINT);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    eprintln!("exited {:?} after the interrupt", sent.elapsed());
    (out.status.code(), events(&out.stdout), sent.elapsed(), stderr)
}

fn committed_edit(repo: &Path, events: &[Value]) {
    let end = finished(events);
    assert_eq!(end["commits"].as_array().unwrap().len(), 1, "{end}");
    let branch = events[0]["branch"].as_str().unwrap();
    let diff = git(repo, &["diff", "main", branch, "--", "dates.py"]);
    assert!(diff.contains("%H:%M:%S%z"), "the edit made before the interrupt is committed: {diff}");
}

#[tokio::test]
async fn sigint_during_a_long_run_command_kills_its_tree_and_stops_at_once() {
    let fixture = Fixture::new();
    let long = "touch started; (sleep 3; touch late) & sleep 60";
    let command = turn("", &[("run", json!({"command": long, "timeout_secs": 90}))]);
    let server = ModelServer::start(vec![plan(), edit(), command, finish()]).await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--test-command", "true", "--repo"]).arg(fixture.repo()).arg("make it strict");
    let child = spawn(cmd).await;
    let worktree = worktree_with(&home, "started").await;

    let (code, events, took, stderr) = interrupt(child).await;
    assert_eq!(code, Some(130), "{stderr}");
    assert!(took < Duration::from_secs(10), "the 60 s command was waited for ({took:?})");
    let end = finished(&events);
    assert_eq!(end["stop_reason"], "interrupted", "{end}");
    committed_edit(&fixture.repo(), &events);
    let result = of_type(&events, "tool_result").into_iter().find(|r| r["name"] == "run").unwrap();
    assert_eq!(result["ok"], false);
    assert!(result["output"].as_str().unwrap().contains("interrupted"), "{result}");
    assert_eq!(server.requests().len(), 3, "no turn after the interrupt");
    // The command's background child went with it.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert!(!worktree.join("late").exists(), "a process of the interrupted command lived on");
}

#[tokio::test]
async fn sigint_during_the_final_tests_stops_them_and_exits_130() {
    let fixture = Fixture::new();
    let server = ModelServer::start(vec![plan(), edit(), finish()]).await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--no-baseline", "--test-command", "touch tests-started; sleep 60", "--repo"]);
    cmd.arg(fixture.repo()).arg("make it strict");
    let child = spawn(cmd).await;
    worktree_with(&home, "tests-started").await;

    let (code, events, took, stderr) = interrupt(child).await;
    assert_eq!(code, Some(130), "{stderr}");
    assert!(took < Duration::from_secs(10), "the 60 s test run was waited for ({took:?})");
    let end = finished(&events);
    assert_eq!(end["stop_reason"], "interrupted", "{end}");
    assert!(end["detail"].as_str().unwrap().contains("final tests"), "{end}");
    assert!(end["final"].is_null(), "a test run cut short is no evidence: {end}");
    assert_ne!(end["verdict"], "fixed");
    committed_edit(&fixture.repo(), &events);
}

#[tokio::test]
async fn sigint_while_the_model_writes_a_commit_message_commits_with_a_derived_one() {
    let fixture = Fixture::new();
    let slow_message = Step::Delay(Duration::from_secs(60), Box::new(turn("fix: never seen", &[])));
    let server = ModelServer::start_with_commits(vec![plan(), edit(), finish()], vec![slow_message]).await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--test-command", "true", "--repo"]).arg(fixture.repo()).arg("make it strict");
    let child = spawn(cmd).await;
    for _ in 0..600 {
        if !server.commit_requests().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(server.commit_requests().len(), 1, "the run should be waiting for its commit message");

    let (code, events, took, stderr) = interrupt(child).await;
    assert_eq!(code, Some(130), "{stderr}");
    assert!(took < Duration::from_secs(10), "the commit message was waited for ({took:?})");
    committed_edit(&fixture.repo(), &events);
    let notices: Vec<&str> = of_type(&events, "notice").iter().map(|n| n["message"].as_str().unwrap()).collect();
    assert!(notices.iter().any(|n| n.contains("interrupted while the model wrote the commit message")), "{notices:?}");
    let commit = of_type(&events, "commit")[0]["subject"].as_str().unwrap().to_string();
    assert!(!commit.contains("never seen") && commit.contains("dates"), "{commit}");
    assert_eq!(finished(&events)["stop_reason"], "interrupted");
}
