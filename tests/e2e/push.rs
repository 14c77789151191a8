//! `wright push` against real git servers on loopback (`git daemon`, and `git http-backend`
//! behind HTTP Basic authentication): the branch lands, pushed commits cannot be undone, a
//! missing or wrong token is refused with what to do, a token of the environment reaches
//! no host but its own and never goes over plain http, and a push that is not a
//! fast-forward is rejected and reported as such, never forced.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::fixture::Fixture;
use crate::support::git_daemon::daemon;
use crate::support::git_http;
use crate::support::server::{ModelServer, turn};
use crate::support::{Home, events, git, output};

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
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
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

/// `wright push RUN` with `env` added: its exit code and stderr.
fn push_with_env(home: &Home, server: &ModelServer, run_id: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let mut c = home.wright(&server.base_url);
    c.args(["push", run_id]).envs(env.iter().copied());
    let out = c.output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

/// A model that makes one edit and finishes.
async fn one_edit_model() -> ModelServer {
    let edit = turn("", &[("edit", json!({"path": "dates.py", "old": "%H:%M:%S\"", "new": "%H:%M:%S%z\""}))]);
    let done = turn("", &[("finish", json!({"summary": "strict", "outcome": "fixed"}))]);
    ModelServer::start(vec![edit, done]).await
}

/// A finished run with one commit on `fixture`: its id and branch.
async fn one_commit_run(home: &Home, server: &ModelServer, fixture: &Fixture) -> (String, String) {
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--test-command", "true", "--repo"]).arg(fixture.repo()).arg("strict offsets");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let events = events(&out.stdout);
    (events[0]["run_id"].as_str().unwrap().to_string(), events[0]["branch"].as_str().unwrap().to_string())
}

// The git server runs on this runtime while the test blocks on `wright push`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_over_http_takes_the_token_from_the_environment() {
    const TOKEN: &str = "tok-e2e-7f3a";
    let fixture = Fixture::new();
    let remote = git_http::serve(&fixture.repo(), TOKEN).await;
    git(&fixture.repo(), &["remote", "add", "origin", &remote.url]);
    let edit = turn("", &[("edit", json!({"path": "dates.py", "old": "%H:%M:%S\"", "new": "%H:%M:%S%z\""}))]);
    let done = turn("", &[("finish", json!({"summary": "strict", "outcome": "fixed"}))]);
    let server = ModelServer::start(vec![edit, done]).await;
    let home = Home::new();
    let (run_id, branch) = one_commit_run(&home, &server, &fixture).await;
    // WRIGHT_GIT_TOKEN goes to the hosts the user names; plain http only to an address on loopback.
    home.user_config("[git]\ntoken_hosts = [\"127.0.0.1\"]\n");
    let push = |token: Option<&str>| {
        let mut c = home.wright(&server.base_url);
        c.args(["push", &run_id]);
        if let Some(t) = token {
            c.env("WRIGHT_GIT_TOKEN", t);
        }
        let out = c.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let remote_has = |rev: &str| {
        Command::new("git").args(["rev-parse", "--verify", "-q", rev]).current_dir(&remote.bare).output().unwrap()
    };

    // No token and no credential helper, then a wrong token: refused, saying what to do.
    for token in [None, Some("wrong")] {
        let (code, _, stderr) = push(token);
        assert_eq!(code, Some(1), "{stderr}");
        assert!(stderr.contains("authentication failed") && stderr.contains("WRIGHT_GIT_TOKEN"), "{stderr}");
        assert!(!remote_has(&branch).status.success(), "nothing may land without the token");
    }

    let (code, stdout, stderr) = push(Some(TOKEN));
    assert_eq!(code, Some(0), "{stderr}");
    let tip = git(&fixture.repo(), &["rev-parse", &branch]).trim().to_string();
    assert_eq!(String::from_utf8_lossy(&remote_has(&branch).stdout).trim(), tip);
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN), "the token is never printed");
    assert!(remote.passwords().iter().any(|p| p == TOKEN), "the token went to the host named for it");

    // Someone else moves the branch on the server: the next push is rejected, not forced.
    let other = tempfile::tempdir().unwrap();
    let with_token = remote.url.replacen("http://", &format!("http://x:{TOKEN}@"), 1);
    git(other.path(), &["clone", "-q", "-b", &branch, &with_token, "c"]);
    let clone = other.path().join("c");
    git(
        &clone,
        &["-c", "user.name=O", "-c", "user.email=o@example.com", "commit", "-q", "--allow-empty", "-m", "theirs"],
    );
    git(&clone, &["push", "-q", "origin", &branch]);
    let theirs = git(&clone, &["rev-parse", "HEAD"]).trim().to_string();
    let mut undo = home.wright(&server.base_url);
    undo.args(["undo", &run_id]);
    assert_eq!(undo.output().unwrap().status.code(), Some(2), "pushed commits are not undone");
    let worktree = home.data().join("wright/runs").join(&run_id).join("worktree");
    git(
        &worktree,
        &["-c", "user.name=P", "-c", "user.email=p@example.com", "commit", "-q", "--allow-empty", "-m", "ours"],
    );
    let (code, _, stderr) = push(Some(TOKEN));
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("rejected") && stderr.contains("not a fast-forward"), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&remote_has(&branch).stdout).trim(), theirs, "never forced");
}

