//! Submodules in a task worktree: checked out from the user's own checkout of them (no
//! network, the user's copies only read), at the commits the branch records. wright never
//! commits inside a submodule; its tools refuse to write there.

use std::path::{Path, PathBuf};

use git2::{Oid, Repository, build::CheckoutBuilder};

use crate::{Context, GitError};

/// Nested submodules deeper than this are left empty.
const MAX_DEPTH: usize = 4;

/// One submodule of the worktree and whether wright could check it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submodule {
    /// Its path relative to the worktree root.
    pub path: String,
    /// `None` when checked out at the recorded commit; otherwise why it is left empty.
    pub missing: Option<String>,
}

/// Checks out every submodule (recursively) of `worktree`, using the objects of the user's
/// checkout under `checkout`. A submodule that cannot be checked out is left empty and
/// reported; nothing here fails the run.
pub(crate) fn check_out(checkout: &Path, worktree: &Path) -> Result<Vec<Submodule>, GitError> {
    let mut found = Vec::new();
    walk(checkout, worktree, "", 0, &mut found)?;
    Ok(found)
}

fn walk(
    checkout: &Path,
    worktree: &Path,
    prefix: &str,
    depth: usize,
    found: &mut Vec<Submodule>,
) -> Result<(), GitError> {
    let repo = Repository::open(worktree).context("opening the worktree")?;
    let modules = repo.submodules().context("reading .gitmodules")?;
    for module in modules {
        let rel = module.path().to_string_lossy().into_owned();
        let shown = format!("{prefix}{rel}");
        let Some(commit) = module.head_id() else { continue };
        let dest = worktree.join(&rel);
        let missing = if depth >= MAX_DEPTH {
            Some(format!("nested deeper than {MAX_DEPTH} levels; left empty"))
        } else {
            match source_of(checkout, &rel, module.name().unwrap_or(rel.as_str())) {
                None => Some(format!(
                    "not checked out in your checkout; run `git submodule update --init {shown}` there to let wright read it"
                )),
                Some(source) => check_out_one(&source, &dest, commit).err(),
            }
        };
        let checked_out = missing.is_none();
        found.push(Submodule { path: shown.clone(), missing });
        if checked_out {
            walk(&checkout.join(&rel), &dest, &format!("{shown}/"), depth + 1, found)?;
        }
    }
    Ok(())
}

/// The user's repository of a submodule: its checkout, or the git directory git keeps
/// for it under `.git/modules`.
fn source_of(checkout: &Path, rel: &str, name: &str) -> Option<Repository> {
    // `open` looks at exactly this directory, never up into the superproject.
    if let Ok(repo) = Repository::open(checkout.join(rel)) {
        return Some(repo);
    }
    let superproject = Repository::open(checkout).ok()?;
    Repository::open(superproject.path().join("modules").join(name)).ok()
}

/// A repository at `dest` that borrows `source`'s objects (as `git clone --shared` does:
/// nothing is copied) with `commit` checked out on a detached HEAD.
#[allow(clippy::disallowed_methods)] // the alternates file in the submodule's git directory, which wright makes
fn check_out_one(source: &Repository, dest: &Path, commit: Oid) -> Result<(), String> {
    let full = commit.to_string();
    let short = full.get(..10).unwrap_or(&full);
    if source.find_commit(commit).is_err() {
        return Err(format!(
            "your checkout of it lacks commit {short}, the one this branch records; fetch it there (`git submodule update`)"
        ));
    }
    let fail = |what: &str, e: &dyn std::fmt::Display| format!("cannot check it out ({what}: {e}); left empty");
    let repo = Repository::init(dest).map_err(|e| fail("creating the repository", &e))?;
    let objects: PathBuf = source.path().join("objects");
    let alternates = repo.path().join("objects/info/alternates");
    std::fs::write(&alternates, format!("{}\n", objects.display())).map_err(|e| fail("linking the objects", &e))?;
    // Reopened so the object database sees the alternates.
    let repo = Repository::open(dest).map_err(|e| fail("opening it", &e))?;
    let target = repo.find_commit(commit).map_err(|e| fail("finding the commit", &e))?;
    repo.checkout_tree(target.as_object(), Some(CheckoutBuilder::new().force()))
        .map_err(|e| fail("checking out", &e))?;
    repo.set_head_detached(commit).map_err(|e| fail("setting HEAD", &e))?;
    Ok(())
}

/// The submodule `rel` (a worktree-relative path) lies in, if any.
pub(crate) fn containing(repo: &Repository, rel: &str) -> Option<String> {
    let modules = repo.submodules().ok()?;
    modules
        .iter()
        .map(|m| m.path().to_string_lossy().into_owned())
        .find(|m| rel == m || rel.starts_with(&format!("{m}/")))
}

/// Submodules whose files differ from the commit the branch records.
pub(crate) fn dirty(repo: &Repository) -> Vec<String> {
    let Ok(modules) = repo.submodules() else { return Vec::new() };
    modules
        .iter()
        .filter_map(|m| {
            let name = m.name().ok()?;
            let status = repo.submodule_status(name, git2::SubmoduleIgnore::None).ok()?;
            let changed = status.intersects(
                git2::SubmoduleStatus::WD_MODIFIED
                    | git2::SubmoduleStatus::WD_INDEX_MODIFIED
                    | git2::SubmoduleStatus::WD_WD_MODIFIED
                    | git2::SubmoduleStatus::WD_UNTRACKED,
            );
            changed.then(|| m.path().to_string_lossy().into_owned())
        })
        .collect()
}
