//! A git2 diff as text: its patch, and the paths it touches.

use git2::{Diff, DiffFormat};

use crate::{Context, GitError};

/// Bytes kept free for the note that ends a cut patch.
const NOTE_ROOM: usize = 120;

/// The diff as a unified patch, at most `limit` bytes of it; a cut patch ends by saying
/// how many files it leaves out.
pub(crate) fn render(diff: &Diff, limit: usize) -> Result<String, GitError> {
    let mut out = String::new();
    let (mut files, mut cut) = (0usize, false);
    let printed = diff.print(DiffFormat::Patch, |_, _, line| {
        let origin = line.origin();
        if origin == 'F' {
            files += 1;
        }
        let text = String::from_utf8_lossy(line.content());
        if out.len() + text.len() + 1 > limit.saturating_sub(NOTE_ROOM) {
            cut = true;
            // Stops the print: the rest is never rendered.
            return false;
        }
        if matches!(origin, '+' | '-' | ' ') {
            out.push(origin);
        }
        out.push_str(&text);
        true
    });
    match printed {
        Err(_) if cut => {
            let total = diff.deltas().len();
            let whole = files.saturating_sub(1);
            out.push_str(&format!(
                "\n[diff cut at {limit} bytes: {whole} of {total} changed files shown whole, the rest left out]\n"
            ));
        }
        other => other.context("rendering a diff")?,
    }
    Ok(out)
}

/// Every path the diff touches (the new path, or the old one for a deletion).
pub(crate) fn paths(diff: &Diff) -> Vec<String> {
    diff.deltas()
        .filter_map(|d| d.new_file().path().or_else(|| d.old_file().path()))
        .map(|p| p.to_string_lossy().into_owned())
        .collect()
}
