//! The user's MCP servers: `[mcp_servers.NAME]` made into the specs wright-mcp starts, the
//! tools they bring to a run, and `wright mcp list` / `wright mcp call` to try them by hand.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use wright_mcp::{Launch, McpSource, Offer, Place, ServerSpec};
use wright_sandbox::EnvPolicy;
use wright_tools::Toolbox;

use crate::cli::{McpCallArgs, McpCommand, SandboxFlags};
use crate::config::{Config, McpServerSettings, Settings};
use crate::exit::usage;
use crate::visible::visible;

/// The servers the user's config enables, and notices of those left out.
#[derive(Default)]
pub(crate) struct Servers {
    pub specs: Vec<ServerSpec>,
    /// Servers whose variables are not set here (a CI runner without the token): each is
    /// left out with a notice, and the run goes on.
    pub notices: Vec<String>,
}

impl Servers {
    /// The values the servers are given that must never be shown: bearer tokens, and
    /// variables whose names mark secrets (the redactor knows wright's own environment).
    pub(crate) fn secrets(&self) -> Vec<(String, String)> {
        let mut secrets = Vec::new();
        for spec in &self.specs {
            match &spec.launch {
                Launch::Http { bearer_token: Some(token), .. } => {
                    secrets.push((format!("{} token", spec.name), token.clone()))
                }
                Launch::Http { .. } => {}
                Launch::Stdio { env, .. } => {
                    secrets.extend(env.iter().filter(|(k, _)| wright_sandbox::is_secret_name(k)).cloned());
                }
            }
        }
        secrets
    }
}

/// The servers the user's config enables. A server described so that wright will not
/// start it (no command, a token over plain http) is a usage error that names what to
/// change; one whose variables are not set here is left out with a notice.
pub(crate) fn servers(settings: &Settings) -> Result<Servers> {
    let mut servers = Servers::default();
    for (name, server) in settings.mcp_servers.iter().filter(|(_, s)| s.enabled) {
        let launch = match launch(name, server)? {
            Ok(launch) => launch,
            Err(notice) => {
                servers.notices.push(notice);
                continue;
            }
        };
        let spec = ServerSpec {
            name: name.clone(),
            launch,
            enabled_tools: server.enabled_tools.clone(),
            disabled_tools: server.disabled_tools.clone(),
            startup_timeout: Duration::from_secs(server.startup_timeout_secs),
            tool_timeout: Duration::from_secs(server.tool_timeout_secs),
        };
        spec.check().map_err(|e| usage(e.to_string()))?;
        servers.specs.push(spec);
    }
    Ok(servers)
}

/// How `server` is reached; the inner error is a notice (a variable not set here).
fn launch(name: &str, server: &McpServerSettings) -> Result<std::result::Result<Launch, String>> {
    // The user's own environment, by the names the user gave.
    let from_env = |var: &str| std::env::var(var).ok().filter(|v| !v.is_empty());
    let unset = |key: &str, var: &str| {
        format!("MCP server `{name}` is not started: its {key} names {var}, which is not set here")
    };
    match (&server.command, &server.url) {
        (Some(command), None) => {
            let mut env: Vec<(String, String)> = server.env.clone().into_iter().collect();
            for var in &server.env_vars {
                match from_env(var) {
                    Some(value) => env.push((var.clone(), value)),
                    None => return Ok(Err(unset("env_vars", var))),
                }
            }
            let read_only: Vec<PathBuf> = server.read_only_paths.iter().map(|p| expand_home(p)).collect();
            if let Some(missing) = read_only.iter().find(|p| p.is_absolute() && !p.exists()) {
                let missing = missing.display();
                return Ok(Err(format!(
                    "MCP server `{name}` is not started: its read_only_paths holds {missing}, which is not here"
                )));
            }
            let (args, network) = (server.args.clone(), server.network);
            let command = expand_home(command).display().to_string();
            Ok(Ok(Launch::Stdio { command, args, env, network, read_only }))
        }
        (None, Some(url)) => {
            let bearer_token = match &server.bearer_token_env_var {
                Some(var) => match from_env(var) {
                    Some(token) => Some(token),
                    None => return Ok(Err(unset("bearer_token_env_var", var))),
                },
                None => None,
            };
            Ok(Ok(Launch::Http { url: url.clone(), bearer_token }))
        }
        (Some(_), Some(_)) => Err(usage(format!("mcp_servers.{name}: give `command` or `url`, not both"))),
        (None, None) => {
            Err(usage(format!("mcp_servers.{name}: give `command` (a stdio server) or `url` (a streamable HTTP one)")))
        }
    }
}

