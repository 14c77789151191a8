//! wright's benchmark programs. Each prints a table and can write JSON; none is a test.

// Input from strangers reaches every crate: a byte index that lands inside a character
// must not panic, so text is cut with `get`, `split_once` and the like, never `[a..b]`.
#![cfg_attr(not(test), deny(clippy::string_slice))]
// A harness over wright's own suites and the checkouts it makes for them, run by developers.
#![allow(clippy::disallowed_methods)]

mod baseline;
mod checkout;
pub mod edits;
pub mod localize;
mod metrics;
pub mod sandbox_speed;
pub mod speed;
pub mod suite;

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{0}")]
    Io(String),
    #[error("{path}:{line}: {message}")]
    Data { path: String, line: usize, message: String },
    #[error("git {args}: {message}")]
    Git { args: String, message: String },
    #[error(transparent)]
    Index(#[from] wright_index::IndexError),
    #[error("baseline index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

/// A benchmark run over SWE-bench style instances at their base commits.
pub struct DatasetRun<'a> {
    pub data: &'a std::path::Path,
    /// Snapshots: `<repos>/<owner>+<name>/repo` or `<repos>/<owner>+<name>`.
    pub repos: &'a std::path::Path,
    /// Where checkouts (and indexes) go.
    pub work: std::path::PathBuf,
    pub limit: Option<usize>,
    /// Called with a line of progress per instance or patch.
    pub progress: &'a mut dyn FnMut(&str),
}

/// The rows of a JSONL file, with their 1-based line numbers; blank lines skipped.
pub(crate) fn read_jsonl<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<Vec<(usize, T)>, EvalError> {
    let text = std::fs::read_to_string(path).map_err(|e| EvalError::Io(format!("{}: {e}", path.display())))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let row = serde_json::from_str(line).map_err(|e| EvalError::Data {
            path: path.display().to_string(),
            line: i + 1,
            message: e.to_string(),
        })?;
        rows.push((i + 1, row));
    }
    Ok(rows)
}
