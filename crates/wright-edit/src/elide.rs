//! Elided context: models shorten long hunks with a `...` line (or `# ...`,
//! `// ... existing code ...`) standing for lines they kept but did not repeat. In the
//! old lines a marker matches any run of file lines; the same marker in the new lines
//! stands for those same lines, kept as they are.

use crate::miss::{Miss, pick};

/// A line that only says "lines left out here".
pub(crate) fn is_marker(line: &str) -> bool {
    let t = line.trim();
    let t = ["<!--", "/*", "//", "#", "--", ";"].iter().find_map(|c| t.strip_prefix(c)).unwrap_or(t).trim_start();
    t.starts_with("...") || t.starts_with('\u{2026}')
}

/// Where the old lines match with their markers spanning file lines: the window
/// `start..end` and, per marker, the file lines it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Elided {
    pub start: usize,
    pub end: usize,
    pub gaps: Vec<(usize, usize)>,
}

/// Finds `old` (which holds at least one marker) at or after `from`. Segments between
/// markers are compared ignoring surrounding whitespace; each marker takes the shortest
/// run that lets the next segment match. Leading and trailing markers are ignored.
pub(crate) fn locate_elided(hay: &[String], old: &[String], from: usize, hint: Option<usize>) -> Result<Elided, Miss> {
    let old = &old[old.iter().position(|l| !is_marker(l)).unwrap_or(old.len())..];
    let segments: Vec<&[String]> = old.split(|l| is_marker(l)).collect();
    let (first, rest) = match segments.split_first() {
        Some((f, r)) if !f.is_empty() => (*f, r),
        _ => return Err(Miss::NotFound),
    };
    let matches_at = |seg: &[String], at: usize| {
        at + seg.len() <= hay.len() && hay[at..at + seg.len()].iter().zip(seg).all(|(h, n)| h.trim() == n.trim())
    };
    let mut found = Vec::new();
    for start in from..hay.len() {
        if !matches_at(first, start) {
            continue;
        }
        let mut at = start + first.len();
        let mut gaps = Vec::new();
        let mut complete = true;
        for seg in rest {
            if seg.is_empty() {
                // A trailing marker, or two in a row: nothing to anchor the gap's end.
                continue;
            }
            match (at..hay.len()).find(|&s| matches_at(seg, s)) {
                Some(s) => {
                    gaps.push((at, s));
                    at = s + seg.len();
                }
                None => {
                    complete = false;
                    break;
                }
            }
        }
        if complete {
            found.push(Elided { start, end: at, gaps });
        }
    }
    let start = pick(found.iter().map(|f| f.start).collect(), hint)?;
    found.into_iter().find(|f| f.start == start).ok_or(Miss::NotFound)
}

/// `lines` with its interior markers replaced by the file lines each stands for, in
/// order; `None` when it does not have one marker per gap.
pub(crate) fn expand(lines: &[String], gaps: &[(usize, usize)], hay: &[String]) -> Option<Vec<String>> {
    let mut out = Vec::with_capacity(lines.len());
    let mut next = gaps.iter();
    let markers: Vec<usize> = interior_markers(lines);
    if markers.len() != gaps.len() {
        return None;
    }
    for (i, line) in lines.iter().enumerate() {
        if markers.contains(&i) {
            let (a, b) = next.next()?;
            out.extend_from_slice(&hay[*a..*b]);
        } else if !is_marker(line) {
            out.push(line.clone());
        }
    }
    Some(out)
}

/// Markers with a non-marker line both before and after them (the ones that span a gap).
fn interior_markers(lines: &[String]) -> Vec<usize> {
    let first = lines.iter().position(|l| !is_marker(l));
    let last = lines.iter().rposition(|l| !is_marker(l));
    let (Some(first), Some(last)) = (first, last) else { return Vec::new() };
    let mut out = Vec::new();
    let mut i = first;
    while i < last {
        if is_marker(&lines[i]) {
            out.push(i);
            while i < last && is_marker(&lines[i]) {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(lines: &[&str]) -> Vec<String> {
        lines.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn markers() {
        for m in ["...", "    # ...", "// ... existing code ...", "\u{2026}", "/* ... */"] {
            assert!(is_marker(m), "{m}");
        }
        for m in ["x = ...", "print('...')", ""] {
            assert!(!is_marker(m), "{m}");
        }
    }

    #[test]
    fn gaps_take_the_shortest_run_and_expand_both_sides() {
        let hay = v(&["def f():", "    a = 1", "    b = 2", "    return a", "", "def g():", "    return a"]);
        let old = v(&["def f():", "    ...", "    return a"]);
        let found = locate_elided(&hay, &old, 0, None).unwrap();
        assert_eq!(found, Elided { start: 0, end: 4, gaps: vec![(1, 3)] });
        let new = v(&["def f():", "    ...", "    return a + b"]);
        assert_eq!(
            expand(&new, &found.gaps, &hay).unwrap(),
            v(&["def f():", "    a = 1", "    b = 2", "    return a + b"])
        );
        assert_eq!(expand(&v(&["def f():", "    return 0"]), &found.gaps, &hay), None);
    }
}
