//! `search`: ranked file:line hits from wright-index.

use serde::Deserialize;
use serde_json::{Value, json};
use wright_index::SearchKind;

use crate::{Tool, ToolContext, ToolError, ToolOutput, ToolSpec, args};

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 50;

pub struct Search;

#[derive(Deserialize)]
struct SearchArgs {
    query: String,
    #[serde(default)]
    kind: SearchKind,
    limit: Option<usize>,
}

impl Tool for Search {
    fn read_only(&self) -> bool {
        true
    }

    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "search",
            description: "Search the repository. kind=text (default): words, identifiers, error messages, ranked by relevance; kind=symbol: definitions by name; kind=regex: a regular expression per line. Returns path:line hits with a snippet.",
            parameters: json!({
                "type": "object",
                "properties": {
                    "query": {"type": "string"},
                    "kind": {"type": "string", "enum": ["text", "symbol", "regex"]},
                    "limit": {"type": "integer", "description": "at most 50, default 20"}
                },
                "required": ["query"]
            }),
        }
    }

    fn call(&self, ctx: &ToolContext, args: &Value) -> Result<ToolOutput, ToolError> {
        let a: SearchArgs = args::parse("search", args)?;
        let limit = a.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let results = wright_index::search(&ctx.root, &a.query, a.kind, limit)?;
        if results.hits.is_empty() {
            return Ok(ToolOutput::text("No matches. Try other words, kind=symbol for a definition, or kind=regex."));
        }
        let mut out = String::new();
        for hit in &results.hits {
            let symbol = hit.symbol.as_deref().map(|s| format!(" [{s}]")).unwrap_or_default();
            out.push_str(&format!("{}:{}{}: {}\n", hit.path, hit.start_line, symbol, hit.snippet));
        }
        if results.more > 0 {
            out.push_str(&format!("[{} more hits not shown; narrow the query or raise limit]\n", results.more));
        }
        if results.skipped_files > 0 {
            out.push_str(&format!("[{} binary or oversized files not searched]\n", results.skipped_files));
        }
        Ok(ToolOutput::text(out))
    }
}
