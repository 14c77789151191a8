//! Where indexes live: under wright's cache directory, one folder per repository
//! (keyed by its canonical path), never inside the user's tree.

// The index cache is wright's own directory, never a tree.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};

/// The file in a repository's folder that names the repository; rewritten each time its
/// index is opened, so its mtime says when it was last used.
pub const SOURCE: &str = "source";

/// `<cache>/index`: every repository's folder.
pub fn index_root(cache: &Path) -> PathBuf {
    cache.join("index")
}

/// Notes in the repository's folder which repository it indexes, and that it is in use
/// now; returns the folder.
pub fn remember(cache: &Path, repo: &Path) -> std::io::Result<PathBuf> {
    let dir = repo_dir(cache, repo);
    std::fs::create_dir_all(&dir)?;
    let canonical = repo.canonicalize().unwrap_or_else(|_| repo.to_path_buf());
    std::fs::write(dir.join(SOURCE), format!("{}\n", canonical.display()))?;
    Ok(dir)
}

/// `<cache>/index/<name>-<key>`: the folder of one repository's indexes.
pub fn repo_dir(cache: &Path, repo: &Path) -> PathBuf {
    let canonical = repo.canonicalize().unwrap_or_else(|_| repo.to_path_buf());
    let name: String = canonical
        .file_name()
        .map(|n| n.to_string_lossy().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect())
        .unwrap_or_default();
    let key = blake3::hash(canonical.to_string_lossy().as_bytes()).to_hex();
    index_root(cache).join(format!("{name}-{}", key.get(..16).unwrap_or(&key)))
}

/// The index of the repository's own working tree.
pub fn base_dir(cache: &Path, repo: &Path) -> PathBuf {
    repo_dir(cache, repo).join("base")
}

/// The index of one run's worktree, seeded from the base.
pub fn view_dir(cache: &Path, repo: &Path, view: &str) -> PathBuf {
    repo_dir(cache, repo).join("views").join(view)
}
