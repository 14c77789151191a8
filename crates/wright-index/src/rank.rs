//! Text ranking: BM25 over file documents (content, path and defined names as separate
//! fields, each term weighted by what kind of evidence it is), then priors for where
//! changes usually land, then the best definition inside each top file.

use std::collections::HashMap;

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::query::{Analyzed, analyze};
use crate::schema::{Fields, KIND_CHUNK, KIND_FILE};
use crate::{Index, IndexError, SearchHit};

/// Field weights relative to content.
const PATH_WEIGHT: f32 = 1.5;
const SYMBOL_WEIGHT: f32 = 1.0;
/// A file whose path the query names outright.
const NAMED_PATH_BOOST: f32 = 3.0;
/// Files that are rarely where a fix lands, unless named.
const TEST_PRIOR: f32 = 0.3;
const DOC_PRIOR: f32 = 0.3;
/// Files that are not source code (config, data, prose) and project plumbing.
const OTHER_PRIOR: f32 = 0.3;
/// Share of the best matching definition's score added to its file's.
const CHUNK_SHARE: f32 = 1.0;
/// Weight of defining what the query names, its cap, and the limits of that signal.
const DEFINES_WEIGHT: f32 = 0.8;
const DEFINES_CAP: f32 = 3.0;
const MAX_DEFINED_IDENTS: usize = 40;
const MAX_DEFINING_FILES: usize = 4;
/// Candidates taken from each document kind.
const FILE_POOL: usize = 100;
const CHUNK_POOL: usize = 300;
/// A bare file name that more files than this share names none of them.
const MAX_NAMED_MATCHES: usize = 2;

pub(crate) fn text(index: &Index, query: &str, limit: usize) -> Result<(Vec<SearchHit>, usize), IndexError> {
    let analyzed = analyze(query);
    if analyzed.terms.is_empty() && analyzed.paths.is_empty() {
        return Err(IndexError::EmptyQuery);
    }
    let f = index.fields;
    let searcher = index.searcher();
    let named = named_paths(index, &analyzed);

    // Whole files and single definitions are scored apart and summed: a large file whose
    // one function matches well is not lost to length normalisation.
    let mut scores: HashMap<String, f32> = HashMap::new();
    for (score, addr) in top_docs(&searcher, &f, KIND_FILE, &analyzed, None, FILE_POOL)? {
        let path = stored_str(&searcher, addr, f.path).unwrap_or_default();
        *scores.entry(path).or_default() += score;
    }
    let mut chunks = chunk_hits(&searcher, &f, &analyzed, None, CHUNK_POOL)?;
    for (path, c) in &chunks {
        *scores.entry(path.clone()).or_default() += CHUNK_SHARE * c.score;
    }
    let best = scores.values().copied().fold(0.0, f32::max).max(1.0);
    for path in &named {
        // Files the query names by path count even when no term matched them.
        let s = scores.entry(path.clone()).or_default();
        *s = s.max(best * 0.5);
    }
    let defines = defining_files(&searcher, &f, &analyzed)?;
    let def_w = DEFINES_WEIGHT;
    let mut ranked: Vec<(String, f32)> = scores
        .into_iter()
        .map(|(p, s)| {
            let defines = defines.get(&p).copied().unwrap_or(0.0).min(DEFINES_CAP);
            let s = s * prior(&p, named.contains(&p)) * (1.0 + def_w * defines);
            (p, s)
        })
        .collect();
    sort(&mut ranked);

    let missing: Vec<String> =
        ranked.iter().take(limit).filter(|(p, _)| !chunks.contains_key(p)).map(|(p, _)| p.clone()).collect();
    if !missing.is_empty() {
        chunks.extend(chunk_hits(&searcher, &f, &analyzed, Some(&missing), missing.len() * 30)?);
    }

    let total = ranked.len();
    let mut hits = Vec::new();
    for (path, score) in ranked.into_iter().take(limit) {
        let text = index.read_text(&path).unwrap_or_default();
        let hit = match chunks.get(path.as_str()) {
            Some(c) => SearchHit {
                path: path.clone(),
                start_line: c.start,
                end_line: c.end,
                symbol: Some(c.symbol.clone()),
                score,
                snippet: line_of(&text, c.start),
            },
            None => {
                let line = best_line(&text, &analyzed);
                SearchHit {
                    path: path.clone(),
                    start_line: line,
                    end_line: line,
                    symbol: None,
                    score,
                    snippet: line_of(&text, line),
                }
            }
        };
        hits.push(hit);
    }
    Ok((hits, total.saturating_sub(limit)))
}

