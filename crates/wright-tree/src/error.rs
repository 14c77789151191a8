//! Why a path of the tree could not be touched, worded so the model (or the user) can act.

use rustix::io::Errno;

#[derive(Debug, thiserror::Error)]
pub enum TreeError {
    #[error("{path}: no such file or directory")]
    NotFound { path: String },
    #[error("{path}: a symbolic link is on the way; wright does not follow links in the worktree")]
    Symlink { path: String },
    #[error("{path}: is {what}, not a regular file")]
    NotRegular { path: String, what: &'static str },
    #[error("{path}: the path must be relative and stay inside the worktree")]
    Outside { path: String },
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
}

impl TreeError {
    /// Maps the errors a no-follow resolution gives to their meaning.
    pub(crate) fn io(path: String, e: std::io::Error) -> TreeError {
        match e.raw_os_error().map(Errno::from_raw_os_error) {
            Some(Errno::NOENT) => TreeError::NotFound { path },
            // ELOOP: a link where RESOLVE_NO_SYMLINKS or O_NOFOLLOW forbids one; ENOTDIR: a
            // link (or file) where a directory was wanted with O_NOFOLLOW; EXDEV: the
            // resolution would leave the root.
            Some(Errno::LOOP | Errno::NOTDIR) => TreeError::Symlink { path },
            Some(Errno::XDEV) => TreeError::Outside { path },
            _ => TreeError::Io { path, source: e },
        }
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, TreeError::NotFound { .. })
    }

    /// The path as the caller named it.
    pub fn path(&self) -> &str {
        match self {
            TreeError::NotFound { path }
            | TreeError::Symlink { path }
            | TreeError::NotRegular { path, .. }
            | TreeError::Outside { path }
            | TreeError::Io { path, .. } => path,
        }
    }

    /// What went wrong, without the path (for callers that print the path themselves).
    pub fn reason(&self) -> String {
        let full = self.to_string();
        full.strip_prefix(self.path()).and_then(|r| r.strip_prefix(": ")).unwrap_or(&full).to_string()
    }
}

impl From<TreeError> for std::io::Error {
    fn from(e: TreeError) -> Self {
        match e {
            TreeError::Io { source, .. } => source,
            TreeError::NotFound { .. } => std::io::Error::new(std::io::ErrorKind::NotFound, e.to_string()),
            other => std::io::Error::other(other.to_string()),
        }
    }
}
