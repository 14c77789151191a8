//! `edit` and `apply_patch`: the edit engine applied to the worktree.

use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};
use wright_edit::{FileChange, FileOp};

use crate::patch_journal;
use crate::paths::{resolve, resolve_writable};
use crate::tree_io::{read_text, tree, tree_err, write_atomic};
use crate::{BlockingTool, ToolContext, ToolError, ToolFacts, ToolOutput, ToolSpec, args};

/// The patch tool's name, which a patch written as a shell command is rerouted to.
pub(crate) const APPLY_PATCH: &str = "apply_patch";

pub struct Edit;

#[derive(Deserialize)]
struct EditArgs {
    path: String,
    old: String,
    new: String,
}

impl ToolFacts for Edit {
    fn edits(&self, args: &Value) -> Vec<String> {
        args.get("path").and_then(Value::as_str).map(|p| vec![p.to_string()]).unwrap_or_default()
    }

    fn replace_args(&self, path: &str, old: &str, new: &str) -> Option<Value> {
        Some(json!({"path": path, "old": old, "new": new}))
    }

    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "edit".into(),
            description: "Replace text in one file: `old` must match exactly once (copy it from read_file, without line numbers); it becomes `new`. Include enough surrounding lines to make `old` unique."
                .into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string"},
                    "old": {"type": "string", "description": "the exact current text"},
                    "new": {"type": "string", "description": "the replacement"}
                },
                "required": ["path", "old", "new"]
            }),
        }
    }
}

impl BlockingTool for Edit {
    fn call(&self, ctx: &ToolContext, args: &Value) -> Result<ToolOutput, ToolError> {
        let a: EditArgs = args::parse("edit", args)?;
        let recovered = patch_journal::recover(&ctx.root)?;
        let rel = resolve_writable(&ctx.root, &a.path, ctx.workspace.as_ref())?;
        let tree = tree(&ctx.root)?;
        let before = read_text(&tree, &rel, &a.path)?.ok_or_else(|| ToolError::File {
            path: a.path.clone(),
            message: "no such file; to create one use apply_patch with `*** Add File:`".into(),
        })?;
        // Line numbers copied from read_file or search are not the file's text: when `old`
        // is found nowhere as written, it is tried without them.
        let mut note = String::new();
        let (mut old, mut new) = (a.old.clone(), a.new.clone());
        if matches!(wright_edit::replace_once(&before, &old, &new), Err(wright_edit::EditError::NoMatch { .. }))
            && let Some(bare) = without_line_numbers(&old)
        {
            new = new.lines().map(|l| line_without_number(l).unwrap_or(l)).collect::<Vec<_>>().join("\n");
            old = bare;
            note = "[the line numbers at the start of `old` and `new` were taken off: they are not the file's text]\n"
                .into();
        }
        let after = wright_edit::replace_once(&before, &old, &new).map_err(|e| {
            let mut message = e.to_string();
            match e {
                wright_edit::EditError::NoChange | wright_edit::EditError::Unchanged => {
                    message.push_str(&lines_around(&before, &old));
                }
                wright_edit::EditError::AlreadyApplied { .. } => message.push_str(&lines_around(&before, &new)),
                _ => {}
            }
            ToolError::File { path: a.path.clone(), message }
        })?;
        wright_edit::check_syntax(&a.path, Some(&before), &after)?;
        crate::compile_check::check(&ctx.run, &a.path, Some(&before), &after)?;
        write_atomic(&tree, &rel, &after, &a.path)?;
        let diff = wright_edit::unified_diff(&a.path, &before, &after);
        Ok(ToolOutput {
            text: format!("{}{note}Edited {}.\n{diff}", recovered_note(&recovered), a.path),
            change: Some(format!("Update {}", a.path)),
            cut_short: false,
        })
    }
}

pub struct ApplyPatch;

#[derive(Deserialize)]
struct PatchArgs {
    patch: String,
}

impl ToolFacts for ApplyPatch {
    fn create_args(&self, path: &str, text: &str) -> Option<Value> {
        // A path that could end its header line would add operations of its own.
        if path.contains(['\n', '\r']) || path.trim() != path {
            return None;
        }
        let lines: String = text.lines().map(|l| format!("+{l}\n")).collect();
        Some(json!({"patch": format!("*** Begin Patch\n*** Add File: {path}\n{lines}*** End Patch")}))
    }

