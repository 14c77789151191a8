//! Finding where a hunk's old lines are in a file, in layers: each looser comparison is
//! tried only when the stricter ones found nothing. A match must be unique; when it is
//! not, the line-number hint picks the nearest, and without a hint the edit is refused.

use crate::closest::similarity;
use crate::elide::{is_marker, locate_elided};
use crate::miss::{Miss, pick};
use crate::skip::locate_skipping;

/// How a match was found; the indent layer also says how to re-indent the new lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Layer {
    Exact,
    TrailingWhitespace,
    /// The file's lines are indented by `add` more (or `remove` less) than the patch's.
    Indent {
        add: String,
        remove: String,
    },
    /// Equal once leading and trailing whitespace is ignored, with no consistent offset.
    Trimmed,
    Punctuation,
    /// The old lines hold `...` markers; each spans these file lines.
    Elided {
        gaps: Vec<(usize, usize)>,
    },
    /// Context lines the patch left out: per gap, the old line it precedes and the
    /// file lines skipped there.
    Skipped {
        gaps: Vec<(usize, usize, usize)>,
    },
    Fuzzy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub start: usize,
    /// One past the last matched line: `start + needle.len()` unless context was elided.
    pub end: usize,
    pub layer: Layer,
}

/// Whether a file line and a patch line count as the same under one layer.
type SameLine = fn(&str, &str) -> bool;

/// Whole-window similarity a fuzzy match needs, and how far ahead of the runner-up it must be.
const FUZZY_MIN: f32 = 0.9;
const FUZZY_MARGIN: f32 = 0.04;
/// Similarity each line of a fuzzy window needs to the patch line at its place.
const FUZZY_LINE_MIN: f32 = 0.7;

/// Locates `needle` in `hay` at or after `from`. `hint` is the 0-based line where the
/// patch says the hunk starts (already shifted by earlier hunks). `may_gap` says before
/// which needle lines left-out context may be skipped (empty: nowhere).
pub(crate) fn locate(
    hay: &[String],
    needle: &[String],
    from: usize,
    hint: Option<usize>,
    may_gap: &[bool],
) -> Result<Found, Miss> {
    if needle.is_empty() || needle.len() > hay.len() || from > hay.len() - needle.len() {
        return Err(Miss::NotFound);
    }
    let starts = from..=hay.len() - needle.len();
    let window = |i: usize| &hay[i..i + needle.len()];
    let layers: [(Layer, SameLine); 4] = [
        (Layer::Exact, |a, b| a == b),
        (Layer::TrailingWhitespace, |a, b| a.trim_end() == b.trim_end()),
        (Layer::Trimmed, |a, b| a.trim() == b.trim()),
        (Layer::Punctuation, |a, b| normalize(a) == normalize(b)),
    ];
    for (index, (layer, same)) in layers.iter().enumerate() {
        let found: Vec<usize> =
            starts.clone().filter(|&i| window(i).iter().zip(needle).all(|(h, n)| same(h, n))).collect();
        if !found.is_empty() {
            return pick(found, hint).map(|start| Found { start, end: start + needle.len(), layer: layer.clone() });
        }
        // The indent layer sits between trailing whitespace and punctuation.
        if index == 1 {
            let found: Vec<(usize, Layer)> =
                starts.clone().filter_map(|i| indent_offset(window(i), needle).map(|l| (i, l))).collect();
            if !found.is_empty() {
                let start = pick(found.iter().map(|f| f.0).collect(), hint)?;
                let layer = found.into_iter().find(|f| f.0 == start).map(|f| f.1).unwrap_or(Layer::Exact);
                return Ok(Found { start, end: start + needle.len(), layer });
            }
        }
    }
    if needle.iter().any(|l| is_marker(l)) {
        return locate_elided(hay, needle, from, hint).map(|e| Found {
            start: e.start,
            end: e.end,
            layer: Layer::Elided { gaps: e.gaps },
        });
    }
    if may_gap.len() == needle.len() {
        match locate_skipping(hay, needle, may_gap, from, hint) {
            Ok(s) => return Ok(Found { start: s.start, end: s.end, layer: Layer::Skipped { gaps: s.gaps } }),
            Err(Miss::Ambiguous(starts)) => return Err(Miss::Ambiguous(starts)),
            Err(Miss::NotFound) => {}
        }
    }
    fuzzy(hay, needle, from, hint)
}

