//! wright's benchmark programs. Each prints a table and can write JSON; none is a test.

mod baseline;
mod checkout;
pub mod edits;
pub mod localize;
mod metrics;
pub mod sandbox_speed;
pub mod speed;

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
