//! Standard unified diffs (`diff --git`, `---`/`+++`, `@@ -l,n +l,n @@`), as `git diff`
//! and many models write them, read into the same [`Patch`] the envelope gives. Line
//! numbers become hints and the counts are not trusted: models get both wrong.

use crate::EditError;
use crate::envelope::{Hunk, Patch, PatchOp};

/// True when `text` looks like a unified diff rather than the envelope.
pub fn is_unified(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("@@") || l.starts_with("diff --git ") || l.starts_with("+++ "))
        && !text.lines().any(|l| l.trim() == "*** Begin Patch")
}

struct FileDiff {
    old: Option<String>,
    new: Option<String>,
    rename: Option<(String, String)>,
    hunks: Vec<Hunk>,
    /// Line of the header, for errors.
    header_line: usize,
    /// Opened by `diff --git`, still waiting for its `---` line.
    awaiting_sides: bool,
    /// `new file mode` / `deleted file mode`: git writes no hunks for an empty file.
    created: bool,
    deleted: bool,
}

impl FileDiff {
    fn new(header_line: usize, awaiting_sides: bool) -> Self {
        FileDiff {
            old: None,
            new: None,
            rename: None,
            hunks: Vec::new(),
            header_line,
            awaiting_sides,
            created: false,
            deleted: false,
        }
    }
}

pub fn parse_unified(text: &str) -> Result<Patch, EditError> {
    let lines: Vec<&str> = text.lines().map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let mut files: Vec<FileDiff> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line == "GIT binary patch" || (line.starts_with("Binary files ") && line.ends_with(" differ")) {
            return Err(syntax(i + 1, "binary patches are not supported; wright edits text files only"));
        }
        if line.starts_with("diff --git ") {
            files.push(FileDiff::new(i + 1, true));
            if let Some((a, b)) = git_header_paths(line) {
                let f = files.last_mut().ok_or_else(|| syntax(i + 1, "no file"))?;
                f.old = Some(a);
                f.new = Some(b);
            }
        } else if let Some(path) = line.strip_prefix("--- ") {
            if !files.last().is_some_and(|f| f.awaiting_sides) {
                files.push(FileDiff::new(i + 1, false));
            }
            if let Some(f) = files.last_mut() {
                f.old = Some(side_path(path));
                f.awaiting_sides = false;
            }
        } else if let Some(path) = line.strip_prefix("+++ ") {
            let f = files.last_mut().ok_or_else(|| syntax(i + 1, "`+++` without a `---` line before it"))?;
            f.new = Some(side_path(path));
        } else if line.starts_with("new file mode ") || line.starts_with("deleted file mode ") {
            if let Some(f) = files.last_mut().filter(|f| f.awaiting_sides) {
                f.created = line.starts_with("new");
                f.deleted = !f.created;
            }
        } else if let Some(from) = line.strip_prefix("rename from ") {
            if let Some(f) = files.last_mut() {
                f.rename = Some((from.trim().to_string(), String::new()));
            }
        } else if let Some(to) = line.strip_prefix("rename to ") {
            if let Some(f) = files.last_mut()
                && let Some(r) = f.rename.as_mut()
            {
                r.1 = to.trim().to_string();
            }
        } else if line.starts_with("@@") {
            let f = files.last_mut().ok_or_else(|| syntax(i + 1, "a hunk before any `---`/`+++` file header"))?;
            let (hunk, next) = parse_hunk(&lines, i)?;
            f.hunks.push(hunk);
            i = next;
            continue;
        }
        i += 1;
    }
    let mut ops = Vec::new();
    for f in files {
        ops.push(to_op(f)?);
    }
    if ops.is_empty() {
        return Err(syntax(1, "no file headers (`--- a/path`, `+++ b/path`) found"));
    }
    Ok(Patch { ops })
}

