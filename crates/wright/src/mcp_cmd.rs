//! The user's MCP servers: `[mcp_servers.NAME]` made into the specs wright-mcp starts, the
//! tools they bring to a run, and `wright mcp list` / `wright mcp call` to try them by hand.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use wright_mcp::{Launch, McpSource, Offer, Place, ServerSpec};
use wright_sandbox::EnvPolicy;
use wright_tools::Toolbox;

use crate::cli::{McpCallArgs, McpCommand, SandboxFlags};
use crate::config::{Config, McpServerSettings, Settings};
use crate::exit::usage;
use crate::visible::visible;

/// The servers the user's config enables, checked; a server wright will not start is a
/// usage error that names it and what to change.
pub(crate) fn servers(settings: &Settings) -> Result<Vec<ServerSpec>> {
    let mut specs = Vec::new();
    for (name, server) in settings.mcp_servers.iter().filter(|(_, s)| s.enabled) {
        let spec = ServerSpec {
            name: name.clone(),
            launch: launch(name, server)?,
            enabled_tools: server.enabled_tools.clone(),
            disabled_tools: server.disabled_tools.clone(),
            startup_timeout: Duration::from_secs(server.startup_timeout_secs),
            tool_timeout: Duration::from_secs(server.tool_timeout_secs),
        };
        spec.check().map_err(|e| usage(e.to_string()))?;
        specs.push(spec);
    }
    Ok(specs)
}

fn launch(name: &str, server: &McpServerSettings) -> Result<Launch> {
    // The user's own environment, by the names the user gave.
    let from_env = |var: &str| std::env::var(var).ok().filter(|v| !v.is_empty());
    match (&server.command, &server.url) {
        (Some(command), None) => {
            let mut env: Vec<(String, String)> = server.env.clone().into_iter().collect();
            for var in &server.env_vars {
                let value = from_env(var).ok_or_else(|| {
                    usage(format!("mcp_servers.{name}: env_vars names {var}, which is not set; set it or remove it"))
                })?;
                env.push((var.clone(), value));
            }
            Ok(Launch::Stdio { command: command.clone(), args: server.args.clone(), env, network: server.network })
        }
        (None, Some(url)) => {
            let bearer_token = match &server.bearer_token_env_var {
                Some(var) => Some(from_env(var).ok_or_else(|| {
                    usage(format!("mcp_servers.{name}: bearer_token_env_var names {var}, which is not set; set it"))
                })?),
                None => None,
            };
            Ok(Launch::Http { url: url.clone(), bearer_token })
        }
        (Some(_), Some(_)) => Err(usage(format!("mcp_servers.{name}: give `command` or `url`, not both"))),
        (None, None) => {
            Err(usage(format!("mcp_servers.{name}: give `command` (a stdio server) or `url` (a streamable HTTP one)")))
        }
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
    let servers = servers(&settings)?;
    if servers.is_empty() {
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
                println!("{}: did not start: {}", spec.name, visible(&e.to_string()));
            }
            Ok((_, tools, _)) => {
                println!("{}: running, {} tools", spec.name, tools.len());
                for tool in tools {
                    let offered = if spec.offers(&tool.tool) { "" } else { " [not offered]" };
                    println!("  {}{offered}", tool.spec.name);
                    println!("    {}", visible(&tool.spec.description).replace('\n', "\n    "));
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
    let (server, _, _) = wright_mcp::start(spec, place).await.map_err(|e| anyhow::anyhow!("{}: {e}", spec.name))?;
    match wright_mcp::call_once(&server, &args.tool, json).await {
        Ok(text) => {
            println!("{}", visible(&text));
            Ok(0)
        }
        Err(e) => {
            eprintln!("wright: {}", visible(&e.to_string()));
            Ok(1)
        }
    }
}
