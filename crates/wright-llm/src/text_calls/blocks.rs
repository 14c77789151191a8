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
/// out (so nothing inside them is read as another call); `Err` says why blocks that were
/// begun cannot be applied (a patch cut short is never applied in part).
pub(super) fn patch_call(text: &str) -> Option<Result<(ToolCall, String), String>> {
    let spans = json_spans(text);
    let found = envelope(text, &spans).or_else(|| search_replace(text, &spans))?;
    Some(found.map(|(patch, rest)| {
        let arguments = json!({ "patch": patch }).to_string();
        (ToolCall { id: String::new(), name: "apply_patch".into(), arguments }, rest)
    }))
}

/// A bare `*** Begin Patch` … `*** End Patch`, each on a line of its own and not inside a
/// JSON object.
fn envelope(text: &str, spans: &[(usize, usize)]) -> Option<Result<(String, String), String>> {
    let start = line_start(text, BEGIN).filter(|&at| !inside(spans, at))?;
    let Some(end) = line_start(tail(text, start), END).map(|e| start + e + END.len()) else {
        return Some(Err(
            "your patch has no `*** End Patch` line (was the reply cut short?); send the whole patch again".into(),
        ));
    };
    let patch = head(tail(text, start), end - start).to_string();
    Some(Ok((patch, format!("{}{}", head(text, start), tail(text, end)))))
}

fn search_replace(text: &str, spans: &[(usize, usize)]) -> Option<Result<(String, String), String>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut files: Vec<(String, Vec<String>)> = Vec::new();
    let mut kept = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != SEARCH || inside(spans, offset(text, lines[i])) {
            kept.push(lines[i]);
            i += 1;
            continue;
        }
        let block = || -> Result<(String, usize, usize), &'static str> {
            let path = path_before(&kept).ok_or("a SEARCH block needs the file's path on the line before it")?;
            let divider = (i + 1..lines.len())
                .find(|&j| lines[j].trim_end() == DIVIDER)
                .ok_or("a SEARCH block has no `=======` line")?;
            let end = (divider + 1..lines.len())
                .find(|&j| lines[j].trim_end() == REPLACE)
                .ok_or("a SEARCH block has no `>>>>>>> REPLACE` line (was the reply cut short?)")?;
            Ok((path, divider, end))
        };
        let (path, divider, end) = match block() {
            Ok(found) => found,
            Err(why) => return Some(Err(format!("{why}; send all the blocks again"))),
        };
        // An empty SEARCH adds the lines at the end.
        let mut hunk = vec!["@@".to_string()];
        hunk.extend(lines[i + 1..divider].iter().map(|l| format!("-{l}")));
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
    Some(Ok((patch.join("\n"), kept.join("\n"))))
}

/// The file a SEARCH block names: the last line before it that is not a code fence.
fn path_before(kept: &[&str]) -> Option<String> {
    let line = kept.iter().rev().map(|l| l.trim()).find(|l| !l.is_empty() && !l.starts_with("```"))?;
    let path = line.trim_matches(|c: char| c == '`' || c == '*' || c == ':').trim();
    (!path.is_empty() && !path.contains(' ')).then(|| path.to_string())
}

/// Where a line that is exactly `marker` starts in `text`.
fn line_start(text: &str, marker: &str) -> Option<usize> {
    text.lines().find(|l| l.trim_end() == marker).map(|l| offset(text, l))
}

/// The closed top-level JSON objects of `text`, as byte ranges.
fn json_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut at = 0;
    while let Some(i) = tail(text, at).find('{').map(|i| at + i) {
        match super::repair::span(tail(text, i)) {
            Some(len) => {
                spans.push((i, i + len));
                at = i + len;
            }
            None => at = i + 1,
        }
    }
    spans
}

/// Whether byte `at` lies inside one of the JSON objects (a call whose argument holds a
/// patch: that call's, not one of its own).
fn inside(spans: &[(usize, usize)], at: usize) -> bool {
    spans.iter().any(|&(start, end)| start < at && at < end)
}

/// Where `line` (a slice of `text`) starts in it.
fn offset(text: &str, line: &str) -> usize {
    (line.as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn patch_of(text: &str) -> String {
        let (call, _) = patch_call(text).unwrap().unwrap();
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
        let (_, rest) = patch_call(text).unwrap().unwrap();
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
        let no_path = patch_call("<<<<<<< SEARCH\nno path before it\n=======\nx\n>>>>>>> REPLACE").unwrap();
        assert!(no_path.unwrap_err().contains("needs the file's path"));
    }

    #[test]
    fn a_patch_cut_short_is_refused_and_braces_in_code_do_not_hide_blocks() {
        let cut = patch_call("*** Begin Patch\n*** Update File: a.py\n@@\n-l1\n-l2").unwrap();
        assert!(cut.unwrap_err().contains("no `*** End Patch` line"));
        let unfinished = patch_call("a.c\n<<<<<<< SEARCH\nint x;\n=======\nint y;\n").unwrap();
        assert!(unfinished.unwrap_err().contains("has no `>>>>>>> REPLACE`"));
        let c = "a.c\n<<<<<<< SEARCH\nif (x) {\n=======\nif (y) {\n>>>>>>> REPLACE\na.c\n<<<<<<< SEARCH\nint n = 1;\n=======\nint n = 2;\n>>>>>>> REPLACE";
        assert!(patch_of(c).contains("-int n = 1;\n+int n = 2;"), "{}", patch_of(c));
        let mention = "I'll send a `*** Begin Patch` envelope:\n{\"name\": \"apply_patch\", \"arguments\": {\"patch\": \"*** Begin Patch\\n*** End Patch\"}}";
        assert!(patch_call(mention).is_none(), "a mention in prose is not a patch line");
    }
}
