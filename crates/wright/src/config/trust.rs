//! What a repository's own `wright.toml` may set. The repository is input from strangers
//! (a fork's branch, a cloned project): it may choose among safe settings, never the
//! endpoint, a credential, the sandbox, prices, or a budget above the user's. Deny by
//! default: a key not listed here, including keys added later, is user-only.

use std::path::{Path, PathBuf};

/// How a repository's value combines with the user's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A layer above the user's file, below the environment and flags.
    Any,
    /// Only the smaller of the repository's value and the user's (or the default) holds.
    Lower,
}

/// In the order `wright config` lists them, which is the order notices name them in.
const REPO_KEYS: &[(&str, Rule)] = &[
    ("max_tokens", Rule::Lower),
    ("max_steps", Rule::Lower),
    ("token_budget", Rule::Lower),
    ("timeout_secs", Rule::Lower),
    ("test_command", Rule::Any),
    ("test_timeout_secs", Rule::Lower),
    ("baseline_timeout_secs", Rule::Lower),
    ("run_timeout_secs", Rule::Lower),
    ("tool_output_chars", Rule::Lower),
    ("briefing_tokens", Rule::Lower),
    ("git.commit_messages", Rule::Any),
];

/// The rule for `key` in an untrusted repository's file; `None`: user-only.
pub fn rule(key: &str) -> Option<Rule> {
    REPO_KEYS.iter().find(|(k, _)| *k == key).map(|(_, r)| *r)
}

/// The keys a repository may set, for messages.
pub fn repo_keys() -> String {
    REPO_KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
}

/// Keys no repository's file sets, even a trusted one: they send the user's credentials
/// somewhere, and a repository would name its own host.
const USER_FILE_ONLY: &[&str] = &["git.token_hosts"];

/// Whether only the user's own config file may set `key`.
pub fn user_file_only(key: &str) -> bool {
    USER_FILE_ONLY.contains(&key)
}

/// The repository root of `dir`: the nearest ancestor with a `.git`, else `dir` itself.
pub fn repo_root(dir: &Path) -> PathBuf {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    dir.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf).unwrap_or(dir)
}

/// Whether the user's `trusted_repos` names `root` (compared as canonical paths).
pub fn listed(root: &Path, trusted: &[String]) -> bool {
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let root = canonical(root);
    trusted.iter().any(|t| {
        let t = Path::new(t);
        let t = match t.strip_prefix("~") {
            Ok(rest) => std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default().join(rest),
            Err(_) => t.to_path_buf(),
        };
        canonical(&t) == root
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_keys_are_open_to_a_repository() {
        assert_eq!(rule("test_command"), Some(Rule::Any));
        assert_eq!(rule("max_steps"), Some(Rule::Lower));
        for user_only in
            ["base_url", "model", "sandbox.backend", "sandbox.network", "sandbox.env", "prices.x", "new_key"]
        {
            assert_eq!(rule(user_only), None, "{user_only}");
        }
    }

    #[test]
    fn the_root_is_found_from_a_subdirectory_and_matched_canonically() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("proj");
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("src/deep")).unwrap();
        assert_eq!(repo_root(&root.join("src/deep")), root.canonicalize().unwrap());
        let spelled = format!("{}/src/..", root.display());
        assert!(listed(&root, &[spelled]));
        assert!(!listed(&root, &[dir.path().display().to_string()]));
    }
}
