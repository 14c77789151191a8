//! No API key and no base URL: wright uses a model on this machine. A server already
//! running on a configured loopback port is found; else the installed model is started
//! (here a stand-in `llama-server`, crates/wright-local/tests/stand-in, that passes chat
//! requests on to the scripted model) and always stopped: at the end, on Ctrl-C, and
//! when wright is killed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::support::fixture::{Fixture, plan};
use crate::support::server::{ModelServer, Step, turn};
use crate::support::{Home, events, finished, output, spawn};

const CATALOG_MODEL: &str = "qwen2.5-coder-1.5b";

/// The edit that makes the fixture's failing test pass.
fn fix() -> Step {
    let args = json!({"path": "dates.py", "old": "return datetime.strptime(text, ", "new": "return datetime.strptime(text.removesuffix(\"Z\"), "});
    turn("", &[("edit", args)])
}

fn finish() -> Step {
    turn("", &[("finish", json!({"summary": "done", "outcome": "fixed"}))])
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The user's config: these discovery ports, the full prompt (the stand-in's window would
/// choose drafts), commit messages from the paths.
fn configure(home: &Home, ports: &[u16]) {
    let dir = home.dir.path().join("config/wright");
    std::fs::create_dir_all(&dir).unwrap();
    let config = format!(
        "prompt_profile = \"full\"\n[local]\nports = {ports:?}\nstart_timeout_secs = 30\n[git]\ncommit_messages = \"derived\"\n"
    );
    std::fs::write(dir.join("config.toml"), config).unwrap();
}

/// The default model "installed": its file, and the stand-in as the server, passing chat
/// requests to `upstream`. Returns the stand-in's folder (its starts are recorded there).
fn install_stand_in(home: &Home, upstream: &str) -> PathBuf {
    let models = home.data().join("wright/models");
    let bin = models.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let stand_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wright-local/tests/stand-in/llama-server");
    std::fs::copy(stand_in, bin.join("llama-server")).unwrap();
    std::fs::write(bin.join("stand-in.json"), json!({"upstream": upstream, "loading_ms": 500}).to_string()).unwrap();
    let model = models.join(CATALOG_MODEL);
    std::fs::create_dir_all(&model).unwrap();
    std::fs::write(model.join("qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"), b"GGUF").unwrap();
    bin
}

/// `wright` with no key and no base URL in its environment.
fn keyless(home: &Home) -> Command {
    let mut cmd = home.wright("unused");
    cmd.env_remove("OPENAI_API_KEY").env_remove("OPENAI_BASE_URL");
    cmd
}

fn run(home: &Home, fixture: &Fixture) -> Command {
    let mut cmd = keyless(home);
    cmd.args(["run", "--json", "--attempts", "1", "--repo"]).arg(fixture.repo());
    cmd.arg("the parse_date helper rejects ISO dates with a Z suffix; fix it");
    cmd
}

fn starts(bin: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(bin.join("stand-in.jsonl")).unwrap_or_default();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Whether `pid` is a live process (a zombie waiting to be reaped is not).
fn alive(pid: u64) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => !stat.rsplit_once(')').is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Waits up to 10 s for `pid` to be gone.
async fn gone(pid: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if !alive(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// The stand-in's one start, once the model has been asked something through it.
async fn server_in_use(bin: &Path, model: &ModelServer) -> Value {
    for _ in 0..400 {
        if let [start] = starts(bin).as_slice()
            && !model.requests().is_empty()
        {
            return start.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server never started, or the model was never asked");
}

#[tokio::test]
async fn with_no_key_and_no_base_url_a_run_starts_the_installed_model_and_stops_it() {
    let fixture = Fixture::new();
    let model = ModelServer::start(vec![plan(), fix(), finish()]).await;
    let home = Home::new();
    configure(&home, &[closed_port()]);
    let bin = install_stand_in(&home, &model.base_url);
    let mut config = keyless(&home);
    config.args(["config", "--repo"]).arg(fixture.repo());
    let shown = String::from_utf8_lossy(&output(config).await.stdout).into_owned();
    let line = shown.lines().find(|l| l.starts_with("base_url")).unwrap();
    assert!(line.contains("# managed: wright starts the installed model"), "{line}");
    assert!(starts(&bin).is_empty(), "wright config starts nothing");

    let out = output(run(&home, &fixture)).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}\n{}", String::from_utf8_lossy(&out.stdout));
    let events = events(&out.stdout);
    assert_eq!(finished(&events)["verdict"], "fixed");
    assert_eq!(events[0]["model"], CATALOG_MODEL);
    let base_url = events[0]["base_url"].as_str().unwrap();
    assert!(base_url.starts_with("http://127.0.0.1:"), "{base_url}");
    let notices: Vec<String> = events.iter().filter(|e| e["type"] == "notice").map(|e| e.to_string()).collect();
    assert!(
        notices.iter().any(|n| n.contains("started by wright") && n.contains("slower and weaker")),
        "the run says which model it uses and what to expect: {notices:?}"
    );
    assert!(stderr.contains("starting the installed qwen2.5-coder-1.5b"), "{stderr}");

    let [start] = starts(&bin).try_into().unwrap();
    assert_eq!(start["key"], true, "the server checks a key of its own");
    assert!(base_url.ends_with(&format!(":{}/v1", start["flags"]["--port"].as_str().unwrap())));
    assert!(gone(start["pid"].as_u64().unwrap()).await, "the server is stopped when the run ends");
    assert_eq!(model.requests().len(), 3, "every turn went through the started server");
}

/// A keyless run whose model stalls after the plan, once its started server is in use;
/// the folders it uses stay until the test ends.
struct Stalled {
    child: Child,
    start: Value,
    _kept: (Fixture, Home, ModelServer),
}

async fn stalled_run() -> Stalled {
    let fixture = Fixture::new();
    let model = ModelServer::start(vec![plan(), Step::Stall]).await;
    let home = Home::new();
    configure(&home, &[closed_port()]);
    let bin = install_stand_in(&home, &model.base_url);
    let child = spawn(run(&home, &fixture)).await;
    let start = server_in_use(&bin, &model).await;
    Stalled { child, start, _kept: (fixture, home, model) }
}

#[tokio::test]
async fn ctrl_c_stops_the_run_and_its_server() {
    let Stalled { child, start, _kept } = stalled_run().await;
    crate::support::send_signal(child.id(), 2);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(gone(start["pid"].as_u64().unwrap()).await, "the server stopped with the run");
}

#[tokio::test]
async fn a_killed_wright_leaves_no_server_behind() {
    let Stalled { mut child, start, _kept } = stalled_run().await;
    assert_eq!(start["ppid"].as_u64(), Some(u64::from(child.id())), "wright's own child");
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(gone(start["pid"].as_u64().unwrap()).await, "no orphan: the server died with wright");
}

#[tokio::test]
async fn a_server_already_running_is_found_and_used() {
    let fixture = Fixture::new();
    let model = ModelServer::start(vec![plan(), fix(), finish()]).await;
    let port: u16 = model.base_url.rsplit(':').next().unwrap().trim_end_matches("/v1").parse().unwrap();
    let home = Home::new();
    configure(&home, &[closed_port(), port]);
    let mut config = keyless(&home);
    config.args(["config", "--repo"]).arg(fixture.repo());
    let shown = String::from_utf8_lossy(&output(config).await.stdout).into_owned();
    let line = shown.lines().find(|l| l.starts_with("base_url")).unwrap();
    assert!(
        line.contains(&model.base_url)
            && line.contains(&format!("discovered: a server already running on port {port}")),
        "{line}"
    );

    let out = output(run(&home, &fixture)).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let events = events(&out.stdout);
    assert_eq!(finished(&events)["verdict"], "fixed");
    assert_eq!(events[0]["base_url"], model.base_url.as_str());
    assert_eq!(events[0]["model"], "served-model", "the only model the server lists");
}

#[tokio::test]
async fn with_nothing_to_use_the_error_names_both_ways_out() {
    let fixture = Fixture::new();
    let home = Home::new();
    configure(&home, &[closed_port()]);
    let out = output(run(&home, &fixture)).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("export OPENAI_API_KEY") && stderr.contains("wright model install"), "{stderr}");
    assert!(!home.data().join("wright/runs").exists(), "no run was started");
}

#[tokio::test]
async fn ollamas_window_is_set_to_what_wright_needs() {
    let fixture = Fixture::new();
    let model = ModelServer::ollama(vec![plan(), fix(), finish()], "qwen2.5-coder:1.5b").await;
    let port: u16 = model.base_url.rsplit(':').next().unwrap().trim_end_matches("/v1").parse().unwrap();
    let home = Home::new();
    configure(&home, &[port]);
    let out = output(run(&home, &fixture)).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let [created] = model.ollama_requests().try_into().unwrap();
    assert_eq!(created["from"], "qwen2.5-coder:1.5b");
    assert_eq!(created["parameters"]["num_ctx"], 16384, "Ollama's 4096 would cut the prompt");
    let derived = created["model"].as_str().unwrap();
    assert!(model.requests().iter().all(|r| r["model"] == derived), "every request names the model with the window");
}

#[tokio::test]
async fn a_server_with_a_small_window_is_warned_of() {
    let fixture = Fixture::new();
    let model = ModelServer::start(vec![plan(), fix(), finish()]).await;
    model.set_context(4096);
    let port: u16 = model.base_url.rsplit(':').next().unwrap().trim_end_matches("/v1").parse().unwrap();
    let home = Home::new();
    // The window decides the prompt here: the profile is not fixed.
    std::fs::create_dir_all(home.dir.path().join("config/wright")).unwrap();
    std::fs::write(
        home.dir.path().join("config/wright/config.toml"),
        format!("[local]\nports = [{port}]\n[git]\ncommit_messages = \"derived\"\n"),
    )
    .unwrap();
    let out = output(run(&home, &fixture)).await;
    let events = events(&out.stdout);
    let notices: Vec<String> = events.iter().filter(|e| e["type"] == "notice").map(|e| e.to_string()).collect();
    assert!(notices.iter().any(|n| n.contains("holds only 4096 tokens") && n.contains("--ctx-size")), "{notices:?}");
}

#[tokio::test]
async fn one_served_model_is_found_by_every_run_until_ctrl_c() {
    let fixture = Fixture::new();
    let model = ModelServer::start(vec![plan(), fix(), finish()]).await;
    let home = Home::new();
    let port = closed_port();
    configure(&home, &[port]);
    let bin = install_stand_in(&home, &model.base_url);
    let mut serve = keyless(&home);
    serve.args(["model", "serve", "--port", &port.to_string()]);
    let child = spawn(serve).await;
    let start = serving(&bin).await;
    assert_eq!(start["key"], false, "a shared server on a known port checks no key");

    let out = output(run(&home, &fixture)).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let events = events(&out.stdout);
    assert_eq!(events[0]["base_url"], format!("http://127.0.0.1:{port}/v1").as_str(), "discovered");
    assert_eq!(starts(&bin).len(), 1, "the run started no server of its own");

    crate::support::send_signal(child.id(), 2);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains(&format!("serving qwen2.5-coder-1.5b at http://127.0.0.1:{port}/v1"))
    );
    assert!(gone(start["pid"].as_u64().unwrap()).await, "Ctrl-C stopped the server");
}

/// The stand-in's one start, once its health check says the model is loaded and `wright
/// model serve` has had a moment to see it too.
async fn serving(bin: &Path) -> Value {
    use std::io::{Read, Write};
    for _ in 0..400 {
        if let [start] = starts(bin).as_slice() {
            let port = start["flags"]["--port"].as_str().unwrap();
            let mut answer = String::new();
            if let Ok(mut s) = std::net::TcpStream::connect(format!("127.0.0.1:{port}")) {
                let _ = s.write_all(b"GET /health HTTP/1.0\r\n\r\n");
                let _ = s.read_to_string(&mut answer);
            }
            if answer.starts_with("HTTP/1.0 200") {
                tokio::time::sleep(Duration::from_millis(500)).await;
                return start.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server never became ready");
}
