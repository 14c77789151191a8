//! `kind: regex`: every line of the indexed files that the pattern matches, in path and
//! line order, with the semantics `rg` has (per line; `^`/`$` at line ends).

use regex::{Regex, RegexBuilder};

use crate::rank::line_of;
use crate::{Index, IndexError, SearchHit};

/// Files matched side by side before the hits so far are looked at.
const BATCH_PER_THREAD: usize = 8;

/// Hits in path and line order, at most `limit`, and how many more were seen. The scan
/// stops at the first batch of files that passes the limit, so memory follows the limit,
/// not the tree; the count of more is then a lower bound (`false`).
pub(crate) fn search(index: &Index, pattern: &str, limit: usize) -> Result<(Vec<SearchHit>, usize, bool), IndexError> {
    let line_re = Regex::new(pattern)?;
    // Matching the whole file first is a cheap filter: a line match implies a file match.
    let file_re = RegexBuilder::new(pattern).multi_line(true).build()?;
    let paths: Vec<&str> = index.paths().collect();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    let mut hits = Vec::new();
    let (mut scanned, mut capped) = (0, false);
    for batch in paths.chunks(threads * BATCH_PER_THREAD) {
        let per = batch.len().div_ceil(threads).max(1);
        let found: Vec<Vec<SearchHit>> = std::thread::scope(|s| {
            let handles: Vec<_> = batch
                .chunks(per)
                .map(|chunk| {
                    let (line_re, file_re) = (&line_re, &file_re);
                    s.spawn(move || {
                        chunk.iter().flat_map(|p| file_hits(index, p, line_re, file_re, limit + 1)).collect()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
        });
        // A file stops at its cap: the count past the limit is then a lower bound.
        capped |= found
            .iter()
            .flatten()
            .fold(std::collections::HashMap::<&str, usize>::new(), |mut n, h| {
                *n.entry(h.path.as_str()).or_default() += 1;
                n
            })
            .values()
            .any(|&n| n > limit);
        hits.extend(found.into_iter().flatten());
        scanned += batch.len();
        if hits.len() > limit {
            break;
        }
    }
    let more = hits.len().saturating_sub(limit);
    hits.truncate(limit);
    Ok((hits, more, scanned == paths.len() && !capped))
}

/// The first `cap` matching lines of one file.
fn file_hits(index: &Index, path: &str, line_re: &Regex, file_re: &Regex, cap: usize) -> Vec<SearchHit> {
    let Some(text) = index.read_text(path) else { return Vec::new() };
    if !file_re.is_match(&text) {
        return Vec::new();
    }
    text.lines()
        .enumerate()
        .filter(|(_, line)| line_re.is_match(line))
        .take(cap)
        .map(|(i, line)| SearchHit {
            path: path.to_string(),
            start_line: i + 1,
            end_line: i + 1,
            symbol: None,
            score: 1.0,
            snippet: line_of(line, 1),
        })
        .collect()
}