/// `path` with a leading `~/` made the user's home.
fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => PathBuf::from(home).join(rest),
        _ => PathBuf::from(path),
    }
}

/// The tools of a run: wright's own, and the user's servers' once the worktree exists.
pub(crate) fn toolbox(servers: Vec<ServerSpec>, offer: Offer) -> Toolbox {
    let mut toolbox = Toolbox::builtin();
    if !servers.is_empty() {
        let hashes = Some(crate::dirs::data_dir().join("mcp"));
        toolbox.add_source(McpSource { servers, offer, hashes });
    }
    toolbox
}

pub fn run(cmd: McpCommand) -> Result<i32> {
    let settings = Config::load(Path::new("."), &Default::default(), false)?.settings()?;
    let Servers { specs: servers, notices } = servers(&settings)?;
    for notice in &notices {
        eprintln!("wright: {}", visible(notice));
    }
    if servers.is_empty() && notices.is_empty() {
        return Err(usage(format!(
            "no MCP server is configured: add [mcp_servers.NAME] with `command` or `url` to {}",
            crate::dirs::user_config().display()
        )));
    }
    // Servers started by hand work in a scratch folder: never in a checkout of the user's.
    let scratch = tempfile::Builder::new().prefix("wright-mcp-").tempdir()?;
    let place = Place {
        root: scratch.path().to_path_buf(),
        isolation: crate::sandbox_cmd::isolation(&settings, &SandboxFlags::default()),
        env: EnvPolicy { allow: settings.sandbox.env.clone(), ..EnvPolicy::default() },
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        match cmd {
            McpCommand::List => list(&servers, &place).await,
            McpCommand::Call(args) => call(&servers, &place, args).await,
        }
    })
}

async fn list(servers: &[ServerSpec], place: &Place) -> Result<i32> {
    let mut failed = 0;
    for spec in servers {
        match wright_mcp::start(spec, place).await {
            Err(e) => {
                failed += 1;
                let why = wright_mcp::clean_text(&e.to_string(), wright_mcp::NOTE_CHARS);
                say(&format!("{}: did not start: {}", spec.name, visible(&why)));
            }
            Ok(started) => {
                say(&format!("{}: running, {} tools", spec.name, started.tools.len() + started.left_out));
                if started.left_out > 0 {
                    say(&format!("  (the first {} are taken; {} left out)", wright_mcp::MOST_TOOLS, started.left_out));
                }
                for tool in started.tools {
                    let offered = if spec.offers(&tool.tool) { "" } else { " [not offered]" };
                    say(&format!("  {}{offered}", tool.spec.name));
                    say(&format!("    {}", visible(&tool.spec.description).replace('\n', "\n    ")));
                }
            }
        }
    }
    Ok(if failed == 0 { 0 } else { 1 })
}

async fn call(servers: &[ServerSpec], place: &Place, args: McpCallArgs) -> Result<i32> {
    let Some(spec) = servers.iter().find(|s| s.name == args.server) else {
        let names: Vec<&str> = servers.iter().map(|s| s.name.as_str()).collect();
        return Err(usage(format!("no MCP server `{}`; the configured ones: {}", args.server, names.join(", "))));
    };
    let json: serde_json::Value = serde_json::from_str(&args.json).map_err(|e| {
        usage(format!("the arguments are not JSON ({e}); give an object such as '{{\"query\": \"x\"}}'"))
    })?;
    let started = wright_mcp::start(spec, place).await.map_err(|e| anyhow::anyhow!("{}: {e}", spec.name))?;
    match wright_mcp::call_once(&started.server, &args.tool, json).await {
        Ok(text) => {
            say(&visible(&text));
            Ok(0)
        }
        Err(e) => {
            eprintln!("wright: {}", visible(&e.to_string()));
            Ok(1)
        }
    }
}

/// One line on stdout; a reader that went away (`| head`) ends nothing but the output.
fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{line}");
}
