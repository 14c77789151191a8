//! The files the model has been shown: by a tool that reads them, or in the briefing. A
//! failed edit of any other file gets that file's lines back, since its `old` was likely
//! invented rather than copied.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Default)]
pub(crate) struct SeenFiles(Arc<Mutex<HashSet<String>>>);

impl SeenFiles {
    pub fn saw(&self, path: &str) {
        if let Ok(mut seen) = self.0.lock() {
            seen.insert(normal(path));
        }
    }

    /// Those of `paths`, the files a call means to change, that were never shown.
    pub fn unseen(&self, paths: Vec<String>) -> Vec<String> {
        let Ok(seen) = self.0.lock() else { return Vec::new() };
        paths.into_iter().filter(|p| !seen.contains(&normal(p))).collect()
    }
}

/// A path as the model may write it (`./a.py`, `a.py`), in one form.
fn normal(path: &str) -> String {
    path.trim().trim_start_matches("./").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    /// Through the built-in tools, which declare what a call reads and edits.
    struct Calls {
        seen: SeenFiles,
        tools: wright_tools::Toolbox,
    }

    impl Calls {
        fn note_read(&self, tool: &str, args: &Value) {
            if let Some(path) = self.tools.get(tool).and_then(|t| t.reads(args)) {
                self.seen.saw(&path);
            }
        }

        fn unseen_edits(&self, tool: &str, args: &Value) -> Vec<String> {
            self.seen.unseen(self.tools.get(tool).map(|t| t.edits(args)).unwrap_or_default())
        }
    }

    #[test]
    fn reads_count_and_edits_of_other_files_are_unseen() {
        let seen = Calls { seen: SeenFiles::default(), tools: wright_tools::Toolbox::builtin() };
        seen.note_read("read_file", &json!({"path": "./stats.py"}));
        seen.seen.saw("report.py");
        assert!(seen.unseen_edits("edit", &json!({"path": "stats.py", "old": "a", "new": "b"})).is_empty());
        assert_eq!(seen.unseen_edits("edit", &json!({"path": "other.py"})), ["other.py"]);
        let patch = "*** Begin Patch\n*** Update File: report.py\n@@\n-a\n+b\n*** Update File: new.py\n@@\n-a\n+b\n*** End Patch";
        assert_eq!(seen.unseen_edits("apply_patch", &json!({ "patch": patch })), ["new.py"]);
        let diff = "--- a/lib.py\n+++ b/lib.py\n@@ -1 +1 @@\n-a\n+b\n";
        assert_eq!(seen.unseen_edits("apply_patch", &json!({ "patch": diff })), ["lib.py"]);
        assert!(seen.unseen_edits("run", &json!({"command": "true"})).is_empty());
    }
}
