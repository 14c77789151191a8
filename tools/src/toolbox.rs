//! The set of tools offered to the model, looked up by name.

use serde_json::Value;

use crate::fs_tools::{GitDiff, ReadFile};
use crate::patch_tools::{ApplyPatch, Edit};
use crate::repo_map_tool::RepoMap;
use crate::run_tool::Run;
use crate::search_tool::Search;
use crate::{Tool, ToolContext, ToolError, ToolOutput, ToolSpec};

pub struct Toolbox {
    tools: Vec<Box<dyn Tool>>,
}

impl Default for Toolbox {
    fn default() -> Self {
        Toolbox {
            tools: vec![
                Box::new(ReadFile),
                Box::new(Search),
                Box::new(RepoMap),
                Box::new(Edit),
                Box::new(ApplyPatch),
                Box::new(Run),
                Box::new(GitDiff),
            ],
        }
    }
}

impl Toolbox {
    pub fn specs(&self) -> Vec<ToolSpec> {
        self.tools.iter().map(|t| t.spec()).collect()
    }

    /// True when `name` is a tool that never changes files.
    pub fn is_read_only(&self, name: &str) -> bool {
        self.tools.iter().any(|t| t.spec().name == name && t.read_only())
    }

    /// Calls the tool `name`; an unknown name is an error that lists the real ones.
    pub fn call(
        &self,
        ctx: &ToolContext,
        name: &str,
        args: &Value,
        extra_names: &[&str],
    ) -> Result<ToolOutput, ToolError> {
        match self.tools.iter().find(|t| t.spec().name == name) {
            Some(tool) => {
                let (args, notes) = crate::args::coerce(&tool.spec().parameters, args);
                let mut out = tool.call(ctx, &args).map_err(|e| match e {
                    ToolError::InvalidArgs { tool: n, message } => {
                        let expected = crate::signature(&tool.spec().parameters);
                        ToolError::InvalidArgs { tool: n, message: format!("{message}; {n} takes ({expected})") }
                    }
                    other => other,
                })?;
                for note in notes {
                    out.text.push_str(&format!("\n[wright: {note}]"));
                }
                Ok(out)
            }
            None => {
                let mut known: Vec<&str> = self.tools.iter().map(|t| t.spec().name).collect();
                known.extend_from_slice(extra_names);
                Err(ToolError::UnknownTool { name: name.to_string(), known: known.join(", ") })
            }
        }
    }
}
