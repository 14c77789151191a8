//! `search`: ranked hits from the run's code index, with a few lines of context for the
//! best ones so the model can often act without opening the file.

use serde::Deserialize;
use serde_json::{Value, json};
use wright_index::{SearchHit, SearchKind};

use crate::{BlockingTool, ToolContext, ToolError, ToolFacts, ToolOutput, ToolSpec, args};

const DEFAULT_LIMIT: usize = 20;
const MAX_LIMIT: usize = 50;
/// Hits that get context lines, and how many lines each.
const WITH_CONTEXT: usize = 3;
const CONTEXT_LINES: usize = 4;
/// Characters shown of each context line.
const CONTEXT_LINE_CHARS: usize = 160;

pub struct Search;

#[derive(Deserialize)]
struct SearchArgs {
    query: String,
    /// Read leniently: a kind wright does not know searches as text, saying so.
    #[serde(default)]
    kind: Option<Value>,
    limit: Option<usize>,
}

impl ToolFacts for Search {
    fn read_only(&self) -> bool {
        true
    }

    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "search".into(),
            description: "Search the repository's code index. kind=text (default): words, identifiers, file names, error messages or a whole issue, ranked by relevance, each hit naming the best matching definition; kind=symbol: definitions by name (Class.method works); kind=regex: every line a regular expression matches. Returns path:lines [symbol] hits; the best come with a few lines of code."
                .into(),
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
}

impl BlockingTool for Search {
    fn call(&self, ctx: &ToolContext, args: &Value) -> Result<ToolOutput, ToolError> {
        let a: SearchArgs = args::parse("search", args)?;
        let limit = a.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let (kind, kind_note) = match a.kind {
            None | Some(Value::Null) => (SearchKind::Text, String::new()),
            Some(given) => match serde_json::from_value::<SearchKind>(given.clone()) {
                Ok(kind) => (kind, String::new()),
                Err(_) => {
                    (SearchKind::Text, format!("[kind {given} is not one of text, symbol, regex; searched as text]\n"))
                }
            },
        };
        let results = ctx.index.with(|index| index.search(&a.query, kind, limit))?;
        let skipped = match results.skipped_files {
            0 => String::new(),
            n => format!("[{n} binary, generated or oversized files not searched]\n"),
        };
        if results.hits.is_empty() {
            return Ok(ToolOutput::text(format!(
                "{kind_note}No matches. Try other words, kind=symbol for a definition, or kind=regex.\n{skipped}"
            )));
        }
        let mut out = kind_note;
        for (i, hit) in results.hits.iter().enumerate() {
            out.push_str(&heading(hit));
            if i < WITH_CONTEXT && kind != SearchKind::Regex {
                out.push_str(&context(ctx, hit));
            }
        }
        if results.more > 0 {
            let more = if results.more_exact { results.more.to_string() } else { format!("at least {}", results.more) };
            out.push_str(&format!("[{more} more hits not shown; narrow the query or raise limit]\n"));
        }
        out.push_str(&skipped);
        Ok(ToolOutput::text(out))
    }
}

fn heading(hit: &SearchHit) -> String {
    let lines = if hit.end_line > hit.start_line {
        format!("{}-{}", hit.start_line, hit.end_line)
    } else {
        hit.start_line.to_string()
    };
    let symbol = hit.symbol.as_deref().map(|s| format!(" [{s}]")).unwrap_or_default();
    format!("{}:{}{}: {}\n", hit.path, lines, symbol, hit.snippet)
}

/// The lines of the hit after its first, numbered, read from the worktree (only those).
fn context(ctx: &ToolContext, hit: &SearchHit) -> String {
    let end = hit.end_line.min(hit.start_line + CONTEXT_LINES - 1);
    let count = end.saturating_sub(hit.start_line);
    if count == 0 {
        return String::new();
    }
    let Ok((file, _)) = wright_tree::Tree::open(&ctx.root).and_then(|t| t.open_file(std::path::Path::new(&hit.path)))
    else {
        return String::new();
    };
    let Ok(window) = crate::line_window::read(file, hit.start_line + 1, count, CONTEXT_LINE_CHARS * 4, false) else {
        return String::new();
    };
    let mut out = String::new();
    for line in window.lines {
        let text: String = line.text.chars().take(CONTEXT_LINE_CHARS).collect();
        out.push_str(&format!("    {:>5}  {}\n", line.number, text));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hits_name_the_definition_and_show_its_first_lines() {
        let dir = tempfile::tempdir().unwrap();
        let cache = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("dates.py"), "def parse_date(text):\n    a = 1\n    b = 2\n    return a\n")
            .unwrap();
        let ctx = ToolContext {
            root: dir.path().to_path_buf(),
            workspace: None,
            index: crate::IndexHandle::new(dir.path().to_path_buf(), cache.path().join("v"), None),
            run: crate::RunLimits::default(),
        };
        let out = Search.call(&ctx, &json!({"query": "parse_date fails"})).unwrap().text;
        assert!(out.starts_with("dates.py:1-4 [parse_date]: def parse_date(text):\n        2      a = 1\n"), "{out}");
        std::fs::write(dir.path().join("more.py"), "def frobnicate():\n    pass\n").unwrap();
        ctx.index.refresh().unwrap();
        let out = Search.call(&ctx, &json!({"query": "frobnicate", "kind": "symbol"})).unwrap().text;
        let named = Search.call(&ctx, &json!({"query": "frobnicate", "kind": "function"})).unwrap().text;
        assert_eq!(named, out, "the kind of definition a small model names means symbol");
        assert!(out.starts_with("more.py:1-2 [frobnicate]"), "{out}");
        let err = Search.call(&ctx, &json!({"query": "(", "kind": "regex"})).unwrap_err();
        assert!(err.to_string().contains("invalid regex"), "{err}");
    }
}
