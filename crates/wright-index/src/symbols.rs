//! `kind: symbol`: definitions by name. An exact name or qualified name ranks first,
//! then names that start with the query, then names that contain it.

use tantivy::TantivyDocument;
use tantivy::Term;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;

use crate::rank::line_of;
use crate::schema::KIND_CHUNK;
use crate::tokenize::code_terms;
use crate::{Index, IndexError, SearchHit};

const POOL: usize = 2000;

pub(crate) fn search(index: &Index, query: &str, limit: usize) -> Result<(Vec<SearchHit>, usize), IndexError> {
    let wanted = query.trim().trim_end_matches("()").to_lowercase().replace("::", ".");
    let mut parts = code_terms(&wanted);
    parts.dedup();
    if parts.is_empty() {
        return Err(IndexError::EmptyQuery);
    }
    let f = index.fields;
    let searcher = index.searcher();
    let should: Vec<(Occur, Box<dyn Query>)> = parts
        .iter()
        .map(|t| {
            let q = TermQuery::new(Term::from_field_text(f.symbols, t), IndexRecordOption::WithFreqs);
            (Occur::Should, Box::new(q) as Box<dyn Query>)
        })
        .collect();
    let kind = TermQuery::new(Term::from_field_text(f.kind, KIND_CHUNK), IndexRecordOption::Basic);
    let q = BooleanQuery::new(vec![(Occur::Must, Box::new(kind)), (Occur::Must, Box::new(BooleanQuery::new(should)))]);
    let mut hits = Vec::new();
    for (bm25, addr) in searcher.search(&q, &TopDocs::with_limit(POOL).order_by_score())? {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let s = |field| crate::schema::text(&doc, field);
        let n = |field| crate::schema::line(&doc, field);
        let qualified = s(f.symbol);
        let lower = qualified.to_lowercase();
        let name = lower.rsplit('.').next().unwrap_or(&lower).to_string();
        let tier = if name == wanted || lower == wanted {
            4.0
        } else if lower.ends_with(&format!(".{wanted}")) {
            3.5
        } else if name.starts_with(&wanted) {
            2.0
        } else if lower.contains(&wanted) {
            1.0
        } else {
            continue;
        };
        let path = s(f.path);
        let start = n(f.start_line);
        let snippet = index.read_text(&path).map(|t| line_of(&t, start)).unwrap_or_default();
        hits.push(SearchHit {
            path,
            start_line: start,
            end_line: n(f.end_line),
            symbol: Some(qualified),
            score: tier + bm25.min(10.0) / 100.0,
            snippet,
        });
    }
    hits.sort_by(|a, b| {
        b.score.total_cmp(&a.score).then_with(|| a.path.cmp(&b.path)).then_with(|| a.start_line.cmp(&b.start_line))
    });
    let more = hits.len().saturating_sub(limit);
    hits.truncate(limit);
    Ok((hits, more))
}
