//! The managed server's life, with a stand-in `llama-server` (a small Python program that
//! takes the same flags): started, health-checked, reached with its key, stopped.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Value;
use wright_local::{ManagedServer, ServerSpec};

/// The stand-in, copied into a folder of its own with `config` beside it.
fn stand_in(dir: &Path, config: Value) -> PathBuf {
    let program = dir.join("llama-server");
    std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stand-in/llama-server"), &program).unwrap();
    std::fs::write(dir.join("stand-in.json"), config.to_string()).unwrap();
    program
}

fn spec(dir: &Path, config: Value) -> ServerSpec {
    ServerSpec {
        program: stand_in(dir, config),
        model: dir.join("model.gguf"),
        alias: "qwen2.5-coder-1.5b".into(),
        context: 16_384,
        log_dir: dir.join("logs"),
        ready_wait: Duration::from_secs(20),
        port: None,
    }
}

fn starts(dir: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join("stand-in.jsonl")).unwrap_or_default();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn alive(pid: u32) -> bool {
    // Signal 0 checks that the process exists; a reaped child does not.
    unsafe { libc::kill(pid as i32, 0) == 0 }
}

async fn get(url: &str, key: Option<&str>) -> u16 {
    let mut request = reqwest::Client::new().get(url);
    if let Some(k) = key {
        request = request.bearer_auth(k);
    }
    request.send().await.unwrap().status().as_u16()
}

#[tokio::test]
async fn the_server_is_ready_before_start_returns_and_gone_after_stop() {
    let dir = tempfile::tempdir().unwrap();
    let server = ManagedServer::start(&spec(dir.path(), serde_json::json!({"loading_ms": 600}))).await.unwrap();
    let health = server.base_url.replace("/v1", "/health");
    assert_eq!(get(&health, None).await, 200, "health-checked: the model is loaded");
    let key = server.api_key.clone().unwrap();
    assert!(key.len() >= 32, "a random key");
    let models = format!("{}/models", server.base_url);
    assert_eq!(get(&models, None).await, 401, "nobody else on the machine can use it");
    assert_eq!(get(&models, Some(&key)).await, 200);

    let [start] = starts(dir.path()).try_into().unwrap();
    let flags = &start["flags"];
    assert_eq!(flags["--host"], "127.0.0.1");
    assert_eq!(flags["--ctx-size"], "16384");
    assert_eq!(flags["--alias"], "qwen2.5-coder-1.5b");
    assert_eq!((flags["--jinja"].clone(), flags["--no-slots"].clone()), (Value::Bool(true), Value::Bool(true)));
    assert!(!start.to_string().contains(&key), "the key is not on the command line");
    let env: Vec<&str> = start["env"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    // cargo gives this test CARGO_* variables: none of wright's environment passes on.
    assert!(std::env::var_os("CARGO_MANIFEST_DIR").is_some());
    assert!(
        env.iter().all(|v| !v.starts_with("CARGO") && !v.contains("TOKEN") && !v.starts_with("OPENAI")),
        "nothing of wright's environment: {env:?}"
    );

    let pid = server.pid;
    assert!(alive(pid));
    server.stop();
    assert!(!alive(pid), "stopped and reaped");
}

#[tokio::test]
async fn dropping_the_server_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let server = ManagedServer::start(&spec(dir.path(), serde_json::json!({"loading_ms": 0}))).await.unwrap();
    let pid = server.pid;
    drop(server);
    assert!(!alive(pid));
}

#[tokio::test]
async fn a_server_that_never_becomes_ready_is_stopped_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = spec(dir.path(), serde_json::json!({"never_ready": true}));
    spec.ready_wait = Duration::from_secs(1);
    let err = ManagedServer::start(&spec).await.err().unwrap().to_string();
    assert!(err.contains("not ready after 1 s"), "{err}");
    let [start] = starts(dir.path()).try_into().unwrap();
    assert!(!alive(start["pid"].as_u64().unwrap() as u32), "no server is left behind");
}

#[tokio::test]
async fn a_server_that_exits_at_once_is_reported_with_its_log() {
    let dir = tempfile::tempdir().unwrap();
    let err = ManagedServer::start(&spec(dir.path(), serde_json::json!({"exit_at_once": true}))).await.err().unwrap();
    let err = err.to_string();
    assert!(err.contains("exited") && err.contains("not a GGUF file"), "{err}");
}

#[tokio::test]
async fn a_taken_port_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut spec = spec(dir.path(), serde_json::json!({}));
    spec.port = Some(taken.local_addr().unwrap().port());
    let err = ManagedServer::start(&spec).await.err().unwrap().to_string();
    assert!(err.contains("taken") && err.contains("bind"), "{err}");
}

#[tokio::test]
async fn a_port_lost_before_the_server_binds_it_is_retried_on_another() {
    let dir = tempfile::tempdir().unwrap();
    let server = ManagedServer::start(&spec(dir.path(), serde_json::json!({"bind_fails_once": true}))).await.unwrap();
    let ports: Vec<String> =
        starts(dir.path()).iter().map(|s| s["flags"]["--port"].as_str().unwrap().to_string()).collect();
    assert_eq!(ports.len(), 2, "the first start lost its port: {ports:?}");
    assert!(server.base_url.ends_with(&format!(":{}/v1", ports[1])));
}
