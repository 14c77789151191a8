//! What a tool is: its spec and every fact the loop needs about it ([`ToolFacts`]), and
//! how it answers a call. Every tool answers through [`Tool::call_async`], so one
//! described at run time (an MCP server's) plugs in like wright's own; a tool whose work
//! blocks implements [`BlockingTool`] instead, and the adapter here runs its calls on a
//! blocking thread.

use std::borrow::Cow;
use std::future::Future;
use std::ops::RangeInclusive;
use std::pin::Pin;
use std::sync::Arc;

use serde_json::Value;

use crate::{ToolContext, ToolError, ToolOutput};

/// A tool as the model sees it. Owned, so a tool described at run time has one too.
#[derive(Debug, Clone)]
pub struct ToolSpec {
    pub name: Cow<'static, str>,
    pub description: Cow<'static, str>,
    /// JSON schema of the arguments.
    pub parameters: Value,
}

/// A call that is really a call of another tool.
#[derive(Debug, Clone, PartialEq)]
pub struct Rerouted {
    pub tool: String,
    pub args: Value,
}

/// A tool's answer, on its way.
pub type ToolFuture = Pin<Box<dyn Future<Output = Result<ToolOutput, ToolError>> + Send>>;

/// A tool's spec and every fact the loop needs about it: the loop knows tools by these
/// answers, never by their names.
pub trait ToolFacts: Send + Sync + 'static {
    fn spec(&self) -> ToolSpec;
    /// True when the tool never changes files, so calls may run side by side and the
    /// index needs no refresh after one.
    fn read_only(&self) -> bool {
        false
    }
    /// True when a call that changes files does so by itself, as an edit does; false for
    /// one that asks another program (an MCP server) to act, whose failures are not
    /// failed edits.
    fn edits_by_itself(&self) -> bool {
        !self.read_only()
    }
    /// Offered in the compact prompt: a tool a small model rarely needs costs it turns.
    fn in_compact_prompt(&self) -> bool {
        true
    }
    /// Called by name even when the prompt does not list it (the compact prompt lists a few
    /// MCP tools, and a catalog tool names the rest).
    fn callable_when_hidden(&self) -> bool {
        false
    }
    /// Named in the nudge after a reply that called no tool.
    fn in_nudge(&self) -> bool {
        true
    }
    /// The file this call shows the model, which then counts as read.
    fn reads(&self, _args: &Value) -> Option<String> {
        None
    }
    /// The existing files this call means to change; a failed edit of one the model never
    /// read gets its lines, since its text was likely invented.
    fn edits(&self, _args: &Value) -> Vec<String> {
        Vec::new()
    }
    /// The shell command this call runs: its success may show that no test ran, and what
    /// it changed is committed under its name.
    fn command(&self, _args: &Value) -> Option<String> {
        None
    }
    /// The call of another tool this call really is.
    fn reroute(&self, _args: &Value) -> Option<Rerouted> {
        None
    }
    /// The arguments that show `lines` of the file `path`, when this tool shows files.
    fn show_args(&self, _path: &str, _lines: RangeInclusive<usize>) -> Option<Value> {
        None
    }
    /// The arguments that replace the text `old` of the file `path` with `new`, when this
    /// tool replaces text (a draft is applied with it).
    fn replace_args(&self, _path: &str, _old: &str, _new: &str) -> Option<Value> {
        None
    }
    /// The arguments that create the file `path` holding `text`, when this tool creates
    /// files (a drafted test is added with it).
    fn create_args(&self, _path: &str, _text: &str) -> Option<Value> {
        None
    }
}

/// One tool the model can call.
pub trait Tool: ToolFacts {
    /// Answers a call on the run's runtime; the future owns what it needs, so calls may
    /// run side by side.
    fn call_async(self: Arc<Self>, ctx: ToolContext, args: Value) -> ToolFuture;
}

/// A tool whose work blocks (files, git2, a sandboxed command).
pub trait BlockingTool: ToolFacts {
    fn call(&self, ctx: &ToolContext, args: &Value) -> Result<ToolOutput, ToolError>;
}

/// The adapter: a blocking tool's call runs on a blocking thread, where it cannot stall
/// the runtime that drives the model's stream and the interrupt.
impl<T: BlockingTool> Tool for T {
    fn call_async(self: Arc<Self>, ctx: ToolContext, args: Value) -> ToolFuture {
        Box::pin(async move {
            let job = tokio::task::spawn_blocking(move || self.call(&ctx, &args));
            job.await.unwrap_or_else(|e| Err(ToolError::Crashed(e.to_string())))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A blocking tool that panics on `{"panic": true}`.
    struct Shaky;

    impl ToolFacts for Shaky {
        fn spec(&self) -> ToolSpec {
            ToolSpec { name: "shaky".into(), description: "Shaky.".into(), parameters: json!({"type": "object"}) }
        }
    }

    impl BlockingTool for Shaky {
        fn call(&self, _: &ToolContext, args: &Value) -> Result<ToolOutput, ToolError> {
            assert!(args.get("panic").is_none(), "asked to");
            Ok(ToolOutput { text: "steady".into(), ..ToolOutput::default() })
        }
    }

    #[tokio::test]
    async fn a_blocking_tool_answers_through_the_adapter_and_a_panic_is_a_crash() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = ToolContext::bare(dir.path());
        let shaky = Arc::new(Shaky);
        let out = shaky.clone().call_async(ctx.clone(), json!({})).await.unwrap();
        assert_eq!(out.text, "steady");
        let err = shaky.call_async(ctx, json!({"panic": true})).await.unwrap_err();
        assert!(matches!(&err, ToolError::Crashed(_)) && err.to_string().starts_with("the tool crashed: "), "{err}");
    }
}
