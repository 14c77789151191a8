//! What the end-to-end tests share: the scripted model server, fixture repositories, and
//! a runner for the real `wright` binary.

pub mod contain;
pub mod fixture;
pub mod git_daemon;
pub mod git_http;
pub mod github;
pub mod server;
pub mod sshd;

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

pub const SECRET_KEY: &str = "sk-test-e2e-secret-4242";

/// A sandboxed home for one test: data and config directories of its own.
pub struct Home {
    pub dir: tempfile::TempDir,
}

impl Home {
    pub fn new() -> Self {
        Home { dir: tempfile::tempdir().unwrap() }
    }

    /// Writes the user's own config file (`config.toml`) in this home.
    pub fn user_config(&self, text: &str) {
        let dir = self.dir.path().join("config/wright");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), text).unwrap();
    }

    pub fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `wright` with this home, the given endpoint, and a secret key in the environment.
    pub fn wright(&self, base_url: &str) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wright"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("XDG_DATA_HOME", self.data())
            .env("XDG_CONFIG_HOME", self.dir.path().join("config"))
            .env("OPENAI_API_KEY", SECRET_KEY)
            .env("OPENAI_BASE_URL", base_url)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        cmd
    }
}

/// The real user's `python.wasm` and compiled-module cache, as `wright sandbox
/// install-python` left them (the README's setup and `.ci/run` run it).
pub struct PythonWasm {
    pub programs: PathBuf,
    pub cache: PathBuf,
}

pub fn python_wasm() -> PythonWasm {
    let home = std::env::var("HOME").unwrap_or_default();
    let xdg = |var: &str, default: &str| {
        std::env::var(var).map(PathBuf::from).unwrap_or_else(|_| Path::new(&home).join(default))
    };
    let found = PythonWasm {
        programs: xdg("XDG_DATA_HOME", ".local/share").join("wright/wasm"),
        cache: xdg("XDG_CACHE_HOME", ".cache").join("wright/wasm-modules"),
    };
    assert!(
        found.programs.join("python.wasm").is_file(),
        "no python.wasm in {}: run `wright sandbox install-python` (the README's setup does)",
        found.programs.display()
    );
    found
}

impl PythonWasm {
    /// What the wasm backend needs, for calling the sandbox library directly.
    pub fn setup(&self) -> wright_sandbox::WasmSetup {
        wright_sandbox::WasmSetup {
            programs: self.programs.clone(),
            cache: self.cache.clone(),
            runner: Some(PathBuf::from(env!("CARGO_BIN_EXE_wright"))),
        }
    }

    /// Makes `home`'s wright see the same programs and cache (so nothing compiles twice).
    pub fn link_into(&self, home: &Home) {
        let data = home.data().join("wright");
        let cache = home.dir.path().join(".cache/wright");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::create_dir_all(&cache).unwrap();
        std::os::unix::fs::symlink(&self.programs, data.join("wasm")).unwrap();
        std::fs::create_dir_all(&self.cache).unwrap();
        std::os::unix::fs::symlink(&self.cache, cache.join("wasm-modules")).unwrap();
    }
}

/// Sends `signal` to the process `pid` (the run under test).
pub fn send_signal(pid: u32, signal: i32) {
    unsafe extern "C" {
        fn kill(pid: i32, sig: i32) -> i32;
    }
    // SAFETY: kill only sends a signal to the child this test started.
    unsafe {
        kill(pid as i32, signal);
    }
}

/// Runs a command to completion off the async runtime's threads.
pub async fn output(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().unwrap()).await.unwrap()
}

pub async fn spawn(mut cmd: Command) -> Child {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    cmd.spawn().unwrap()
}

/// The JSON events a `--json` run printed, checked for the envelope every event carries.
pub fn events(stdout: &[u8]) -> Vec<Value> {
    let text = String::from_utf8_lossy(stdout);
    let events: Vec<Value> =
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect();
    assert!(!events.is_empty(), "no events on stdout");
    let run_id = events[0]["run_id"].as_str().unwrap().to_string();
    // A resumed run numbers on from its journal; a new one starts at 0.
    let first = events[0]["seq"].as_u64().unwrap();
    assert!(first == 0 || events[0]["type"] == "run_started", "{}", events[0]);
    for (i, e) in events.iter().enumerate() {
        assert_eq!(e["schema"], wright_agent::SCHEMA_VERSION, "{e}");
        assert_eq!(e["seq"], first + i as u64, "{e}");
        assert_eq!(e["run_id"], run_id.as_str(), "{e}");
        assert!(e["ts"].as_str().is_some_and(|t| t.ends_with('Z')), "{e}");
    }
    events
}

/// The lines of a JSONL file (results, notes), each parsed.
pub fn jsonl(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
}

pub fn of_type<'a>(events: &'a [Value], kind: &str) -> Vec<&'a Value> {
    events.iter().filter(|e| e["type"] == kind).collect()
}

pub fn finished(events: &[Value]) -> &Value {
    let last = events.last().unwrap();
    assert_eq!(last["type"], "run_finished", "{last}");
    last
}

/// Stages everything in `repo` and commits it.
pub fn commit_all(repo: &Path, message: &str) {
    git(repo, &["add", "-A"]);
    git(repo, &["commit", "-q", "-m", message]);
}

pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git").args(args).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A server process on loopback, killed when dropped.
pub struct Listening {
    child: Child,
    pub port: u16,
}

impl Drop for Listening {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Starts `cmd` (quietly) and waits until it accepts connections on `port`.
pub fn listen(mut cmd: Command, port: u16) -> Listening {
    let child = cmd.stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap();
    for _ in 0..200 {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    Listening { child, port }
}
