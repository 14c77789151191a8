//! `read_file` and `git_diff`.

use std::ops::RangeInclusive;

use serde::Deserialize;
use serde_json::{Value, json};

use crate::line_window;
use crate::paths::resolve;
use crate::tree_io::{tree, tree_err};
use crate::{BlockingTool, ToolContext, ToolError, ToolFacts, ToolOutput, ToolSpec, args};

/// Lines shown when the model gives no window.
const DEFAULT_WINDOW: usize = 250;
/// The widest window one call may show.
const MAX_WINDOW: usize = 600;
/// The most of the task's diff `git_diff` renders.
const DIFF_LIMIT: usize = 256 << 10;
/// The longest line shown whole; longer ones (minified code, data) are cut.
const MAX_LINE_BYTES: usize = 2000;

pub struct ReadFile;

#[derive(Deserialize)]
struct ReadArgs {
    path: String,
    start_line: Option<usize>,
    end_line: Option<usize>,
}

impl ToolFacts for ReadFile {
    fn read_only(&self) -> bool {
        true
    }

    fn reads(&self, args: &Value) -> Option<String> {
        args.get("path").and_then(Value::as_str).map(str::to_string)
    }

    fn show_args(&self, path: &str, lines: RangeInclusive<usize>) -> Option<Value> {
        Some(json!({"path": path, "start_line": lines.start(), "end_line": lines.end()}))
    }

    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "read_file".into(),
            description: "Read a file's lines with line numbers (a window of at most 600 lines; says how many lie above and below). A directory path lists its entries."
                .into(),
            parameters: json!({
                "type": "object",
                "properties": {
                    "path": {"type": "string", "description": "path relative to the repository root"},
                    "start_line": {"type": "integer", "description": "first line, 1-based (default 1)"},
                    "end_line": {"type": "integer", "description": "last line, inclusive"}
                },
                "required": ["path"]
            }),
        }
    }
}

impl BlockingTool for ReadFile {
    fn call(&self, ctx: &ToolContext, args: &Value) -> Result<ToolOutput, ToolError> {
        let a: ReadArgs = args::parse("read_file", args)?;
        let rel = resolve(&ctx.root, &a.path)?;
        let shown = rel.to_string_lossy().into_owned();
        let tree = tree(&ctx.root)?;
        if tree.kind(&rel) == Some(wright_tree::Kind::Dir) {
            return list_dir(&tree, &rel, &shown);
        }
        // Each read opens the file anew through the tree: no link, no FIFO, a regular file.
        let open = || match tree.open_file(&rel) {
            Ok((file, _)) => Ok(file),
            Err(e) if e.is_not_found() => Err(ToolError::File {
                path: shown.clone(),
                message: "no such file; use search or read_file on a directory to find the right path".into(),
            }),
            Err(e) => Err(tree_err(&tree, &rel, &shown, e)),
        };
        let not_read = |e: std::io::Error| ToolError::File { path: shown.clone(), message: e.to_string() };
        let head = line_window::head(open()?).map_err(not_read)?;
        if wright_git::is_lfs_pointer(&head) {
            return Ok(ToolOutput::text(format!(
                "{shown} is a Git LFS pointer: its content is stored outside git and is not in this worktree, and it cannot be changed. The pointer:\n{}",
                String::from_utf8_lossy(&head).trim_end()
            )));
        }
        if !line_window::is_text(&head) {
            return Err(ToolError::File { path: shown, message: "is not UTF-8 text (binary?)".into() });
        }
        let mut start = a.start_line.unwrap_or(1).max(1);
        let wanted_end = a.end_line.unwrap_or(start.saturating_add(DEFAULT_WINDOW - 1)).max(start);
        let count = (wanted_end - start).saturating_add(1).min(MAX_WINDOW);
        let mut window = line_window::read(open()?, start, count, MAX_LINE_BYTES, true).map_err(not_read)?;
        let total = window.total.unwrap_or(0);
        if total == 0 {
            return Ok(ToolOutput::text(format!("{shown} is empty.")));
        }
        // Reading is harmless: a window past the end shows the file's last lines instead.
        let mut note = String::new();
        if start > total {
            note = format!(
                "[start_line {start} is past the end of the file, which has {total} lines; showing its last lines]\n"
            );
            start = total.saturating_sub(DEFAULT_WINDOW - 1).max(1);
            window = line_window::read(open()?, start, DEFAULT_WINDOW, MAX_LINE_BYTES, true).map_err(not_read)?;
        }
        let end = start + window.lines.len() - 1;
        let mut out = format!("{note}{shown} (lines {start}-{end} of {total})\n");
        let mut cut = 0;
        for line in &window.lines {
            out.push_str(&format!("{:>6}\t{}", line.number, line.text));
            if line.cut_bytes > 0 {
                cut += 1;
                out.push_str(&format!(" [… line cut: {} more bytes]", line.cut_bytes));
            }
            out.push('\n');
        }
        if cut > 0 {
            out.push_str(&format!(
                "[{cut} line(s) longer than {MAX_LINE_BYTES} bytes were cut; use run with a command such as cut or grep -o to see more of them]\n"
            ));
        }
        if start > 1 {
            out.push_str(&format!("[{} lines above]\n", start - 1));
        }
        if end < total {
            out.push_str(&format!(
                "[{} lines below; read_file with start_line={} to continue]\n",
                total - end,
                end + 1
            ));
        }
        Ok(ToolOutput::text(out))
    }
}

