//! Paths of a repository that wright's tools must not write, and why.

use std::path::Path;

use git2::Repository;

use crate::{lfs, submodules};

/// Why writing `rel` (relative to the repository root at `root`) would lose work or put
/// the wrong thing into git; `None` when it may be written. A `root` that is no git
/// checkout has nothing to guard.
pub fn write_refusal(root: &Path, rel: &str) -> Option<String> {
    let repo = Repository::open(root).ok()?;
    if let Some(module) = submodules::containing(&repo, rel) {
        return Some(format!(
            "{rel} is inside the submodule {module}, another repository: wright commits only to this repository's \
branch, so a change there would be lost; change the code that uses it, or run wright in that repository"
        ));
    }
    lfs::tracked(&repo, rel).then(|| lfs::refusal(rel))
}

/// The git directory of the checkout at `root` as git2 opens it (a linked worktree's own
/// one): a place outside the tree for wright's private files. `None` when `root` is not
/// the top of a checkout.
pub fn private_dir(root: &Path) -> Option<std::path::PathBuf> {
    let repo = Repository::open(root).ok()?;
    Some(repo.path().to_path_buf())
}
