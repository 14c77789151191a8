//! The user's servers as a source of a run's tools: started in the worktree's sandbox once
//! it exists, each within its startup timeout; what failed is a notice, never the run's end.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;
use wright_tools::{OpenFuture, Opened, Tool, ToolContext, ToolSource, ToolSpec};

use crate::clean::NOTE_CHARS;
use crate::clean::{DESCRIPTION_CHARS, clean_schema, clean_text, tool_name};
use crate::connect::{Place, open};
use crate::server::{Server, cancelled};
use crate::tool::{Catalog, McpTool};
use crate::{ConnectError, ServerSpec};

/// Tools of all servers shown in the compact prompt; the catalog lists the rest.
const COMPACT_TOOLS: usize = 3;
/// Most tools taken from one server: each costs every request its description and schema.
pub const MOST_TOOLS: usize = 64;

/// Which of a server's tools are offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offer {
    /// All but `disabled_tools`, or only `enabled_tools` when the user listed them.
    Configured,
    /// Only those listed in `enabled_tools` (the PR bot, where strangers' text steers the
    /// model): a server without the list offers none and is not started.
    EnabledOnly,
}

/// The user's servers, to be started when the run's worktree exists.
pub struct McpSource {
    pub servers: Vec<ServerSpec>,
    pub offer: Offer,
    /// Where each server's last tool list hash is kept, to say when it changed.
    pub hashes: Option<PathBuf>,
}

/// A server's tool as it listed it, cleaned.
#[derive(Debug, Clone)]
pub struct Listed {
    /// The server's own name for it.
    pub tool: String,
    /// What the model sees.
    pub spec: ToolSpec,
}

/// A server started and its tools listed.
pub struct Started {
    pub server: Server,
    /// Its tools as offered (cleaned), at most `MOST_TOOLS`.
    pub tools: Vec<Listed>,
    /// Tools it listed past `MOST_TOOLS`, left out.
    pub left_out: usize,
    /// The hash of the list as the server sent it.
    pub hash: String,
}

/// Starts `spec`'s server in `place` and lists its tools, both within its startup timeout.
pub async fn start(spec: &ServerSpec, place: &Place) -> Result<Started, ConnectError> {
    let opened = tokio::time::timeout(spec.startup_timeout, async {
        let mut connection = open(spec, place).await?;
        match connection.service.list_all_tools().await {
            Ok(tools) => Ok((connection, tools)),
            Err(e) => Err(ConnectError::Handshake(format!("listing its tools failed: {e}; {}", connection.why_down()))),
        }
    })
    .await;
    let (connection, tools) = opened.unwrap_or(Err(ConnectError::Timeout(spec.startup_timeout.as_secs())))?;
    let wire = serde_json::to_vec(&tools).unwrap_or_default();
    let hash = blake3::hash(&wire).to_hex().to_string();
    let left_out = tools.len().saturating_sub(MOST_TOOLS);
    let tools = tools
        .iter()
        .take(MOST_TOOLS)
        .map(|t| {
            let description = t.description.as_deref().unwrap_or_default();
            let description = format!("(MCP server {}) {}", spec.name, clean_text(description, DESCRIPTION_CHARS));
            let schema = clean_schema(&Value::Object((*t.input_schema).clone()));
            let spec = ToolSpec {
                name: tool_name(&spec.name, &t.name).into(),
                description: description.into(),
                parameters: schema,
            };
            Listed { tool: t.name.to_string(), spec }
        })
        .collect();
    Ok(Started { server: Server::new(spec.clone(), place.clone(), connection), tools, left_out, hash })
}

