//! Code search over a working tree: ranked `file:line` hits for plain words, symbol
//! definitions, or a regex. Files are walked with `ignore`, so `.gitignore` holds.

mod corpus;
mod rank;
mod terms;

use std::path::Path;

pub use corpus::{Corpus, SourceFile};
pub use terms::query_terms;

/// How a query is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SearchKind {
    /// Words, identifiers, paths: ranked by relevance.
    #[default]
    Text,
    /// Definitions whose name matches.
    Symbol,
    /// A regular expression, matched line by line.
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
    /// Files not searched (binary or too large).
    pub skipped_files: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("{0} is not a directory")]
    NotADir(std::path::PathBuf),
    #[error("invalid regex: {0}")]
    Regex(#[from] regex::Error),
    #[error("the query has no searchable words; give identifiers, file names or phrases")]
    EmptyQuery,
}

/// Searches the files under `root`.
pub fn search(root: &Path, query: &str, kind: SearchKind, limit: usize) -> Result<SearchResults, IndexError> {
    let corpus = Corpus::load(root)?;
    let (mut hits, skipped) = match kind {
        SearchKind::Text => (rank::text(&corpus, query)?, corpus.skipped),
        SearchKind::Symbol => (rank::symbols(&corpus, query)?, corpus.skipped),
        SearchKind::Regex => (rank::regex(&corpus, query)?, corpus.skipped),
    };
    let more = hits.len().saturating_sub(limit);
    hits.truncate(limit);
    Ok(SearchResults { hits, more, skipped_files: skipped })
}
