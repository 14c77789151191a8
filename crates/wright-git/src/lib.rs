//! Git for wright: every run works on its own branch in its own worktree, outside the
//! user's tree, and every change lands there as a commit with wright's trailers.

// Input from strangers reaches every crate: a byte index that lands inside a character
// must not panic, so text is cut with `get`, `split_once` and the like, never `[a..b]`.
#![cfg_attr(not(test), deny(clippy::string_slice))]
// Test fixtures are written with std::fs; production code keeps to wright-tree.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod attempts;
mod commit;
mod conventional;
mod credentials;
mod guard;
mod history;
mod host_programs;
mod keep;
mod lfs;
mod patch_text;
mod push;
mod sandbox_dirs;
mod signing;
mod submodules;
mod token_hosts;
mod workspace;

pub use commit::{CommitInfo, CommitMessage};
pub use conventional::conventional_subject;
pub use guard::{private_dir, write_refusal};
pub use history::{CommitDetail, branch_commits, pushed_to, remove_worktree, undo};
pub use keep::{LeftOut, describe as describe_left_out};
pub use lfs::is_pointer as is_lfs_pointer;
pub use push::{PushReport, push, push_to_url};
pub use submodules::Submodule;
pub use token_hosts::TokenHosts;
pub use workspace::{DirtyCopy, Identity, TaskWorkspace, parse_identity, protected_by, slugify};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{0} is not inside a git repository; run `git init` and commit first, or pass --repo")]
    NotARepo(std::path::PathBuf),
    #[error("{0} is a bare repository; point --repo at a checkout")]
    Bare(std::path::PathBuf),
    #[error("the repository has no commits yet; commit something first so wright can branch from it")]
    Unborn,
    #[error("{0} already exists; wright will not overwrite it")]
    WorktreeExists(std::path::PathBuf),
    #[error("{0}")]
    Moved(String),
    #[error("{0}")]
    Refused(String),
    #[error("the push was rejected: {0}")]
    Rejected(String),
    #[error("git: {context}: {source}")]
    Git { context: String, source: git2::Error },
}

pub(crate) trait Context<T> {
    fn context(self, what: &str) -> Result<T, GitError>;
}

impl<T> Context<T> for Result<T, git2::Error> {
    fn context(self, what: &str) -> Result<T, GitError> {
        self.map_err(|source| GitError::Git { context: what.to_string(), source })
    }
}
