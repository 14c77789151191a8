//! A git2 diff as text: its patch, and the paths it touches.

use git2::{Diff, DiffFormat};

use crate::{Context, GitError};

/// The diff as a unified patch.
pub(crate) fn render(diff: &Diff) -> Result<String, GitError> {
    let mut out = String::new();
    diff.print(DiffFormat::Patch, |_, _, line| {
        if matches!(line.origin(), '+' | '-' | ' ') {
            out.push(line.origin());
        }
        out.push_str(&String::from_utf8_lossy(line.content()));
        true
    })
    .context("rendering a diff")?;
    Ok(out)
}

/// Every path the diff touches (the new path, or the old one for a deletion).
pub(crate) fn paths(diff: &Diff) -> Vec<String> {
    diff.deltas()
        .filter_map(|d| d.new_file().path().or_else(|| d.old_file().path()))
        .map(|p| p.to_string_lossy().into_owned())
        .collect()
}
