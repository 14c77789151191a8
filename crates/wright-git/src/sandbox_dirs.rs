//! Which git dirs the sandbox binds for a worktree, as git2 knows them. A command may write
//! a `.git` file where there was none; what it names counts only when git's own record,
//! out of the command's reach (the common dir's `worktrees/<name>/gitdir`, or a
//! submodule's `core.worktree`), names this worktree back.

use std::path::{Path, PathBuf};

use git2::Repository;

use crate::TaskWorkspace;

impl TaskWorkspace {
    /// This worktree's git dir and the repository's common dir.
    pub fn git_dirs(&self) -> Vec<PathBuf> {
        Self::git_dirs_of(&self.worktree)
    }

    /// The git dir (and, for a linked worktree, the common dir) of the checkout at
    /// `worktree`; none when they do not belong to it.
    pub fn git_dirs_of(worktree: &Path) -> Vec<PathBuf> {
        owned_git_dirs(worktree).unwrap_or_default()
    }
}

fn owned_git_dirs(worktree: &Path) -> Option<Vec<PathBuf>> {
    let real = |p: &Path| p.canonicalize().ok();
    let repo = Repository::open(worktree).ok()?;
    let tree = real(worktree)?;
    let git = real(repo.path())?;
    if !repo.is_worktree() {
        let local = repo.config().ok()?.open_level(git2::ConfigLevel::Local).ok()?;
        let named = local.get_path("core.worktree").ok().and_then(|w| real(&git.join(w)));
        let belongs = git == tree.join(".git") || (!git.starts_with(&tree) && named == Some(tree));
        return belongs.then(|| vec![git]);
    }
    let common = real(repo.commondir())?;
    let name = git.file_name()?.to_str()?;
    let recorded = Repository::open(&common).ok()?.find_worktree(name).ok()?;
    let belongs = git.parent() == Some(common.join("worktrees").as_path())
        && !git.starts_with(&tree)
        && real(recorded.path()) == Some(tree);
    belongs.then(|| vec![git, common])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn git(dir: &Path, args: &[&str]) {
        let ok = std::process::Command::new("git").args(args).current_dir(dir).status().unwrap().success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn a_worktrees_dirs_come_from_git_and_a_forged_dot_git_names_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        git(&repo, &["-c", "user.name=a", "-c", "user.email=a@b", "commit", "-q", "--allow-empty", "-m", "x"]);
        let ws = TaskWorkspace::create(&repo, "t", "r1", &dir.path().join("wt")).unwrap();
        let common = repo.join(".git").canonicalize().unwrap();
        assert_eq!(ws.git_dirs(), vec![common.join("worktrees/wright-r1"), common.clone()]);
        assert_eq!(TaskWorkspace::git_dirs_of(&repo), vec![common.clone()]);

        // A plain directory whose `.git` names the repository, or its worktree's git dir.
        let plain = dir.path().join("plain");
        std::fs::create_dir_all(&plain).unwrap();
        for named in [common.clone(), common.join("worktrees/wright-r1")] {
            std::fs::write(plain.join(".git"), format!("gitdir: {}\n", named.display())).unwrap();
            assert_eq!(TaskWorkspace::git_dirs_of(&plain), Vec::<PathBuf>::new(), "{}", named.display());
        }

        // A checkout whose git dir lives elsewhere (as a submodule's does) and says so.
        let sub = dir.path().join("sub");
        let sub_git = dir.path().join("sub-git");
        git(dir.path(), &["init", "-q", "--separate-git-dir", "sub-git", "sub"]);
        git(&sub, &["config", "core.worktree", sub.to_str().unwrap()]);
        assert_eq!(TaskWorkspace::git_dirs_of(&sub), vec![sub_git.canonicalize().unwrap()]);
        std::fs::write(plain.join(".git"), format!("gitdir: {}\n", sub_git.display())).unwrap();
        assert_eq!(TaskWorkspace::git_dirs_of(&plain), Vec::<PathBuf>::new());
    }
}
