//! wright's code index: a persistent tantivy index of a working tree (files and their
//! definitions as separate documents, a code-aware tokenizer, tree-sitter symbols),
//! kept up to date incrementally, with ranked text search that reads issue text the way
//! a developer does, symbol and regex search, and a repo map.

// Input from strangers reaches every crate: a byte index that lands inside a character
// must not panic, so text is cut with `get`, `split_once` and the like, never `[a..b]`.
#![cfg_attr(not(test), deny(clippy::string_slice))]
// Test fixtures are written with std::fs; production code keeps to wright-tree.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

pub mod cache;
mod docs;
mod grep;
pub mod location;
mod manifest;
mod query;
mod rank;
mod repo_map;
mod schema;
mod store;
mod symbols;
mod tokenize;
mod walk;

use std::path::{Path, PathBuf};

pub use query::{Analyzed, analyze};
pub use store::{Index, UpdateStats};
pub use tokenize::{CODE_TOKENIZER, CodeTokenizer, code_terms};
pub use walk::Skipped;

/// How a query is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
    /// Words, identifiers, paths, error messages, whole issues: ranked by relevance.
    #[default]
    Text,
    /// Definitions whose name matches. Small models ask for the kind of definition.
    #[serde(alias = "function", alias = "class", alias = "method", alias = "def", alias = "definition")]
    Symbol,
    /// A regular expression, matched line by line.
    #[serde(alias = "pattern", alias = "grep")]
    Regex,
}

/// One ranked hit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SearchHit {
    pub path: String,
    pub start_line: usize,
    pub end_line: usize,
    pub symbol: Option<String>,
    pub score: f32,
    pub snippet: String,
}

/// Hits, best first, and how many more there were.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    /// Matching hits beyond the limit.
    pub more: usize,
    /// Whether `more` counts them all; a regex search stops soon after its limit, and then
    /// `more` is a lower bound.
    pub more_exact: bool,
    /// Files not searched (binary, generated, too large, unreadable).
    pub skipped_files: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{0} is not a directory")]
    NotADir(PathBuf),
    #[error("invalid regex: {0}")]
    Regex(#[from] regex::Error),
    #[error("the query has no searchable words; give identifiers, file names or phrases")]
    EmptyQuery,
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("the index in {0} is being written by another wright; try again when it finishes")]
    Busy(PathBuf),
    #[error("the index is damaged; remove its folder and it will be rebuilt")]
    Corrupt,
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("index folder: {0}")]
    Directory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("index lock: {0}")]
    Lock(#[from] tantivy::directory::error::LockError),
}

impl IndexError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        IndexError::Io { path: path.to_path_buf(), source }
    }
}

impl Index {
    /// Searches the index; `limit` caps the hits.
    pub fn search(&self, query: &str, kind: SearchKind, limit: usize) -> Result<SearchResults, IndexError> {
        let limit = limit.max(1);
        let exact = |(hits, more)| (hits, more, true);
        let (hits, more, more_exact) = match kind {
            // A query of no words (a date, a number) is still text to find: found literally.
            SearchKind::Text if !query.trim().is_empty() => match rank::text(self, query, limit) {
                Err(IndexError::EmptyQuery) => grep::search(self, &regex::escape(query.trim()), limit)?,
                found => exact(found?),
            },
            SearchKind::Text => exact(rank::text(self, query, limit)?),
            SearchKind::Symbol => exact(symbols::search(self, query, limit)?),
            SearchKind::Regex => grep::search(self, query, limit)?,
        };
        Ok(SearchResults { hits, more, more_exact, skipped_files: self.skipped().total() })
    }

    /// A ranked outline of the definitions, fitted to `budget_tokens`.
    pub fn repo_map(&self, focus: Option<&str>, budget_tokens: usize) -> Result<String, IndexError> {
        repo_map::render(self, focus, budget_tokens)
    }
}

/// Opens the index of the tree at `root` kept under `cache` and brings it up to date.
pub fn open_updated(root: &Path, cache: &Path) -> Result<(Index, UpdateStats), IndexError> {
    location::remember(cache, root).map_err(|e| IndexError::io(root, e))?;
    let mut index = Index::open(root, &location::base_dir(cache, root))?;
    let stats = index.update(&mut |_, _| {})?;
    Ok((index, stats))
}

#[cfg(test)]
mod tests;
