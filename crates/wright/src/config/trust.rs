//! Whose a repository is. What its own `wright.toml` may set is declared on each setting
//! (`#[repo(..)]` in `settings.rs`); here: the repository's root, and whether the user
//! trusts it.

use std::path::{Path, PathBuf};

use super::field::RepoRule;
use super::known;

/// The settings a repository may set, for messages, in the order `wright config` lists them.
pub fn repo_keys() -> String {
    let open = known::fields().iter().filter(|f| matches!(f.repo, RepoRule::Any | RepoRule::Lower));
    open.map(|f| f.key.as_str()).collect::<Vec<_>>().join(", ")
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
        let rule = |key: &str| known::find(key).map_or(RepoRule::UserOnly, |f| f.repo);
        assert_eq!(rule("test_command"), RepoRule::Any);
        assert_eq!(rule("max_steps"), RepoRule::Lower);
        assert_eq!(rule("attempts"), RepoRule::Lower);
        assert_eq!(rule("attempt_temperature"), RepoRule::UserOnly);
        // Unset is not "none": a repository's value would turn drafts on for the full prompt.
        assert_eq!(rule("draft_attempts"), RepoRule::UserOnly);
        assert_eq!(rule("git.token_hosts"), RepoRule::UserFile);
        for user_only in
            ["base_url", "model", "sandbox.backend", "sandbox.network", "sandbox.env", "prices.x", "new_key"]
        {
            assert_eq!(rule(user_only), RepoRule::UserOnly, "{user_only}");
        }
        assert_eq!(
            repo_keys(),
            "max_tokens, max_steps, token_budget, timeout_secs, attempts, test_command, test_timeout_secs, \
             baseline_timeout_secs, run_timeout_secs, tool_output_chars, briefing_tokens, git.commit_messages"
        );
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
