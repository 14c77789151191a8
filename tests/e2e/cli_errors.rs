//! Errors before a run starts: one clear line, the right exit code, nothing created.

use crate::support::fixture::Fixture;
use crate::support::{Home, output};

#[tokio::test]
async fn a_missing_key_for_openai_says_what_to_set() {
    let fixture = Fixture::new();
    let home = Home::new();
    let mut cmd = home.wright("https://api.openai.com/v1");
    cmd.env_remove("OPENAI_API_KEY").args(["run", "--repo"]).arg(fixture.repo()).arg("do it");
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("OPENAI_API_KEY is not set") && stderr.contains("--base-url"), "{stderr}");
}

#[tokio::test]
async fn an_unreachable_endpoint_says_what_to_set_and_makes_no_branch() {
    let fixture = Fixture::new();
    let home = Home::new();
    // A port nothing listens on: bind, read the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut cmd = home.wright(&format!("http://127.0.0.1:{port}/v1"));
    cmd.args(["run", "--repo"]).arg(fixture.repo()).arg("do it");
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot reach the model endpoint") && stderr.contains("OPENAI_BASE_URL"), "{stderr}");
    let branches = crate::support::git(&fixture.repo(), &["branch", "--list", "wright/*"]);
    assert!(branches.is_empty(), "{branches}");
}

#[tokio::test]
async fn usage_errors_exit_2() {
    let fixture = Fixture::new();
    let home = Home::new();
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["run", "--budget-usd", "1.5", "--model", "unpriced", "--repo"]).arg(fixture.repo()).arg("do it");
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("[prices.\"unpriced\"]"), "{stderr}");

    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["run", "--repo"]).arg(fixture.repo());
    assert_eq!(output(cmd).await.status.code(), Some(2), "a task is required");

    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["run", "--repo", "/nonexistent/dir", "x"]);
    assert_eq!(output(cmd).await.status.code(), Some(2));
}

#[tokio::test]
async fn config_shows_each_value_and_its_source() {
    let fixture = Fixture::new();
    std::fs::write(fixture.repo().join("wright.toml"), "max_steps = 7\n[prices.\"m1\"]\ninput = 1.0\noutput = 2.0\n")
        .unwrap();
    let home = Home::new();
    let mut cmd = home.wright("http://127.0.0.1:8089/v1");
    cmd.args(["config", "--model", "m1", "--repo"]).arg(fixture.repo());
    let out = output(cmd).await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0));
    assert!(text.contains("max_steps = 7    # ") && text.contains("wright.toml"), "{text}");
    assert!(text.contains("base_url = \"http://127.0.0.1:8089/v1\"    # env OPENAI_BASE_URL"), "{text}");
    assert!(text.contains("model = \"m1\"    # flag --model"), "{text}");
    assert!(text.contains("stream = true    # default"), "{text}");
    assert!(text.contains("# api key: set"), "{text}");
    assert!(!text.contains(crate::support::SECRET_KEY));
}
