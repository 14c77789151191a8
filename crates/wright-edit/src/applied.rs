//! An edit whose `old` is not in the file but whose `new` is: the change was made
//! already. Small models send an edit again after it worked (or send the same change
//! once as `edit` and once as a patch); "not found" sends them looking for another fix,
//! while "already made" tells them to run the tests.

use crate::lines::Lines;
use crate::matcher::{Layer, locate};

/// The 1-based lines (`12-14`) where `new` already stands, once, in `text`; `None` when
/// it does not, stands in several places, or is too bare (only brackets or blanks) to say.
pub(crate) fn applied_at(text: &str, old: &str, new: &str) -> Option<String> {
    if old == new || !new.chars().any(char::is_alphanumeric) {
        return None;
    }
    let exact: Vec<usize> = text.match_indices(new).map(|(i, _)| i).collect();
    if let [at] = exact.as_slice() {
        let first = text.get(..*at).unwrap_or_default().matches('\n').count() + 1;
        let last = first + new.trim_end_matches('\n').matches('\n').count();
        return Some(span(first, last));
    }
    if !exact.is_empty() {
        return None;
    }
    let hay = Lines::split(text).lines;
    lines_at(&hay, &Lines::split(new).lines)
}

/// Where a hunk's new side already stands in the file's lines, as [`applied_at`] says.
pub(crate) fn lines_at(hay: &[String], new: &[String]) -> Option<String> {
    if !new.iter().any(|l| l.chars().any(char::is_alphanumeric)) {
        return None;
    }
    match locate(hay, new, 0, None, &[]) {
        Ok(found) if matches!(found.layer, Layer::Exact | Layer::TrailingWhitespace | Layer::Indent { .. }) => {
            Some(span(found.start + 1, found.end))
        }
        _ => None,
    }
}

fn span(first: usize, last: usize) -> String {
    if first == last { format!("line {first}") } else { format!("lines {first}-{last}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str =
        "def f(xs):\n    out = []\n    for i in range(len(xs) + 1):\n        out.append(i)\n    return out\n";

    #[test]
    fn new_standing_once_is_found_with_its_lines() {
        let at = applied_at(FILE, "range(len(xs))", "range(len(xs) + 1)");
        assert_eq!(at.as_deref(), Some("line 3"));
        let at = applied_at(
            FILE,
            "for i in x:\n        out.append(i)",
            "for i in range(len(xs) + 1):\n        out.append(i)",
        );
        assert_eq!(at.as_deref(), Some("lines 3-4"));
    }

    #[test]
    fn new_in_another_indentation_is_found() {
        let at = applied_at(FILE, "x", "for i in range(len(xs) + 1):\n    out.append(i)");
        assert_eq!(at.as_deref(), Some("lines 3-4"));
    }

    #[test]
    fn bare_repeated_or_absent_new_says_nothing() {
        assert_eq!(applied_at(FILE, "x", ")"), None);
        assert_eq!(applied_at(FILE, "x", "out"), None, "out stands in three places");
        assert_eq!(applied_at(FILE, "x", "return xs"), None);
        assert_eq!(applied_at(FILE, "out", "out"), None);
    }
}
