//! The plain baseline: whole-file BM25 with tantivy's default tokenizer over the same
//! files, queried with the issue text's tokens, and nothing else.

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, STORED, STRING, Schema, TEXT, Value};
use tantivy::tokenizer::TokenStream;
use tantivy::{TantivyDocument, Term};

use crate::EvalError;

/// Paths of the files ranked for `query`, best first, at most `limit`.
pub fn rank(root: &std::path::Path, paths: &[String], query: &str, limit: usize) -> Result<Vec<String>, EvalError> {
    let mut b = Schema::builder();
    let path_f = b.add_text_field("path", STRING | STORED);
    let body_f = b.add_text_field("body", TEXT);
    let index = tantivy::Index::create_in_ram(b.build());
    let mut writer = index.writer_with_num_threads(1, 50_000_000)?;
    for p in paths {
        let Ok(text) = std::fs::read_to_string(root.join(p)) else { continue };
        let mut doc = TantivyDocument::new();
        doc.add_text(path_f, p);
        doc.add_text(body_f, &text);
        writer.add_document(doc)?;
    }
    writer.commit()?;
    let mut analyzer = index.tokenizer_for_field(body_f)?;
    let mut stream = analyzer.token_stream(query);
    let mut terms: Vec<String> = Vec::new();
    while stream.advance() {
        let t = stream.token().text.clone();
        if !terms.contains(&t) {
            terms.push(t);
        }
    }
    let should: Vec<(Occur, Box<dyn Query>)> = terms
        .iter()
        .map(|t| {
            let q = TermQuery::new(Term::from_field_text(body_f, t), IndexRecordOption::WithFreqs);
            (Occur::Should, Box::new(q) as Box<dyn Query>)
        })
        .collect();
    let searcher = index.reader()?.searcher();
    let top = searcher.search(&BooleanQuery::new(should), &TopDocs::with_limit(limit).order_by_score())?;
    let mut out = Vec::new();
    for (_, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr)?;
        if let Some(p) = doc.get_first(path_f).and_then(|v| v.as_str()) {
            out.push(p.to_string());
        }
    }
    Ok(out)
}
