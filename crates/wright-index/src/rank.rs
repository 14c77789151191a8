//! Ranking: BM25 over files for words (with a bonus for path matches), definition
//! patterns for symbols, and plain line matches for regexes.

use std::collections::HashMap;

use regex::Regex;

use crate::terms::{query_terms, tokens};
use crate::{Corpus, IndexError, SearchHit};

const K1: f32 = 1.2;
const B: f32 = 0.75;
const PATH_BOOST: f32 = 2.0;

pub(crate) fn text(corpus: &Corpus, query: &str) -> Result<Vec<SearchHit>, IndexError> {
    let terms = query_terms(query);
    if terms.is_empty() {
        return Err(IndexError::EmptyQuery);
    }
    let counts: Vec<HashMap<&str, usize>> = corpus
        .files
        .iter()
        .map(|f| {
            let mut tf: HashMap<&str, usize> = HashMap::new();
            for t in tokens(&f.text) {
                if let Some(term) = terms.iter().find(|q| **q == t) {
                    *tf.entry(term.as_str()).or_default() += 1;
                }
            }
            tf
        })
        .collect();
    let lengths: Vec<f32> = corpus.files.iter().map(|f| (f.text.len() / 6).max(1) as f32).collect();
    let n = corpus.files.len().max(1) as f32;
    let avg = lengths.iter().sum::<f32>() / n;
    let mut hits = Vec::new();
    for (i, file) in corpus.files.iter().enumerate() {
        let path_tokens = tokens(&file.path);
        let mut score = 0.0;
        for term in &terms {
            let df = counts.iter().filter(|c| c.contains_key(term.as_str())).count() as f32;
            let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
            let tf = *counts[i].get(term.as_str()).unwrap_or(&0) as f32;
            if tf > 0.0 {
                score += idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * lengths[i] / avg));
            }
            if path_tokens.contains(term) {
                score += PATH_BOOST * idf;
            }
        }
        if score > 0.0 {
            let line = best_line(&file.text, &terms);
            hits.push(hit(&file.path, line, None, score, &file.text));
        }
    }
    sort(&mut hits);
    Ok(hits)
}

pub(crate) fn symbols(corpus: &Corpus, query: &str) -> Result<Vec<SearchHit>, IndexError> {
    let wanted = query.trim().to_lowercase();
    if wanted.is_empty() {
        return Err(IndexError::EmptyQuery);
    }
    let def = Regex::new(
        r"^\s*(?:pub(?:\([^)]*\))?\s+|export\s+|async\s+|static\s+|public\s+|private\s+|protected\s+)*(?:fn|def|class|struct|enum|trait|interface|type|func|function|impl|mod|module)\s+([A-Za-z_][A-Za-z0-9_]*)",
    )?;
    let mut hits = Vec::new();
    for file in &corpus.files {
        for (i, line) in file.text.lines().enumerate() {
            let Some(name) = def.captures(line).and_then(|c| c.get(1)) else { continue };
            let lower = name.as_str().to_lowercase();
            let score = if lower == wanted {
                3.0
            } else if lower.starts_with(&wanted) {
                2.0
            } else if lower.contains(&wanted) {
                1.0
            } else {
                continue;
            };
            hits.push(hit(&file.path, i + 1, Some(name.as_str().to_string()), score, &file.text));
        }
    }
    sort(&mut hits);
    Ok(hits)
}

pub(crate) fn regex(corpus: &Corpus, pattern: &str) -> Result<Vec<SearchHit>, IndexError> {
    let re = Regex::new(pattern)?;
    let mut hits = Vec::new();
    for file in &corpus.files {
        for (i, line) in file.text.lines().enumerate() {
            if re.is_match(line) {
                hits.push(hit(&file.path, i + 1, None, 1.0, &file.text));
            }
        }
    }
    Ok(hits)
}

fn best_line(text: &str, terms: &[String]) -> usize {
    let mut best = (0, 1);
    for (i, line) in text.lines().enumerate() {
        let line_tokens = tokens(line);
        let distinct = terms.iter().filter(|t| line_tokens.contains(t)).count();
        if distinct > best.0 {
            best = (distinct, i + 1);
        }
    }
    best.1
}

fn hit(path: &str, line: usize, symbol: Option<String>, score: f32, text: &str) -> SearchHit {
    let snippet: String = text.lines().nth(line - 1).unwrap_or("").trim().chars().take(160).collect();
    SearchHit { path: path.to_string(), start_line: line, end_line: line, symbol, score, snippet }
}

fn sort(hits: &mut [SearchHit]) {
    hits.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.path.cmp(&b.path)));
}

#[cfg(test)]
mod tests {
    use crate::{SearchKind, search};

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("src/dates.py"),
            "import re\n\ndef parse_date(text):\n    return re.match(r'x', text)\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("src/other.py"), "def unrelated():\n    pass\n").unwrap();
        std::fs::write(dir.path().join("README.md"), "A project about many things.\n").unwrap();
        dir
    }

    #[test]
    fn text_ranks_the_defining_file_first() {
        let dir = tree();
        let r = search(dir.path(), "parse_date rejects ISO dates", SearchKind::Text, 10).unwrap();
        assert_eq!(r.hits[0].path, "src/dates.py");
        assert_eq!(r.hits[0].start_line, 3);
    }

    #[test]
    fn symbols_and_regex() {
        let dir = tree();
        let r = search(dir.path(), "parse_date", SearchKind::Symbol, 10).unwrap();
        assert_eq!(r.hits.len(), 1);
        assert_eq!(r.hits[0].symbol.as_deref(), Some("parse_date"));
        let r = search(dir.path(), r"def \w+\(", SearchKind::Regex, 1).unwrap();
        assert_eq!(r.hits.len(), 1);
        assert_eq!(r.more, 1);
        assert!(search(dir.path(), "(", SearchKind::Regex, 1).is_err());
    }
}
