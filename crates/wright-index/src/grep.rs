//! `kind: regex`: every line of the indexed files that the pattern matches, in path and
//! line order, with the semantics `rg` has (per line; `^`/`$` at line ends).

use regex::{Regex, RegexBuilder};

use crate::rank::line_of;
use crate::{Index, IndexError, SearchHit};

pub(crate) fn search(index: &Index, pattern: &str, limit: usize) -> Result<(Vec<SearchHit>, usize), IndexError> {
    let line_re = Regex::new(pattern)?;
    // Matching the whole file first is a cheap filter: a line match implies a file match.
    let file_re = RegexBuilder::new(pattern).multi_line(true).build()?;
    let paths: Vec<&str> = index.paths().collect();
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(8);
    let per = paths.len().div_ceil(threads).max(1);
    let mut found: Vec<Vec<SearchHit>> = std::thread::scope(|s| {
        let handles: Vec<_> = paths
            .chunks(per)
            .map(|chunk| {
                let (line_re, file_re) = (&line_re, &file_re);
                s.spawn(move || {
                    let mut hits = Vec::new();
                    for path in chunk {
                        let Some(text) = index.read_text(path) else { continue };
                        if !file_re.is_match(&text) {
                            continue;
                        }
                        for (i, line) in text.lines().enumerate() {
                            if line_re.is_match(line) {
                                hits.push(SearchHit {
                                    path: path.to_string(),
                                    start_line: i + 1,
                                    end_line: i + 1,
                                    symbol: None,
                                    score: 1.0,
                                    snippet: line_of(line, 1),
                                });
                            }
                        }
                    }
                    hits
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_default()).collect()
    });
    let mut hits: Vec<SearchHit> = found.drain(..).flatten().collect();
    let total = hits.len();
    hits.truncate(limit);
    Ok((hits, total.saturating_sub(limit)))
}