/// For each file, how much of what the query names it defines: each identifier the
/// query mentions that only a few files define counts `1 / files defining it`.
fn defining_files(searcher: &Searcher, f: &Fields, a: &Analyzed) -> Result<HashMap<String, f32>, IndexError> {
    let mut out: HashMap<String, f32> = HashMap::new();
    for ident in a.idents.iter().take(MAX_DEFINED_IDENTS) {
        let last = ident.rsplit('.').next().unwrap_or(ident);
        let q = BooleanQuery::new(vec![
            (Occur::Must, term(f.kind, KIND_CHUNK)),
            (Occur::Must, Box::new(TermQuery::new(Term::from_field_text(f.symbols, ident), IndexRecordOption::Basic))),
        ]);
        let mut paths: Vec<String> = Vec::new();
        for (_, addr) in searcher.search(&q, &TopDocs::with_limit(64).order_by_score())? {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let symbol = doc.get_first(f.symbol).and_then(|v| v.as_str()).unwrap_or("").to_lowercase();
            let name = symbol.rsplit('.').next().unwrap_or(&symbol);
            let exact =
                symbol == *ident || symbol.ends_with(&format!(".{ident}")) || (name == last && !ident.contains('.'));
            let path = doc.get_first(f.path).and_then(|v| v.as_str()).unwrap_or("").to_string();
            if exact && !paths.contains(&path) {
                paths.push(path);
            }
        }
        if (1..=MAX_DEFINING_FILES).contains(&paths.len()) {
            let share = 1.0 / paths.len() as f32;
            for p in paths {
                *out.entry(p).or_default() += share;
            }
        }
    }
    Ok(out)
}

/// Indexed files that the query names by path; a bare name that many files share
/// (`conf.py`, `index.rst`) names none of them.
fn named_paths(index: &Index, a: &Analyzed) -> Vec<String> {
    let mut named = Vec::new();
    for hint in &a.paths {
        let matches: Vec<&str> = index.paths().filter(|p| path_named(&p.to_lowercase(), hint)).collect();
        if matches.len() <= MAX_NAMED_MATCHES {
            named.extend(matches.into_iter().map(str::to_string));
        }
    }
    named
}

fn sort(ranked: &mut [(String, f32)]) {
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
}

/// The weighted terms as one query over content, path and names, limited to documents
/// of `kind` (and to `paths` when given).
fn top_docs(
    searcher: &Searcher,
    f: &Fields,
    kind: &str,
    a: &Analyzed,
    paths: Option<&[String]>,
    limit: usize,
) -> Result<Vec<(f32, DocAddress)>, IndexError> {
    let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (t, w) in &a.terms {
        for (field, fw) in [(f.content, 1.0), (f.path_terms, PATH_WEIGHT), (f.symbols, SYMBOL_WEIGHT)] {
            let q = TermQuery::new(Term::from_field_text(field, t), IndexRecordOption::WithFreqs);
            should.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), w * fw))));
        }
    }
    if should.is_empty() {
        return Ok(Vec::new());
    }
    let mut must: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, term(f.kind, kind)), (Occur::Must, Box::new(BooleanQuery::new(should)))];
    if let Some(paths) = paths {
        let any: Vec<(Occur, Box<dyn Query>)> = paths.iter().map(|p| (Occur::Should, term(f.path, p))).collect();
        must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    Ok(searcher.search(&BooleanQuery::new(must), &TopDocs::with_limit(limit).order_by_score())?)
}

