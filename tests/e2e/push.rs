//! `wright push` against a real git server on loopback (`git daemon`): the branch lands,
//! pushed commits cannot be undone, and a push that is not a fast-forward is rejected and
//! reported as such, never forced.

use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, turn};
use crate::support::{Home, events, git, output};

struct Daemon {
    child: Child,
    url: String,
    bare: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A bare repository seeded from `source`'s main, served read-write by `git daemon`.
fn daemon(source: &Path) -> Daemon {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("remote.git");
    git(dir.path(), &["clone", "-q", "--bare", source.to_str().unwrap(), bare.to_str().unwrap()]);
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = Command::new("git")
        .args(["daemon", "--reuseaddr", "--export-all", "--enable=receive-pack", "--listen=127.0.0.1"])
        .arg(format!("--port={port}"))
        .arg(format!("--base-path={}", dir.path().display()))
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    Daemon { child, url: format!("git://127.0.0.1:{port}/remote.git"), bare, _dir: dir }
}

#[tokio::test]
async fn push_lands_the_branch_and_a_non_fast_forward_is_rejected() {
    let fixture = Fixture::new();
    let remote = daemon(&fixture.repo());
    git(&fixture.repo(), &["remote", "add", "origin", &remote.url]);
    let before = fixture.snapshot();
    let edit = turn("", &[("edit", json!({"path": "dates.py", "old": "%H:%M:%S\"", "new": "%H:%M:%S%z\""}))]);
    let done = turn("", &[("finish", json!({"summary": "strict", "outcome": "fixed"}))]);
    let server = ModelServer::start(vec![edit, done]).await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--test-command", "true", "--repo"]).arg(fixture.repo()).arg("strict offsets");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let events = events(&out.stdout);
    let run_id = events[0]["run_id"].as_str().unwrap().to_string();
    let branch = events[0]["branch"].as_str().unwrap().to_string();
    let worktree = std::path::PathBuf::from(events[0]["worktree"].as_str().unwrap());
    let wright = |args: &[&str]| {
        let mut c = home.wright(&server.base_url);
        c.args(args);
        c.output().unwrap()
    };

    let pushed = wright(&["push", &run_id, "--json"]);
    assert_eq!(pushed.status.code(), Some(0), "{}", String::from_utf8_lossy(&pushed.stderr));
    let report: Value = serde_json::from_slice(&pushed.stdout).unwrap();
    let tip = git(&fixture.repo(), &["rev-parse", &branch]).trim().to_string();
    assert_eq!(report["pushed"]["sha"], tip.as_str());
    assert_eq!(git(&remote.bare, &["rev-parse", &branch]).trim(), tip, "the remote holds the branch at that commit");

    let undo = wright(&["undo", &run_id]);
    assert_eq!(undo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&undo.stderr).contains("pushed"), "{}", String::from_utf8_lossy(&undo.stderr));
    assert_eq!(git(&fixture.repo(), &["rev-parse", &branch]).trim(), tip);

    // Someone else pushes to the branch; the run's branch moves on its own way.
    let other = tempfile::tempdir().unwrap();
    git(other.path(), &["clone", "-q", "-b", &branch, &remote.url, "c"]);
    let clone = other.path().join("c");
    std::fs::write(clone.join("theirs.txt"), "theirs\n").unwrap();
    git(&clone, &["add", "."]);
    git(&clone, &["-c", "user.name=O", "-c", "user.email=o@example.com", "commit", "-q", "-m", "theirs"]);
    git(&clone, &["push", "-q", "origin", &branch]);
    let theirs = git(&clone, &["rev-parse", "HEAD"]).trim().to_string();
    std::fs::write(worktree.join("ours.txt"), "ours\n").unwrap();
    git(&worktree, &["add", "."]);
    git(&worktree, &["-c", "user.name=P", "-c", "user.email=p@example.com", "commit", "-q", "-m", "ours"]);

    let rejected = wright(&["push", &run_id]);
    let stderr = String::from_utf8_lossy(&rejected.stderr);
    assert_eq!(rejected.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("rejected") && stderr.contains(&format!("refs/heads/{branch}")), "{stderr}");
    assert_eq!(git(&remote.bare, &["rev-parse", &branch]).trim(), theirs, "never forced");

    let no_remote = wright(&["push", &run_id, "--remote", "upstream"]);
    assert_eq!(no_remote.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&no_remote.stderr).contains("git remote add upstream"));
    assert_eq!(fixture.snapshot(), before);
}