// GITHUB_TOKEN and WRIGHT_GIT_TOKEN both hold the token this server takes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_in_the_environment_goes_to_no_other_host() {
    const TOKEN: &str = "tok-e2e-elsewhere-51c2";
    let fixture = Fixture::new();
    let remote = git_http::serve(&fixture.repo(), TOKEN).await;
    git(&fixture.repo(), &["remote", "add", "origin", &remote.url]);
    let server = one_edit_model().await;
    let home = Home::new();
    let (run_id, branch) = one_commit_run(&home, &server, &fixture).await;
    // The user's token is for another host; the repository, even a trusted one, may not
    // name this one.
    let repo = fixture.repo().canonicalize().unwrap();
    home.user_config(&format!(
        "trusted_repos = [{:?}]\n[git]\ntoken_hosts = [\"git.example.com\"]\n",
        repo.display().to_string()
    ));
    std::fs::write(repo.join("wright.toml"), "[git]\ntoken_hosts = [\"127.0.0.1\"]\n").unwrap();
    let tokens = [("GITHUB_TOKEN", TOKEN), ("WRIGHT_GIT_TOKEN", TOKEN)];

    let (code, stderr) = push_with_env(&home, &server, &run_id, &tokens);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("WRIGHT_GIT_TOKEN is offered only to the hosts of git.token_hosts")
            && stderr.contains("(git.example.com), not to 127.0.0.1"),
        "{stderr}"
    );
    assert!(stderr.contains("GITHUB_TOKEN is offered only to github.com"), "{stderr}");
    assert!(remote.passwords().is_empty(), "the server was offered {:?}", remote.passwords());
    assert!(git(&remote.bare, &["branch", "--list", &branch]).is_empty(), "nothing landed");
    assert!(!stderr.contains(TOKEN));

    // Once the user names this host, the same push signs in.
    home.user_config("[git]\ntoken_hosts = [\"git.example.com\", \"127.0.0.1\"]\n");
    let (code, stderr) = push_with_env(&home, &server, &run_id, &tokens);
    assert_eq!(code, Some(0), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_in_the_environment_never_goes_over_plain_http() {
    const TOKEN: &str = "tok-e2e-plain-93d0";
    let fixture = Fixture::new();
    let remote = git_http::serve(&fixture.repo(), TOKEN).await;
    // The same server by name: a name is not an address, so nothing says the traffic
    // stays on this machine, and the host is named for both tokens.
    let url = remote.url.replacen("127.0.0.1", "localhost", 1);
    let authority = url.strip_prefix("http://").unwrap().split('/').next().unwrap().to_string();
    git(&fixture.repo(), &["remote", "add", "origin", &url]);
    let server = one_edit_model().await;
    let home = Home::new();
    let (run_id, branch) = one_commit_run(&home, &server, &fixture).await;
    home.user_config("[git]\ntoken_hosts = [\"localhost\"]\n");
    let github = format!("https://{authority}");
    let env = [("GITHUB_TOKEN", TOKEN), ("WRIGHT_GIT_TOKEN", TOKEN), ("GITHUB_SERVER_URL", github.as_str())];

    let (code, stderr) = push_with_env(&home, &server, &run_id, &env);
    assert_eq!(code, Some(1), "{stderr}");
    for var in ["WRIGHT_GIT_TOKEN", "GITHUB_TOKEN"] {
        let why = format!("{var} is offered only over https, and http://{authority} is plain http");
        assert!(stderr.contains(&why), "{why}\n{stderr}");
    }
    assert!(remote.passwords().is_empty(), "the server was offered {:?}", remote.passwords());
    assert!(git(&remote.bare, &["branch", "--list", &branch]).is_empty(), "nothing landed");
    assert!(!stderr.contains(TOKEN));
}

#[tokio::test]
async fn a_server_that_never_answers_fails_the_push_with_the_reason() {
    // Accepts connections and says nothing.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/remote.git", silent.local_addr().unwrap());
    std::thread::spawn(move || {
        let held: Vec<_> = silent.incoming().map_while(Result::ok).collect();
        drop(held);
    });
    let fixture = Fixture::new();
    git(&fixture.repo(), &["remote", "add", "origin", &url]);
    let edit = turn("", &[("edit", json!({"path": "dates.py", "old": "%H:%M:%S\"", "new": "%H:%M:%S%z\""}))]);
    let done = turn("", &[("finish", json!({"summary": "strict", "outcome": "fixed"}))]);
    let server = ModelServer::start(vec![edit, done]).await;
    let home = Home::new();
    let (run_id, _) = one_commit_run(&home, &server, &fixture).await;
    std::fs::create_dir_all(home.dir.path().join("config/wright")).unwrap();
    std::fs::write(home.dir.path().join("config/wright/config.toml"), "[git]\ntimeout_secs = 1\n").unwrap();
    let mut push = home.wright(&server.base_url);
    push.args(["push", &run_id]);
    let out = output(push).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no answer within 1 s (git.timeout_secs)"), "{stderr}");
}

#[tokio::test]
async fn push_over_ssh_uses_the_users_key_and_checks_the_host() {
    let fixture = Fixture::new();
    let remote = crate::support::sshd::serve(&fixture.repo());
    git(&fixture.repo(), &["remote", "add", "origin", &remote.url()]);
    let edit = turn("", &[("edit", json!({"path": "dates.py", "old": "%H:%M:%S\"", "new": "%H:%M:%S%z\""}))]);
    let done = turn("", &[("finish", json!({"summary": "strict", "outcome": "fixed"}))]);
    let server = ModelServer::start(vec![edit, done]).await;
    let home = Home::new();
    let (run_id, branch) = one_commit_run(&home, &server, &fixture).await;
    let ssh_dir = home.dir.path().join(".ssh");
    std::fs::create_dir_all(&ssh_dir).unwrap();
    let push_with_agent = |agent: Option<PathBuf>| async {
        let mut c = home.wright(&server.base_url);
        c.args(["push", &run_id]);
        if let Some(socket) = agent {
            c.env("SSH_AUTH_SOCK", socket);
        }
        let out = output(c).await;
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let push = || push_with_agent(None);

    // A server whose host key the user has not accepted: refused, saying what to do.
    std::fs::copy(&remote.client_key, ssh_dir.join("id_ed25519")).unwrap();
    let (code, stderr) = push().await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("SSH host key is not in ~/.ssh/known_hosts"), "{stderr}");

    // A known host but no key: refused, saying what to do.
    std::fs::write(ssh_dir.join("known_hosts"), format!("{}\n", remote.known_host)).unwrap();
    std::fs::remove_file(ssh_dir.join("id_ed25519")).unwrap();
    let (code, stderr) = push().await;
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("authentication failed") && stderr.contains("ssh-agent"), "{stderr}");
    assert!(git(&remote.bare, &["branch", "--list", &branch]).is_empty());

    // The key in a running ssh-agent: the branch lands.
    let agent_dir = tempfile::tempdir().unwrap();
    let socket = agent_dir.path().join("agent.sock");
    let mut agent = Command::new("ssh-agent").arg("-D").arg("-a").arg(&socket).stdout(Stdio::null()).spawn().unwrap();
    for _ in 0..200 {
        if socket.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let added =
        Command::new("ssh-add").arg("-q").arg(&remote.client_key).env("SSH_AUTH_SOCK", &socket).status().unwrap();
    assert!(added.success());
    let (code, stderr) = push_with_agent(Some(socket)).await;
    let _ = agent.kill();
    let _ = agent.wait();
    assert_eq!(code, Some(0), "{stderr}");

    // The key in ~/.ssh, no agent: signs in too (the branch is already there).
    std::fs::copy(&remote.client_key, ssh_dir.join("id_ed25519")).unwrap();
    let (code, stderr) = push().await;
    assert_eq!(code, Some(0), "{stderr}");
    let tip = git(&fixture.repo(), &["rev-parse", &branch]).trim().to_string();
    assert_eq!(git(&remote.bare, &["rev-parse", &branch]).trim(), tip);
}
