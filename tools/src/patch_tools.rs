//! `edit` and `apply_patch`: the edit engine applied to the worktree.

use std::path::Path;

use serde::Deserialize;
use serde_json::{Value, json};
use wright_edit::{FileChange, FileOp};

use crate::patch_journal;
use crate::paths::{resolve, resolve_writable};
use crate::tree_io::{io_err, read_text, write_atomic};
use crate::{Tool, ToolContext, ToolError, ToolOutput, ToolSpec, args};

pub struct Edit;

#[derive(Deserialize)]
struct EditArgs {
    path: String,
    old: String,
    new: String,
}

impl Tool for Edit {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "edit",
            description: "Replace text in one file: `old` must match exactly once (copy it from read_file, without line numbers); it becomes `new`. Include enough surrounding lines to make `old` unique.",
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

    fn call(&self, ctx: &ToolContext, args: &Value) -> Result<ToolOutput, ToolError> {
        let a: EditArgs = args::parse("edit", args)?;
        let recovered = patch_journal::recover(&ctx.root)?;
        let full = resolve_writable(&ctx.root, &a.path)?;
        let before = read_text(&full, &a.path)?.ok_or_else(|| ToolError::File {
            path: a.path.clone(),
            message: "no such file; to create one use apply_patch with `*** Add File:`".into(),
        })?;
        let after = wright_edit::replace_once(&before, &a.old, &a.new)
            .map_err(|e| ToolError::File { path: a.path.clone(), message: e.to_string() })?;
        wright_edit::check_syntax(&a.path, Some(&before), &after)?;
        write_atomic(&full, &after, &a.path)?;
        let diff = wright_edit::unified_diff(&a.path, &before, &after);
        Ok(ToolOutput {
            text: format!("{}Edited {}.\n{diff}", recovered_note(&recovered), a.path),
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

impl Tool for ApplyPatch {
    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "apply_patch",
            description: "Apply a patch to add, update, move or delete files: the envelope below, or a unified diff (`--- a/path`, `+++ b/path`, `@@` hunks; line numbers are hints). Applies completely or not at all.\n*** Begin Patch\n*** Update File: path/to/file.py\n@@ def some_function():\n context line\n-removed line\n+added line\n*** Add File: path/new.py\n+content\n*** Delete File: path/old.py\n*** End Patch",
            parameters: json!({
                "type": "object",
                "properties": {"patch": {"type": "string", "description": "the whole patch, *** Begin Patch to *** End Patch"}},
                "required": ["patch"]
            }),
        }
    }

    fn call(&self, ctx: &ToolContext, args: &Value) -> Result<ToolOutput, ToolError> {
        let a: PatchArgs = args::parse("apply_patch", args)?;
        let applied = apply_to_tree(&ctx.root, &a.patch, false)?;
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
    let recovered = if check { Vec::new() } else { patch_journal::recover(root)? };
    let patch = wright_edit::parse_any(patch)?;
    let changes = wright_edit::apply_patch(&patch, |p| {
        let full = resolve(root, p).map_err(|e| e.to_string())?;
        read_text(&full, p).map_err(|e| e.to_string())
    })?;
    for change in &changes {
        resolve_writable(root, &change.path)?;
        if let FileOp::Move { to } = &change.op {
            resolve_writable(root, to)?;
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
            write_change(root, change)?;
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

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

fn write_change(root: &Path, change: &FileChange) -> Result<(), ToolError> {
    let full = resolve(root, &change.path)?;
    match (&change.op, &change.after) {
        (FileOp::Delete, _) => std::fs::remove_file(&full).map_err(|e| io_err(&change.path, e)),
        (FileOp::Move { to }, Some(after)) => {
            let target = resolve(root, to)?;
            write_atomic(&target, after, to)?;
            std::fs::remove_file(&full).map_err(|e| io_err(&change.path, e))
        }
        (_, Some(after)) => write_atomic(&full, after, &change.path),
        (_, None) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RunLimits;

    fn ctx(root: &Path) -> ToolContext {
        ToolContext {
            root: root.to_path_buf(),
            workspace: None,
            index: crate::IndexHandle::new(root.to_path_buf(), root.with_extension("index"), None),
            run: RunLimits::default(),
        }
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