    /// The files the patch updates, in either format; added ones exist nowhere yet.
    fn edits(&self, args: &Value) -> Vec<String> {
        let patch = args.get("patch").and_then(Value::as_str).unwrap_or("");
        let mut paths: Vec<String> = patch
            .lines()
            .filter_map(|l| l.strip_prefix("*** Update File:").or_else(|| l.strip_prefix("--- a/")))
            .map(|p| p.trim().to_string())
            .filter(|p| !p.is_empty())
            .collect();
        paths.sort();
        paths.dedup();
        paths
    }

    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: APPLY_PATCH.into(),
            description: "Apply a patch to add, update, move or delete files: the envelope below, or a unified diff (`--- a/path`, `+++ b/path`, `@@` hunks; line numbers are hints). Applies completely or not at all.\n*** Begin Patch\n*** Update File: path/to/file.py\n@@ def some_function():\n context line\n-removed line\n+added line\n*** Add File: path/new.py\n+content\n*** Delete File: path/old.py\n*** End Patch"
                .into(),
            parameters: json!({
                "type": "object",
                "properties": {"patch": {"type": "string", "description": "the whole patch, *** Begin Patch to *** End Patch"}},
                "required": ["patch"]
            }),
        }
    }
}

impl BlockingTool for ApplyPatch {
    fn call(&self, ctx: &ToolContext, args: &Value) -> Result<ToolOutput, ToolError> {
        let a: PatchArgs = args::parse(APPLY_PATCH, args)?;
        let applied = apply(&ctx.root, &a.patch, false, Some(&ctx.run), ctx.workspace.as_ref())?;
        Ok(ToolOutput {
            text: format!("{}Applied: {}.\n{}", recovered_note(&applied.recovered), applied.summary, applied.diff),
            change: Some(capitalize(&applied.summary)),
            cut_short: false,
        })
    }
}

/// What a patch did (or, when checked only, would do) to a tree.
pub struct Applied {
    /// `update a.py, add b.py`.
    pub summary: String,
    /// The unified diff of every change.
    pub diff: String,
    /// Files put back first because an earlier patch on this tree was interrupted.
    pub recovered: Vec<String>,
}

/// Applies a patch in any supported format to the tree at `root`: every file is matched
/// and every path checked before the first write, so it applies completely or not at all.
/// With `check`, nothing is written.
pub fn apply_to_tree(root: &Path, patch: &str, check: bool) -> Result<Applied, ToolError> {
    apply(root, patch, check, None, None)
}

/// `apply_to_tree`, with each changed file compile-checked in the sandbox of `compile`
/// and kept out of the paths `workspace` protects.
fn apply(
    root: &Path,
    patch: &str,
    check: bool,
    compile: Option<&crate::RunLimits>,
    workspace: Option<&wright_git::TaskWorkspace>,
) -> Result<Applied, ToolError> {
    let recovered = if check { Vec::new() } else { patch_journal::recover(root)? };
    let patch = wright_edit::parse_any(patch)?;
    let tree = tree(root)?;
    let changes = wright_edit::apply_patch(&patch, |p| {
        let rel = resolve(root, p).map_err(|e| e.to_string())?;
        read_text(&tree, &rel, p).map_err(|e| e.to_string())
    })?;
    for change in &changes {
        resolve_writable(root, &change.path, workspace)?;
        if let (Some(limits), Some(after)) = (compile, &change.after) {
            let path = match &change.op {
                FileOp::Move { to } => to,
                _ => &change.path,
            };
            crate::compile_check::check(limits, path, change.before.as_deref(), after)?;
        }
        if let FileOp::Move { to } = &change.op {
            resolve_writable(root, to, workspace)?;
        }
    }
    let journal = if check {
        None
    } else {
        let mut touched: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        touched.extend(changes.iter().filter_map(|c| match &c.op {
            FileOp::Move { to } => Some(to.as_str()),
            _ => None,
        }));
        Some(patch_journal::begin(root, &touched)?)
    };
    let mut diff = String::new();
    let mut verbs = Vec::new();
    for change in &changes {
        if !check {
            write_change(&tree, root, change)?;
        }
        let (verb, path) = describe(change);
        verbs.push(format!("{verb} {path}"));
        let before = change.before.as_deref().unwrap_or("");
        let after = change.after.as_deref().unwrap_or("");
        diff.push_str(&wright_edit::unified_diff(&path, before, after));
    }
    if let Some(journal) = journal {
        journal.finish()?;
    }
    Ok(Applied { summary: verbs.join(", "), diff, recovered })
}

