//! `replace_definition`: one whole function, method or class, found by name in the syntax
//! tree of any language wright indexes, replaced by the model's new text, moved to the
//! indentation of the old one. Small models write a whole function far more reliably than
//! they copy an exact `old`. The change goes through the syntax guard and the compile
//! check like every edit.

mod defines;
mod lookup;
mod new_text;
mod prefix;
mod reindent;
mod splice;
#[cfg(test)]
mod tests;

use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};
use wright_grammar::Lang;

use crate::patch_journal;
use crate::patch_tools::recovered_note;
use crate::paths::resolve_writable;
use crate::tree_io::{read_text, tree, write_atomic};
use crate::{BlockingTool, ToolContext, ToolError, ToolFacts, ToolOutput, ToolSpec, args};

const NAME: &str = "replace_definition";

pub struct ReplaceDefinition;

#[derive(Deserialize)]
struct ReplaceArgs {
    path: String,
    symbol: String,
    new: String,
}

impl ToolFacts for ReplaceDefinition {
    fn edits(&self, args: &Value) -> Vec<String> {
        args.get("path").and_then(Value::as_str).map(|p| vec![p.to_string()]).unwrap_or_default()
    }

    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: NAME.into(),
            description: "Replace one whole function, method or class, found by name, with `new`: its complete new text from the signature to the end. `symbol` is its name, or `Class.method` for a method. The indentation is fixed for you, and decorators or doc comments you leave out are kept. Use it rather than edit when you change more than a line or two of one definition."
                .into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "symbol": {"type": "string", "description": "the function, method or class: `name`, or `Class.method` (Go: `Type.Method`)"},
                    "new": {"type": "string", "description": "the whole new definition, signature included"}
                },
                "required": ["path", "symbol", "new"]
            }),
        }
    }
}

impl BlockingTool for ReplaceDefinition {
    fn call(&self, ctx: &ToolContext, args: &Value) -> Result<ToolOutput, ToolError> {
        let a: ReplaceArgs = args::parse(NAME, args)?;
        let refuse = |message: String| ToolError::File { path: a.path.clone(), message };
        let recovered = patch_journal::recover(&ctx.root)?;
        let (new, note) = new_text::clean(&a.new).map_err(|e| refuse(e.to_string()))?;
        let lang = Lang::from_path(Path::new(&a.path)).ok_or_else(|| refuse(NO_GRAMMAR.into()))?;
        let rel = resolve_writable(&ctx.root, &a.path, ctx.workspace.as_ref())?;
        let tree = tree(&ctx.root)?;
        let before = read_text(&tree, &rel, &a.path)?
            .ok_or_else(|| refuse("no such file; give the path of the file that holds the definition".into()))?;
        let sites = wright_grammar::sites(lang, &before).map_err(|e| refuse(format!("{e}; change it with edit")))?;
        let stem = Path::new(&a.path).file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let site = lookup::find(&sites, &a.symbol, stem).map_err(|e| refuse(e.to_string()))?;
        let name = lookup::display_name(site);
        let kind = lookup::kind(site);
        if !site.own_lines {
            let (first, last) = (site.def.start_line, site.def.end_line);
            let at = if first == last { format!("line {first}") } else { format!("line {first} or {last}") };
            return Err(refuse(format!(
                "{kind} `{name}` shares {at} with other code, so it cannot be replaced whole; change it with edit"
            )));
        }
        let spliced = splice::splice(lang, &before, site, &new);
        if spliced.after == before {
            return Err(refuse(format!(
                "`new` is the same as the current {kind} `{name}` (lines {}-{}); nothing would change. If the bug is there, send the definition as it must be after the fix; if not, read the code again to find where it is",
                spliced.replaced.0, spliced.replaced.1
            )));
        }
        wright_edit::check_syntax(&a.path, Some(&before), &spliced.after)?;
        defines::check(lang, &spliced, site).map_err(refuse)?;
        crate::compile_check::check(&ctx.run, &a.path, Some(&before), &spliced.after)?;
        write_atomic(&tree, &rel, &spliced.after, &a.path)?;
        let diff = wright_edit::unified_diff(&a.path, &before, &spliced.after);
        let kept = match spliced.kept.as_slice() {
            [] => String::new(),
            kept => format!("; kept {}, which `new` left out", kept.join(" and ")),
        };
        let (from, to) = spliced.replaced;
        Ok(ToolOutput {
            text: format!(
                "{}{}Replaced {kind} {name} (lines {from}-{to}) of {}{kept}.\n{diff}",
                recovered_note(&recovered),
                note.unwrap_or_default(),
                a.path
            ),
            change: Some(format!("Update {}", a.path)),
            cut_short: false,
        })
    }
}

const NO_GRAMMAR: &str = "replace_definition finds definitions in Python, Rust, JavaScript, TypeScript, Go, Java, C and C++ files only; change this file with edit";
