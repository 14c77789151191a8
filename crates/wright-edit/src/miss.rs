//! How a search for lines can fail, and choosing among several candidates: shared by
//! every way of locating lines.

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Miss {
    NotFound,
    /// 0-based starts of the candidates.
    Ambiguous(Vec<usize>),
}

/// How far from a repeated hunk's candidates a line-number hint may be and still choose.
const HINT_REACH: usize = 10;

/// One candidate, or the one the hint points at: within [`HINT_REACH`] lines of it
/// and strictly nearer than any other. A hint far from every candidate is a wrong
/// number, and choosing by it would be a guess.
pub(crate) fn pick(found: Vec<usize>, hint: Option<usize>) -> Result<usize, Miss> {
    match found.as_slice() {
        [] => return Err(Miss::NotFound),
        [one] => return Ok(*one),
        _ => {}
    }
    let Some(hint) = hint else { return Err(Miss::Ambiguous(found)) };
    let mut by_distance: Vec<(usize, usize)> = found.iter().map(|&s| (s.abs_diff(hint), s)).collect();
    by_distance.sort();
    match by_distance.as_slice() {
        [(d0, s), (d1, _), ..] if d0 < d1 && *d0 <= HINT_REACH => Ok(*s),
        _ => Err(Miss::Ambiguous(found)),
    }
}
