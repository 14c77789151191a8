//! A `llama-server` that wright starts for one run (or for `wright model serve`) and
//! always stops: when the run ends, on Ctrl-C, and when wright itself is killed.
//!
//! The child is spawned by a keeper thread that lives exactly as long as the server:
//! Linux's parent-death signal follows the spawning *thread*, so a child spawned from a
//! short-lived runtime thread would be killed when that thread retires, and one spawned
//! without it would outlive a `kill -9` of wright. The child is in a process group of
//! its own, so a Ctrl-C at the terminal reaches wright, which then stops it in order.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::LocalError;

/// How to start the server.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    /// `llama-server`, or a program that takes its flags.
    pub program: PathBuf,
    pub model: PathBuf,
    /// The model's name in the server's model list and in requests.
    pub alias: String,
    /// Tokens of context (`--ctx-size`).
    pub context: u64,
    /// Where the server's output goes, one file per start.
    pub log_dir: PathBuf,
    /// How long loading the model may take before the server counts as failed.
    pub ready_wait: Duration,
    /// A fixed port (`wright model serve`); `None`: a free one, with a random API key.
    pub port: Option<u16>,
}

/// A running server; dropping it stops the server.
pub struct ManagedServer {
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    /// The key requests must carry; `None` for a server on a fixed port.
    pub api_key: Option<String>,
    pub pid: u32,
    pub log: PathBuf,
    stop: Option<mpsc::Sender<()>>,
    keeper: Option<std::thread::JoinHandle<()>>,
    exit: Exit,
    /// The start failed: its log stays for the user to read.
    keep_log: bool,
}

/// How the child ended before it was told to, as the keeper saw it.
type Exit = Arc<Mutex<Option<String>>>;

impl ManagedServer {
    /// Starts the server and waits until `/health` says the model is loaded. A port
    /// taken between choosing it and the server binding it is retried on another.
    pub async fn start(spec: &ServerSpec) -> Result<ManagedServer, LocalError> {
        let tries = if spec.port.is_some() { 1 } else { 3 };
        let mut last = None;
        for _ in 0..tries {
            let port = match spec.port {
                Some(p) => p,
                None => free_port()?,
            };
            let key = if spec.port.is_some() { None } else { Some(random_key()?) };
            match start_on(spec, port, key).await {
                Err(Failed::PortTaken(why)) => last = Some(why),
                Err(Failed::Other(e)) => return Err(e),
                Ok(server) => return Ok(server),
            }
        }
        Err(LocalError::Server(last.unwrap_or_default()))
    }

    /// Stops the server now (as dropping it does).
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        let clean = self.exited().is_none();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(keeper) = self.keeper.take() {
            let _ = keeper.join();
        }
        // A server that ran and was stopped leaves no log; one that failed keeps it.
        if clean && !self.keep_log {
            let _ = std::fs::remove_file(&self.log);
        }
    }

    /// How the server ended, if it ended on its own.
    pub fn exited(&self) -> Option<String> {
        self.exit.lock().ok().and_then(|e| e.clone())
    }
}

impl Drop for ManagedServer {
    fn drop(&mut self) {
        self.shut_down();
    }
}

enum Failed {
    PortTaken(String),
    Other(LocalError),
}

