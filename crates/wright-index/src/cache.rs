//! Keeping the index cache bounded: indexes of repositories that no longer exist and views
//! of runs that are over go, then the least recently used indexes until the cache fits
//! its cap.

// The index cache is wright's own directory, never a tree.
#![allow(clippy::disallowed_methods)]

use std::collections::HashSet;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::IndexError;
use crate::location::{SOURCE, index_root};

/// One folder taken out of the cache, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Removed {
    pub path: PathBuf,
    pub bytes: u64,
    pub why: String,
}

/// What a prune did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Pruned {
    pub removed: Vec<Removed>,
    /// Bytes the cache holds afterwards.
    pub kept_bytes: u64,
}

impl Pruned {
    pub fn freed(&self) -> u64 {
        self.removed.iter().map(|r| r.bytes).sum()
    }
}

/// What may go.
pub struct Policy<'a> {
    /// The most the cache may hold; the least recently used repositories go first.
    pub cap_bytes: u64,
    /// Whether the view of run `id` is still wanted (its run may resume).
    pub keep_view: &'a dyn Fn(&str) -> bool,
    /// A repository's folder never evicted for size (the one in use now).
    pub in_use: Option<PathBuf>,
}

/// Prunes the cache under `cache` by `policy`.
pub fn prune(cache: &Path, policy: &Policy) -> Result<Pruned, IndexError> {
    let root = index_root(cache);
    let mut pruned = Pruned::default();
    let Ok(entries) = std::fs::read_dir(&root) else { return Ok(pruned) };
    // (last used, what may go for size, the repository's bytes, the bytes that would go)
    let mut kept: Vec<(SystemTime, PathBuf, u64, u64)> = Vec::new();
    for repo_dir in entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()) {
        let source = std::fs::read_to_string(repo_dir.join(SOURCE)).ok().map(|s| PathBuf::from(s.trim_end()));
        if source.as_ref().is_some_and(|s| !s.is_dir()) {
            remove(&repo_dir, "its repository no longer exists", &mut pruned)?;
            continue;
        }
        let mut live_views = false;
        if let Ok(views) = std::fs::read_dir(repo_dir.join("views")) {
            for view in views.flatten() {
                let id = view.file_name().to_string_lossy().to_string();
                if (policy.keep_view)(&id) {
                    live_views = true;
                } else {
                    remove(&view.path(), "its run is over", &mut pruned)?;
                }
            }
        }
        // A run that may resume keeps its view; for size, only the base index can go.
        let evictable = if live_views { repo_dir.join("base") } else { repo_dir.clone() };
        kept.push((last_used(&repo_dir), evictable.clone(), size(&repo_dir), size(&evictable)));
    }
    kept.sort_by_key(|k| k.0);
    let mut total: u64 = kept.iter().map(|k| k.2).sum();
    for (_, dir, _, bytes) in &kept {
        if total <= policy.cap_bytes {
            break;
        }
        if !dir.exists() || policy.in_use.as_deref().is_some_and(|u| dir.starts_with(u)) {
            continue;
        }
        let cap_mb = policy.cap_bytes as f64 / f64::from(1u32 << 20);
        let why = format!("the cache was over its cap of {cap_mb:.0} MB; least recently used");
        remove(dir, &why, &mut pruned)?;
        total = total.saturating_sub(*bytes);
    }
    pruned.kept_bytes = total;
    Ok(pruned)
}

fn remove(dir: &Path, why: &str, pruned: &mut Pruned) -> Result<(), IndexError> {
    let bytes = size(dir);
    std::fs::remove_dir_all(dir).map_err(|e| IndexError::io(dir, e))?;
    pruned.removed.push(Removed { path: dir.to_path_buf(), bytes, why: why.to_string() });
    Ok(())
}

/// When the repository's index was last opened (its source file is rewritten then).
fn last_used(repo_dir: &Path) -> SystemTime {
    let stamp = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    stamp(&repo_dir.join(SOURCE)).or_else(|| stamp(repo_dir)).unwrap_or(SystemTime::UNIX_EPOCH)
}

/// Bytes on disk under `dir`; a file hard-linked into several views counts once.
fn size(dir: &Path) -> u64 {
    let mut seen = HashSet::new();
    let mut total = 0u64;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(entry.path());
            } else if seen.insert((meta.dev(), meta.ino())) {
                total = total.saturating_add(meta.len());
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::location::{remember, view_dir};

    fn fill(dir: &Path, bytes: usize) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("segment"), vec![0u8; bytes]).unwrap();
    }

    #[test]
    fn gone_repositories_over_runs_and_the_least_recently_used_go() {
        let cache = tempfile::tempdir().unwrap();
        let repos = tempfile::tempdir().unwrap();
        let [old, recent, gone] = ["old", "recent", "gone"].map(|n| {
            let repo = repos.path().join(n);
            std::fs::create_dir_all(&repo).unwrap();
            let dir = remember(cache.path(), &repo).unwrap();
            fill(&dir.join("base"), 1000);
            (repo, dir)
        });
        // `old` was opened long ago; `recent` just now.
        let long_ago = SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options().write(true).open(old.1.join(SOURCE)).unwrap().set_modified(long_ago).unwrap();
        std::fs::remove_dir_all(&gone.0).unwrap();
        fill(&view_dir(cache.path(), &recent.0, "live"), 10);
        fill(&view_dir(cache.path(), &recent.0, "over"), 10);
        let policy = Policy { cap_bytes: 1500, keep_view: &|id| id == "live", in_use: None };
        let pruned = prune(cache.path(), &policy).unwrap();
        let why: Vec<(String, &str)> = pruned
            .removed
            .iter()
            .map(|r| (r.path.file_name().unwrap().to_string_lossy().to_string(), r.why.split(';').next().unwrap()))
            .collect();
        assert_eq!(why.len(), 3, "{why:?}");
        assert!(why.iter().any(|(n, w)| n.starts_with("gone-") && *w == "its repository no longer exists"), "{why:?}");
        assert!(why.contains(&("over".into(), "its run is over")), "{why:?}");
        assert!(
            why.iter().any(|(n, w)| n.starts_with("old-") && w.starts_with("the cache was over its cap")),
            "{why:?}"
        );
        assert!(view_dir(cache.path(), &recent.0, "live").is_dir() && recent.1.join("base").is_dir());
        assert!(pruned.freed() >= 2000 && pruned.kept_bytes <= 1500, "{pruned:?}");

        // With a run that may resume, only the base index goes for size, not its view.
        let policy = Policy { cap_bytes: 0, keep_view: &|id| id == "live", in_use: None };
        let pruned = prune(cache.path(), &policy).unwrap();
        assert_eq!(pruned.removed.len(), 1, "{pruned:?}");
        assert!(!recent.1.join("base").exists() && view_dir(cache.path(), &recent.0, "live").is_dir());
        fill(&recent.1.join("base"), 1000);

        // The repository in use stays, even over the cap.
        let policy = Policy { cap_bytes: 0, keep_view: &|_| true, in_use: Some(recent.1.clone()) };
        assert!(prune(cache.path(), &policy).unwrap().removed.is_empty());
        assert!(prune(&cache.path().join("nothing"), &policy).unwrap().removed.is_empty(), "no cache is no error");
    }
}
