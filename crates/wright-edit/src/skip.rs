//! Dropped context: a model left out a line or two between two context lines. The
//! hunk matches with those file lines skipped, and they are kept where they are.
//! Only between two lines the hunk keeps, with nothing added or removed between them,
//! so a skipped line can never be removed or land on the wrong side of a change.

use crate::miss::{Miss, pick};

/// File lines one gap may skip, and all gaps together.
const MAX_GAP: usize = 2;
const MAX_SKIPPED: usize = 3;
/// Longer hunks are not matched with lines skipped: dropped context is a slip of a short
/// hunk, and the search goes one call deeper per line, so this also bounds the stack.
const MAX_OLD_LINES: usize = 1000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Skipped {
    pub start: usize,
    pub end: usize,
    /// Per gap: the index of the old line it comes before, and the file lines skipped.
    pub gaps: Vec<(usize, usize, usize)>,
}

/// Finds `old` at or after `from` with up to [`MAX_SKIPPED`] file lines skipped, each
/// gap only before an old line `i` with `may_gap[i]`. Lines compare ignoring
/// surrounding whitespace.
pub(crate) fn locate_skipping(
    hay: &[String],
    old: &[String],
    may_gap: &[bool],
    from: usize,
    hint: Option<usize>,
) -> Result<Skipped, Miss> {
    if old.is_empty() || old.len() > MAX_OLD_LINES || !may_gap.iter().any(|g| *g) {
        return Err(Miss::NotFound);
    }
    let mut found = Vec::new();
    for start in from..hay.len() {
        let mut gaps = Vec::new();
        if let Some(end) = align(hay, old, may_gap, 0, start, MAX_SKIPPED, &mut gaps)
            && !gaps.is_empty()
        {
            found.push(Skipped { start, end, gaps });
        }
    }
    let start = pick(found.iter().map(|f| f.start).collect(), hint)?;
    found.into_iter().find(|f| f.start == start).ok_or(Miss::NotFound)
}

/// Matches `old[i..]` from file line `at`; returns the end of the match.
fn align(
    hay: &[String],
    old: &[String],
    may_gap: &[bool],
    i: usize,
    at: usize,
    budget: usize,
    gaps: &mut Vec<(usize, usize, usize)>,
) -> Option<usize> {
    if i == old.len() {
        return Some(at);
    }
    let most = if i > 0 && may_gap[i] { MAX_GAP.min(budget) } else { 0 };
    for skip in 0..=most {
        let line = at + skip;
        if line < hay.len() && hay[line].trim() == old[i].trim() {
            if skip > 0 {
                gaps.push((i, at, line));
            }
            if let Some(end) = align(hay, old, may_gap, i + 1, line + 1, budget - skip, gaps) {
                return Some(end);
            }
            if skip > 0 {
                gaps.pop();
            }
        }
    }
    None
}

/// Which old lines a gap may come before: both it and the line above are kept by the
/// hunk, next to each other on the new side too. Also maps each kept old line to its
/// index in `new`.
pub(crate) fn gap_points(old: &[String], new: &[String]) -> (Vec<bool>, Vec<Option<usize>>) {
    let mut to_new = vec![None; old.len()];
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, old, new) {
        if let similar::DiffOp::Equal { old_index, new_index, len } = op {
            for k in 0..len {
                to_new[old_index + k] = Some(new_index + k);
            }
        }
    }
    let may = (0..old.len())
        .map(|i| i > 0 && matches!((to_new[i - 1], to_new[i]), (Some(a), Some(b)) if b == a + 1))
        .collect();
    (may, to_new)
}

/// `old` and `new` with the skipped file lines put back in, so they line up with the
/// window one to one.
pub(crate) fn fill(
    old: &[String],
    new: &[String],
    to_new: &[Option<usize>],
    gaps: &[(usize, usize, usize)],
    hay: &[String],
) -> (Vec<String>, Vec<String>) {
    let insert = |lines: &[String], at: &dyn Fn(usize) -> usize| {
        let mut out = lines.to_vec();
        for (i, a, b) in gaps.iter().rev() {
            let pos = at(*i);
            out.splice(pos..pos, hay[*a..*b].iter().cloned());
        }
        out
    };
    let old_full = insert(old, &|i| i);
    let new_full = insert(new, &|i| to_new[i].unwrap_or(new.len()));
    (old_full, new_full)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_dropped_context_line_is_skipped_and_kept() {
        let hay = v(&["a", "b", "c", "d", "e"]);
        let old = v(&["a", "c", "d"]);
        let new = v(&["a", "c", "D"]);
        let (may, to_new) = gap_points(&old, &new);
        assert_eq!(may, vec![false, true, false]);
        let found = locate_skipping(&hay, &old, &may, 0, None).unwrap();
        assert_eq!(found, Skipped { start: 0, end: 4, gaps: vec![(1, 1, 2)] });
        let (o, n) = fill(&old, &new, &to_new, &found.gaps, &hay);
        assert_eq!((o, n), (v(&["a", "b", "c", "d"]), v(&["a", "b", "c", "D"])));
    }

    #[test]
    fn a_hunk_too_long_to_search_with_gaps_is_not_found_without_recursing_per_line() {
        let hay = vec!["x".to_string(); 200_000];
        let mut old = vec!["x".to_string(); 100_000];
        old.push("y".to_string());
        let may = vec![true; old.len()];
        assert_eq!(locate_skipping(&hay, &old, &may, 0, None), Err(Miss::NotFound));
    }

    #[test]
    fn no_gap_next_to_a_change() {
        let hay = v(&["a", "b", "c"]);
        let old = v(&["a", "c"]);
        let new = v(&["a", "x", "c"]);
        let (may, _) = gap_points(&old, &new);
        assert_eq!(locate_skipping(&hay, &old, &may, 0, None), Err(Miss::NotFound));
    }
}
