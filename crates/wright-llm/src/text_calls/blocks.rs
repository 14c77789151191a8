//! Edits written outside JSON, so nothing needs escaping: SEARCH/REPLACE blocks (the
//! format Aider's users and many fine-tuned models know) and the `*** Begin Patch`
//! envelope written bare. Both become one `apply_patch` call, applied all or nothing.
//!
//! ```text
//! path/to/file.py
//! <<<<<<< SEARCH
//! old lines
//! =======
//! new lines
//! >>>>>>> REPLACE
//! ```

use serde_json::json;

use super::{head, tail};
use crate::message::ToolCall;

const SEARCH: &str = "<<<<<<< SEARCH";
const DIVIDER: &str = "=======";
const REPLACE: &str = ">>>>>>> REPLACE";
const BEGIN: &str = "*** Begin Patch";
const END: &str = "*** End Patch";

/// The patch blocks of `text` as one `apply_patch` call, and `text` with them blanked
/// out (so nothing inside them is read as another call).
pub(super) fn patch_call(text: &str) -> Option<(ToolCall, String)> {
    let (patch, rest) = envelope(text).or_else(|| search_replace(text))?;
    let arguments = json!({ "patch": patch }).to_string();
    Some((ToolCall { id: String::new(), name: "apply_patch".into(), arguments }, rest))
}

/// A bare `*** Begin Patch` … `*** End Patch`, when it is not inside a JSON string.
fn envelope(text: &str) -> Option<(String, String)> {
    let start = text.find(BEGIN)?;
    if inside_json(text, start) {
        return None;
    }
    let end = tail(text, start).find(END).map_or(text.len(), |e| start + e + END.len());
    let patch = head(tail(text, start), end - start).to_string();
    let patch = if patch.contains(END) { patch } else { format!("{}\n{END}", patch.trim_end()) };
    Some((patch, blank(text, start, end)))
}

fn search_replace(text: &str) -> Option<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut files: Vec<(String, Vec<String>)> = Vec::new();
    let mut kept = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != SEARCH || inside_json(text, offset(text, lines[i])) {
            kept.push(lines[i]);
            i += 1;
            continue;
        }
        let path = path_before(&kept)?;
        let divider = (i + 1..lines.len()).find(|&j| lines[j].trim_end() == DIVIDER)?;
        let end = (divider + 1..lines.len()).find(|&j| lines[j].trim_end() == REPLACE)?;
        let mut hunk = Vec::new();
        if divider == i + 1 {
            // An empty SEARCH adds the lines to the end.
            hunk.push("@@".to_string());
        } else {
            hunk.push("@@".to_string());
            hunk.extend(lines[i + 1..divider].iter().map(|l| format!("-{l}")));
        }
        hunk.extend(lines[divider + 1..end].iter().map(|l| format!("+{l}")));
        match files.iter_mut().find(|(p, _)| *p == path) {
            Some((_, hunks)) => hunks.extend(hunk),
            None => files.push((path, hunk)),
        }
        i = end + 1;
    }
    if files.is_empty() {
        return None;
    }
    let mut patch = vec![BEGIN.to_string()];
    for (path, hunks) in files {
        patch.push(format!("*** Update File: {path}"));
        patch.extend(hunks);
    }
    patch.push(END.to_string());
    Some((patch.join("\n"), kept.join("\n")))
}

/// The file a SEARCH block names: the last line before it that is not a code fence.
fn path_before(kept: &[&str]) -> Option<String> {
    let line = kept.iter().rev().map(|l| l.trim()).find(|l| !l.is_empty() && !l.starts_with("```"))?;
    let path = line.trim_matches(|c: char| c == '`' || c == '*' || c == ':').trim();
    (!path.is_empty() && !path.contains(' ')).then(|| path.to_string())
}

/// Whether byte `at` lies inside a JSON object (such as a call whose argument holds a
/// patch): such a patch is that call's, not one of its own.
fn inside_json(text: &str, at: usize) -> bool {
    head(text, at)
        .char_indices()
        .filter(|(_, c)| *c == '{')
        .any(|(i, _)| super::repair::span(tail(text, i)).is_none_or(|len| i + len > at))
}

/// Where `line` (a slice of `text`) starts in it.
fn offset(text: &str, line: &str) -> usize {
    (line.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

fn blank(text: &str, start: usize, end: usize) -> String {
    format!("{}{}", head(text, start), tail(text, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch_of(text: &str) -> String {
        let (call, _) = patch_call(text).unwrap();
        let args: serde_json::Value = serde_json::from_str(&call.arguments).unwrap();
        args["patch"].as_str().unwrap().to_string()
    }

    #[test]
    fn search_replace_blocks_become_one_patch() {
        let text = "Fix it:\n\ndates.py\n```python\n<<<<<<< SEARCH\n    return \"x\"\n=======\n    return \"y\"\n>>>>>>> REPLACE\n```\n\
dates.py\n```python\n<<<<<<< SEARCH\nA\n=======\nB\n>>>>>>> REPLACE\n```\n";
        assert_eq!(
            patch_of(text),
            "*** Begin Patch\n*** Update File: dates.py\n@@\n-    return \"x\"\n+    return \"y\"\n@@\n-A\n+B\n*** End Patch"
        );
        let (_, rest) = patch_call(text).unwrap();
        assert!(!rest.contains("SEARCH") && rest.starts_with("Fix it:"));
    }

    #[test]
    fn a_bare_envelope_is_a_patch_and_one_in_json_is_not() {
        let bare = "Here:\n*** Begin Patch\n*** Update File: a.py\n@@\n-x\n+y\n*** End Patch\nDone.";
        assert_eq!(patch_of(bare), "*** Begin Patch\n*** Update File: a.py\n@@\n-x\n+y\n*** End Patch");
        assert!(
            patch_call(r#"{"name": "apply_patch", "arguments": {"patch": "*** Begin Patch\n*** End Patch"}}"#)
                .is_none()
        );
        assert!(patch_call("<<<<<<< SEARCH\nno path before it\n=======\nx\n>>>>>>> REPLACE").is_none());
    }
}
