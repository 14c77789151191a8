//! The user's Model Context Protocol servers as wright tools.
//!
//! Servers come from the user's config only. A stdio server runs as a long-lived process in
//! the same sandbox as the run's commands (worktree writable, private home, scrubbed
//! environment, network only when its config says so); an HTTP one is reached from the host,
//! its bearer token sent to its own origin only. Its tools are named `server__tool`, their
//! descriptions and schemas cleaned and capped; their answers are text that the
//! conversation quotes, caps and redacts like any tool's. A server that stops is restarted
//! once, then withdrawn. The client offers no capability (no sampling).
//!
//! ```no_run
//! use std::time::Duration;
//! use wright_mcp::{Launch, McpSource, Offer, ServerSpec};
//!
//! let docs = ServerSpec {
//!     name: "docs".into(),
//!     launch: Launch::Stdio {
//!         command: "docs-mcp".into(),
//!         args: vec![],
//!         env: vec![],
//!         network: false,
//!         read_only: vec![],
//!     },
//!     enabled_tools: None,
//!     disabled_tools: vec![],
//!     startup_timeout: Duration::from_secs(30),
//!     tool_timeout: Duration::from_secs(60),
//! };
//! docs.check()?;
//! let mut toolbox = wright_tools::Toolbox::builtin();
//! toolbox.add_source(McpSource { servers: vec![docs], offer: Offer::Configured, hashes: None });
//! # Ok::<(), wright_mcp::SpecError>(())
//! ```

// Input from strangers reaches every crate: a byte index that lands inside a character
// must not panic, so text is cut with `get`, `split_once` and the like, never `[a..b]`.
#![cfg_attr(not(test), deny(clippy::string_slice))]

mod clean;
mod connect;
mod render;
mod server;
mod source;
mod spec;
mod tool;

pub use clean::{NOTE_CHARS, clean_text, tool_name};
pub use connect::{ConnectError, Place, WORKTREE};
pub use server::Server;
pub use source::{Listed, MOST_TOOLS, McpSource, Offer, Started, start};
pub use spec::{Launch, ServerSpec, SpecError};
pub use tool::CATALOG;

/// Calls `tool` of a started server by hand (`wright mcp call`): its answer's text, or the
/// error the model would get.
pub async fn call_once(
    server: &Server,
    tool: &str,
    args: serde_json::Value,
) -> Result<String, wright_tools::ToolError> {
    let cancel = wright_sandbox::Cancel::default();
    match server.call(tool, args, server.spec.tool_timeout, &cancel).await? {
        server::Answer::Done(text) => Ok(text),
        server::Answer::Failed(text) => Err(wright_tools::ToolError::Failed(text)),
        server::Answer::Interrupted => Err(wright_tools::ToolError::Failed("interrupted".into())),
    }
}