fn list_dir(tree: &wright_tree::Tree, rel: &std::path::Path, shown: &str) -> Result<ToolOutput, ToolError> {
    let entries = tree.read_dir(rel).map_err(|e| tree_err(tree, rel, shown, e))?;
    let names: Vec<String> = entries
        .into_iter()
        .filter(|e| e.name != ".git")
        .map(|e| {
            let mut name = e.name.to_string_lossy().into_owned();
            match e.kind {
                wright_tree::Kind::Dir => name.push('/'),
                wright_tree::Kind::Symlink => name.push('@'),
                _ => {}
            }
            name
        })
        .collect();
    let title = if shown.is_empty() { "." } else { shown };
    Ok(ToolOutput::text(format!("{title}/ is a directory:\n{}\n", names.join("\n"))))
}

pub struct GitDiff;

impl ToolFacts for GitDiff {
    fn read_only(&self) -> bool {
        true
    }

    // The diff costs a small model turns it needs for the task.
    fn in_compact_prompt(&self) -> bool {
        false
    }

    fn in_nudge(&self) -> bool {
        false
    }

    fn spec(&self) -> ToolSpec {
        ToolSpec {
            name: "git_diff".into(),
            description: "Show what this task changed so far: the diff from the starting commit to the current files."
                .into(),
            parameters: json!({"type": "object", "properties": {}}),
        }
    }
}

impl BlockingTool for GitDiff {
    fn call(&self, ctx: &ToolContext, _args: &Value) -> Result<ToolOutput, ToolError> {
        let Some(ws) = &ctx.workspace else {
            return Err(ToolError::Path("git_diff needs the task workspace, which this session does not have".into()));
        };
        let diff = ws.diff(DIFF_LIMIT)?;
        Ok(ToolOutput::text(if diff.is_empty() { "No changes yet.".to_string() } else { diff }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RunLimits;

    fn ctx(root: &std::path::Path) -> ToolContext {
        ToolContext {
            root: root.to_path_buf(),
            workspace: None,
            index: crate::IndexHandle::new(root.to_path_buf(), root.with_extension("index"), None),
            run: RunLimits::default(),
        }
    }

    #[test]
    fn windows_say_what_lies_beyond() {
        let dir = tempfile::tempdir().unwrap();
        let body: String = (1..=10).map(|i| format!("line {i}\n")).collect();
        std::fs::write(dir.path().join("f.txt"), body).unwrap();
        let out = ReadFile.call(&ctx(dir.path()), &json!({"path": "f.txt", "start_line": 3, "end_line": 4})).unwrap();
        assert!(out.text.starts_with("f.txt (lines 3-4 of 10)\n     3\tline 3\n     4\tline 4\n"), "{}", out.text);
        assert!(out.text.contains("[2 lines above]"));
        assert!(out.text.contains("[6 lines below; read_file with start_line=5 to continue]"));
    }

    #[tokio::test]
    async fn the_toolbox_shows_a_file_as_its_reader_does() {
        let dir = tempfile::tempdir().unwrap();
        let body: String = (1..=10).map(|i| format!("line {i}\n")).collect();
        std::fs::write(dir.path().join("f.txt"), body).unwrap();
        let shown = crate::Toolbox::builtin().show_file(&ctx(dir.path()), "f.txt", 3..=4).await.unwrap();
        let read = ReadFile.call(&ctx(dir.path()), &json!({"path": "f.txt", "start_line": 3, "end_line": 4})).unwrap();
        assert_eq!(shown.text, read.text);
        assert_eq!(ReadFile.reads(&json!({"path": "f.txt"})).as_deref(), Some("f.txt"), "a read counts as seen");
        assert_eq!(GitDiff.reads(&json!({})), None);
    }

    #[test]
    fn a_huge_line_is_cut_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let body = format!("short\n{}\nend\n", "x".repeat(100_000));
        std::fs::write(dir.path().join("min.js"), body).unwrap();
        let out = ReadFile.call(&ctx(dir.path()), &json!({"path": "min.js"})).unwrap();
        assert!(out.text.starts_with("min.js (lines 1-3 of 3)\n     1\tshort\n"), "{}", out.text);
        assert!(out.text.contains(&format!("     2\t{} [… line cut: 98000 more bytes]\n", "x".repeat(2000))));
        assert!(out.text.contains("     3\tend\n"));
        assert!(out.text.contains("[1 line(s) longer than 2000 bytes were cut;"), "{}", out.text);
        std::fs::write(dir.path().join("blob.bin"), b"\x00\x01binary").unwrap();
        let err = ReadFile.call(&ctx(dir.path()), &json!({"path": "blob.bin"})).unwrap_err();
        assert!(err.to_string().contains("not UTF-8 text"), "{err}");
    }

    #[tokio::test]
    async fn errors_say_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let err = ReadFile.call(&ctx(dir.path()), &json!({"path": "nope.txt"})).unwrap_err();
        assert!(err.to_string().contains("no such file"));
        let toolbox = crate::Toolbox::builtin();
        let err = toolbox.call(&ctx(dir.path()), "read_file", &json!({"name": "x"}), &[]).await.unwrap_err();
        assert!(
            err.to_string().contains("missing field `path`; read_file takes (path, end_line?, start_line?)"),
            "{err}"
        );
    }
}
