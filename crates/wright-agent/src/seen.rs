//! The files the model has been shown: read with `read_file`, or in the briefing. A
//! failed edit of any other file gets that file's lines back, since its `old` was likely
//! invented rather than copied.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use serde_json::Value;

#[derive(Debug, Clone, Default)]
pub(crate) struct SeenFiles(Arc<Mutex<HashSet<String>>>);

impl SeenFiles {
    pub fn saw(&self, path: &str) {
        if let Ok(mut seen) = self.0.lock() {
            seen.insert(normal(path));
        }
    }

    /// Marks the file a `read_file` call reads.
    pub fn note_read(&self, tool: &str, args: &Value) {
        if tool == "read_file"
            && let Some(path) = args.get("path").and_then(Value::as_str)
        {
            self.saw(path);
        }
    }

    /// The files an `edit` or `apply_patch` call means to change that were never shown.
    pub fn unseen_edits(&self, tool: &str, args: &Value) -> Vec<String> {
        let Ok(seen) = self.0.lock() else { return Vec::new() };
        edited_paths(tool, args).into_iter().filter(|p| !seen.contains(&normal(p))).collect()
    }
}

fn edited_paths(tool: &str, args: &Value) -> Vec<String> {
    match tool {
        "edit" => args.get("path").and_then(Value::as_str).map(|p| vec![p.to_string()]).unwrap_or_default(),
        "apply_patch" => {
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
        _ => Vec::new(),
    }
}

/// A path as the model may write it (`./a.py`, `a.py`), in one form.
fn normal(path: &str) -> String {
    path.trim().trim_start_matches("./").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_count_and_edits_of_other_files_are_unseen() {
        let seen = SeenFiles::default();
        seen.note_read("read_file", &json!({"path": "./stats.py"}));
        seen.saw("report.py");
        assert!(seen.unseen_edits("edit", &json!({"path": "stats.py", "old": "a", "new": "b"})).is_empty());
        assert_eq!(seen.unseen_edits("edit", &json!({"path": "other.py"})), ["other.py"]);
        let patch = "*** Begin Patch\n*** Update File: report.py\n@@\n-a\n+b\n*** Update File: new.py\n@@\n-a\n+b\n*** End Patch";
        assert_eq!(seen.unseen_edits("apply_patch", &json!({ "patch": patch })), ["new.py"]);
        let diff = "--- a/lib.py\n+++ b/lib.py\n@@ -1 +1 @@\n-a\n+b\n";
        assert_eq!(seen.unseen_edits("apply_patch", &json!({ "patch": diff })), ["lib.py"]);
        assert!(seen.unseen_edits("run", &json!({"command": "true"})).is_empty());
    }
}