/// Tells the model (or user) that files were rolled back before this edit.
pub fn recovered_note(recovered: &[String]) -> String {
    if recovered.is_empty() {
        return String::new();
    }
    format!("Note: an earlier patch was interrupted; these files were put back first: {}.\n", recovered.join(", "))
}

fn describe(change: &FileChange) -> (&'static str, String) {
    match &change.op {
        FileOp::Add => ("add", change.path.clone()),
        FileOp::Delete => ("delete", change.path.clone()),
        FileOp::Update => ("update", change.path.clone()),
        FileOp::Move { to } => ("move", format!("{} to {to}", change.path)),
    }
}

/// `text` without the line numbers read_file (`    12\t`) and search (`   12  `) put in
/// front of each line, when every line has one, or every line but the first (a search
/// hit's first line, after its path, has none); `None` otherwise.
pub(crate) fn without_line_numbers(text: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let numbered =
        |from: usize| -> Option<Vec<&str>> { lines.get(from..)?.iter().map(|l| line_without_number(l)).collect() };
    let bare = match numbered(0) {
        Some(all) => all,
        None => {
            let rest = numbered(1).filter(|rest| !rest.is_empty())?;
            lines.first().into_iter().copied().chain(rest).collect()
        }
    };
    (!bare.is_empty()).then(|| bare.join("\n"))
}

fn line_without_number(line: &str) -> Option<&str> {
    let rest = line.trim_start();
    let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let after = rest.get(digits..)?;
    after.strip_prefix('\t').or_else(|| after.strip_prefix("  ")).filter(|_| digits > 0)
}

