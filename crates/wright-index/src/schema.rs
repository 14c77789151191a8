//! The index schema: one document per file and one per definition (a "chunk"), so a
//! hit can name a symbol and a line range, not only a file.

use tantivy::schema::{Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions};

use crate::tokenize::CODE_TOKENIZER;

/// Bumped whenever the schema or the tokenizer changes; an index of another format is rebuilt.
pub const FORMAT: u32 = 1;

pub const KIND_FILE: &str = "file";
pub const KIND_CHUNK: &str = "chunk";

#[derive(Clone, Copy, Debug)]
pub struct Fields {
    /// `file` or `chunk`.
    pub kind: Field,
    /// The raw relative path: the key for deletes and the path in results.
    pub path: Field,
    /// The path's terms (`src/http_client.rs` → src, http_client, http, client, rs).
    pub path_terms: Field,
    pub content: Field,
    /// Names defined in the document.
    pub symbols: Field,
    /// The chunk's qualified name and kind.
    pub symbol: Field,
    pub symbol_kind: Field,
    pub start_line: Field,
    pub end_line: Field,
    pub lang: Field,
}

pub fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let code = |stored: bool| {
        let indexing =
            TextFieldIndexing::default().set_tokenizer(CODE_TOKENIZER).set_index_option(IndexRecordOption::WithFreqs);
        let opts = TextOptions::default().set_indexing_options(indexing);
        if stored { opts.set_stored() } else { opts }
    };
    let fields = Fields {
        kind: b.add_text_field("kind", STRING),
        path: b.add_text_field("path", STRING | STORED),
        path_terms: b.add_text_field("path_terms", code(false)),
        content: b.add_text_field("content", code(false)),
        symbols: b.add_text_field("symbols", code(false)),
        symbol: b.add_text_field("symbol", STORED),
        symbol_kind: b.add_text_field("symbol_kind", STORED),
        start_line: b.add_u64_field("start_line", STORED | INDEXED),
        end_line: b.add_u64_field("end_line", STORED),
        lang: b.add_text_field("lang", STRING | STORED),
    };
    (b.build(), fields)
}

impl Fields {
    pub fn from_schema(schema: &Schema) -> Option<Fields> {
        let f = |name: &str| schema.get_field(name).ok();
        Some(Fields {
            kind: f("kind")?,
            path: f("path")?,
            path_terms: f("path_terms")?,
            content: f("content")?,
            symbols: f("symbols")?,
            symbol: f("symbol")?,
            symbol_kind: f("symbol_kind")?,
            start_line: f("start_line")?,
            end_line: f("end_line")?,
            lang: f("lang")?,
        })
    }
}

/// A stored text field of a document ("" when absent).
pub fn text(doc: &tantivy::TantivyDocument, field: Field) -> String {
    use tantivy::schema::Value;
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string()
}

/// A stored line-number field of a document (1 when absent).
pub fn line(doc: &tantivy::TantivyDocument, field: Field) -> usize {
    use tantivy::schema::Value;
    doc.get_first(field).and_then(|v| v.as_u64()).unwrap_or(1) as usize
}
