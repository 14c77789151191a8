//! Touching a stranger's tree from the host. A worktree holds whatever its repository,
//! a test or a model's command put there: a symlink to `~/.ssh/id_ed25519` or to
//! `~/.gitconfig`, a FIFO that blocks a reader forever, a file of `/dev/zero`'s size.
//! Every host-side read and write of a worktree path goes through [`Tree`]:
//!
//! - each path component is resolved beneath the root without following a symlink
//!   (`openat2` with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`, or an `O_NOFOLLOW` walk
//!   where the kernel lacks it);
//! - reads open with `O_NONBLOCK | O_NOFOLLOW`, check the descriptor is a regular file
//!   and stop at a cap;
//! - writes go through an `O_CREAT | O_EXCL | O_NOFOLLOW` temporary in the same
//!   directory, with the mode set on the descriptor, then a rename.

#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod dirs;
mod error;
mod read;
mod resolve;
mod write;

use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

pub use dirs::{Entry, Kind};
pub use error::TreeError;
pub use read::Capped;
pub use write::temp_path;

/// A directory tree wright does not trust, opened once at its root.
#[derive(Debug)]
pub struct Tree {
    root: OwnedFd,
    path: PathBuf,
}

impl Tree {
    /// Opens `root`, a path wright chose (a run's worktree, the user's checkout); the
    /// root itself may be reached through links, nothing beneath it is.
    pub fn open(root: &Path) -> Result<Tree, TreeError> {
        let fd = resolve::open_root(root).map_err(|e| TreeError::io(root.display().to_string(), e))?;
        Ok(Tree { root: fd, path: root.to_path_buf() })
    }

    /// The root as it was given.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `full` relative to the root, when it lies under it (by its text, no link followed).
    pub fn relative<'a>(&self, full: &'a Path) -> Option<&'a Path> {
        full.strip_prefix(&self.path).ok()
    }
}

/// At most `limit` bytes of `rel` beneath `root`, when both open and `rel` is a regular
/// file reached without a link; a shorthand for one-off reads.
pub fn read_capped(root: &Path, rel: &Path, limit: usize) -> Result<Capped, TreeError> {
    Tree::open(root)?.read(rel, limit)
}

#[cfg(test)]
mod tests;
