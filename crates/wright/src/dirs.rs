//! Where wright keeps its files: never inside the user's tree.

use std::path::PathBuf;

fn home() -> PathBuf {
    std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("/tmp"))
}

fn xdg(var: &str, fallback: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => home().join(fallback),
    }
}

/// `$XDG_DATA_HOME/wright` (runs, worktrees, journals).
pub fn data_dir() -> PathBuf {
    xdg("XDG_DATA_HOME", ".local/share").join("wright")
}

/// `$XDG_CACHE_HOME/wright` (code indexes; safe to delete).
pub fn cache_dir() -> PathBuf {
    xdg("XDG_CACHE_HOME", ".cache").join("wright")
}

/// `$XDG_CONFIG_HOME/wright/config.toml`.
pub fn user_config() -> PathBuf {
    xdg("XDG_CONFIG_HOME", ".config").join("wright").join("config.toml")
}

/// A short run id: 8 hex digits, unique enough for one user's runs.
pub fn new_run_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0));
    h.write_u32(std::process::id());
    format!("{:08x}", h.finish() as u32)
}
