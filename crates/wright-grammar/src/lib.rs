//! The tree-sitter languages wright understands, in one place: which file is which
//! language, the definitions a file holds (with their spans), and how many parse
//! errors a text has. wright-index and wright-edit both read code through this crate.

// Input from strangers reaches every crate: a byte index that lands inside a character
// must not panic, so text is cut with `get`, `split_once` and the like, never `[a..b]`.
#![cfg_attr(not(test), deny(clippy::string_slice))]
// Test fixtures are written with std::fs; production code keeps to wright-tree.
#![cfg_attr(test, allow(clippy::disallowed_methods))]

mod defs;
mod lang;

pub use defs::{DefKind, Definition, definitions};
pub use lang::Lang;

#[derive(Debug, thiserror::Error)]
pub enum GrammarError {
    #[error("the {0} grammar could not be loaded: {1}")]
    Load(&'static str, String),
    #[error("the {0} parser gave up on this text")]
    Parse(&'static str),
}

/// Parses `source` as `lang`.
pub fn parse(lang: Lang, source: &str) -> Result<tree_sitter::Tree, GrammarError> {
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&lang.language()).map_err(|e| GrammarError::Load(lang.name(), e.to_string()))?;
    parser.parse(source, None).ok_or(GrammarError::Parse(lang.name()))
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
}