impl ToolSource for McpSource {
    fn open(self: Box<Self>, ctx: ToolContext) -> OpenFuture {
        Box::pin(async move {
            let place =
                Place { root: ctx.root.clone(), isolation: ctx.run.isolation.clone(), env: ctx.run.env.clone() };
            let mut opened = Opened::default();
            let mut started = Vec::new();
            for spec in self.servers.iter().filter(|s| self.offer == Offer::Configured || s.enabled_tools.is_some()) {
                let (spec, place) = (spec.clone(), place.clone());
                started.push(tokio::spawn(async move { (spec.name.clone(), start(&spec, &place).await) }));
            }
            for spec in self.servers.iter().filter(|s| self.offer == Offer::EnabledOnly && s.enabled_tools.is_none()) {
                opened.notices.push(format!(
                    "MCP server `{}` is not started: here only the tools listed in its enabled_tools are offered",
                    spec.name
                ));
            }
            let mut tools: Vec<(Arc<Server>, Listed)> = Vec::new();
            let aborts: Vec<_> = started.iter().map(|job| job.abort_handle()).collect();
            for job in started {
                // A slow start (npx fetching a package) does not hold back a Ctrl-C.
                let joined = tokio::select! {
                    joined = job => joined,
                    () = cancelled(&ctx.run.cancel) => {
                        aborts.iter().for_each(|abort| abort.abort());
                        opened.notices.push("MCP servers: not all started, the run was interrupted".into());
                        break;
                    }
                };
                let (name, result) = match joined {
                    Ok(done) => done,
                    Err(e) => {
                        opened
                            .notices
                            .push(format!("an MCP server crashed while starting ({e}); its tools are not offered"));
                        continue;
                    }
                };
                match result {
                    Err(e) => {
                        let why = clean_text(&e.to_string(), NOTE_CHARS);
                        opened
                            .notices
                            .push(format!("MCP server `{name}` did not start: {why}; its tools are not offered"));
                    }
                    Ok(started) => {
                        if let Some(notice) = self.hash_changed(&name, &started.hash) {
                            opened.notices.push(notice);
                        }
                        if started.left_out > 0 {
                            opened.notices.push(format!(
                                "MCP server `{name}` lists {} tools; the first {MOST_TOOLS} are taken, the rest left out",
                                MOST_TOOLS + started.left_out
                            ));
                        }
                        let server = Arc::new(started.server);
                        let offered: Vec<Listed> =
                            started.tools.into_iter().filter(|l| server.spec.offers(&l.tool)).collect();
                        let names: Vec<&str> = offered.iter().map(|l| l.spec.name.as_ref()).collect();
                        let tools_word = if names.len() == 1 { "tool" } else { "tools" };
                        let (count, listed) = (names.len(), names.join(", "));
                        opened
                            .notices
                            .push(format!("MCP server `{name}` started: {count} {tools_word} offered ({listed})"));
                        tools.extend(offered.into_iter().map(|l| (server.clone(), l)));
                    }
                }
            }
            let specs: Vec<ToolSpec> = tools.iter().map(|(_, l)| l.spec.clone()).collect();
            let hidden: Vec<String> = specs.iter().skip(COMPACT_TOOLS).map(|s| s.name.to_string()).collect();
            for (index, (server, listed)) in tools.into_iter().enumerate() {
                let tool: Arc<dyn Tool> =
                    Arc::new(McpTool::new(server, listed.tool, listed.spec, index < COMPACT_TOOLS));
                opened.tools.push(tool);
            }
            if !hidden.is_empty() {
                opened.tools.push(Arc::new(Catalog::new(&specs, hidden)));
            }
            opened
        })
    }
}

impl McpSource {
    /// A notice when `server`'s tool list differs from the last run's; the new hash is kept.
    fn hash_changed(&self, server: &str, hash: &str) -> Option<String> {
        let file = self.hashes.as_ref()?.join(format!("{server}.tools"));
        #[allow(clippy::disallowed_methods)] // wright's own state directory, never a tree
        let before = std::fs::read_to_string(&file).ok();
        #[allow(clippy::disallowed_methods)]
        let _ = std::fs::create_dir_all(file.parent()?).and_then(|()| std::fs::write(&file, hash));
        let before = before?;
        (before.trim() != hash).then(|| {
            format!("MCP server `{server}`: its tools changed since the last run (names, descriptions or schemas); check them with `wright mcp list`")
        })
    }
}
