//! A rollback journal for multi-file patches. Before the first write, the original of
//! every file a patch touches is saved (and synced) next to the repository's git data;
//! it is removed once every write is done. If wright is killed in between, the next
//! edit on that tree finds the journal and puts every file back first, so a patch is
//! never left half applied.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ToolError;
use crate::paths::resolve;
use crate::tree_io::{io_err, write_atomic};

const NAME: &str = "wright-patch.journal";

#[derive(Serialize, Deserialize)]
struct Entry {
    path: String,
    /// `None`: the file did not exist and is removed on rollback.
    before: Option<String>,
    mode: Option<u32>,
}

/// An open journal: drop it without [`Journal::finish`] and the patch counts as interrupted.
pub(crate) struct Journal {
    file: PathBuf,
}

/// Records the current state of `paths` (relative to `root`) before they are written.
pub(crate) fn begin(root: &Path, paths: &[&str]) -> Result<Journal, ToolError> {
    let mut entries = Vec::new();
    for path in paths {
        let full = resolve(root, path)?;
        let (before, mode) = match std::fs::read(&full) {
            Ok(bytes) => {
                let mode = std::fs::metadata(&full).map(|m| m.permissions().mode()).ok();
                (Some(String::from_utf8_lossy(&bytes).into_owned()), mode)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, None),
            Err(e) => return Err(io_err(path, e)),
        };
        entries.push(Entry { path: path.to_string(), before, mode });
    }
    let file = location(root);
    let json = serde_json::to_vec(&entries).map_err(|e| ToolError::Failed(format!("patch journal: {e}")))?;
    let tmp = file.with_extension("tmp");
    let shown = file.display().to_string();
    let mut out = std::fs::File::create(&tmp).map_err(|e| io_err(&shown, e))?;
    out.write_all(&json).and_then(|()| out.sync_all()).map_err(|e| io_err(&shown, e))?;
    std::fs::rename(&tmp, &file).map_err(|e| io_err(&shown, e))?;
    Ok(Journal { file })
}

impl Journal {
    /// Every write landed: the journal is no longer needed.
    pub(crate) fn finish(self) -> Result<(), ToolError> {
        std::fs::remove_file(&self.file).map_err(|e| io_err(&self.file.display().to_string(), e))
    }
}

/// Rolls back a patch that was interrupted on `root`; returns the files put back
/// (empty when there was nothing to do).
pub fn recover(root: &Path) -> Result<Vec<String>, ToolError> {
    let file = location(root);
    let shown = file.display().to_string();
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io_err(&shown, e)),
    };
    let entries: Vec<Entry> = serde_json::from_slice(&bytes).map_err(|e| {
        ToolError::Failed(format!("{shown} is damaged ({e}); check the files it names, then delete it"))
    })?;
    let mut restored = Vec::new();
    for entry in entries {
        let full = resolve(root, &entry.path)?;
        // The kill may have landed between writing a temporary file and renaming it.
        if let Some(tmp) = crate::tree_io::temp_path(&full) {
            remove_if_there(&tmp, &entry.path)?;
        }
        match &entry.before {
            Some(text) => {
                write_atomic(&full, text, &entry.path)?;
                if let Some(mode) = entry.mode {
                    let _ = std::fs::set_permissions(&full, std::fs::Permissions::from_mode(mode));
                }
            }
            None => {
                remove_if_there(&full, &entry.path)?;
                remove_empty_parents(root, &full);
            }
        }
        restored.push(entry.path);
    }
    std::fs::remove_file(&file).map_err(|e| io_err(&shown, e))?;
    Ok(restored)
}

fn remove_if_there(full: &Path, shown: &str) -> Result<(), ToolError> {
    match std::fs::remove_file(full) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_err(shown, e)),
    }
}

/// Directories the patch created for a file that is gone again.
fn remove_empty_parents(root: &Path, full: &Path) {
    let mut dir = full.parent();
    while let Some(d) = dir.filter(|d| d.starts_with(root) && *d != root) {
        if std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// In the repository's git directory (a worktree's own one), outside the tree; in the
/// tree's root when it is not a git checkout.
fn location(root: &Path) -> PathBuf {
    let dot_git = root.join(".git");
    if dot_git.is_dir() {
        return dot_git.join(NAME);
    }
    if let Ok(text) = std::fs::read_to_string(&dot_git)
        && let Some(dir) = text.trim().strip_prefix("gitdir:")
    {
        let dir = root.join(dir.trim());
        if dir.is_dir() {
            return dir.join(NAME);
        }
    }
    root.join(format!(".{NAME}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupted_patch_is_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join(".git")).unwrap();
        std::fs::write(root.join("a.py"), "a = 1\n").unwrap();
        std::fs::write(root.join("b.sh"), "echo b\n").unwrap();
        std::fs::set_permissions(root.join("b.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
        let journal = begin(root, &["a.py", "b.sh", "new.py", "sub/dir/n.py"]).unwrap();
        // The patch got this far when the process died: one file rewritten, one added, one deleted.
        std::fs::write(root.join("a.py"), "a = 2\n").unwrap();
        std::fs::write(root.join("new.py"), "n = 1\n").unwrap();
        std::fs::create_dir_all(root.join("sub/dir")).unwrap();
        std::fs::write(root.join("sub/dir/.n.py.wright-tmp"), "half").unwrap();
        std::fs::remove_file(root.join("b.sh")).unwrap();
        std::mem::forget(journal);
        assert!(root.join(".git").join(NAME).exists());

        let restored = recover(root).unwrap();
        assert_eq!(restored, vec!["a.py", "b.sh", "new.py", "sub/dir/n.py"]);
        assert_eq!(std::fs::read_to_string(root.join("a.py")).unwrap(), "a = 1\n");
        assert_eq!(std::fs::read_to_string(root.join("b.sh")).unwrap(), "echo b\n");
        assert_eq!(std::fs::metadata(root.join("b.sh")).unwrap().permissions().mode() & 0o777, 0o755);
        assert!(!root.join("new.py").exists());
        assert!(!root.join("sub").exists(), "directories the patch made are gone");
        assert!(recover(root).unwrap().is_empty(), "the journal is gone after recovery");
    }

    #[test]
    fn a_finished_patch_leaves_no_journal() {
        let dir = tempfile::tempdir().unwrap();
        begin(dir.path(), &["x"]).unwrap().finish().unwrap();
        assert!(recover(dir.path()).unwrap().is_empty());
    }
}
