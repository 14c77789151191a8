//! The index cache kept within `cache_mb`: pruned as a run starts and by `wright clean`.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Result;
use wright_index::cache::{Policy, Pruned};

use crate::config::Settings;
use crate::runs;

/// Prunes the cache: indexes of repositories gone, views of runs that are over, then the
/// least recently used down to `cap_bytes`. `in_use`: a repository whose index stays.
pub fn prune(cap_bytes: u64, in_use: Option<&Path>) -> Result<Pruned> {
    let cache = crate::dirs::cache_dir();
    // Views of runs that are running or may resume stay.
    let live: HashSet<String> =
        runs::list().into_iter().filter(|r| r.status == "running" || r.resumable()).map(|r| r.id).collect();
    let in_use = match in_use {
        Some(repo) => Some(wright_index::location::remember(&cache, repo)?),
        None => None,
    };
    let policy = Policy { cap_bytes, keep_view: &|id| live.contains(id), in_use };
    Ok(wright_index::cache::prune(&cache, &policy)?)
}

/// The user's cap, in bytes.
pub fn cap(settings: &Settings) -> u64 {
    settings.cache_mb.saturating_mul(1 << 20)
}

/// One line for people: how much went, and what is left.
pub fn summary(pruned: &Pruned) -> String {
    let mb = |b: u64| b as f64 / (1u64 << 20) as f64;
    format!(
        "index cache: freed {:.1} MB in {} folders; {:.1} MB kept",
        mb(pruned.freed()),
        pruned.removed.len(),
        mb(pruned.kept_bytes)
    )
}