fn to_op(f: FileDiff) -> Result<PatchOp, EditError> {
    let line = f.header_line;
    let old = f.old.filter(|p| p != "/dev/null" && !f.created);
    let new = f.new.filter(|p| p != "/dev/null" && !f.deleted);
    match (old, new) {
        (None, Some(path)) => {
            let lines = f.hunks.into_iter().flat_map(|h| h.new).collect();
            Ok(PatchOp::Add { path, lines })
        }
        (Some(path), None) => Ok(PatchOp::Delete { path }),
        (Some(path), Some(new_path)) => {
            let (path, move_to) = match f.rename {
                Some((from, to)) if !to.is_empty() => (from, Some(to)),
                _ if new_path != path => (path, Some(new_path)),
                _ => (path, None),
            };
            if f.hunks.is_empty() && move_to.is_none() {
                return Err(syntax(line, &format!("the diff for {path} has no hunks")));
            }
            Ok(PatchOp::Update { path, move_to, hunks: f.hunks })
        }
        (None, None) => Err(syntax(line, "a file diff without paths")),
    }
}

/// One hunk from its `@@` line to the next header; returns it and the next line index.
fn parse_hunk(lines: &[&str], at: usize) -> Result<(Hunk, usize), EditError> {
    let header = lines[at];
    let mut hunk = Hunk { hint: old_start(header), ..Hunk::default() };
    let mut i = at + 1;
    let mut body: Vec<&str> = Vec::new();
    while i < lines.len() {
        let l = lines[i];
        if l.starts_with("@@") || l.starts_with("diff --git ") || is_file_header(lines, i) {
            break;
        }
        body.push(l);
        i += 1;
    }
    // Blank lines at the end are separators, not context.
    while body.last().is_some_and(|l| l.is_empty()) {
        body.pop();
    }
    // Lines past what the header counts, when they are only context, are not part of
    // the hunk (stray whitespace lines after it); dropping context never changes the edit.
    if let Some(counted) = counted_prefix(header, &body)
        && body[counted..].iter().all(|l| l.is_empty() || l.starts_with(' '))
    {
        body.truncate(counted);
    }
    let mut previous = ' ';
    let (mut old_open, mut new_open) = (false, false);
    for l in body {
        if l.starts_with('\\') {
            // `\ No newline at end of file` is about the line just before it.
            old_open |= previous != '+';
            new_open |= previous != '-';
            continue;
        }
        previous = l.chars().next().unwrap_or(' ');
        // Anything else is an extended header between files (`index ...`, `new file mode ...`).
        hunk.push_line(l);
    }
    hunk.final_newline = match (old_open, new_open) {
        (_, true) => Some(false),
        (true, false) => Some(true),
        (false, false) => None,
    };
    Ok((hunk, i))
}

/// How many body lines the header's counts cover, when the counts are met exactly.
fn counted_prefix(header: &str, body: &[&str]) -> Option<usize> {
    let rest = header.trim_start_matches('@').trim();
    let (ranges, _) = rest.split_once("@@")?;
    let count = |sign: char| -> Option<usize> {
        let r = ranges.split_whitespace().find_map(|r| r.strip_prefix(sign))?;
        match r.split_once(',') {
            Some((_, n)) => n.parse().ok(),
            None => Some(1),
        }
    };
    let (want_old, want_new) = (count('-')?, count('+')?);
    let (mut old, mut new) = (0, 0);
    for (i, l) in body.iter().enumerate() {
        if old == want_old && new == want_new {
            return Some(i);
        }
        match l.chars().next() {
            Some('-') => old += 1,
            Some('+') => new += 1,
            Some('\\') => {}
            _ => {
                old += 1;
                new += 1;
            }
        }
    }
    None
}

/// A `--- ` line followed by `+++ `: the next file's header, not a removed line.
fn is_file_header(lines: &[&str], i: usize) -> bool {
    lines[i].starts_with("--- ") && lines.get(i + 1).is_some_and(|n| n.starts_with("+++ "))
}

/// The old start line of `@@ -12,5 +12,6 @@ def f():`. The function text after the
/// second `@@` is not used as an anchor: git takes it from above the hunk, often far.
fn old_start(line: &str) -> Option<usize> {
    let rest = line.trim_start_matches('@').trim();
    let ranges = rest.split_once("@@").map_or(rest, |(r, _)| r);
    let old = ranges.split_whitespace().find_map(|r| r.strip_prefix('-'))?;
    old.split(',').next()?.parse::<usize>().ok().filter(|n| *n > 0)
}

