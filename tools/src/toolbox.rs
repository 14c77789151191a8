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

    /// The tools, in the order offered.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Tool> {
        self.tools.iter().map(|t| t.as_ref())
    }

    /// The tool called `name`, for what it declares about a call.
    pub fn get(&self, name: &str) -> Option<&dyn Tool> {
        self.tools.iter().find(|t| t.spec().name == name).map(|t| t.as_ref())
    }

    /// True when `name` is a tool that never changes files.
    pub fn is_read_only(&self, name: &str) -> bool {
        self.get(name).is_some_and(|t| t.read_only())
    }

    /// `lines` of the file `path` as the first tool that shows files shows them.
    pub fn show_file(
        &self,
        ctx: &ToolContext,
        path: &str,
        lines: std::ops::RangeInclusive<usize>,
    ) -> Result<ToolOutput, ToolError> {
        let (name, args) = self
            .tools
            .iter()
            .find_map(|t| Some((t.spec().name, t.show_args(path, lines.clone())?)))
            .ok_or(ToolError::NoFileReader)?;
        self.call(ctx, &name, &args, &[])
    }

    /// Calls the tool `name`; an unknown name is an error that lists the real ones.
    pub fn call(
        &self,
        ctx: &ToolContext,
        name: &str,
        args: &Value,
        extra_names: &[&str],
    ) -> Result<ToolOutput, ToolError> {
        match self.get(name) {
            Some(tool) => {
                let (args, notes) = crate::args::coerce(&tool.spec().parameters, args);
                let mut out = tool.call(ctx, &args).map_err(|e| match e {
                    ToolError::InvalidArgs { tool: n, message } => {
                        let expected = crate::signature(&tool.spec().parameters);
                        let message = format!("{message}; {n} takes ({expected})");
                        ToolError::InvalidArgs { tool: n, message }
                    }
                    other => other,
                })?;
                for note in notes {
                    out.text.push_str(&format!("\n[wright: {note}]"));
                }
                Ok(out)
            }
            None => {
                let mut known: Vec<String> = self.tools.iter().map(|t| t.spec().name.into_owned()).collect();
                known.extend(extra_names.iter().map(|n| n.to_string()));
                Err(ToolError::UnknownTool { name: name.to_string(), known: known.join(", ") })
            }
        }
    }
}