async fn start_on(spec: &ServerSpec, port: u16, key: Option<String>) -> Result<ManagedServer, Failed> {
    let other = Failed::Other;
    std::fs::create_dir_all(&spec.log_dir).map_err(|e| other(LocalError::io(&spec.log_dir, e)))?;
    let log = spec.log_dir.join(format!("llama-server-{port}.log"));
    let out = std::fs::File::create(&log).map_err(|e| other(LocalError::io(&log, e)))?;
    let err = out.try_clone().map_err(|e| other(LocalError::io(&log, e)))?;
    let mut cmd = Command::new(&spec.program);
    cmd.arg("--model").arg(&spec.model);
    cmd.args(["--alias", &spec.alias, "--host", "127.0.0.1", "--port", &port.to_string()]);
    cmd.args(["--ctx-size", &spec.context.to_string(), "--jinja", "--no-slots"]);
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    cmd.args(["--threads", &threads.to_string()]);
    // Nothing of wright's environment (API keys, tokens) reaches the server; the key it
    // checks goes by environment, not the command line other users can read.
    cmd.env_clear();
    for var in ["PATH", "HOME", "LANG"] {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    if let Some(k) = &key {
        cmd.env("LLAMA_API_KEY", k);
    }
    cmd.stdin(Stdio::null()).stdout(out).stderr(err).process_group(0);
    die_with_parent(&mut cmd);

    let (ready_tx, ready_rx) = mpsc::channel();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let exit: Exit = Arc::default();
    let seen = exit.clone();
    let keeper = std::thread::Builder::new()
        .name("wright-model-server".into())
        .spawn(move || keep(cmd, ready_tx, stop_rx, seen))
        .map_err(|e| other(LocalError::Server(format!("starting a thread: {e}"))))?;
    let pid = match ready_rx.recv() {
        Ok(Ok(pid)) => pid,
        Ok(Err(e)) => {
            let _ = keeper.join();
            return Err(other(LocalError::Server(format!("cannot start {}: {e}", spec.program.display()))));
        }
        Err(_) => return Err(other(LocalError::Server("the server's keeper thread died".into()))),
    };
    let server = ManagedServer {
        base_url: format!("http://127.0.0.1:{port}/v1"),
        api_key: key,
        pid,
        log: log.clone(),
        stop: Some(stop_tx),
        keeper: Some(keeper),
        exit: exit.clone(),
        keep_log: false,
    };
    match wait_ready(port, server.api_key.as_deref(), &spec.alias, &exit, spec.ready_wait).await {
        Ok(()) => Ok(server),
        Err(why) => {
            let exited = server.exited().is_some();
            let mut server = server;
            server.keep_log = true;
            drop(server);
            let tail = log_tail(&log);
            if exited && (tail.contains("couldn't bind") || tail.contains("Address already in use")) {
                return Err(Failed::PortTaken(format!("port {port} was taken: {tail}")));
            }
            Err(other(LocalError::Server(format!("{why}; the end of its log ({}):\n{tail}", log.display()))))
        }
    }
}

/// The keeper: spawns the child, reports its pid, then stops it when told to (or when the
/// server is dropped), or notes that it ended on its own.
fn keep(mut cmd: Command, ready: mpsc::Sender<std::io::Result<u32>>, stop: mpsc::Receiver<()>, exit: Exit) {
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let _ = ready.send(Ok(child.id()));
    loop {
        match stop.recv_timeout(Duration::from_millis(100)) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                if let Ok(Some(status)) = child.try_wait() {
                    if let Ok(mut e) = exit.lock() {
                        *e = Some(status.to_string());
                    }
                    return;
                }
            }
        }
    }
    terminate(&mut child);
}

/// SIGTERM, a few seconds to exit, then SIGKILL.
fn terminate(child: &mut Child) {
    let Ok(pid) = i32::try_from(child.id()) else { return };
    // SAFETY: a plain kill(2) of our own child, which has not been reaped yet.
    unsafe {
        libc::kill(pid, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// The child gets SIGKILL when the thread that spawned it ends, whatever ends it.
fn die_with_parent(cmd: &mut Command) {
    let parent = std::process::id();
    // SAFETY: prctl, getppid and _exit are async-signal-safe; nothing is allocated.
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // wright died before the line above: nobody would stop this server.
            if u32::try_from(libc::getppid()).ok() != Some(parent) {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

/// Ready: `/health` answers 200 (503 while the model loads), and then the model list,
/// asked with the key, names `alias`, and the child is still running. Whatever else may
/// hold the port (it was free a moment ago) is never taken for the server.
async fn wait_ready(port: u16, key: Option<&str>, alias: &str, exit: &Exit, wait: Duration) -> Result<(), String> {
    let http =
        reqwest::Client::builder().no_proxy().timeout(Duration::from_secs(2)).build().map_err(|e| e.to_string())?;
    let server = format!("http://127.0.0.1:{port}");
    let exited = || exit.lock().ok().and_then(|e| e.clone());
    let deadline = Instant::now() + wait;
    loop {
        if let Some(status) = exited() {
            return Err(format!("the server exited ({status}) before it was ready"));
        }
        if let Ok(r) = http.get(format!("{server}/health")).send().await
            && r.status().is_success()
        {
            if !lists(&http, &server, key, alias).await {
                return Err(format!("something else answers on port {port}: its model list does not name {alias}"));
            }
            // The keeper looks every 100 ms: a child that lost the port has exited by now.
            tokio::time::sleep(Duration::from_millis(150)).await;
            return match exited() {
                Some(status) => Err(format!("the server exited ({status}) before it was ready")),
                None => Ok(()),
            };
        }
        if Instant::now() >= deadline {
            return Err(format!("the server was not ready after {} s", wait.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Whether the model list at `server`, asked with `key`, names `alias`.
async fn lists(http: &reqwest::Client, server: &str, key: Option<&str>, alias: &str) -> bool {
    let mut request = http.get(format!("{server}/v1/models"));
    if let Some(k) = key {
        request = request.bearer_auth(k);
    }
    let listing = crate::body::small_json(request).await.unwrap_or_default();
    crate::discover::model_ids(&listing).is_some_and(|ids| ids.iter().any(|id| id == alias))
}

/// A port nothing listens on now (the server may still lose it to another program).
fn free_port() -> Result<u16, LocalError> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| LocalError::Server(e.to_string()))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| LocalError::Server(e.to_string()))
}

fn random_key() -> Result<String, LocalError> {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| LocalError::Server(format!("no randomness for the key: {e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The last lines of a server's log, for an error.
fn log_tail(log: &Path) -> String {
    let text = std::fs::read(log).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let lines: Vec<&str> = text.lines().rev().take(8).collect();
    lines.into_iter().rev().collect::<Vec<_>>().join("\n")
}
