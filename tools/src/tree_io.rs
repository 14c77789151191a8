//! Reading and writing files of the worktree the way edits need: text only, atomically,
//! keeping permissions, and only through wright-tree (no link followed, no FIFO opened).

use std::path::Path;

use wright_tree::{Tree, TreeError};

use crate::ToolError;

/// The largest file `edit` and `apply_patch` change.
const MAX_EDIT_BYTES: usize = 8 << 20;

/// The worktree, opened for host-side reads and writes.
pub(crate) fn tree(root: &Path) -> Result<Tree, ToolError> {
    Tree::open(root).map_err(|e| ToolError::Path(format!("the worktree is unavailable: {}", e.reason())))
}

/// `Ok(None)` when the file does not exist; an error for binary, unreadable or linked files.
pub(crate) fn read_text(tree: &Tree, rel: &Path, shown: &str) -> Result<Option<String>, ToolError> {
    let read = match tree.read(rel, MAX_EDIT_BYTES) {
        Ok(read) => read,
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(tree_err(tree, rel, shown, e)),
    };
    // Held whole and diffed: a stranger's huge file must not be.
    if read.cut() {
        return Err(ToolError::File {
            path: shown.to_string(),
            message: format!(
                "is {} MiB; wright edits files up to {} MiB (use run with a command to change it)",
                read.size >> 20,
                MAX_EDIT_BYTES >> 20
            ),
        });
    }
    if read.bytes.contains(&0) {
        return Err(ToolError::File {
            path: shown.to_string(),
            message: "is a binary file (it holds NUL bytes); wright edits text files only".into(),
        });
    }
    String::from_utf8(read.bytes).map(Some).map_err(|e| ToolError::File {
        path: shown.to_string(),
        message: format!(
            "is not UTF-8 text (invalid byte at offset {}); wright edits UTF-8 text files only",
            e.utf8_error().valid_up_to()
        ),
    })
}

/// Writes through a temporary file and a rename, keeping the old file's permissions.
pub(crate) fn write_atomic(tree: &Tree, rel: &Path, text: &str, shown: &str) -> Result<(), ToolError> {
    tree.write(rel, text.as_bytes(), None).map_err(|e| tree_err(tree, rel, shown, e))
}

/// A tree error as the model should read it: a link names where it points, so the model
/// can use that path instead.
pub(crate) fn tree_err(tree: &Tree, rel: &Path, shown: &str, e: TreeError) -> ToolError {
    let message = match (&e, tree.read_link(rel)) {
        (TreeError::Symlink { .. }, Ok(target)) => format!(
            "is a symbolic link (to {}); wright does not follow links in the worktree: use the file it points to, when that is inside the repository",
            target.display()
        ),
        (TreeError::Symlink { .. }, Err(_)) => {
            "a symbolic link stands on the way; wright does not follow links in the worktree: use the real path".into()
        }
        _ => e.reason(),
    };
    ToolError::File { path: shown.to_string(), message }
}

pub(crate) fn io_err(path: &str, e: std::io::Error) -> ToolError {
    ToolError::File { path: path.to_string(), message: e.to_string() }
}
