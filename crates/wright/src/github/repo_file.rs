//! The repository's settings for the PR bot come from its default branch, whatever is
//! checked out: a dispatch may run on any branch, and a branch is anyone's with push
//! access to it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Writes the default branch's `wright.toml` into `dir` and returns its path, or a
/// path that does not exist (no settings) with a notice saying why.
#[allow(clippy::disallowed_methods)] // `dir` is a private directory of wright's
pub fn default_branch_config(repo: &Path, branch: &str, dir: &Path) -> Result<(PathBuf, Option<String>)> {
    let path = dir.join("wright.toml");
    let git = git2::Repository::discover(repo).with_context(|| format!("{} is not a git checkout", repo.display()))?;
    let refs = [format!("refs/remotes/origin/{branch}"), format!("refs/heads/{branch}")];
    let Some(tree) = refs.iter().find_map(|r| git.find_reference(r).ok()?.peel_to_tree().ok()) else {
        let notice = format!(
            "the default branch {branch} is not in the checkout, so its wright.toml was not read; fetch it (actions/checkout does)"
        );
        return Ok((path, Some(notice)));
    };
    let Ok(entry) = tree.get_path(Path::new("wright.toml")) else { return Ok((path, None)) };
    let blob = entry.to_object(&git).and_then(|o| o.peel_to_blob()).context("reading wright.toml")?;
    std::fs::write(&path, blob.content()).with_context(|| format!("writing {}", path.display()))?;
    Ok((path, None))
}
