//! `repo_map`: an outline of the repository's definitions, ranked, within a token budget.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::{BlockingTool, ToolContext, ToolError, ToolFacts, ToolOutput, ToolSpec, args};

const DEFAULT_BUDGET: usize = 1500;
const MAX_BUDGET: usize = 8000;

pub struct RepoMap;

#[derive(Deserialize)]
struct RepoMapArgs {
    focus: Option<String>,
    budget_tokens: Option<usize>,
}

impl ToolFacts for RepoMap {
    fn read_only(&self) -> bool {
        true
    }

    // The repo map costs a small model turns it needs for the task.
    fn in_compact_prompt(&self) -> bool {
        false
    }

    fn in_nudge(&self) -> bool {
        false
    }

    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "repo_map".into(),
            description: "An outline of the repository: files with their classes, functions and types (line: kind name), the most referenced and the ones matching `focus` first, cut to budget_tokens. Use it to get oriented before searching."
                .into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "focus": {"type": "string", "description": "words or identifiers from the task to rank by"},
                    "budget_tokens": {"type": "integer", "description": "default 1500, at most 8000"}
                }
            }),
        }
    }
}

impl BlockingTool for RepoMap {
    fn call(&self, ctx: &ToolContext, args: &Value) -> Result<ToolOutput, ToolError> {
        let a: RepoMapArgs = args::parse("repo_map", args)?;
        let budget = a.budget_tokens.unwrap_or(DEFAULT_BUDGET).clamp(100, MAX_BUDGET);
        let map = ctx.index.with(|index| index.repo_map(a.focus.as_deref(), budget))?;
        if map.is_empty() {
            return Ok(ToolOutput::text("No definitions found in the indexed files."));
        }
        Ok(ToolOutput::text(map))
    }
}
