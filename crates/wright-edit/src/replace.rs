//! `old` → `new` replacement that must match exactly once.

use crate::EditError;
use crate::applied::applied_at;
use crate::closest::closest_lines;
use crate::lines::Lines;
use crate::matcher::{Layer, locate, reindent};
use crate::miss::Miss;
use crate::reflow::{locate_reflowed, splice_reflowed};
use crate::restated::{restated, verbatim};

/// Replaces the single occurrence of `old` in `text` with `new`.
///
/// Exact text first; when it is absent, whole lines under the engine's matching layers
/// (trailing whitespace, indentation, punctuation). A fuzzy match is not enough here:
/// `old` is the model's claim about the file, and `new` replaces it as written. More
/// than one match is an error naming the lines. Lines of `new` that restate the file just
/// around the match are not written twice, and an `old` with the file's lines joined or
/// split otherwise is still found (see `restated` and `reflow`).
pub fn replace_once(text: &str, old: &str, new: &str) -> Result<String, EditError> {
    let out = replaced(text, old, new)?;
    if out == text { Err(EditError::Unchanged) } else { Ok(out) }
}

fn replaced(text: &str, old: &str, new: &str) -> Result<String, EditError> {
    if old.is_empty() {
        return Err(EditError::EmptyOld);
    }
    if old == new {
        return Err(EditError::NoChange);
    }
    let exact: Vec<usize> = text.match_indices(old).map(|(i, _)| i).collect();
    match exact.len() {
        1 => return Ok(replace_exact(text, exact[0], old, new)),
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
            let end = found.start + needle.len();
            let new = Lines::split(new).lines;
            let sides = restated(&file.lines, found.start, end, &needle, &new);
            // Context restated as the file has it shows `new` is in the file's indentation.
            let as_is = sides != (0, 0) && verbatim(&file.lines, found.start, end, &new, sides);
            let kept = new.get(sides.0..new.len() - sides.1).unwrap_or_default();
            let lines = kept.iter().map(|l| if as_is { l.clone() } else { reindent(l, &found.layer) });
            file.lines.splice(found.start..end, lines.collect::<Vec<_>>());
            Ok(file.join())
        }
        Ok(_) | Err(Miss::NotFound) => match locate_reflowed(text, old) {
            Some(range) => splice_reflowed(text, range, old, new).ok_or(EditError::NoMatch { closest: String::new() }),
            None => match applied_at(text, old, new) {
                Some(at) => Err(EditError::AlreadyApplied { at }),
                None => Err(EditError::NoMatch { closest: closest_lines(&file.lines, &needle) }),
            },
        },
        Err(Miss::Ambiguous(starts)) => Err(ambiguous(starts.iter().map(|i| i + 1).collect())),
    }
}

/// The one exact match replaced. When it covers whole lines and `new` restates lines
/// around it, the replacement is made line by line without them.
fn replace_exact(text: &str, at: usize, old: &str, new: &str) -> String {
    let plain = || text.replacen(old, new, 1);
    let before = text.get(..at).unwrap_or_default();
    let lead = before.rsplit('\n').next().unwrap_or_default();
    let trail = text.get(at + old.len()..).unwrap_or_default().split('\n').next().unwrap_or_default();
    if !lead.trim().is_empty() || !trail.trim().is_empty() {
        return plain();
    }
    let mut file = Lines::split(text);
    let start = before.matches('\n').count();
    let old_lines = Lines::split(old).lines;
    let end = (start + old_lines.len()).min(file.lines.len());
    let new = Lines::split(new).lines;
    let (above, below) = restated(&file.lines, start, end, &old_lines, &new);
    if (above, below) == (0, 0) {
        return plain();
    }
    let kept = new.get(above..new.len() - below).unwrap_or_default().to_vec();
    file.lines.splice(start..end, kept);
    file.join()
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
    fn a_whole_function_for_two_lines_is_not_written_twice() {
        let text = "function range(a, b) {\n  const out = [];\n  for (let i = a; i < b; i++) {\n    out.push(i);\n  }\n  return out;\n}\n";
        let old = "  for (let i = a; i < b; i++) {\n    out.push(i);";
        let new = "function range(a, b) {\n  const out = [];\n  for (let i = a; i <= b; i++) {\n    out.push(i);\n  }\n  return out;\n}";
        assert_eq!(replace_once(text, old, new).unwrap(), text.replace("i < b", "i <= b"));
        // The same under a loose match (the model's `old` lost its indentation).
        let loose = "for (let i = a; i < b; i++) {\n  out.push(i);";
        assert_eq!(replace_once(text, loose, new).unwrap(), text.replace("i < b", "i <= b"));
    }

    #[test]
    fn an_edit_made_already_is_not_reported_as_made() {
        // `new` adds `return null` after `old`; the file has it already, just below.
        let text = "function f() {\n  return 1;\n  return null;\n}\n";
        let err = replace_once(text, "function f() {\n  return 1;", "function f() {\n  return 1;\n  return null;");
        assert_eq!(err.unwrap_err(), EditError::Unchanged);
    }

    #[test]
    fn a_part_of_a_line_is_replaced_as_written() {
        let out = replace_once("let x = f(a);\nlet y = 2;\n", "f(a)", "let y = 2;\nf(b)").unwrap();
        assert_eq!(out, "let x = let y = 2;\nf(b);\nlet y = 2;\n");
    }

    #[test]
    fn a_chain_joined_onto_one_line_is_found() {
        let text = "fn hours(s: &str) -> Option<u64> {\n    s.trim()\n        .parse::<u64>()\n        .ok()\n}\n";
        let out = replace_once(text, "s.trim().parse::<u64>().ok()", "s.trim().parse::<u64>().ok().map(|h| h * 3600)");
        assert_eq!(
            out.unwrap(),
            "fn hours(s: &str) -> Option<u64> {\n    s.trim().parse::<u64>().ok().map(|h| h * 3600)\n}\n"
        );
    }

    #[test]
    fn crlf_preserved_in_line_match() {
        let out = replace_once("a \r\nb\r\n", "a\nb", "c\nd").unwrap();
        assert_eq!(out, "c\r\nd\r\n");
    }

    #[test]
    fn an_edit_sent_again_after_it_was_made_is_answered_as_made() {
        let text = "for (let i = start; i < end; i++) {\n  out.push(i);\n}\n";
        let once = replace_once(text, "i < end", "i <= end").unwrap();
        let again = replace_once(&once, "i < end", "i <= end").unwrap_err();
        assert_eq!(again, EditError::AlreadyApplied { at: "line 1".into() });
        assert!(again.to_string().contains("run the tests"), "{again}");
    }
}
