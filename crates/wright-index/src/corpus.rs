//! The searchable files of a tree, loaded through the `ignore` walker.

use std::path::Path;

use crate::IndexError;

/// Files larger than this are skipped as generated or data.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

pub struct SourceFile {
    /// Relative to the root, `/`-separated.
    pub path: String,
    pub text: String,
}

pub struct Corpus {
    pub files: Vec<SourceFile>,
    /// Files skipped as binary, too large or unreadable.
    pub skipped: usize,
}

impl Corpus {
    pub fn load(root: &Path) -> Result<Self, IndexError> {
        if !root.is_dir() {
            return Err(IndexError::NotADir(root.to_path_buf()));
        }
        let mut files = Vec::new();
        let mut skipped = 0;
        for entry in ignore::WalkBuilder::new(root).hidden(true).follow_links(false).build().flatten() {
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                continue;
            }
            let too_big = entry.metadata().map(|m| m.len() > MAX_FILE_BYTES).unwrap_or(true);
            let text = if too_big { None } else { read_text(entry.path()) };
            match text {
                Some(text) => {
                    let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
                    files.push(SourceFile { path: rel.to_string_lossy().replace('\\', "/"), text });
                }
                None => skipped += 1,
            }
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Corpus { files, skipped })
    }
}

fn read_text(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return None;
    }
    String::from_utf8(bytes).ok()
}
