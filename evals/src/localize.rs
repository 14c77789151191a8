//! `wright eval localize`: for each SWE-bench-style instance whose repository snapshot is
//! at hand, check out its base commit, bring the index up to date, search with the
//! issue text alone, and score where the gold files and functions rank. Rows are split
//! by line-number parity (tuning used the even rows) and a plain BM25 baseline is
//! measured on the same files.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use wright_index::{Index, SearchHit, SearchKind};

use crate::metrics::{Summary, share, summarize};
use crate::{DatasetRun, EvalError, baseline, checkout};

/// How deep ranks are looked for; beyond it a gold file counts as not found.
const DEPTH: usize = 50;

#[derive(Deserialize)]
struct Row {
    instance_id: String,
    repo: String,
    base_commit: String,
    problem_statement: String,
    gold_files: Vec<String>,
    #[serde(default)]
    expected_spans: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Instance {
    pub instance_id: String,
    pub repo: String,
    /// 1-based line in the data file.
    pub line: usize,
    pub gold_files: Vec<String>,
    /// Rank of the first gold file (1-based), if within the depth.
    pub rank: Option<usize>,
    /// A top-5 hit covers an expected function or class; `None` when no span is one.
    pub function_at5: Option<bool>,
    pub baseline_rank: Option<usize>,
    pub top5: Vec<String>,
    pub query_ms: f64,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub instances: Vec<Instance>,
    pub skipped_repos: BTreeMap<String, usize>,
    pub splits: BTreeMap<String, SplitSummary>,
}

#[derive(Debug, Serialize)]
pub struct SplitSummary {
    pub wright: Summary,
    pub function_at5: f64,
    pub function_n: usize,
    pub baseline: Summary,
}

pub fn run(opts: DatasetRun) -> Result<Report, EvalError> {
    let rows: Vec<(usize, Row)> = crate::read_jsonl(opts.data)?;
    let mut skipped_repos: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_repo: BTreeMap<String, Vec<(usize, Row)>> = BTreeMap::new();
    for (line, row) in rows {
        if checkout::snapshot(opts.repos, &row.repo).is_some() {
            by_repo.entry(row.repo.clone()).or_default().push((line, row));
        } else {
            *skipped_repos.entry(row.repo.clone()).or_default() += 1;
        }
    }
    let mut instances = Vec::new();
    let mut budget = opts.limit.unwrap_or(usize::MAX);
    for (repo, rows) in by_repo {
        let Some(snapshot) = checkout::snapshot(opts.repos, &repo) else { continue };
        let key = repo.replace('/', "+");
        let tree = opts.work.join("checkouts").join(&key);
        let index_dir = opts.work.join("index").join(&key);
        for (line, row) in rows {
            if budget == 0 {
                break;
            }
            budget -= 1;
            checkout::at(&snapshot, &tree, &row.base_commit)?;
            let mut index = Index::open(&tree, &index_dir)?;
            index.update(&mut |_, _| {})?;
            let inst = score(&index, &tree, line, &row)?;
            (opts.progress)(&format!(
                "{:<40} rank {:>4}  fn@5 {:<5}  baseline {:>4}  {:.1} ms",
                inst.instance_id,
                inst.rank.map(|r| r.to_string()).unwrap_or("-".into()),
                inst.function_at5.map(|b| b.to_string()).unwrap_or("n/a".into()),
                inst.baseline_rank.map(|r| r.to_string()).unwrap_or("-".into()),
                inst.query_ms
            ));
            instances.push(inst);
            index.close()?;
        }
    }
    let mut splits = BTreeMap::new();
    for (name, keep) in [("all", None), ("even", Some(0)), ("odd", Some(1))] {
        let part: Vec<&Instance> = instances.iter().filter(|i| keep.is_none_or(|k| i.line % 2 == k)).collect();
        let (function_n, function_at5) = share(&part.iter().map(|i| i.function_at5).collect::<Vec<_>>());
        splits.insert(
            name.to_string(),
            SplitSummary {
                wright: summarize(&part.iter().map(|i| i.rank).collect::<Vec<_>>()),
                function_at5,
                function_n,
                baseline: summarize(&part.iter().map(|i| i.baseline_rank).collect::<Vec<_>>()),
            },
        );
    }
    Ok(Report { instances, skipped_repos, splits })
}

fn score(index: &Index, tree: &Path, line: usize, row: &Row) -> Result<Instance, EvalError> {
    let started = Instant::now();
    let results = index.search(&row.problem_statement, SearchKind::Text, DEPTH)?;
    let query_ms = started.elapsed().as_secs_f64() * 1000.0;
    let hits = results.hits;
    let rank = hits.iter().position(|h| row.gold_files.contains(&h.path)).map(|p| p + 1);
    let paths: Vec<String> = index.paths().map(str::to_string).collect();
    let base = baseline::rank(tree, &paths, &row.problem_statement, DEPTH)?;
    let baseline_rank = base.iter().position(|p| row.gold_files.contains(p)).map(|p| p + 1);
    Ok(Instance {
        instance_id: row.instance_id.clone(),
        repo: row.repo.clone(),
        line,
        gold_files: row.gold_files.clone(),
        rank,
        function_at5: function_hit(tree, &row.expected_spans, &hits[..hits.len().min(5)]),
        baseline_rank,
        top5: hits.iter().take(5).map(|h| h.path.clone()).collect(),
        query_ms,
    })
}

/// Whether a hit names or spans one of the expected functions or classes; `None` when
/// no expected span is a definition (module docstrings, imports).
fn function_hit(tree: &Path, spans: &BTreeMap<String, Vec<String>>, hits: &[SearchHit]) -> Option<bool> {
    let mut any_def = false;
    for (file, names) in spans {
        let Some(lang) = wright_grammar::Lang::from_path(Path::new(file)) else { continue };
        let Ok(text) = std::fs::read_to_string(tree.join(file)) else { continue };
        let Ok(defs) = wright_grammar::definitions(lang, &text) else { continue };
        for name in names {
            let Some(def) = defs.iter().find(|d| &d.qualified == name) else { continue };
            any_def = true;
            let covered = hits.iter().any(|h| {
                h.path == *file
                    && (h.symbol.as_deref() == Some(name.as_str())
                        || (h.start_line <= def.start_line && def.end_line <= h.end_line && h.symbol.is_some()))
            });
            if covered {
                return Some(true);
            }
        }
    }
    any_def.then_some(false)
}

/// The report as a table.
pub fn table(r: &Report) -> String {
    let mut out = String::new();
    let n: usize = r.instances.len();
    out.push_str(&format!("localization: {n} instances, issue text only, no model\n"));
    if !r.skipped_repos.is_empty() {
        let skipped: Vec<String> = r.skipped_repos.iter().map(|(k, v)| format!("{k} ({v})")).collect();
        out.push_str(&format!("skipped (no snapshot): {}\n", skipped.join(", ")));
    }
    out.push_str("\nsplit  system     n    Acc@1  Acc@3  Acc@5  Acc@10  MRR    fn-Acc@5\n");
    for (name, s) in &r.splits {
        for (system, m, f) in [("wright", &s.wright, Some((s.function_at5, s.function_n))), ("bm25", &s.baseline, None)]
        {
            let fcol = f.map(|(v, n)| format!("{:.1}% (n={n})", v * 100.0)).unwrap_or_default();
            out.push_str(&format!(
                "{name:<6} {system:<9} {:>4}  {:>5.1}  {:>5.1}  {:>5.1}  {:>6.1}  {:.3}  {fcol}\n",
                m.n,
                m.acc1 * 100.0,
                m.acc3 * 100.0,
                m.acc5 * 100.0,
                m.acc10 * 100.0,
                m.mrr
            ));
        }
    }
    let mut per_repo: BTreeMap<&str, Vec<Option<usize>>> = BTreeMap::new();
    for i in &r.instances {
        per_repo.entry(i.repo.as_str()).or_default().push(i.rank);
    }
    out.push_str("\nper repository (wright)   n   Acc@1  Acc@5\n");
    for (repo, ranks) in per_repo {
        let s = summarize(&ranks);
        out.push_str(&format!("{repo:<24} {:>3}  {:>5.1}  {:>5.1}\n", s.n, s.acc1 * 100.0, s.acc5 * 100.0));
    }
    out
}