/// The file's lines are the needle's with one consistent change of leading whitespace.
fn indent_offset(window: &[String], needle: &[String]) -> Option<Layer> {
    let mut layer: Option<Layer> = None;
    for (h, n) in window.iter().zip(needle) {
        let (h, n) = (h.trim_end(), n.trim_end());
        if h.is_empty() && n.is_empty() {
            continue;
        }
        if h.trim_start() != n.trim_start() {
            return None;
        }
        let (hi, ni) =
            (h.strip_suffix(h.trim_start()).unwrap_or_default(), n.strip_suffix(n.trim_start()).unwrap_or_default());
        let this = if let Some(add) = hi.strip_suffix(ni) {
            Layer::Indent { add: add.to_string(), remove: String::new() }
        } else if let Some(remove) = ni.strip_suffix(hi) {
            Layer::Indent { add: String::new(), remove: remove.to_string() }
        } else {
            return None;
        };
        match &layer {
            None => layer = Some(this),
            Some(l) if *l == this => {}
            Some(_) => return None,
        }
    }
    layer.filter(|l| *l != Layer::Indent { add: String::new(), remove: String::new() })
}

/// The new lines for a window matched by `old`: lines that `new` keeps from `old` are
/// taken from the file as they are (so a loose match never rewrites them), the rest from
/// `new`, re-indented when the match found the file indented differently.
pub(crate) fn replacement(window: &[String], old: &[String], new: &[String], layer: &Layer) -> Vec<String> {
    let mut out = Vec::with_capacity(new.len());
    for op in similar::capture_diff_slices(similar::Algorithm::Myers, old, new) {
        match op {
            similar::DiffOp::Equal { old_index, len, .. } => out.extend_from_slice(&window[old_index..old_index + len]),
            similar::DiffOp::Delete { .. } => {}
            similar::DiffOp::Insert { new_index, new_len, .. }
            | similar::DiffOp::Replace { new_index, new_len, .. } => {
                out.extend(new[new_index..new_index + new_len].iter().map(|l| reindent(l, layer)));
            }
        }
    }
    out
}

/// `line` moved to the file's indentation when the match found it indented differently.
pub(crate) fn reindent(line: &str, layer: &Layer) -> String {
    match layer {
        Layer::Indent { add, remove } if !line.is_empty() => {
            format!("{add}{}", line.strip_prefix(remove.as_str()).unwrap_or(line))
        }
        _ => line.to_string(),
    }
}

/// Typographic punctuation that models and chat tools substitute for ASCII.
fn normalize(s: &str) -> String {
    s.trim_end()
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' => '\'',
            '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => '"',
            '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2212}' => '-',
            '\u{00A0}' | '\u{2002}' | '\u{2003}' | '\u{2009}' | '\u{202F}' => ' ',
            other => other,
        })
        .collect::<String>()
        .replace('\u{2026}', "...")
}

