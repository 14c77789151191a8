//! Keeps every path inside the worktree: no absolute escapes, no `..` above the root, no
//! symlink that leads out, and no `.git`.

use std::path::{Component, Path, PathBuf};

use crate::ToolError;

/// Resolves a model-given path to a path inside `root`.
pub(crate) fn resolve(root: &Path, given: &str) -> Result<PathBuf, ToolError> {
    let given = given.trim();
    if given.is_empty() {
        return Err(ToolError::Path("the path is empty; give a path relative to the repository root".into()));
    }
    let canonical_root =
        root.canonicalize().map_err(|e| ToolError::Path(format!("the worktree is unavailable: {e}")))?;
    let raw = Path::new(given);
    let relative = if raw.is_absolute() {
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
    let full = canonical_root.join(&clean);
    // A symlink anywhere along the way must not lead out of the worktree.
    let mut existing = full.as_path();
    while !existing.exists() {
        match existing.parent() {
            Some(p) => existing = p,
            None => break,
        }
    }
    let real = existing.canonicalize().map_err(|e| ToolError::Path(format!("{given}: {e}")))?;
    if !real.starts_with(&canonical_root) {
        return Err(outside(given));
    }
    Ok(full)
}

/// Resolves a path the tool is about to write: as [`resolve`], not inside a submodule or
/// at a path tracked by Git LFS, where a change could not be committed faithfully, and
/// not under a path the run's `workspace` protects.
pub(crate) fn resolve_writable(
    root: &Path,
    given: &str,
    workspace: Option<&wright_git::TaskWorkspace>,
) -> Result<PathBuf, ToolError> {
    let full = resolve(root, given)?;
    let rel = display(root, &full);
    match workspace.and_then(|w| w.refusal(&rel)).or_else(|| wright_git::write_refusal(root, &rel)) {
        Some(why) => Err(ToolError::Path(why)),
        None => Ok(full),
    }
}

/// The path relative to the root, for messages and commits.
pub(crate) fn display(root: &Path, path: &Path) -> String {
    let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    path.strip_prefix(&root).unwrap_or(path).to_string_lossy().into_owned()
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
        assert_eq!(resolve(root, "src/a.py").unwrap(), real.join("src/a.py"));
        assert_eq!(resolve(root, "./src/../b.py").unwrap(), real.join("b.py"));
        assert!(resolve(root, "../etc/passwd").is_err());
        assert!(resolve(root, "/etc/passwd").is_err());
        assert!(resolve(root, ".git/config").is_err());
        assert!(resolve(root, "").is_err());
        std::os::unix::fs::symlink("/etc", root.join("link")).unwrap();
        assert!(resolve(root, "link/passwd").is_err());
        let abs = real.join("src/a.py");
        assert_eq!(resolve(root, abs.to_str().unwrap()).unwrap(), abs);
    }
}