fn term(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::Basic))
}

pub(crate) struct Chunk {
    pub symbol: String,
    pub start: usize,
    pub end: usize,
    pub score: f32,
}

/// The best-scoring definition per file, among all files or only `paths`.
fn chunk_hits(
    searcher: &Searcher,
    f: &Fields,
    a: &Analyzed,
    paths: Option<&[String]>,
    pool: usize,
) -> Result<HashMap<String, Chunk>, IndexError> {
    let mut best: HashMap<String, Chunk> = HashMap::new();
    for (score, addr) in top_docs(searcher, f, KIND_CHUNK, a, paths, pool)? {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let s = |field| crate::schema::text(&doc, field);
        let n = |field| crate::schema::line(&doc, field);
        let path = s(f.path);
        if best.get(&path).is_some_and(|c| c.score >= score) {
            continue;
        }
        best.insert(path, Chunk { symbol: s(f.symbol), start: n(f.start_line), end: n(f.end_line), score });
    }
    Ok(best)
}

pub(crate) fn stored_str(searcher: &Searcher, addr: DocAddress, field: tantivy::schema::Field) -> Option<String> {
    let doc: TantivyDocument = searcher.doc(addr).ok()?;
    doc.get_first(field).and_then(|v| v.as_str()).map(str::to_string)
}

/// Where fixes rarely land (tests, docs, examples) weighs less, unless the query names it.
fn prior(path: &str, named: bool) -> f32 {
    if named {
        return NAMED_PATH_BOOST;
    }
    let lower = path.to_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    let dirs: Vec<&str> = lower.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    let in_dir = |names: &[&str]| dirs.iter().any(|d| names.contains(d));
    let is_test = in_dir(&["test", "tests", "testing", "__tests__", "spec"])
        || name.starts_with("test_")
        || name.ends_with("_test.py")
        || name.ends_with("_tests.py")
        || name.ends_with("_test.go")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name == "conftest.py";
    if is_test {
        return TEST_PRIOR;
    }
    let is_doc = in_dir(&["doc", "docs", "example", "examples", "benchmarks", "bench"])
        || [".rst", ".md", ".txt"].iter().any(|e| name.ends_with(e));
    if is_doc {
        return DOC_PRIOR;
    }
    let plumbing = ["setup.py", "conf.py", "noxfile.py", "fabfile.py", "tasks.py"].contains(&name);
    let is_source = wright_grammar::Lang::from_path(std::path::Path::new(name)).is_some();
    if plumbing || !is_source { OTHER_PRIOR } else { 1.0 }
}

/// `path` is the file the hint names (`models.py` names `requests/models.py`).
pub(crate) fn path_named(path: &str, hint: &str) -> bool {
    path == hint || path.strip_suffix(hint).is_some_and(|dir| dir.ends_with('/'))
}

/// The line holding the most distinct query terms (1-based).
fn best_line(text: &str, a: &Analyzed) -> usize {
    let weights: HashMap<&str, f32> = a.terms.iter().map(|(t, w)| (t.as_str(), *w)).collect();
    let mut best = (0.0, 1);
    for (i, line) in text.lines().enumerate() {
        let mut seen = crate::tokenize::code_terms(line);
        seen.sort();
        seen.dedup();
        let s: f32 = seen.iter().filter_map(|t| weights.get(t.as_str())).sum();
        if s > best.0 {
            best = (s, i + 1);
        }
    }
    best.1
}

pub(crate) fn line_of(text: &str, line: usize) -> String {
    text.lines().nth(line.saturating_sub(1)).unwrap_or("").trim().chars().take(160).collect()
}
