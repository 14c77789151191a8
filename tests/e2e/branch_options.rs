//! `--include-dirty` and `--base`: where a run's branch starts.

use serde_json::json;

use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, turn};
use crate::support::{Home, events, git, of_type, output};

async fn run(fixture: &Fixture, flags: &[&str]) -> (Option<i32>, Vec<serde_json::Value>, String) {
    run_with_config(fixture, flags, "").await
}

async fn run_with_config(
    fixture: &Fixture,
    flags: &[&str],
    config: &str,
) -> (Option<i32>, Vec<serde_json::Value>, String) {
    let done = turn("", &[("finish", json!({"summary": "nothing to do", "outcome": "gave_up"}))]);
    let server = ModelServer::start(vec![done]).await;
    let home = Home::new();
    let dir = home.dir.path().join("config/wright");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), config).unwrap();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--attempts", "1", "--test-command", "true", "--repo"])
        .arg(fixture.repo())
        .args(flags)
        .arg("look around");
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let events = if out.stdout.is_empty() { Vec::new() } else { events(&out.stdout) };
    (out.status.code(), events, stderr)
}

#[tokio::test]
async fn include_dirty_copies_the_users_work_as_a_labelled_first_commit() {
    let fixture = Fixture::new();
    let before = fixture.snapshot();
    let config = "[git]\nauthor = \"Wright Bot <bot@example.com>\"\n";
    let (code, events, stderr) = run_with_config(&fixture, &["--include-dirty"], config).await;
    assert_eq!(code, Some(4), "{stderr}");
    let commits = of_type(&events, "commit");
    assert_eq!(commits.len(), 1);
    assert_eq!(commits[0]["subject"], "chore: include uncommitted changes from the checkout");
    assert_eq!(commits[0]["files"], json!(["README.md", "notes.txt"]));
    let branch = events[0]["branch"].as_str().unwrap();
    let body = git(&fixture.repo(), &["log", "-1", "--format=%b", branch]);
    assert!(body.contains("not written by wright") && body.contains("- notes.txt"), "{body}");
    let who = git(&fixture.repo(), &["log", "-1", "--format=%an <%ae> / %cn", branch]);
    assert_eq!(who.trim(), "Wright Bot <bot@example.com> / Pat Developer", "configured author, the user's committer");
    assert_eq!(git(&fixture.repo(), &["show", &format!("{branch}:notes.txt")]), "my notes\n");
    assert_eq!(fixture.snapshot(), before, "the checkout is only read");
}

#[tokio::test]
async fn base_picks_the_starting_revision() {
    let fixture = Fixture::new();
    let repo = fixture.repo();
    git(&repo, &["tag", "v1"]);
    git(&repo, &["commit", "-q", "--allow-empty", "-m", "after v1"]);
    let (code, events, stderr) = run(&fixture, &["--base", "v1"]).await;
    assert_eq!(code, Some(4), "{stderr}");
    assert_eq!(events[0]["base"].as_str().unwrap(), git(&repo, &["rev-parse", "v1"]).trim());
    let (code, _, stderr) = run(&fixture, &["--base", "no-such-ref"]).await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("--base no-such-ref"), "{stderr}");
}

#[tokio::test]
async fn a_malformed_identity_is_a_usage_error() {
    let fixture = Fixture::new();
    let (code, _, stderr) = run_with_config(&fixture, &[], "[git]\ncommitter = \"just a name\"\n").await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("git.committer must look like"), "{stderr}");
}