/// The single window clearly most similar to the needle, when similar enough.
fn fuzzy(hay: &[String], needle: &[String], from: usize, hint: Option<usize>) -> Result<Found, Miss> {
    // Long needles against long files cost too much, and are rarely this far off.
    if needle.len() * (hay.len() - from) > 400_000 {
        return Err(Miss::NotFound);
    }
    let wanted = needle.iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n");
    let mut scored: Vec<(f32, usize)> = (from..=hay.len() - needle.len())
        .map(|i| {
            let got = hay[i..i + needle.len()].iter().map(|l| l.trim()).collect::<Vec<_>>().join("\n");
            (similarity(&wanted, &got), i)
        })
        .filter(|(s, _)| *s >= FUZZY_MIN)
        .filter(|(_, i)| lines_pair_up(&hay[*i..*i + needle.len()], needle))
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    match scored.as_slice() {
        [] => Err(Miss::NotFound),
        [(_, s)] => Ok(Found { start: *s, end: *s + needle.len(), layer: Layer::Fuzzy }),
        [(best, s), (second, _), ..] if best - second >= FUZZY_MARGIN => {
            Ok(Found { start: *s, end: *s + needle.len(), layer: Layer::Fuzzy })
        }
        close => {
            let top = close[0].0;
            let tied: Vec<usize> = close.iter().filter(|(s, _)| top - s < FUZZY_MARGIN).map(|(_, i)| *i).collect();
            pick(tied, hint).map(|start| Found { start, end: start + needle.len(), layer: Layer::Fuzzy })
        }
    }
}

/// Each window line resembles the needle line at the same place. The replacement
/// keeps and drops lines by position, so a window that only matches as a whole (a
/// line missing here, an extra one there) must not pass.
fn lines_pair_up(window: &[String], needle: &[String]) -> bool {
    window.iter().zip(needle).all(|(h, n)| {
        let (h, n) = (h.trim(), n.trim());
        h == n || similarity(h, n) >= FUZZY_LINE_MIN
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn stricter_layers_win() {
        let hay = v(&["a  ", "b", "a", "b"]);
        assert_eq!(locate(&hay, &v(&["a", "b"]), 0, None, &[]), Ok(Found { start: 2, end: 4, layer: Layer::Exact }));
    }

    #[test]
    fn ambiguity_is_refused_without_a_hint_and_resolved_by_one() {
        let hay = v(&["x = 1", "y", "x = 1", "y"]);
        let needle = v(&["x = 1", "y"]);
        assert_eq!(locate(&hay, &needle, 0, None, &[]), Err(Miss::Ambiguous(vec![0, 2])));
        assert_eq!(locate(&hay, &needle, 0, Some(3), &[]).map(|f| f.start), Ok(2));
        assert_eq!(locate(&hay, &needle, 0, Some(1), &[]), Err(Miss::Ambiguous(vec![0, 2])));
    }

    #[test]
    fn inconsistent_indentation_still_matches_line_by_line() {
        let hay = v(&["a  ", "b", "a", "b"]);
        assert_eq!(locate(&hay, &v(&["  a", "b"]), 0, None, &[]), Err(Miss::Ambiguous(vec![0, 2])));
        assert_eq!(
            locate(&hay, &v(&["  a", "b"]), 0, Some(2), &[]),
            Ok(Found { start: 2, end: 4, layer: Layer::Trimmed })
        );
    }

    #[test]
    fn indent_offset_is_found_and_reported() {
        let hay = v(&["class A:", "    def f(self):", "        return 1"]);
        let needle = v(&["def f(self):", "    return 1"]);
        let f = locate(&hay, &needle, 0, None, &[]).unwrap();
        assert_eq!(f, Found { start: 1, end: 3, layer: Layer::Indent { add: "    ".into(), remove: String::new() } });
    }

    #[test]
    fn punctuation_and_fuzzy() {
        let hay = v(&["msg = \"it's done\"", "other()"]);
        let f = locate(&hay, &v(&["msg = \u{201C}it\u{2019}s done\u{201D}"]), 0, None, &[]).unwrap();
        assert_eq!(f.layer, Layer::Punctuation);
        let hay =
            v(&["def compute_total(items):", "    return sum(i.price for i in items)", "", "def other():", "    pass"]);
        let needle = v(&["def compute_total(items):", "    return sum(i.prices for i in items)"]);
        assert_eq!(locate(&hay, &needle, 0, None, &[]), Ok(Found { start: 0, end: 2, layer: Layer::Fuzzy }));
        assert_eq!(locate(&hay, &v(&["completely different", "text here"]), 0, None, &[]), Err(Miss::NotFound));
    }
}