/// `a/src/x.py` → `src/x.py`; timestamps after a tab are dropped.
fn side_path(raw: &str) -> String {
    let p = raw.split('\t').next().unwrap_or(raw).trim();
    let p = p.trim_matches('"');
    if p == "/dev/null" {
        return p.to_string();
    }
    p.strip_prefix("a/").or_else(|| p.strip_prefix("b/")).unwrap_or(p).to_string()
}

fn git_header_paths(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix("diff --git ")?;
    let (a, b) = rest.split_once(" b/")?;
    Some((side_path(a), b.trim().to_string()))
}

fn syntax(line: usize, message: &str) -> EditError {
    EditError::Syntax { line, message: message.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::apply_patch;

    fn one(path: &str, text: &str) -> impl Fn(&str) -> Result<Option<String>, String> {
        let (p, t) = (path.to_string(), text.to_string());
        move |q| Ok((q == p).then(|| t.clone()))
    }

    #[test]
    fn git_diff_applies_with_wrong_line_numbers() {
        let diff = "diff --git a/m.py b/m.py\nindex 1..2 100644\n--- a/m.py\n+++ b/m.py\n@@ -40,3 +40,3 @@ def f():\n def f():\n-    return 1\n+    return 2\n \n";
        assert!(is_unified(diff));
        let patch = parse_unified(diff).unwrap();
        let out = apply_patch(&patch, one("m.py", "import x\n\ndef f():\n    return 1\n\nprint(f())\n")).unwrap();
        assert_eq!(out[0].after.as_deref(), Some("import x\n\ndef f():\n    return 2\n\nprint(f())\n"));
    }

    #[test]
    fn the_hint_picks_between_repeated_context() {
        let src = "def a():\n    x = 1\n    return x\n\ndef b():\n    x = 1\n    return x\n";
        let diff = "--- a/m.py\n+++ b/m.py\n@@ -6,2 +6,2 @@\n     x = 1\n-    return x\n+    return x * 2\n";
        let out = apply_patch(&parse_unified(diff).unwrap(), one("m.py", src)).unwrap();
        assert_eq!(
            out[0].after.as_deref(),
            Some("def a():\n    x = 1\n    return x\n\ndef b():\n    x = 1\n    return x * 2\n")
        );
        let no_hint = "--- a/m.py\n+++ b/m.py\n@@ @@\n     x = 1\n-    return x\n+    return x * 2\n";
        let err = apply_patch(&parse_unified(no_hint).unwrap(), one("m.py", src)).unwrap_err();
        assert!(err.to_string().contains("occur 2 times (at lines 2, 6)"), "{err}");
    }

    #[test]
    fn an_empty_new_file_has_no_hunks() {
        let diff = "diff --git a/empty.txt b/empty.txt\nnew file mode 100644\nindex 0000000..e69de29\n";
        assert_eq!(parse_unified(diff).unwrap().ops[0], PatchOp::Add { path: "empty.txt".into(), lines: vec![] });
    }

    #[test]
    fn new_deleted_and_renamed_files() {
        let diff = "diff --git a/n.txt b/n.txt\nnew file mode 100644\n--- /dev/null\n+++ b/n.txt\n@@ -0,0 +1,2 @@\n+one\n+two\ndiff --git a/o.txt b/o.txt\ndeleted file mode 100644\n--- a/o.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n";
        let patch = parse_unified(diff).unwrap();
        assert_eq!(patch.ops[0], PatchOp::Add { path: "n.txt".into(), lines: vec!["one".into(), "two".into()] });
        assert_eq!(patch.ops[1], PatchOp::Delete { path: "o.txt".into() });
    }

    #[test]
    fn stray_context_past_the_counts_is_dropped() {
        let diff = "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n def f():\n-    return 1\n+    return 2\n \n         \n";
        let out = apply_patch(&parse_unified(diff).unwrap(), one("m.py", "def f():\n    return 1\nx = 1\n")).unwrap();
        assert_eq!(out[0].after.as_deref(), Some("def f():\n    return 2\nx = 1\n"));
    }
}