/// The file's lines where `old` stands, numbered, so the model sees what is there now.
fn lines_around(text: &str, old: &str) -> String {
    let Some(at) = text.find(old) else { return String::new() };
    let first = text.get(..at).unwrap_or_default().matches('\n').count();
    let last = first + old.matches('\n').count();
    let shown: Vec<String> = text
        .lines()
        .enumerate()
        .skip(first.saturating_sub(2))
        .take(last + 3 - first.saturating_sub(2))
        .map(|(i, l)| format!("{:>6}\t{l}", i + 1))
        .collect();
    format!(". The file has these lines there now:\n{}", shown.join("\n"))
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

fn write_change(tree: &wright_tree::Tree, root: &Path, change: &FileChange) -> Result<(), ToolError> {
    let rel = resolve(root, &change.path)?;
    let remove = |rel: &Path| tree.remove_file(rel).map_err(|e| tree_err(tree, rel, &change.path, e));
    match (&change.op, &change.after) {
        (FileOp::Delete, _) => remove(&rel),
        (FileOp::Move { to }, Some(after)) => {
            let target = resolve(root, to)?;
            write_atomic(tree, &target, after, to)?;
            remove(&rel)
        }
        (_, Some(after)) => write_atomic(tree, &rel, after, &change.path),
        (_, None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(root: &Path) -> ToolContext {
        ToolContext::bare(root)
    }

    #[test]
    fn edit_writes_and_reports_a_diff() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.py"), "x = 1\n").unwrap();
        let out = Edit.call(&ctx(dir.path()), &json!({"path": "a.py", "old": "x = 1", "new": "x = 2"})).unwrap();
        assert!(out.text.contains("-x = 1\n+x = 2"), "{}", out.text);
        assert_eq!(std::fs::read_to_string(dir.path().join("a.py")).unwrap(), "x = 2\n");
        assert_eq!(out.change.as_deref(), Some("Update a.py"));
    }

    #[test]
    fn line_numbers_copied_into_an_edit_are_taken_off() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("lib.rs"), "fn leap(year: u32) -> bool {\n    year % 4 == 0\n}\n").unwrap();
        let args =
            json!({"path": "lib.rs", "old": "2      year % 4 == 0", "new": "2      year % 4 == 0 && year % 100 != 0"});
        let out = Edit.call(&ctx(dir.path()), &args).unwrap();
        assert!(out.text.contains("line numbers at the start of `old` and `new` were taken off"), "{}", out.text);
        let now = std::fs::read_to_string(dir.path().join("lib.rs")).unwrap();
        assert_eq!(now, "fn leap(year: u32) -> bool {\n    year % 4 == 0 && year % 100 != 0\n}\n");
        assert_eq!(without_line_numbers("     7\tx = 1\n     8\t    y"), Some("x = 1\n    y".into()));
        assert_eq!(without_line_numbers("x = 1\n y"), None, "no line carries a number");
        assert_eq!(without_line_numbers("x = 1\n8  y\nz"), None, "a line after the first without one");
        // A search hit: its first line, after the path and span, has no number of its own.
        let hit = "function range(start, end) {\n        8    const out = [];";
        assert_eq!(without_line_numbers(hit), Some("function range(start, end) {\n  const out = [];".into()));
        let added = json!({"path": "lib.rs", "old": "     3\t}", "new": "     3\t}\n\nfn other() {}"});
        Edit.call(&ctx(dir.path()), &added).unwrap();
        let now = std::fs::read_to_string(dir.path().join("lib.rs")).unwrap();
        assert!(now.ends_with("}\n\nfn other() {}\n"), "{now:?}");
    }

    #[test]
    fn an_edit_that_changes_nothing_is_shown_the_lines_it_aimed_at() {
        let dir = tempfile::tempdir().unwrap();
        let body: String = (1..=9).map(|i| format!("line {i}\n")).collect();
        std::fs::write(dir.path().join("a.py"), body).unwrap();
        let err = Edit.call(&ctx(dir.path()), &json!({"path": "a.py", "old": "line 5", "new": "line 5"})).unwrap_err();
        let said = err.to_string();
        assert!(said.contains("identical; nothing would change. The file has these lines there now:"), "{said}");
        assert!(
            said.contains("     3\tline 3\n") && said.contains("     7\tline 7") && !said.contains("line 8"),
            "{said}"
        );
    }

    #[test]
    fn edits_name_the_existing_files_a_call_changes() {
        assert_eq!(Edit.edits(&json!({"path": "a.py", "old": "x", "new": "y"})), ["a.py"]);
        let patch = "*** Begin Patch\n*** Update File: b.py\n@@\n-a\n+b\n*** Add File: new.py\n+x\n*** Update File: b.py\n@@\n-c\n+d\n*** End Patch";
        assert_eq!(ApplyPatch.edits(&json!({ "patch": patch })), ["b.py"], "an added file exists nowhere yet");
        assert_eq!(
            ApplyPatch.edits(&json!({"patch": "--- a/lib.py\n+++ b/lib.py\n@@ -1 +1 @@\n-a\n+b\n"})),
            ["lib.py"]
        );
        assert!(ApplyPatch.edits(&json!({})).is_empty());
    }

    #[test]
    fn failing_patch_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.py"), "x = 1\n").unwrap();
        let patch = "*** Begin Patch\n*** Add File: b.py\n+y = 1\n*** Update File: a.py\n@@\n-nope\n+x\n*** End Patch";
        let err = ApplyPatch.call(&ctx(dir.path()), &json!({"patch": patch})).unwrap_err();
        assert!(err.to_string().contains("hunk 1 did not match"), "{err}");
        assert!(!dir.path().join("b.py").exists());
    }

    #[test]
    fn patch_outside_the_tree_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let patch = "*** Begin Patch\n*** Add File: ../evil.txt\n+x\n*** End Patch";
        let err = ApplyPatch.call(&ctx(dir.path()), &json!({"patch": patch})).unwrap_err();
        assert!(err.to_string().contains("outside the repository"), "{err}");
    }
}
