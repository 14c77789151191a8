//! Attempts on one task branch: an attempt that failed is kept on a branch of its own
//! (`wright/<slug>-attempt-N`), the task branch goes back to where attempts start, and at
//! the end the task branch takes the attempt the evidence chose.

use git2::{BranchType, Oid};

use crate::workspace::changes;
use crate::{Context, GitError, TaskWorkspace};

impl TaskWorkspace {
    /// The commit the task branch stands at.
    pub fn head(&self) -> Result<String, GitError> {
        let repo = self.repo()?;
        let head = repo.head().and_then(|h| h.peel_to_commit()).context("reading the branch head")?;
        Ok(head.id().to_string())
    }

    /// Keeps the task branch's commits as attempt `n`'s branch (`<branch>-attempt-<n>`,
    /// suffixed when taken) and returns its name. The task branch stays where it is.
    pub fn set_aside(&self, n: u32) -> Result<String, GitError> {
        let repo = self.repo()?;
        let head = repo.head().and_then(|h| h.peel_to_commit()).context("reading the branch head")?;
        let first = format!("{}-attempt-{n}", self.branch);
        let taken = |name: &str| repo.find_branch(name, BranchType::Local).is_ok();
        let name = std::iter::once(first.clone())
            .chain((2..100).map(|k| format!("{first}-{k}")))
            .find(|name| !taken(name))
            .ok_or_else(|| GitError::Refused(format!("no free branch name for {first}")))?;
        repo.branch(&name, &head, false).context("creating the attempt's branch")?;
        Ok(name)
    }

    /// Moves the task branch and the worktree to `commit`: what the branch committed since
    /// goes, as do changes not committed and new files that are not ignored; ignored files
    /// (build output, caches) stay, so the next attempt need not rebuild them.
    pub fn restart_at(&self, commit: &str) -> Result<(), GitError> {
        self.discard_uncommitted()?;
        let repo = self.repo()?;
        let target = repo
            .find_commit(Oid::from_str(commit).context("parsing a commit id")?)
            .context("finding the commit attempts start from")?;
        repo.reset(target.as_object(), git2::ResetType::Hard, None).context("resetting the task branch")?;
        let left = changes(&repo)?.len();
        if left > 0 {
            return Err(GitError::Moved(format!("{left} changed files stayed in the worktree after the reset")));
        }
        Ok(())
    }

    /// Removes an attempt's branch (the selected one lives on as the task branch).
    pub fn remove_branch(&self, name: &str) -> Result<(), GitError> {
        let repo = self.repo()?;
        let mut branch = repo.find_branch(name, BranchType::Local).context("finding an attempt's branch")?;
        branch.delete().context("removing an attempt's branch")
    }

    /// The commit a branch points at.
    pub fn branch_head(&self, name: &str) -> Result<String, GitError> {
        let repo = self.repo()?;
        let branch = repo.find_branch(name, BranchType::Local).context("finding an attempt's branch")?;
        let commit = branch.get().peel_to_commit().context("reading an attempt's branch")?;
        Ok(commit.id().to_string())
    }

