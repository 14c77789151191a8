//! The user's budgets bound everything a run starts: a repository may only lower its time
//! limits, every command and test run is cut at what is left of `--timeout`, the tests at
//! the base get at most a quarter of it, and budgets are checked between the calls of one
//! reply. Tests at the base that hang are a result the model is told about.

use std::process::Stdio;
use std::time::Duration;

use serde_json::json;

use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, turn};
use crate::support::{Home, commit_all, events, finished, of_type, output};

/// Longer than any bounded run here takes; only a run that ignores its bounds reaches it.
const HANG_GUARD: Duration = Duration::from_secs(150);

/// The run's output; a run still going at `HANG_GUARD` is killed and the test fails.
async fn bounded(mut cmd: std::process::Command) -> std::process::Output {
    tokio::task::spawn_blocking(move || {
        let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
        let pid = child.id();
        let (done, waited) = std::sync::mpsc::channel();
        std::thread::spawn(move || done.send(child.wait_with_output().unwrap()));
        match waited.recv_timeout(HANG_GUARD) {
            Ok(out) => out,
            Err(_) => {
                crate::support::send_signal(pid, 9);
                panic!("the run outlasted its bounds");
            }
        }
    })
    .await
    .unwrap()
}

/// Every user message the model was sent, first request first.
fn told(server: &ModelServer) -> String {
    serde_json::to_string(&server.requests()).unwrap()
}

/// The seconds the model was told the tests at the base ran before they were stopped.
fn hung_for(said: &str) -> u64 {
    let (_, rest) = said.split_once("did not finish in ").unwrap_or_else(|| panic!("no hang reported: {said}"));
    rest.split(' ').next().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_repository_cannot_outlast_the_users_timeout() {
    let fixture = Fixture::new();
    let repo = fixture.repo();
    std::fs::write(
        repo.join("wright.toml"),
        "test_command = \"sleep 600\"\ntest_timeout_secs = 100000\nbaseline_timeout_secs = 100000\nrun_timeout_secs = 100000\n",
    )
    .unwrap();
    commit_all(&repo, "slow tests");
    let server = ModelServer::start(vec![
        turn("", &[("run", json!({"command": "sleep 600"}))]),
        turn("", &[("finish", json!({"summary": "done", "outcome": "gave_up"}))]),
    ])
    .await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--model", "scripted", "--timeout", "12", "--repo"]).arg(&repo).arg("tidy up");
    let out = bounded(cmd).await;
    let events = events(&out.stdout);

    let end = finished(&events);
    assert_eq!(end["stop_reason"], "timeout", "{end}");
    let base = &end["baseline"];
    assert_eq!(base["timed_out"], true, "{base}");
    let results = of_type(&events, "tool_result");
    let ran = results[0]["output"].as_str().unwrap();
    assert!(ran.contains("timed out") && ran.contains("--timeout"), "{ran}");
    assert!((1..=3).contains(&hung_for(&told(&server))), "the base got more than a quarter of --timeout");

    // The repository's larger values lose to the defaults; its smaller ones hold.
    let mut show = home.wright(&server.base_url);
    show.args(["config", "--json", "--repo"]).arg(&repo);
    let config: serde_json::Value = serde_json::from_slice(&output(show).await.stdout).unwrap();
    assert_eq!(config["test_timeout_secs"]["value"], 900);
    assert_eq!(config["baseline_timeout_secs"]["value"], 300);
    assert_eq!(config["run_timeout_secs"]["value"], 120);
    std::fs::write(repo.join("wright.toml"), "run_timeout_secs = 7\n").unwrap();
    let mut show = home.wright(&server.base_url);
    show.args(["config", "--json", "--repo"]).arg(&repo);
    let config: serde_json::Value = serde_json::from_slice(&output(show).await.stdout).unwrap();
    assert_eq!(config["run_timeout_secs"]["value"], 7);
}

#[tokio::test]
async fn a_hanging_baseline_is_the_bug_reproduced_with_or_without_a_timeout() {
    for timeout in [None, Some("8")] {
        let fixture = Fixture::new();
        let repo = fixture.repo();
        std::fs::write(repo.join("hang.py"), "print('test_f127 started', flush=True)\nwhile True:\n    pass\n")
            .unwrap();
        std::fs::write(repo.join("wright.toml"), "test_command = \"python3 hang.py\"\n").unwrap();
        commit_all(&repo, "f(127) never returns");
        let server =
            ModelServer::start(vec![turn("", &[("finish", json!({"summary": "looked", "outcome": "gave_up"}))])]).await;
        let home = Home::new();
        if timeout.is_none() {
            // The user's own test limit, standing in for the defaults (300 s at the base, 900 s
            // at the end); the base gets no more than it.
            let dir = home.dir.path().join("config/wright");
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("config.toml"), "test_timeout_secs = 2\n").unwrap();
        }
        let mut cmd = home.wright(&server.base_url);
        cmd.args(["run", "--json", "--model", "scripted", "--repo"]).arg(&repo);
        if let Some(t) = timeout {
            cmd.args(["--timeout", t]);
        }
        cmd.arg("f(127) never returns");
        let out = bounded(cmd).await;
        let events = events(&out.stdout);

        let said = told(&server);
        assert!((1..=2).contains(&hung_for(&said)), "{timeout:?}: {said}");
        assert!(said.contains("test_f127 started") && said.contains("python3 hang.py"), "{said}");
        assert_eq!(finished(&events)["baseline"]["timed_out"], true);
    }
}

#[tokio::test]
async fn slow_calls_of_one_reply_stop_at_the_budget() {
    let fixture = Fixture::new();
    let repo = fixture.repo();
    let sleep = |n: u32| ("run", json!({"command": format!("sleep 4; echo slept {n}")}));
    let server = ModelServer::start(vec![
        turn("", &[sleep(1), sleep(2), sleep(3)]),
        turn("", &[("finish", json!({"summary": "done", "outcome": "gave_up"}))]),
    ])
    .await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--model", "scripted", "--timeout", "6", "--repo"]).arg(&repo).arg("wait a while");
    let out = bounded(cmd).await;
    let events = events(&out.stdout);

    let results = of_type(&events, "tool_result");
    assert_eq!(results.len(), 3, "{results:?}");
    let last = results[2]["output"].as_str().unwrap();
    assert!(last.contains("not run") && last.contains("timeout"), "{last}");
    assert_eq!(server.requests().len(), 1, "the model was asked again past the budget");
    assert_eq!(finished(&events)["stop_reason"], "timeout");
}
