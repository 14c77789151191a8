//! A small Python project with a failing test, as a real git repository with some
//! uncommitted work of the user's that must survive every run.

use std::path::{Path, PathBuf};

use super::git;

pub const DATES_PY: &str = "from datetime import datetime\n\n\ndef parse_date(text):\n    \"\"\"Parse an ISO 8601 date-time such as 2024-05-01T10:20:30.\"\"\"\n    return datetime.strptime(text, \"%Y-%m-%dT%H:%M:%S\")\n";

const TEST_PY: &str = "import unittest\n\nfrom dates import parse_date\n\n\nclass ParseDateTest(unittest.TestCase):\n    def test_plain(self):\n        self.assertEqual(parse_date(\"2024-05-01T10:20:30\").hour, 10)\n\n    def test_z_suffix(self):\n        self.assertEqual(parse_date(\"2024-05-01T10:20:30Z\").minute, 20)\n\n\nif __name__ == \"__main__\":\n    unittest.main()\n";

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

/// What the user's checkout looked like before the run.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    status: String,
    head: String,
    branch: String,
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("myproj");
        std::fs::create_dir(&repo).unwrap();
        git(&repo, &["init", "-q", "-b", "main"]);
        git(&repo, &["config", "user.name", "Pat Developer"]);
        git(&repo, &["config", "user.email", "pat@example.com"]);
        std::fs::write(repo.join("dates.py"), DATES_PY).unwrap();
        std::fs::write(repo.join("test_dates.py"), TEST_PY).unwrap();
        std::fs::write(repo.join("README.md"), "# myproj\n").unwrap();
        std::fs::write(repo.join("AGENTS.md"), "Keep changes small. Use the standard library only.\n").unwrap();
        git(&repo, &["add", "."]);
        git(&repo, &["commit", "-q", "-m", "Initial commit"]);
        // The user's own uncommitted work.
        std::fs::write(repo.join("README.md"), "# myproj\n\nwork in progress\n").unwrap();
        std::fs::write(repo.join("notes.txt"), "my notes\n").unwrap();
        Fixture { dir }
    }

    pub fn repo(&self) -> PathBuf {
        self.dir.path().join("myproj")
    }

    pub fn snapshot(&self) -> Snapshot {
        let repo = self.repo();
        let mut files = Vec::new();
        collect(&repo, &repo, &mut files);
        files.sort();
        Snapshot {
            status: git(&repo, &["status", "--porcelain"]),
            head: git(&repo, &["rev-parse", "HEAD"]),
            branch: git(&repo, &["rev-parse", "--abbrev-ref", "HEAD"]),
            files,
        }
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.file_name().is_some_and(|n| n == ".git") {
            // The index and HEAD are what a user would notice changing.
            for f in ["index", "HEAD"] {
                out.push((path.join(f), std::fs::read(path.join(f)).unwrap_or_default()));
            }
            continue;
        }
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            out.push((path.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&path).unwrap()));
        }
    }
}

/// The model's plan for the fixture's task, one step in progress.
pub fn plan() -> super::server::Step {
    let steps = serde_json::json!({"steps": [{"step": "Make it strict", "status": "in_progress"}]});
    super::server::turn("", &[("update_plan", steps)])
}

/// The edit that makes `parse_date` strict about the offset.
pub fn strict_edit() -> super::server::Step {
    let args = serde_json::json!({"path": "dates.py", "old": "%H:%M:%S\"", "new": "%H:%M:%S%z\""});
    super::server::turn("", &[("edit", args)])
}
