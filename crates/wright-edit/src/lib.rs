//! The edit engine: turns what a model writes (an `old` → `new` replacement or a
//! `*** Begin Patch` envelope) into new file contents, or into an error that tells the
//! model what did not match and what the file actually holds.
//!
//! It never touches the file system: callers read the files, and write the results.
//! An edit that breaks a file's syntax is refused ([`check_syntax`]).

// Input from strangers reaches every crate: a byte index that lands inside a character
// must not panic, so text is cut with `get`, `split_once` and the like, never `[a..b]`.
#![cfg_attr(not(test), deny(clippy::string_slice))]
// Test fixtures are written with std::fs; production code keeps to wright-tree.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod applied;
mod closest;
mod diff;
mod elide;
mod envelope;
mod guard;
mod lines;
mod matcher;
mod miss;
mod reflow;
mod replace;
mod restated;
mod skip;
mod unified;

pub use diff::unified_diff;
pub use envelope::{FileChange, FileOp, Patch, PatchOp, apply_patch, parse_patch};
pub use guard::check_syntax;
pub use replace::replace_once;
pub use unified::{is_unified, parse_unified};

/// Reads a patch in any supported format: the envelope or a unified diff.
pub fn parse_any(text: &str) -> Result<Patch, EditError> {
    if is_unified(text) { parse_unified(text) } else { parse_patch(text) }
}

/// Why an edit was refused. Every message is meant to be read by the model.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EditError {
    #[error("`old` is empty; give the exact text to replace (or use apply_patch to add a file)")]
    EmptyOld,
    #[error("`old` and `new` are identical; nothing would change")]
    NoChange,
    #[error(
        "the file already reads as `new` where `old` matched (`new` only restates lines around it); nothing changed"
    )]
    Unchanged,
    #[error(
        "`old` is not in the file, but `new` already is ({at}): this change was made before, and nothing changed. Do not send it again; run the tests to see whether the problem is fixed"
    )]
    AlreadyApplied { at: String },
    #[error("`old` was not found in the file.{closest}")]
    NoMatch { closest: String },
    #[error("`old` matches {count} places (lines {lines}); include more surrounding lines so it matches exactly once")]
    Ambiguous { count: usize, lines: String },
    #[error("patch line {line}: {message}")]
    Syntax { line: usize, message: String },
    #[error(
        "{path}: hunk {hunk} is applied already: its `+` side is the file's {at}, and nothing changed. Do not send it again; run the tests to see whether the problem is fixed."
    )]
    HunkApplied { path: String, hunk: usize, at: String },
    #[error("{path}: hunk {hunk} did not match.{closest}")]
    HunkFailed { path: String, hunk: usize, closest: String },
    #[error(
        "{path}: the edit leaves {now} lines with {lang} syntax errors (the file had {was}); nothing was written. Broken lines after the edit:{shown}\nThe file is unchanged: send the edit again with these lines fixed (one statement per line; in JSON, a line break is \\n)."
    )]
    BrokenSyntax { path: String, lang: &'static str, was: usize, now: usize, shown: String },
    #[error("{path}: {message}")]
    File { path: String, message: String },
}
