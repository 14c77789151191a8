//! Turning one source file into index documents: the file itself and a chunk per
//! definition (functions, classes, types…) found by tree-sitter.

use std::path::Path;

use tantivy::TantivyDocument;
use wright_grammar::{DefKind, Lang};

use crate::schema::{Fields, KIND_CHUNK, KIND_FILE};

/// A chunk longer than this keeps only its head in the index: the signature and the
/// start of the body carry the meaning; the tail would only dilute it.
const MAX_CHUNK_LINES: usize = 300;

pub fn for_file(f: &Fields, path: &str, text: &str) -> Vec<TantivyDocument> {
    let lang = Lang::from_path(Path::new(path));
    let defs = lang.and_then(|l| wright_grammar::definitions(l, text).ok()).unwrap_or_default();
    let lang_name = lang.map(|l| l.name()).unwrap_or("");
    let mut docs = Vec::with_capacity(defs.len() + 1);

    let mut file = TantivyDocument::new();
    file.add_text(f.kind, KIND_FILE);
    file.add_text(f.path, path);
    file.add_text(f.path_terms, path);
    file.add_text(f.content, text);
    let names: Vec<&str> = defs.iter().map(|d| d.name.as_str()).collect();
    file.add_text(f.symbols, names.join(" "));
    file.add_u64(f.start_line, 1);
    file.add_u64(f.end_line, text.lines().count().max(1) as u64);
    file.add_text(f.lang, lang_name);
    docs.push(file);

    let lines: Vec<&str> = text.lines().collect();
    for d in &defs {
        if matches!(d.kind, DefKind::Const) {
            continue;
        }
        let from = d.start_line.saturating_sub(1).min(lines.len());
        let to = d.end_line.min(lines.len()).min(from + MAX_CHUNK_LINES);
        let mut chunk = TantivyDocument::new();
        chunk.add_text(f.kind, KIND_CHUNK);
        chunk.add_text(f.path, path);
        chunk.add_text(f.path_terms, path);
        chunk.add_text(f.content, lines[from..to].join("\n"));
        chunk.add_text(f.symbols, &d.qualified);
        chunk.add_text(f.symbol, &d.qualified);
        chunk.add_text(f.symbol_kind, d.kind.name());
        chunk.add_u64(f.start_line, d.start_line as u64);
        chunk.add_u64(f.end_line, d.end_line as u64);
        chunk.add_text(f.lang, lang_name);
        docs.push(chunk);
    }
    docs
}