    /// Lines added and removed from the base to the branch head, over text files: how
    /// large a change is, when attempts are compared.
    pub fn diff_size(&self) -> Result<usize, GitError> {
        let repo = self.repo()?;
        let base = repo.find_commit(Oid::from_str(&self.base).context("parsing a commit id")?);
        let base = base.context("finding the base commit")?;
        let head = repo.head().and_then(|h| h.peel_to_commit()).context("reading the branch head")?;
        let (old, new) = (base.tree().context("reading a tree")?, head.tree().context("reading a tree")?);
        let diff = repo.diff_tree_to_tree(Some(&old), Some(&new), None).context("diffing the attempt")?;
        let stats = diff.stats().context("counting the attempt's lines")?;
        Ok(stats.insertions().saturating_add(stats.deletions()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CommitMessage;
    use git2::Repository;
    use std::process::Command;

    fn repo_with(files: &[(&str, &str)]) -> (tempfile::TempDir, TaskWorkspace) {
        let dir = tempfile::tempdir().unwrap();
        let main = dir.path().join("main");
        std::fs::create_dir_all(&main).unwrap();
        let repo = Repository::init(&main).unwrap();
        for (path, text) in files {
            std::fs::write(main.join(path), text).unwrap();
        }
        let mut index = repo.index().unwrap();
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, None).unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("t", "t@t").unwrap();
        repo.commit(Some("HEAD"), &sig, &sig, "base", &tree, &[]).unwrap();
        let ws = TaskWorkspace::create(&main, "fix", "r1", &dir.path().join("wt")).unwrap();
        (dir, ws)
    }

    fn commit(ws: &TaskWorkspace, path: &str, text: &str) {
        std::fs::write(ws.worktree.join(path), text).unwrap();
        let message = CommitMessage { subject: format!("change {path}"), ..CommitMessage::default() };
        ws.commit_all(&message).unwrap().unwrap();
    }

    #[test]
    fn an_attempt_is_kept_on_its_branch_and_the_next_starts_clean_with_ignored_files_kept() {
        let (_dir, ws) = repo_with(&[("a.py", "old\n"), (".gitignore", "build/\n")]);
        let base = ws.head().unwrap();
        commit(&ws, "a.py", "attempt one\n");
        commit(&ws, "new.py", "added by attempt one\n");
        std::fs::write(ws.worktree.join("a.py"), "not committed\n").unwrap();
        std::fs::write(ws.worktree.join("stray.txt"), "new, not ignored\n").unwrap();
        std::fs::create_dir_all(ws.worktree.join("build")).unwrap();
        std::fs::write(ws.worktree.join("build/out.o"), "kept\n").unwrap();
        let tip = ws.head().unwrap();
        assert_eq!(ws.diff_size().unwrap(), 3, "one line changed (2) and one added (1)");

        let kept = ws.set_aside(1).unwrap();
        assert_eq!(kept, "wright/fix-attempt-1");
        ws.restart_at(&base).unwrap();
        assert_eq!(ws.head().unwrap(), base);
        assert_eq!(ws.branch_head(&kept).unwrap(), tip, "attempt one's commits stay on its branch");
        assert_eq!(std::fs::read_to_string(ws.worktree.join("a.py")).unwrap(), "old\n");
        assert!(!ws.worktree.join("new.py").exists() && !ws.worktree.join("stray.txt").exists());
        assert_eq!(std::fs::read_to_string(ws.worktree.join("build/out.o")).unwrap(), "kept\n");
        assert_eq!(ws.diff_size().unwrap(), 0);

        assert_eq!(ws.set_aside(1).unwrap(), "wright/fix-attempt-1-2", "a taken name is suffixed");
        ws.restart_at(&tip).unwrap();
        assert_eq!(std::fs::read_to_string(ws.worktree.join("new.py")).unwrap(), "added by attempt one\n");
        ws.remove_branch(&kept).unwrap();
        assert!(ws.branch_head(&kept).is_err());
    }

    #[test]
    fn a_fifo_or_a_linked_folder_where_a_file_was_is_removed_not_written_through() {
        let (dir, ws) = repo_with(&[("a.py", "old\n"), (".gitignore", "build/\n")]);
        std::fs::create_dir_all(ws.worktree.join("pkg")).unwrap();
        commit(&ws, "pkg/notes.py", "notes\n");
        let base = ws.head().unwrap();
        let outside = dir.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        // What a test command may leave: a FIFO for a tracked file, a link for a folder.
        std::fs::remove_file(ws.worktree.join("a.py")).unwrap();
        let made = Command::new("mkfifo").arg(ws.worktree.join("a.py")).status().unwrap();
        assert!(made.success());
        std::fs::remove_dir_all(ws.worktree.join("pkg")).unwrap();
        std::os::unix::fs::symlink(&outside, ws.worktree.join("pkg")).unwrap();
        ws.restart_at(&base).unwrap();
        assert_eq!(std::fs::read_to_string(ws.worktree.join("a.py")).unwrap(), "old\n");
        assert!(std::fs::symlink_metadata(ws.worktree.join("pkg")).unwrap().is_dir());
        assert_eq!(std::fs::read_to_string(ws.worktree.join("pkg/notes.py")).unwrap(), "notes\n");
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0, "nothing was written through the link");
    }
}
