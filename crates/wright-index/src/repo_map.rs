//! The repo map: an outline of the repository's definitions, files ranked by how much
//! their definitions are referenced elsewhere and by what the focus text mentions,
//! cut to a token budget.

use std::collections::{BTreeMap, HashMap};

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

use crate::query::analyze;
use crate::schema::KIND_CHUNK;
use crate::{Index, IndexError};

/// Roughly how many characters a token holds in code.
const CHARS_PER_TOKEN: usize = 4;

struct Def {
    line: usize,
    kind: String,
    qualified: String,
}

pub(crate) fn render(index: &Index, focus: Option<&str>, budget_tokens: usize) -> Result<String, IndexError> {
    let f = index.fields;
    let searcher = index.searcher();
    let q = TermQuery::new(Term::from_field_text(f.kind, KIND_CHUNK), IndexRecordOption::Basic);
    let mut by_file: BTreeMap<String, Vec<Def>> = BTreeMap::new();
    for addr in searcher.search(&q, &DocSetCollector)? {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let s = |field| crate::schema::text(&doc, field);
        let line = crate::schema::line(&doc, f.start_line);
        by_file.entry(s(f.path)).or_default().push(Def { line, kind: s(f.symbol_kind), qualified: s(f.symbol) });
    }
    let names: Vec<String> = by_file
        .values()
        .flatten()
        .map(|d| d.qualified.rsplit('.').next().unwrap_or(&d.qualified).to_lowercase())
        .collect();
    let refs = index.doc_freqs(&names);
    let focus = focus.map(analyze).unwrap_or_default();
    let focus_w: HashMap<&str, f32> = focus.terms.iter().map(|(t, w)| (t.as_str(), *w)).collect();

    let mut ranked: Vec<(f32, &String, &Vec<Def>)> = by_file
        .iter()
        .map(|(path, defs)| {
            let mut score: f32 = defs
                .iter()
                .map(|d| {
                    let name = d.qualified.rsplit('.').next().unwrap_or(&d.qualified).to_lowercase();
                    let r = refs.get(&name).copied().unwrap_or(0) as f32;
                    let mentioned =
                        crate::tokenize::code_terms(&name).iter().filter_map(|t| focus_w.get(t.as_str())).sum::<f32>();
                    (1.0 + r).ln() * (1.0 + mentioned)
                })
                .sum();
            let path_mentioned: f32 =
                crate::tokenize::code_terms(path).iter().filter_map(|t| focus_w.get(t.as_str())).sum();
            score *= 1.0 + path_mentioned;
            (score, path, defs)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));

    let budget = budget_tokens.max(64) * CHARS_PER_TOKEN;
    let mut out = String::new();
    let mut shown = 0;
    for (_, path, defs) in &ranked {
        let mut block = format!("{path}\n");
        let mut sorted: Vec<&Def> = defs.iter().collect();
        sorted.sort_by_key(|d| d.line);
        for d in sorted {
            let depth = d.qualified.matches('.').count();
            block.push_str(&format!("{:>6}: {}{} {}\n", d.line, "  ".repeat(depth), d.kind, d.qualified));
        }
        if out.len() + block.len() > budget {
            // A file that does not fit whole is listed by name, while room remains.
            let line = format!("{path} …\n");
            if out.len() + line.len() > budget {
                break;
            }
            out.push_str(&line);
        } else {
            out.push_str(&block);
        }
        shown += 1;
    }
    if shown < ranked.len() {
        out.push_str(&format!(
            "[{} more files with definitions; raise budget_tokens or give a focus]\n",
            ranked.len() - shown
        ));
    }
    Ok(out)
}
