//! A server's tool as a wright tool, and the catalog that lists them all for a prompt that
//! shows only a few.

use std::sync::Arc;

use serde_json::{Value, json};
use wright_tools::{Tool, ToolContext, ToolError, ToolFacts, ToolFuture, ToolOutput, ToolSpec};

use crate::server::{Answer, Server};

/// One tool of a server, as the model calls it (`server__tool`).
pub struct McpTool {
    server: Arc<Server>,
    /// The server's own name for it.
    tool: String,
    spec: ToolSpec,
    /// Shown in the compact prompt (the first few of all servers' tools are).
    compact: bool,
}

impl McpTool {
    pub(crate) fn new(server: Arc<Server>, tool: String, spec: ToolSpec, compact: bool) -> Self {
        McpTool { server, tool, spec, compact }
    }
}

impl ToolFacts for McpTool {
    fn spec(&self) -> ToolSpec {
        self.spec.clone()
    }

    /// A server's `readOnlyHint` is its own word: every call runs alone, in order, and
    /// what it changed in the worktree is committed.
    fn read_only(&self) -> bool {
        false
    }

    fn edits_by_itself(&self) -> bool {
        false
    }

    fn in_compact_prompt(&self) -> bool {
        self.compact
    }

    /// The catalog names those the compact prompt leaves out.
    fn callable_when_hidden(&self) -> bool {
        true
    }

    fn in_nudge(&self) -> bool {
        false
    }
}

impl Tool for McpTool {
    fn call_async(self: Arc<Self>, ctx: ToolContext, args: Value) -> ToolFuture {
        Box::pin(async move {
            let (limit, _) = ctx.run.deadline.cap(self.server.spec.tool_timeout);
            if limit.is_zero() {
                return Err(ToolError::Failed("not run: the run's time budget (--timeout) is spent".into()));
            }
            let change = Some(format!("Apply changes made by the MCP tool {}", self.spec.name));
            match self.server.call(&self.tool, args, limit, &ctx.run.cancel).await? {
                Answer::Done(text) => Ok(ToolOutput { text, change, cut_short: false }),
                // As a command that failed: what it changed first is still committed.
                Answer::Failed(text) => Ok(ToolOutput { text: format!("error: {text}"), change, cut_short: false }),
                Answer::Interrupted => {
                    Ok(ToolOutput { text: "interrupted by the user".into(), change: None, cut_short: true })
                }
            }
        })
    }
}

/// Names shown in the catalog's description; it says how many more there are.
const NAMED: usize = 12;

fn named(hidden: &[String]) -> String {
    let mut names = hidden.iter().take(NAMED).cloned().collect::<Vec<_>>().join(", ");
    if hidden.len() > NAMED {
        names.push_str(&format!(" and {} more", hidden.len() - NAMED));
    }
    names
}

/// The name of the catalog tool.
pub const CATALOG: &str = "mcp_tools";

/// Lists every MCP tool with its description and arguments, for a prompt that shows only
/// a few of them; any of them may be called by name.
pub struct Catalog {
    listed: String,
    hidden: Vec<String>,
}

impl Catalog {
    /// A catalog of `specs`, of which those named in `hidden` are not in the compact prompt.
    pub(crate) fn new(specs: &[ToolSpec], hidden: Vec<String>) -> Self {
        let listed = specs
            .iter()
            .map(|s| format!("{}({}): {}", s.name, wright_tools::signature(&s.parameters), s.description))
            .collect::<Vec<_>>()
            .join("\n");
        Catalog { listed, hidden }
    }
}

impl ToolFacts for Catalog {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: CATALOG.into(),
            description: format!(
                "List the tools of the user's MCP servers with their arguments, including these not shown here: {}. Call any of them by name.",
                named(&self.hidden)
            )
            .into(),
            parameters: json!({"type": "object", "properties": {}}),
        }
    }

    fn read_only(&self) -> bool {
        true
    }

    fn in_nudge(&self) -> bool {
        false
    }
}

impl Tool for Catalog {
    fn call_async(self: Arc<Self>, _: ToolContext, _: Value) -> ToolFuture {
        Box::pin(async move { Ok(ToolOutput { text: self.listed.clone(), ..ToolOutput::default() }) })
    }
}
