//! One task of a suite, as its `task.toml` says: the repository at its base, the ticket as
//! a user writes it, the hidden check applied only after the agent stops, the reference
//! fix `validate` proves the check with, and the budgets.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::EvalError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Task {
    pub id: String,
    pub language: String,
    pub kind: Kind,
    pub repo: RepoSource,
    /// The ticket or bug report, a file of the task's folder.
    pub task_file: PathBuf,
    /// Run once in the sandbox before the agent starts (network allowed).
    #[serde(default)]
    pub setup: Option<String>,
    pub check: Check,
    /// The reference fix: a unified diff, a file of the task's folder.
    pub fix: PathBuf,
    #[serde(default)]
    pub budgets: Budgets,
    /// The task's folder (set when loaded).
    #[serde(skip)]
    pub dir: PathBuf,
    /// Its position in the suite's id order, from 1 (set when the suite loads).
    #[serde(skip)]
    pub number: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Bug,
    Feature,
}

/// Where the repository comes from: a folder of the suite, or a commit of a git repository.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged, deny_unknown_fields)]
pub enum RepoSource {
    Path { path: PathBuf },
    Git { git: String, commit: String },
}

/// The hidden check: test files copied in (or a patch applied) after the agent stops, the
/// command that runs them, and the tests that must pass by name.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Files of the task's `check/` folder, copied to the same paths in the tree.
    #[serde(default)]
    pub files: Vec<PathBuf>,
    /// Or a patch of the task's folder that adds the tests.
    #[serde(default)]
    pub patch: Option<PathBuf>,
    pub command: String,
    pub fail_to_pass: Vec<String>,
    #[serde(default)]
    pub pass_to_pass: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budgets {
    pub steps: u32,
    pub seconds: u64,
    pub tokens: u64,
}

impl Default for Budgets {
    fn default() -> Self {
        Budgets { steps: 30, seconds: 900, tokens: 400_000 }
    }
}

/// The least time a check (and a task's setup) gets, whatever the agent's budget.
const CHECK_SECONDS: u64 = 600;

impl Task {
    /// How long the task's check (or setup) may take: its budget, and never under 600 s.
    pub fn check_timeout(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.budgets.seconds.max(CHECK_SECONDS))
    }

    /// Reads `dir/task.toml` and checks that the files it names exist.
    pub fn load(dir: &Path) -> Result<Task, EvalError> {
        let path = dir.join("task.toml");
        let read = wright_tree::read_capped(dir, Path::new("task.toml"), 1 << 20)
            .map_err(|e| EvalError::Io(format!("{}: {}", path.display(), e.reason())))?;
        let text = read.text();
        let mut task: Task = toml::from_str(&text).map_err(|e| EvalError::Io(format!("{}: {e}", path.display())))?;
        task.dir = dir.to_path_buf();
        let bad = |what: &str| EvalError::Io(format!("{}: {what}", path.display()));
        // The id names folders the harness creates and removes: nothing but a plain name.
        task.check_names().map_err(|e| bad(&e))?;
        if let RepoSource::Path { path } = &task.repo
            && path.components().all(|c| c == std::path::Component::CurDir)
        {
            return Err(bad("repo.path must be a folder of its own (the task's folder holds the check and the fix)"));
        }
        if task.check.fail_to_pass.is_empty() {
            return Err(bad("check.fail_to_pass names no test; a task needs at least one"));
        }
        if task.check.files.is_empty() == task.check.patch.is_none() {
            return Err(bad("check needs either `files` or `patch`"));
        }
        let mut needed = vec![task.task_file.clone(), task.fix.clone()];
        needed.extend(task.check.patch.clone());
        needed.extend(task.check.files.iter().map(|f| Path::new("check").join(f)));
        if let RepoSource::Path { path } = &task.repo {
            needed.push(path.clone());
        }
        for file in needed {
            let inside = !file.is_absolute() && !file.components().any(|c| c == std::path::Component::ParentDir);
            // Not through a symlink: the ticket goes to a model, and could point at a key.
            let real = std::fs::symlink_metadata(dir.join(&file)).is_ok_and(|m| m.is_file() || m.is_dir());
            if !inside || !real {
                return Err(bad(&format!("{} is missing, or not inside the task's folder", file.display())));
            }
        }
        Ok(task)
    }

    /// The id names folders the harness creates and removes: nothing but a plain name; and
    /// a git source is never read as an option.
    pub(crate) fn check_names(&self) -> Result<(), String> {
        let plain = self.id.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
        if !plain || !self.id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return Err("id must be letters, digits, `.`, `_` and `-`, starting with a letter or digit".into());
        }
        if let RepoSource::Git { git, commit } = &self.repo
            && (git.starts_with('-') || commit.starts_with('-'))
        {
            return Err("repo.git and repo.commit must not start with `-`".into());
        }
        Ok(())
    }

    pub fn ticket(&self) -> Result<String, EvalError> {
        let path = self.dir.join(&self.task_file);
        std::fs::read_to_string(&path).map_err(|e| EvalError::Io(format!("{}: {e}", path.display())))
    }
}
