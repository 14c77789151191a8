//! Reading and writing files of the worktree the way edits need: text only, atomically,
//! keeping permissions.

use std::path::Path;

use crate::ToolError;

/// The largest file `edit` and `apply_patch` change.
const MAX_EDIT_BYTES: u64 = 8 << 20;

/// `Ok(None)` when the file does not exist; an error for binary or unreadable files.
pub(crate) fn read_text(full: &Path, shown: &str) -> Result<Option<String>, ToolError> {
    // Held whole and diffed: a stranger's huge file must not be.
    if let Ok(meta) = std::fs::metadata(full)
        && meta.len() > MAX_EDIT_BYTES
    {
        return Err(ToolError::File {
            path: shown.to_string(),
            message: format!(
                "is {} MiB; wright edits files up to {} MiB (use run with a command to change it)",
                meta.len() >> 20,
                MAX_EDIT_BYTES >> 20
            ),
        });
    }
    match std::fs::read(full) {
        Ok(bytes) if bytes.contains(&0) => Err(ToolError::File {
            path: shown.to_string(),
            message: "is a binary file (it holds NUL bytes); wright edits text files only".into(),
        }),
        Ok(bytes) => String::from_utf8(bytes).map(Some).map_err(|e| ToolError::File {
            path: shown.to_string(),
            message: format!(
                "is not UTF-8 text (invalid byte at offset {}); wright edits UTF-8 text files only",
                e.utf8_error().valid_up_to()
            ),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io_err(shown, e)),
    }
}

/// Where [`write_atomic`] stages `full` before renaming it into place.
pub(crate) fn temp_path(full: &Path) -> Option<std::path::PathBuf> {
    let name = full.file_name()?.to_string_lossy();
    Some(full.with_file_name(format!(".{name}.wright-tmp")))
}

/// Writes through a temporary file and a rename, keeping the old file's permissions.
pub(crate) fn write_atomic(full: &Path, text: &str, shown: &str) -> Result<(), ToolError> {
    let dir = full.parent().ok_or_else(|| io_err(shown, std::io::Error::other("no parent directory")))?;
    std::fs::create_dir_all(dir).map_err(|e| io_err(shown, e))?;
    let tmp = temp_path(full).ok_or_else(|| io_err(shown, std::io::Error::other("no file name")))?;
    std::fs::write(&tmp, text).map_err(|e| io_err(shown, e))?;
    if let Ok(meta) = std::fs::metadata(full) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, full).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_err(shown, e)
    })
}

pub(crate) fn io_err(path: &str, e: std::io::Error) -> ToolError {
    ToolError::File { path: path.to_string(), message: e.to_string() }
}
