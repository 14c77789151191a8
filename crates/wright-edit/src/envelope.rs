//! The `*** Begin Patch` envelope: parse it, then apply it to file contents in memory.
//!
//! ```text
//! *** Begin Patch
//! *** Add File: path/new.py
//! +line
//! *** Update File: path/old.py
//! *** Move to: path/renamed.py
//! @@ def anchor():
//!  context
//! -removed
//! +added
//! *** End of File
//! *** Delete File: path/gone.py
//! *** End Patch
//! ```

use crate::EditError;
use crate::applied::lines_at;
use crate::closest::closest_lines;
use crate::elide::{expand, is_marker};
use crate::guard::check_syntax;
use crate::lines::Lines;
use crate::matcher::{Layer, locate, replacement};
use crate::miss::Miss;
use crate::skip::{fill, gap_points};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Patch {
    pub ops: Vec<PatchOp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatchOp {
    Add { path: String, lines: Vec<String> },
    Delete { path: String },
    Update { path: String, move_to: Option<String>, hunks: Vec<Hunk> },
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Hunk {
    pub(crate) anchor: Option<String>,
    pub(crate) old: Vec<String>,
    pub(crate) new: Vec<String>,
    pub(crate) at_eof: bool,
    /// Where the patch says the old lines start (1-based): a hint, not a truth.
    pub(crate) hint: Option<usize>,
    /// Whether the file ends with a newline after this hunk, when the patch says so
    /// (`\ No newline at end of file`).
    pub(crate) final_newline: Option<bool>,
}

impl Hunk {
    /// Adds one body line (` ` context, `-` removed, `+` added). Models often drop the
    /// space in front of an empty context line, or write a bare `...` for lines they left
    /// out; both count as context. False when the line is none of these.
    pub(crate) fn push_line(&mut self, line: &str) -> bool {
        // The marker is one ASCII byte, so the rest starts at byte 1.
        let rest = line.get(1..).unwrap_or_default().to_string();
        match line.chars().next() {
            Some('+') => self.new.push(rest),
            Some('-') => self.old.push(rest),
            Some(' ') => {
                self.old.push(rest.clone());
                self.new.push(rest);
            }
            None => {
                self.old.push(String::new());
                self.new.push(String::new());
            }
            _ if is_marker(line) => {
                self.old.push(line.to_string());
                self.new.push(line.to_string());
            }
            Some(_) => return false,
        }
        true
    }
}

/// What applying one operation does to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub op: FileOp,
    /// Contents before (`None` for an added file).
    pub before: Option<String>,
    /// Contents after (`None` for a deleted file).
    pub after: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileOp {
    Add,
    Delete,
    Update,
    Move { to: String },
}

pub fn parse_patch(text: &str) -> Result<Patch, EditError> {
    let lines: Vec<&str> = text.lines().map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let begin = lines
        .iter()
        .position(|l| l.trim() == "*** Begin Patch")
        .ok_or_else(|| syntax(1, "the patch must start with `*** Begin Patch`"))?;
    let mut ops = Vec::new();
    let mut i = begin + 1;
    let mut ended = false;
    while i < lines.len() {
        let line = lines[i];
        let n = i + 1;
        if line.trim() == "*** End Patch" {
            ended = true;
            break;
        }
        if let Some(path) = header(line, "*** Add File:") {
            i += 1;
            let mut added = Vec::new();
            while i < lines.len() && !lines[i].starts_with("***") {
                match lines[i].strip_prefix('+') {
                    Some(rest) => added.push(rest.to_string()),
                    None => return Err(syntax(i + 1, "every line of an added file starts with `+`")),
                }
                i += 1;
            }
            ops.push(PatchOp::Add { path, lines: added });
        } else if let Some(path) = header(line, "*** Delete File:") {
            ops.push(PatchOp::Delete { path });
            i += 1;
        } else if let Some(path) = header(line, "*** Update File:") {
            i += 1;
            let mut move_to = None;
            if let Some(to) = lines.get(i).and_then(|l| header(l, "*** Move to:")) {
                move_to = Some(to);
                i += 1;
            }
            let (hunks, next) = parse_hunks(&lines, i)?;
            if hunks.is_empty() && move_to.is_none() {
                return Err(syntax(n, &format!("`*** Update File: {path}` has no hunks")));
            }
            ops.push(PatchOp::Update { path, move_to, hunks });
            i = next;
        } else if line.trim().is_empty() {
            i += 1;
        } else {
            return Err(syntax(
                n,
                &format!(
                    "expected `*** Add File:`, `*** Update File:`, `*** Delete File:` or `*** End Patch`, found `{line}`"
                ),
            ));
        }
    }
    if !ended {
        return Err(syntax(lines.len(), "the patch must end with `*** End Patch`"));
    }
    if ops.is_empty() {
        return Err(syntax(begin + 1, "the patch changes no file"));
    }
    Ok(Patch { ops })
}

fn parse_hunks(lines: &[&str], mut i: usize) -> Result<(Vec<Hunk>, usize), EditError> {
    let mut hunks: Vec<Hunk> = Vec::new();
    let mut current: Option<Hunk> = None;
    while i < lines.len() {
        let line = lines[i];
        if line.trim() == "*** End of File" {
            if let Some(h) = current.as_mut() {
                h.at_eof = true;
            }
            i += 1;
            continue;
        }
        if line.starts_with("*** ") {
            break;
        }
        if let Some(anchor) = line.strip_prefix("@@") {
            if let Some(h) = current.take() {
                hunks.push(h);
            }
            let anchor = anchor.trim();
            current = Some(Hunk { anchor: (!anchor.is_empty()).then(|| anchor.to_string()), ..Hunk::default() });
            i += 1;
            continue;
        }
        let hunk = current.get_or_insert_with(Hunk::default);
        if !hunk.push_line(line) {
            return Err(syntax(i + 1, &format!("a hunk line starts with ' ', '-' or '+', found `{line}`")));
        }
        i += 1;
    }
    if let Some(h) = current.take() {
        hunks.push(h);
    }
    Ok((hunks, i))
}

fn header(line: &str, prefix: &str) -> Option<String> {
    line.strip_prefix(prefix).map(|p| p.trim().to_string()).filter(|p| !p.is_empty())
}

fn syntax(line: usize, message: &str) -> EditError {
    EditError::Syntax { line, message: message.to_string() }
}

/// Applies `patch` in memory. `read` returns a file's contents, `None` when it does not
/// exist. Either every operation applies, or an error names the first that did not.
pub fn apply_patch(
    patch: &Patch,
    read: impl Fn(&str) -> Result<Option<String>, String>,
) -> Result<Vec<FileChange>, EditError> {
    let load = |path: &str| read(path).map_err(|message| EditError::File { path: path.to_string(), message });
    let mut changes = Vec::new();
    for op in &patch.ops {
        match op {
            PatchOp::Add { path, lines } => {
                if load(path)?.is_some() {
                    return Err(file_err(path, "already exists; use `*** Update File:` to change it"));
                }
                let mut text = lines.join("\n");
                if !lines.is_empty() {
                    text.push('\n');
                }
                check_syntax(path, None, &text)?;
                changes.push(FileChange { path: path.clone(), op: FileOp::Add, before: None, after: Some(text) });
            }
            PatchOp::Delete { path } => {
                let before = load(path)?.ok_or_else(|| file_err(path, "does not exist, so it cannot be deleted"))?;
                changes.push(FileChange { path: path.clone(), op: FileOp::Delete, before: Some(before), after: None });
            }
            PatchOp::Update { path, move_to, hunks } => {
                let before =
                    load(path)?.ok_or_else(|| file_err(path, "does not exist; use `*** Add File:` to create it"))?;
                let after = apply_hunks(path, &before, hunks)?;
                if after == before && move_to.is_none() {
                    return Err(file_err(path, "the patch leaves the file as it was; nothing changed"));
                }
                check_syntax(move_to.as_deref().unwrap_or(path), Some(&before), &after)?;
                let op = match move_to {
                    Some(to) => {
                        if load(to)?.is_some() {
                            return Err(file_err(to, "already exists; the move would overwrite it"));
                        }
                        FileOp::Move { to: to.clone() }
                    }
                    None => FileOp::Update,
                };
                changes.push(FileChange { path: path.clone(), op, before: Some(before), after: Some(after) });
            }
        }
    }
    Ok(changes)
}

fn apply_hunks(path: &str, text: &str, hunks: &[Hunk]) -> Result<String, EditError> {
    let mut file = Lines::split(text);
    let mut cursor = 0;
    // How far earlier hunks moved the lines below them, plus how far off their line
    // numbers turned out to be.
    let mut shift: isize = 0;
    for (index, hunk) in hunks.iter().enumerate() {
        let failed = |closest: String| EditError::HunkFailed { path: path.to_string(), hunk: index + 1, closest };
        if let Some(anchor) = &hunk.anchor {
            let pos = file.lines[cursor..].iter().position(|l| l.trim() == anchor.trim() || l.contains(anchor.trim()));
            match pos {
                Some(p) => cursor += p + 1,
                None if hunk.old.is_empty() => {
                    return Err(failed(format!(" The anchor `@@ {anchor}` was not found.")));
                }
                // The anchor is only a hint; the context lines decide.
                None => {}
            }
        }
        let hint = hunk.hint.map(|h| (h as isize - 1 + shift).max(0) as usize);
        if hunk.old.is_empty() {
            let start = match (hunk.anchor.is_some(), hint) {
                (true, _) => cursor,
                (false, Some(h)) if !hunk.at_eof => h.min(file.lines.len()),
                _ => file.lines.len(),
            };
            file.lines.splice(start..start, hunk.new.iter().cloned());
            cursor = start + hunk.new.len();
            shift += hunk.new.len() as isize;
            continue;
        }
        let (may_gap, to_new) = gap_points(&hunk.old, &hunk.new);
        let located = locate(&file.lines, &hunk.old, cursor, hint, &may_gap).and_then(|f| {
            let at_end = f.end == file.lines.len();
            if hunk.at_eof && !at_end { Err(Miss::NotFound) } else { Ok(f) }
        });
        let found = match located {
            Ok(f) => f,
            Err(Miss::NotFound) => {
                if hunk.old != hunk.new
                    && let Some(at) = lines_at(&file.lines, &hunk.new)
                {
                    return Err(EditError::HunkApplied { path: path.to_string(), hunk: index + 1, at });
                }
                return Err(failed(closest_lines(&file.lines, &hunk.old)));
            }
            Err(Miss::Ambiguous(starts)) => {
                let lines: Vec<String> = starts.iter().map(|s| (s + 1).to_string()).collect();
                let number = match hint {
                    Some(h) => format!(" and its line number ({}) is not close to exactly one of them", h + 1),
                    None => String::new(),
                };
                return Err(failed(format!(
                    " Its lines occur {} times (at lines {}){number}; add context lines or an `@@` line naming the function, so it matches once.",
                    starts.len(),
                    lines.join(", ")
                )));
            }
        };
        // A loose match of `-` lines the file no longer has, where the `+` lines stand as
        // written, is this hunk applied before: applying it again would undo nothing.
        if found.layer == Layer::Fuzzy
            && hunk.old != hunk.new
            && let Some(at) = lines_at(&file.lines, &hunk.new)
        {
            return Err(EditError::HunkApplied { path: path.to_string(), hunk: index + 1, at });
        }
        let (start, end) = (found.start, found.end);
        // Where this hunk really was tells how far off the patch's numbers are; later
        // hunks are looked for that much off too.
        if let Some(h) = hint {
            shift += start as isize - h as isize;
        }
        let replacement = match &found.layer {
            Layer::Elided { gaps } => {
                let expanded = expand(&hunk.old, gaps, &file.lines).zip(expand(&hunk.new, gaps, &file.lines));
                let Some((old, new)) = expanded else {
                    return Err(failed(
                        " Its `...` lines differ between the removed and the added side; keep each `...` as a context line (a leading space) so it stands for the same lines on both."
                            .to_string(),
                    ));
                };
                replacement(&file.lines[start..end], &old, &new, &Layer::Trimmed)
            }
            Layer::Skipped { gaps } => {
                let (old, new) = fill(&hunk.old, &hunk.new, &to_new, gaps, &file.lines);
                replacement(&file.lines[start..end], &old, &new, &Layer::Trimmed)
            }
            layer => replacement(&file.lines[start..end], &hunk.old, &hunk.new, layer),
        };
        shift += replacement.len() as isize - (end - start) as isize;
        cursor = start + replacement.len();
        file.lines.splice(start..end, replacement);
    }
    if text.is_empty() {
        file.final_newline = true;
    }
    if let Some(last) = hunks.iter().rev().find_map(|h| h.final_newline) {
        file.final_newline = last;
    }
    Ok(file.join())
}

fn file_err(path: &str, message: &str) -> EditError {
    EditError::File { path: path.to_string(), message: message.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Result<Option<String>, String> {
        let map: std::collections::HashMap<String, String> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |p| Ok(map.get(p).cloned())
    }

    #[test]
    fn update_with_anchor_and_context() {
        let patch = parse_patch(
            "*** Begin Patch\n*** Update File: a.py\n@@ def g():\n     x = 1\n-    return x\n+    return x + 1\n*** End Patch\n",
        )
        .unwrap();
        let src = "def f():\n    x = 1\n    return x\n\ndef g():\n    x = 1\n    return x\n";
        let changes = apply_patch(&patch, files(&[("a.py", src)])).unwrap();
        assert_eq!(
            changes[0].after.as_deref(),
            Some("def f():\n    x = 1\n    return x\n\ndef g():\n    x = 1\n    return x + 1\n")
        );
    }

    #[test]
    fn add_delete_and_move() {
        let patch = parse_patch(
            "*** Begin Patch\n*** Add File: new.txt\n+hello\n*** Delete File: old.txt\n*** Update File: m.txt\n*** Move to: n.txt\n@@\n-a\n+b\n*** End Patch",
        )
        .unwrap();
        let changes = apply_patch(&patch, files(&[("old.txt", "x\n"), ("m.txt", "a\n")])).unwrap();
        assert_eq!(changes[0].after.as_deref(), Some("hello\n"));
        assert_eq!(changes[1].op, FileOp::Delete);
        assert_eq!(changes[2].op, FileOp::Move { to: "n.txt".into() });
        assert_eq!(changes[2].after.as_deref(), Some("b\n"));
    }

    #[test]
    fn failed_hunk_names_the_hunk_and_closest_lines() {
        let patch =
            parse_patch("*** Begin Patch\n*** Update File: a.py\n@@\n-retrun 1\n+return 2\n*** End Patch").unwrap();
        let err = apply_patch(&patch, files(&[("a.py", "def f():\n    return 1\n")])).unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("a.py: hunk 1 did not match."), "{msg}");
        assert!(msg.contains("return 1"), "{msg}");
    }

    #[test]
    fn a_hunk_already_in_the_file_is_named_applied() {
        let patch = parse_patch(
            "*** Begin Patch\n*** Update File: a.py\n@@\n def f():\n-    return 1\n+    return 2\n*** End Patch",
        )
        .unwrap();
        let err = apply_patch(&patch, files(&[("a.py", "def f():\n    return 2\n")])).unwrap_err();
        assert_eq!(err, EditError::HunkApplied { path: "a.py".into(), hunk: 1, at: "lines 1-2".into() });
    }

    #[test]
    fn syntax_errors_have_line_numbers() {
        let err = parse_patch("*** Begin Patch\n*** Frobnicate: x\n*** End Patch").unwrap_err();
        assert!(matches!(err, EditError::Syntax { line: 2, .. }));
        assert!(parse_patch("--- a\n+++ b").is_err());
    }

    #[test]
    fn adding_an_existing_file_is_refused() {
        let patch = parse_patch("*** Begin Patch\n*** Add File: a\n+x\n*** End Patch").unwrap();
        assert!(apply_patch(&patch, files(&[("a", "y\n")])).is_err());
    }

    #[test]
    fn elided_context_keeps_the_lines_it_stands_for() {
        let src = "def f():\n    a = 1\n    b = 2\n    c = 3\n    return a\n\ndef g():\n    return 0\n";
        let patch = parse_patch(
            "*** Begin Patch\n*** Update File: m.py\n@@\n def f():\n-    a = 1\n+    a = 10\n ...\n-    return a\n+    return a + b\n*** End Patch",
        )
        .unwrap();
        let out = apply_patch(&patch, files(&[("m.py", src)])).unwrap();
        assert_eq!(
            out[0].after.as_deref(),
            Some("def f():\n    a = 10\n    b = 2\n    c = 3\n    return a + b\n\ndef g():\n    return 0\n")
        );
    }

    #[test]
    fn a_patch_that_breaks_syntax_is_refused() {
        let patch =
            parse_patch("*** Begin Patch\n*** Update File: m.py\n@@\n-    return 1\n+    return (1\n*** End Patch")
                .unwrap();
        let err =
            apply_patch(&patch, files(&[("m.py", "def f():\n    return 1\n\ndef g():\n    pass\n")])).unwrap_err();
        assert!(matches!(err, EditError::BrokenSyntax { .. }), "{err}");
    }
}
