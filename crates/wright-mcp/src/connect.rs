//! Reaching a server: a stdio one started in the sandbox, an HTTP one over reqwest with
//! redirects refused (a bearer token goes to the configured origin and nowhere else). The
//! client offers no capability: no sampling, no roots, no elicitation.

use std::time::Duration;

use rmcp::model::{ClientCapabilities, ClientConfig, Implementation, ProtocolVersion};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ClientHandler, RoleClient, ServiceExt};
use tokio::net::unix::pipe;
use wright_sandbox::{Backend, EnvPolicy, Isolation, Piped, Program, RunSpec};

use crate::{Launch, ServerSpec};

/// Stands for the run's worktree in a stdio server's arguments and variables.
pub const WORKTREE: &str = "{worktree}";

/// wright as an MCP client: it answers pings and nothing else a server may ask.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Client;

impl ClientHandler for Client {
    fn get_info(&self) -> ClientConfig {
        ClientConfig::new(ClientCapabilities::default(), Implementation::new("wright", env!("CARGO_PKG_VERSION")))
            .with_protocol_version(ProtocolVersion::LATEST_WITH_INITIALIZE)
    }
}

/// Where stdio servers run: the run's worktree, under the run's sandbox.
#[derive(Debug, Clone)]
pub struct Place {
    pub root: std::path::PathBuf,
    pub isolation: Isolation,
    pub env: EnvPolicy,
}

/// A live session with a server, and its process when wright started one.
pub(crate) struct Connection {
    pub service: RunningService<RoleClient, Client>,
    /// Dropping it kills the server's process tree.
    pub process: Option<Piped>,
    /// Where a server run bare started (removed after it).
    _scratch: Option<tempfile::TempDir>,
}

impl Connection {
    /// Whether the server can still answer.
    pub fn is_up(&mut self) -> bool {
        !self.service.is_closed() && self.process.as_mut().is_none_or(|p| p.exited().is_none())
    }

    /// Gives a process whose pipe closed a moment (at most a second) to exit, so its
    /// status can say why.
    pub async fn settle(&mut self) {
        let Some(process) = self.process.as_mut() else { return };
        for _ in 0..50 {
            if process.exited().is_some() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Why it stopped, in a few words: its exit status and last lines of stderr.
    pub fn why_down(&mut self) -> String {
        match self.process.as_mut() {
            Some(process) => describe(process),
            None => "its connection closed".into(),
        }
    }
}

/// How a server's process stands: its exit status, and the last lines of its stderr.
fn describe(process: &mut Piped) -> String {
    let status = match process.exited() {
        Some(status) => format!("it exited ({status})"),
        None => "its connection closed".into(),
    };
    let tail = process.stderr_tail();
    let mut last: Vec<&str> = tail.lines().rev().filter(|l| !l.trim().is_empty()).take(3).collect();
    last.reverse();
    if last.is_empty() { status } else { format!("{status}; its last words: {}", last.join(" / ")) }
}

/// Why a server could not be reached.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("it could not start in the sandbox: {0}")]
    Sandbox(#[from] wright_sandbox::SandboxError),
    #[error("its pipes could not be read: {0}")]
    Pipes(std::io::Error),
    #[error("the HTTP client could not be built: {0}")]
    Http(String),
    #[error("it did not start within {0} s")]
    Timeout(u64),
    #[error("the MCP handshake failed: {0}")]
    Handshake(String),
    #[error("the run was interrupted")]
    Interrupted,
    #[error("it crashed while starting: {0}")]
    Crashed(String),
}

/// Starts (or reaches) `spec`'s server and completes the handshake within its startup
/// timeout.
pub(crate) async fn connect(spec: &ServerSpec, place: &Place) -> Result<Connection, ConnectError> {
    let started = tokio::time::timeout(spec.startup_timeout, open(spec, place)).await;
    started.unwrap_or(Err(ConnectError::Timeout(spec.startup_timeout.as_secs())))
}

/// `connect` without its timeout.
pub(crate) async fn open(spec: &ServerSpec, place: &Place) -> Result<Connection, ConnectError> {
    match &spec.launch {
        Launch::Stdio { command, args, env, network, read_only } => {
            // `{worktree}` in its arguments and variables is the run's worktree.
            let worktree = place.root.display().to_string();
            let fill = |text: &String| text.replace(WORKTREE, &worktree);
            let mut argv = vec![fill(command)];
            argv.extend(args.iter().map(fill));
            let mut run = RunSpec::new(Program::Argv(argv), &place.root);
            // It starts in /tmp (the sandbox's own, empty), not the worktree: launchers (npx, uvx,
            // python -m) read config and code from where they start, and the repository
            // must not choose what runs with the server's variables.
            // Run bare (the user's --sandbox none), the host's /tmp is shared: a folder of its own.
            let scratch = match place.isolation.backend {
                Backend::None => {
                    Some(tempfile::Builder::new().prefix("wright-mcp-").tempdir().map_err(ConnectError::Pipes)?)
                }
                _ => None,
            };
            run.cwd = scratch.as_ref().map_or_else(|| std::path::PathBuf::from("/tmp"), |d| d.path().to_path_buf());
            run.env = place.env.clone();
            run.env.set.push(("WRIGHT_WORKTREE".into(), worktree.clone()));
            run.env.set.extend(env.iter().map(|(k, v)| (k.clone(), fill(v))));
            run.isolation = place.isolation.clone();
            run.isolation.network = *network;
            // A server is a process, whatever runs the commands of the run (wasm or not).
            if run.isolation.backend == Backend::Wasm {
                run.isolation.backend = Backend::Process;
            }
            let read_only = read_only.clone();
            let mut process = tokio::task::spawn_blocking(move || wright_sandbox::spawn_piped(&run, &read_only))
                .await
                .map_err(|e| ConnectError::Pipes(std::io::Error::other(e.to_string())))??;
            let (stdin, stdout) =
                process.take_io().ok_or_else(|| ConnectError::Pipes(std::io::ErrorKind::BrokenPipe.into()))?;
            let reader = pipe::Receiver::from_owned_fd(stdout.into()).map_err(ConnectError::Pipes)?;
            let writer = pipe::Sender::from_owned_fd(stdin.into()).map_err(ConnectError::Pipes)?;
            match Client.serve((reader, writer)).await {
                Ok(service) => Ok(Connection { service, process: Some(process), _scratch: scratch }),
                Err(e) => {
                    // A moment to exit, so its status says why.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    Err(ConnectError::Handshake(format!("{e}; {}", describe(&mut process))))
                }
            }
        }
        Launch::Http { url, bearer_token } => {
            let mut client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(Duration::from_secs(10));
            // A proxy is another origin: a token for loopback would reach it in the clear.
            if crate::spec::is_loopback_url(url) {
                client = client.no_proxy();
            }
            let client = client.build().map_err(|e| ConnectError::Http(e.to_string()))?;
            let mut config = StreamableHttpClientTransportConfig::with_uri(url.as_str());
            if let Some(token) = bearer_token {
                config = config.auth_header(token.as_str());
            }
            let transport = StreamableHttpClientTransport::with_client(client, config);
            let service = Client.serve(transport).await.map_err(|e| ConnectError::Handshake(e.to_string()))?;
            Ok(Connection { service, process: None, _scratch: None })
        }
    }
}
