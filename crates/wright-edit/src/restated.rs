//! Lines of `new` that only restate the file around `old`.
//!
//! Small models often send `old` as two lines copied from a search hit and `new` as the
//! whole function around them. Replacing `old` with that `new` as written would leave
//! the function's head and tail twice in the file. When `new` begins with the very lines
//! just above the match, or ends with the very lines just below it, those lines are the
//! file's own and are left out of the replacement.

/// How many of `new`'s first and last lines restate the file lines just above `start`
/// and from `end` on (`file[start..end]` is what `old` matched). A side counts only when
/// `new` does not begin (or end) as `old` itself does, and when what it restates is more
/// than blank lines; something of `new` is always left to replace `old`.
pub(crate) fn restated(file: &[String], start: usize, end: usize, old: &[String], new: &[String]) -> (usize, usize) {
    let same = |a: &str, b: &str| a.trim() == b.trim();
    let first_differs = match (new.first(), old.first()) {
        (Some(n), Some(o)) => !same(n, o),
        _ => false,
    };
    let last_differs = match (new.last(), old.last()) {
        (Some(n), Some(o)) => !same(n, o),
        _ => false,
    };
    let above = (1..=start.min(new.len().saturating_sub(1)))
        .rev()
        .filter(|_| first_differs)
        .find(|&k| new[..k].iter().zip(&file[start - k..start]).all(|(n, f)| same(n, f)) && meaningful(&new[..k]))
        .unwrap_or(0);
    let room = new.len().saturating_sub(above + 1);
    let below = (1..=room.min(file.len().saturating_sub(end)))
        .rev()
        .filter(|_| last_differs)
        .find(|&j| {
            let tail = &new[new.len() - j..];
            tail.iter().zip(&file[end..end + j]).all(|(n, f)| same(n, f)) && meaningful(tail)
        })
        .unwrap_or(0);
    (above, below)
}

/// Whether the restated lines are the file's own as they stand, indentation included.
pub(crate) fn verbatim(
    file: &[String],
    start: usize,
    end: usize,
    new: &[String],
    (above, below): (usize, usize),
) -> bool {
    let same = |n: &[String], f: &[String]| n.iter().zip(f).all(|(n, f)| n.trim_end() == f.trim_end());
    let head = new.get(..above).zip(file.get(start.saturating_sub(above)..start));
    let tail = new.get(new.len().saturating_sub(below)..).zip(file.get(end..end + below));
    matches!((head, tail), (Some((n1, f1)), Some((n2, f2))) if same(n1, f1) && same(n2, f2))
}

fn meaningful(lines: &[String]) -> bool {
    lines.iter().any(|l| !l.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn a_whole_function_around_two_old_lines() {
        let file = lines(
            "function range(a, b) {\n  const out = [];\n  for (let i = a; i < b; i++) {\n    out.push(i);\n  }\n  return out;\n}",
        );
        let old = lines("  for (let i = a; i < b; i++) {\n    out.push(i);");
        let new = lines(
            "function range(a, b) {\n  const out = [];\n  for (let i = a; i <= b; i++) {\n    out.push(i);\n  }\n  return out;\n}",
        );
        assert_eq!(restated(&file, 2, 4, &old, &new), (2, 3));
    }

    #[test]
    fn lines_old_itself_begins_with_are_not_restatements() {
        // `new` keeps old's first line `x`, which also happens to be the line above.
        let file = lines("x\nx\ny");
        let (old, new) = (lines("x\ny"), lines("x\nz"));
        assert_eq!(restated(&file, 1, 3, &old, &new), (0, 0));
    }

    #[test]
    fn something_of_new_is_always_left() {
        let file = lines("a\nb\nc");
        let (old, new) = (lines("b"), lines("a\nc"));
        let (above, below) = restated(&file, 1, 2, &old, &new);
        assert!(above + below < new.len());
    }

    #[test]
    fn blank_lines_alone_are_not_restatements() {
        let file = lines("a\n\nb");
        let (old, new) = (lines("b"), lines("\nc"));
        assert_eq!(restated(&file, 2, 3, &old, &new), (0, 0));
    }

    #[test]
    fn a_new_line_is_not_taken_for_context() {
        let file = lines("def f():\n    return 1");
        let (old, new) = (lines("    return 1"), lines("    x = 2\n    return x"));
        assert_eq!(restated(&file, 1, 2, &old, &new), (0, 0));
    }
}
