//! Tools that join a toolbox once the run's worktree exists: an MCP server's are started
//! in the sandbox there, and known only when it answers.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::{Tool, ToolContext};

/// What a source brought: its tools, and what the user should hear of it (a server that
/// did not start, a tool list that changed).
#[derive(Default)]
pub struct Opened {
    pub tools: Vec<Arc<dyn Tool>>,
    pub notices: Vec<String>,
}

/// A source's tools, on their way.
pub type OpenFuture = Pin<Box<dyn Future<Output = Opened> + Send>>;

/// Tools known only once the run's worktree exists.
pub trait ToolSource: Send + Sync + 'static {
    /// Starts what the tools need in `ctx`'s worktree, and lists them. It never fails: what
    /// went wrong is a notice, and the run goes on with the tools that came.
    fn open(self: Box<Self>, ctx: ToolContext) -> OpenFuture;
}
