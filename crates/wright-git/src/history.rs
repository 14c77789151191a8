//! A task branch after the run: its commits with their diffs, dropping the last ones
//! (never pushed ones), and removing a finished run's worktree.

use std::path::Path;

use git2::{BranchType, Oid, Repository, WorktreePruneOptions};

use crate::{Context, GitError, patch_text};

/// One commit of a task branch, with its full message and patch.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CommitDetail {
    pub sha: String,
    pub subject: String,
    pub message: String,
    pub files: Vec<String>,
    pub patch: String,
}

fn open(repo_root: &Path) -> Result<Repository, GitError> {
    Repository::open(repo_root).map_err(|_| GitError::NotARepo(repo_root.to_path_buf()))
}

fn branch_tip(repo: &Repository, branch: &str) -> Result<Oid, GitError> {
    let b = repo
        .find_branch(branch, BranchType::Local)
        .map_err(|_| GitError::Moved(format!("the branch {branch} no longer exists")))?;
    b.get().target().ok_or_else(|| GitError::Moved(format!("the branch {branch} points nowhere")))
}

/// The branch's commits since `base`, oldest first.
pub fn branch_commits(repo_root: &Path, branch: &str, base: &str) -> Result<Vec<CommitDetail>, GitError> {
    let repo = open(repo_root)?;
    let mut walk = repo.revwalk().context("walking history")?;
    walk.push(branch_tip(&repo, branch)?).context("walking history")?;
    walk.hide(Oid::from_str(base).context("parsing the base commit")?).context("walking history")?;
    let mut out = Vec::new();
    for id in walk {
        let commit = repo.find_commit(id.context("walking history")?).context("reading a commit")?;
        let parent_tree = commit.parent(0).ok().and_then(|p| p.tree().ok());
        let tree = commit.tree().context("reading a tree")?;
        let diff = repo.diff_tree_to_tree(parent_tree.as_ref(), Some(&tree), None).context("diffing a commit")?;
        let files = patch_text::paths(&diff);
        let patch = patch_text::render(&diff, usize::MAX)?;
        out.push(CommitDetail {
            sha: commit.id().to_string(),
            subject: commit.summary().ok().flatten().unwrap_or_default().to_string(),
            message: commit.message().ok().unwrap_or_default().to_string(),
            files,
            patch,
        });
    }
    out.reverse();
    Ok(out)
}

/// Remote-tracking refs (`refs/remotes/...`) that already hold `commit`.
pub fn pushed_to(repo_root: &Path, commit: &str) -> Result<Vec<String>, GitError> {
    let repo = open(repo_root)?;
    let target = Oid::from_str(commit).context("parsing a commit id")?;
    let mut out = Vec::new();
    for reference in repo.references_glob("refs/remotes/*").context("listing remote refs")?.flatten() {
        let Some(tip) = reference.target() else { continue };
        if tip == target || repo.graph_descendant_of(tip, target).unwrap_or(false) {
            out.push(reference.shorthand().unwrap_or_default().to_string());
        }
    }
    Ok(out)
}

/// Drops the branch's last `count` commits. Refused when fewer commits exist since the
/// base, when one of them was pushed, or when the worktree has uncommitted changes.
/// Returns the dropped commits, newest first.
pub fn undo(
    repo_root: &Path,
    branch: &str,
    base: &str,
    worktree: Option<&Path>,
    count: usize,
) -> Result<Vec<String>, GitError> {
    let commits = branch_commits(repo_root, branch, base)?;
    if count == 0 || count > commits.len() {
        return Err(GitError::Refused(format!(
            "{branch} has {} commit(s) since the run began; cannot drop {count}",
            commits.len()
        )));
    }
    let dropped: Vec<&CommitDetail> = commits.iter().rev().take(count).collect();
    for c in &dropped {
        let remotes = pushed_to(repo_root, &c.sha)?;
        if !remotes.is_empty() {
            return Err(GitError::Refused(format!(
                "commit {} ({}) is pushed to {}; wright never rewrites pushed history",
                c.sha.get(..10).unwrap_or(&c.sha),
                c.subject,
                remotes.join(", ")
            )));
        }
    }
    let new_tip = commits.len().checked_sub(count + 1).map(|i| commits[i].sha.clone()).unwrap_or(base.to_string());
    let new_tip = Oid::from_str(&new_tip).context("parsing a commit id")?;
    match worktree.filter(|w| w.is_dir()) {
        Some(wt) => {
            let repo = Repository::open(wt).context("opening the run's worktree")?;
            if !crate::workspace::changes(&repo)?.is_empty() {
                return Err(GitError::Refused(format!(
                    "the worktree {} has uncommitted changes; commit or discard them first",
                    wt.display()
                )));
            }
            let target = repo.find_object(new_tip, None).context("finding the new tip")?;
            repo.reset(&target, git2::ResetType::Hard, None).context("resetting the worktree")?;
        }
        None => {
            let repo = open(repo_root)?;
            let mut reference = repo.find_reference(&format!("refs/heads/{branch}")).context("finding the branch")?;
            reference
                .set_target(new_tip, &format!("wright undo: drop {count} commit(s)"))
                .context("moving the branch")?;
        }
    }
    Ok(dropped.iter().map(|c| c.sha.clone()).collect())
}

/// Removes a run's worktree (and git's record of it); the branch stays.
#[allow(clippy::disallowed_methods)] // the run's worktree directory itself, removed whole; remove_dir_all never follows a link
pub fn remove_worktree(repo_root: &Path, worktree: &Path) -> Result<(), GitError> {
    let repo = open(repo_root)?;
    let canonical = worktree.canonicalize().unwrap_or_else(|_| worktree.to_path_buf());
    for name in repo.worktrees().context("listing worktrees")?.iter().flatten().flatten() {
        let wt = repo.find_worktree(name).context("reading a worktree")?;
        let path = wt.path().canonicalize().unwrap_or_else(|_| wt.path().to_path_buf());
        if path == canonical {
            let mut opts = WorktreePruneOptions::new();
            opts.valid(true).locked(false).working_tree(true);
            wt.prune(Some(&mut opts)).context("removing the worktree")?;
        }
    }
    if worktree.exists() {
        std::fs::remove_dir_all(worktree)
            .map_err(|e| GitError::Refused(format!("cannot remove {}: {e}", worktree.display())))?;
    }
    Ok(())
}
