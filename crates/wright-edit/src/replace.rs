//! `old` → `new` replacement that must match exactly once.

use crate::EditError;
use crate::closest::closest_lines;
use crate::lines::Lines;
use crate::matcher::{Layer, locate, reindent};
use crate::miss::Miss;

/// Replaces the single occurrence of `old` in `text` with `new`.
///
/// Exact text first; when it is absent, whole lines under the engine's matching layers
/// (trailing whitespace, indentation, punctuation). A fuzzy match is not enough here:
/// `old` is the model's claim about the file, and `new` replaces it as written. More
/// than one match is an error naming the lines.
pub fn replace_once(text: &str, old: &str, new: &str) -> Result<String, EditError> {
    if old.is_empty() {
        return Err(EditError::EmptyOld);
    }
    if old == new {
        return Err(EditError::NoChange);
    }
    let exact: Vec<usize> = text.match_indices(old).map(|(i, _)| i).collect();
    match exact.len() {
        1 => return Ok(text.replacen(old, new, 1)),
        n if n > 1 => {
            let lines = exact.iter().map(|&i| text.get(..i).unwrap_or_default().matches('\n').count() + 1);
            return Err(ambiguous(lines.collect()));
        }
        _ => {}
    }
    let mut file = Lines::split(text);
    let needle = Lines::split(old).lines;
    match locate(&file.lines, &needle, 0, None, &[]) {
        Ok(found) if !matches!(found.layer, Layer::Fuzzy | Layer::Elided { .. } | Layer::Skipped { .. }) => {
            let lines = Lines::split(new).lines.iter().map(|l| reindent(l, &found.layer)).collect::<Vec<_>>();
            file.lines.splice(found.start..found.start + needle.len(), lines);
            Ok(file.join())
        }
        Ok(_) | Err(Miss::NotFound) => Err(EditError::NoMatch { closest: closest_lines(&file.lines, &needle) }),
        Err(Miss::Ambiguous(starts)) => Err(ambiguous(starts.iter().map(|i| i + 1).collect())),
    }
}

fn ambiguous(lines: Vec<usize>) -> EditError {
    let count = lines.len();
    let lines = lines.iter().map(|l| l.to_string()).collect::<Vec<_>>().join(", ");
    EditError::Ambiguous { count, lines }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_single_match() {
        let out = replace_once("a = 1\nb = 2\n", "b = 2", "b = 3").unwrap();
        assert_eq!(out, "a = 1\nb = 3\n");
    }

    #[test]
    fn ambiguous_names_lines() {
        let err = replace_once("x\ny\nx\n", "x", "z").unwrap_err();
        assert_eq!(err, EditError::Ambiguous { count: 2, lines: "1, 3".into() });
    }

    #[test]
    fn trailing_whitespace_tolerated() {
        let out =
            replace_once("def f():  \n    return 1\n", "def f():\n    return 1", "def f():\n    return 2").unwrap();
        assert_eq!(out, "def f():\n    return 2\n");
    }

    #[test]
    fn no_match_shows_closest_lines() {
        let text = "fn main() {\n    let total = 1;\n}\n";
        let err = replace_once(text, "let totl = 1;", "let total = 2;").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("not found"), "{msg}");
        assert!(msg.contains("2\t    let total = 1;"), "{msg}");
    }

    #[test]
    fn crlf_preserved_in_line_match() {
        let out = replace_once("a \r\nb\r\n", "a\nb", "c\nd").unwrap();
        assert_eq!(out, "c\r\nd\r\n");
    }
}
