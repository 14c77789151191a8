//! A rollback journal for multi-file patches. Before the first write, the original of
//! every file a patch touches is saved (and synced) next to the repository's git data;
//! it is removed once every write is done. If wright is killed in between, the next
//! edit on that tree finds the journal and puts every file back first, so a patch is
//! never left half applied.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ToolError;
use crate::paths::resolve;
use crate::tree_io::{io_err, read_text, tree, tree_err};

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
    place: Place,
}

/// Records the current state of `paths` (relative to `root`) before they are written.
pub(crate) fn begin(root: &Path, paths: &[&str]) -> Result<Journal, ToolError> {
    let tree = tree(root)?;
    let mut entries = Vec::new();
    for path in paths {
        let rel = resolve(root, path)?;
        let before = read_text(&tree, &rel, path)?;
        let mode = before.as_ref().and_then(|_| tree.stat(&rel).ok().flatten()).map(|e| e.mode);
        entries.push(Entry { path: path.to_string(), before, mode });
    }
    let place = Place::of(root)?;
    let json = serde_json::to_vec(&entries).map_err(|e| ToolError::Failed(format!("patch journal: {e}")))?;
    place.save(&json)?;
    Ok(Journal { place })
}

impl Journal {
    /// Every write landed: the journal is no longer needed.
    pub(crate) fn finish(self) -> Result<(), ToolError> {
        self.place.remove()
    }
}

/// Rolls back a patch that was interrupted on `root`; returns the files put back
/// (empty when there was nothing to do).
pub fn recover(root: &Path) -> Result<Vec<String>, ToolError> {
    let place = Place::of(root)?;
    let Some(bytes) = place.load()? else { return Ok(Vec::new()) };
    let shown = place.shown();
    let entries: Vec<Entry> = serde_json::from_slice(&bytes).map_err(|e| {
        ToolError::Failed(format!("{shown} is damaged ({e}); check the files it names, then delete it"))
    })?;
    let tree = tree(root)?;
    let mut restored = Vec::new();
    for entry in entries {
        let rel = resolve(root, &entry.path)?;
        // The kill may have landed between writing a temporary file and renaming it.
        if let Some(tmp) = wright_tree::temp_path(&rel) {
            remove_if_there(&tree, &tmp, &entry.path)?;
        }
        match &entry.before {
            Some(text) => {
                // Removed first so the journal's mode, not the current file's, is kept.
                remove_if_there(&tree, &rel, &entry.path)?;
                tree.write(&rel, text.as_bytes(), entry.mode).map_err(|e| tree_err(&tree, &rel, &entry.path, e))?;
            }
            None => {
                remove_if_there(&tree, &rel, &entry.path)?;
                remove_empty_parents(&tree, &rel);
            }
        }
        restored.push(entry.path);
    }
    place.remove()?;
    Ok(restored)
}

fn remove_if_there(tree: &wright_tree::Tree, rel: &Path, shown: &str) -> Result<(), ToolError> {
    match tree.remove_file(rel) {
        Ok(()) => Ok(()),
        Err(e) if e.is_not_found() => Ok(()),
        Err(e) => Err(tree_err(tree, rel, shown, e)),
    }
}

/// Directories the patch created for a file that is gone again.
fn remove_empty_parents(tree: &wright_tree::Tree, rel: &Path) {
    let mut dir = rel.parent();
    while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
        if tree.remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

/// Where the journal lives: the checkout's git directory as git2 finds it (outside the
/// tree, wright's own to write), or the tree's root, reached like any file of the tree,
/// when it is no git checkout.
enum Place {
    GitDir(PathBuf),
    Tree(wright_tree::Tree),
}

// The git directory is wright's to write (as git2 finds it, bound read-only in the
// sandbox); the tree's place goes through wright-tree.
#[allow(clippy::disallowed_methods)]
impl Place {
    fn of(root: &Path) -> Result<Place, ToolError> {
        Ok(match wright_git::private_dir(root) {
            Some(dir) => Place::GitDir(dir.join(NAME)),
            None => Place::Tree(tree(root)?),
        })
    }

    fn in_tree() -> PathBuf {
        PathBuf::from(format!(".{NAME}"))
    }

    fn shown(&self) -> String {
        match self {
            Place::GitDir(file) => file.display().to_string(),
            Place::Tree(_) => Self::in_tree().display().to_string(),
        }
    }

    /// Written whole and synced before the first change it guards.
    fn save(&self, bytes: &[u8]) -> Result<(), ToolError> {
        let shown = self.shown();
        match self {
            Place::GitDir(file) => {
                let tmp = file.with_extension("tmp");
                let mut out = std::fs::File::create(&tmp).map_err(|e| io_err(&shown, e))?;
                out.write_all(bytes).and_then(|()| out.sync_all()).map_err(|e| io_err(&shown, e))?;
                std::fs::rename(&tmp, file).map_err(|e| io_err(&shown, e))
            }
            Place::Tree(t) => t.write(&Self::in_tree(), bytes, Some(0o600)).map_err(|e| io_err(&shown, e.into())),
        }
    }

    fn load(&self) -> Result<Option<Vec<u8>>, ToolError> {
        let shown = self.shown();
        match self {
            Place::GitDir(file) => match std::fs::read(file) {
                Ok(b) => Ok(Some(b)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(e) => Err(io_err(&shown, e)),
            },
            Place::Tree(t) => match t.read(&Self::in_tree(), 64 << 20) {
                Ok(read) => Ok(Some(read.bytes)),
                Err(e) if e.is_not_found() => Ok(None),
                Err(e) => Err(io_err(&shown, e.into())),
            },
        }
    }

    fn remove(&self) -> Result<(), ToolError> {
        let shown = self.shown();
        match self {
            Place::GitDir(file) => std::fs::remove_file(file).map_err(|e| io_err(&shown, e)),
            Place::Tree(t) => t.remove_file(&Self::in_tree()).map_err(|e| io_err(&shown, e.into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn an_interrupted_patch_is_rolled_back() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert!(std::process::Command::new("git").args(["init", "-q"]).current_dir(root).status().unwrap().success());
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
