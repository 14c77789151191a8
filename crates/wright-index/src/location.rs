//! Where indexes live: under wright's cache directory, one folder per repository
//! (keyed by its canonical path), never inside the user's tree.

use std::path::{Path, PathBuf};

/// `<cache>/index/<name>-<key>`: the folder of one repository's indexes.
pub fn repo_dir(cache: &Path, repo: &Path) -> PathBuf {
    let canonical = repo.canonicalize().unwrap_or_else(|_| repo.to_path_buf());
    let name: String = canonical
        .file_name()
        .map(|n| n.to_string_lossy().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect())
        .unwrap_or_default();
    let key = blake3::hash(canonical.to_string_lossy().as_bytes()).to_hex();
    cache.join("index").join(format!("{name}-{}", key.get(..16).unwrap_or(&key)))
}

/// The index of the repository's own working tree.
pub fn base_dir(cache: &Path, repo: &Path) -> PathBuf {
    repo_dir(cache, repo).join("base")
}

/// The index of one run's worktree, seeded from the base.
pub fn view_dir(cache: &Path, repo: &Path, view: &str) -> PathBuf {
    repo_dir(cache, repo).join("views").join(view)
}
