//! Keeps every path inside the worktree: no absolute escapes, no `..` above the root, and
//! no `.git`. Links are not followed at all: wright-tree refuses them when the path is
//! opened, so a link swapped in after this check still leads nowhere.

use std::path::{Component, Path, PathBuf};

use crate::ToolError;

/// A model-given path as a clean path relative to `root`.
pub(crate) fn resolve(root: &Path, given: &str) -> Result<PathBuf, ToolError> {
    let given = given.trim();
    if given.is_empty() {
        return Err(ToolError::Path("the path is empty; give a path relative to the repository root".into()));
    }
    let raw = Path::new(given);
    let relative = if raw.is_absolute() {
        let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        raw.strip_prefix(&canonical_root).or_else(|_| raw.strip_prefix(root)).map_err(|_| outside(given))?.to_path_buf()
    } else {
        raw.to_path_buf()
    };
    let mut clean = PathBuf::new();
    for part in relative.components() {
        match part {
            Component::Normal(p) => {
                if p == ".git" {
                    return Err(ToolError::Path(format!("{given}: wright manages .git itself; tools cannot touch it")));
                }
                clean.push(p);
            }
            Component::CurDir => {}
            Component::ParentDir => {
                if !clean.pop() {
                    return Err(outside(given));
                }
            }
            Component::RootDir | Component::Prefix(_) => return Err(outside(given)),
        }
    }
    Ok(clean)
}

/// Resolves a path the tool is about to write: as [`resolve`], not inside a submodule or
/// at a path tracked by Git LFS, where a change could not be committed faithfully, and
/// not under a path the run's `workspace` protects.
pub(crate) fn resolve_writable(
    root: &Path,
    given: &str,
    workspace: Option<&wright_git::TaskWorkspace>,
) -> Result<PathBuf, ToolError> {
    let rel = resolve(root, given)?;
    let shown = rel.to_string_lossy();
    match workspace.and_then(|w| w.refusal(&shown)).or_else(|| wright_git::write_refusal(root, &shown)) {
        Some(why) => Err(ToolError::Path(why)),
        None => Ok(rel),
    }
}

fn outside(given: &str) -> ToolError {
    ToolError::Path(format!("{given} is outside the repository; use a path relative to the repository root"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("src")).unwrap();
        let real = root.canonicalize().unwrap();
        assert_eq!(resolve(root, "src/a.py").unwrap(), Path::new("src/a.py"));
        assert_eq!(resolve(root, "./src/../b.py").unwrap(), Path::new("b.py"));
        assert!(resolve(root, "../etc/passwd").is_err());
        assert!(resolve(root, "/etc/passwd").is_err());
        assert!(resolve(root, ".git/config").is_err());
        assert!(resolve(root, "").is_err());
        let abs = real.join("src/a.py");
        assert_eq!(resolve(root, abs.to_str().unwrap()).unwrap(), Path::new("src/a.py"));
    }
}
