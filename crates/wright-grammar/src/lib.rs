//! The tree-sitter languages wright understands, in one place: which file is which
//! language, the definitions a file holds (with their spans and what is attached to
//! them), and how many parse errors a text has. wright-index, wright-edit and wright-tools
//! read code through this crate.

// Input from strangers reaches every crate: a byte index that lands inside a character
// must not panic, so text is cut with `get`, `split_once` and the like, never `[a..b]`.
#![cfg_attr(not(test), deny(clippy::string_slice))]
// Test fixtures are written with std::fs; production code keeps to wright-tree.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod defs;
mod lang;
mod sites;

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

pub use defs::{DefKind, Definition, definitions};
pub use lang::Lang;
pub use sites::{Site, sites};

#[derive(Debug, thiserror::Error)]
pub enum GrammarError {
    #[error("the {0} grammar could not be loaded: {1}")]
    Load(&'static str, String),
    #[error("the {0} parser gave up on this text")]
    Parse(&'static str),
    #[error("the {0} parser ran past its {1:?} budget on this text")]
    TimedOut(&'static str, Duration),
}

/// The longest one file may take to parse. Sane code of any size wright indexes parses in
/// well under a second; a text built to make the parser crawl is given up on instead.
pub const PARSE_BUDGET: Duration = Duration::from_secs(5);

/// Parses `source` as `lang`, giving up after [`PARSE_BUDGET`].
pub fn parse(lang: Lang, source: &str) -> Result<tree_sitter::Tree, GrammarError> {
    parse_within(lang, source, PARSE_BUDGET)
}

fn parse_within(lang: Lang, source: &str, budget: Duration) -> Result<tree_sitter::Tree, GrammarError> {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&lang.language()).map_err(|e| GrammarError::Load(lang.name(), e.to_string()))?;
    let deadline = Instant::now() + budget;
    let mut timed_out = false;
    let mut check = |_: &tree_sitter::ParseState| {
        timed_out = Instant::now() >= deadline;
        if timed_out { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    };
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut check);
    let bytes = source.as_bytes();
    let mut read = |at: usize, _| bytes.get(at..).unwrap_or_default();
    let tree = parser.parse_with_options(&mut read, None, Some(options));
    match tree {
        Some(tree) => Ok(tree),
        None if timed_out => Err(GrammarError::TimedOut(lang.name(), budget)),
        None => Err(GrammarError::Parse(lang.name())),
    }
}

/// Lines (1-based) that hold a parse error or a missing node, in order, without repeats.
pub fn error_lines(lang: Lang, source: &str) -> Result<Vec<usize>, GrammarError> {
    let tree = parse(lang, source)?;
    let mut lines = Vec::new();
    let mut cursor = tree.walk();
    let mut descend = true;
    loop {
        let node = cursor.node();
        if descend && (node.is_error() || node.is_missing()) {
            lines.push(node.start_position().row + 1);
            descend = false;
        }
        if descend && node.has_error() && cursor.goto_first_child() {
            continue;
        }
        descend = true;
        if cursor.goto_next_sibling() {
            continue;
        }
        loop {
            if !cursor.goto_parent() {
                lines.sort_unstable();
                lines.dedup();
                return Ok(lines);
            }
            if cursor.goto_next_sibling() {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_lines_point_at_the_broken_line() {
        let ok = "def f(x):\n    return x\n";
        assert!(error_lines(Lang::Python, ok).unwrap().is_empty());
        let broken = "def f(x):\n    return x\n\ndef g(:\n    pass\n";
        assert_eq!(error_lines(Lang::Python, broken).unwrap(), vec![4]);
        assert!(!error_lines(Lang::Rust, "fn main() { let x = ; }").unwrap().is_empty());
    }

    #[test]
    fn a_parse_past_its_budget_is_given_up_with_a_reason() {
        let src = "fn f() { let x = 1 + 2; }\n".repeat(2000);
        let err = parse_within(Lang::Rust, &src, Duration::ZERO).unwrap_err();
        assert!(matches!(err, GrammarError::TimedOut("rust", _)), "{err}");
        assert!(err.to_string().contains("budget"), "{err}");
        assert!(parse(Lang::Rust, &src).is_ok());
    }

    #[test]
    fn error_lines_survive_deep_nesting() {
        let deep = format!("x = {}1\n", "(".repeat(200_000));
        assert_eq!(error_lines(Lang::Python, &deep).unwrap().len(), 1);
    }
}
