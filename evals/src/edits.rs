//! `wright eval edits`: real model-written patches (`candidate_patches` of a SWE-bench
//! style file) and deterministic perturbations of them, applied at each instance's base
//! commit by wright, `git apply` and `patch --fuzz=3`. Correct means the same tree as
//! `git apply` of the original patch (or, for the unhinted trap, a refusal).

mod appliers;
mod diff_text;
mod perturb;
mod report;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use appliers::Applier;
pub use perturb::KINDS;
pub use report::table;

use crate::{DatasetRun, EvalError, checkout};
use appliers::{reset, tree_id};
use perturb::{Expect, Rng};

#[derive(Deserialize)]
struct Row {
    instance_id: String,
    repo: String,
    base_commit: String,
    #[serde(default)]
    candidate_patches: Vec<Candidate>,
}

#[derive(Deserialize)]
struct Candidate {
    source: String,
    patch: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Outcome {
    Correct,
    Misapplied,
    Refused,
}

#[derive(Debug, Serialize)]
pub struct CaseResult {
    pub instance_id: String,
    pub source: String,
    pub kind: String,
    pub expect: Expect,
    pub outcomes: BTreeMap<Applier, Outcome>,
    /// wright's reason when it refused.
    pub wright_reason: Option<String>,
    /// The case's patch, kept when wright did not get it right, to look into.
    pub patch: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub cases: Vec<CaseResult>,
    pub patches: usize,
    /// Patches `git apply` itself could not apply at their base commit (not scored).
    pub reference_failed: usize,
    pub skipped_repos: BTreeMap<String, usize>,
}

pub fn run(opts: DatasetRun) -> Result<Report, EvalError> {
    let mut report = Report { cases: Vec::new(), patches: 0, reference_failed: 0, skipped_repos: BTreeMap::new() };
    let patch_file = opts.work.join("candidate.patch");
    std::fs::create_dir_all(&opts.work).map_err(|e| EvalError::Io(format!("{}: {e}", opts.work.display())))?;
    let rows: Vec<(usize, Row)> = crate::read_jsonl(opts.data)?;
    for (_, row) in rows {
        let Some(snapshot) = checkout::snapshot(opts.repos, &row.repo) else {
            *report.skipped_repos.entry(row.repo.clone()).or_default() += row.candidate_patches.len();
            continue;
        };
        if opts.limit.is_some_and(|l| report.patches >= l) {
            break;
        }
        let tree = opts.work.join("checkouts").join(row.repo.replace('/', "+"));
        checkout::at(&snapshot, &tree, &row.base_commit)?;
        for (index, candidate) in row.candidate_patches.iter().enumerate() {
            report.patches += 1;
            let seed = format!("{}#{index}", row.instance_id);
            match score_patch(&tree, &patch_file, &row, candidate, &seed)? {
                Some(cases) => report.cases.extend(cases),
                None => report.reference_failed += 1,
            }
            (opts.progress)(&format!("{} [{}] {}", row.instance_id, candidate.source, report.patches));
        }
    }
    Ok(report)
}

/// Every case of one candidate patch; `None` when `git apply` cannot apply the original.
fn score_patch(
    tree: &Path,
    patch_file: &Path,
    row: &Row,
    candidate: &Candidate,
    seed: &str,
) -> Result<Option<Vec<CaseResult>>, EvalError> {
    let Some(files) = diff_text::parse(&candidate.patch) else { return Ok(None) };
    let Some(reference) = reference_tree(tree, patch_file, &candidate.patch, &[])? else { return Ok(None) };
    let read = |path: &str| std::fs::read_to_string(tree.join(path)).ok();
    let mut results = Vec::new();
    let mut trap_reference: Option<Option<String>> = None;
    for kind in KINDS {
        let mut rng = Rng::new(&format!("{seed}/{kind}"));
        let Some(case) = perturb::generate(kind, &candidate.patch, &files, &mut rng, &read) else { continue };
        let want = if case.setup.is_empty() {
            reference.clone()
        } else {
            let r = match &trap_reference {
                Some(r) => r.clone(),
                None => {
                    let r = reference_tree(tree, patch_file, &candidate.patch, &case.setup)?;
                    trap_reference = Some(r.clone());
                    r
                }
            };
            match r {
                Some(r) => r,
                None => continue,
            }
        };
        let mut outcomes = BTreeMap::new();
        let mut wright_reason = None;
        for applier in Applier::ALL {
            set_up(tree, &case.setup)?;
            let base = tree_id(tree)?;
            std::fs::write(patch_file, &case.patch).map_err(|e| EvalError::Io(e.to_string()))?;
            let refused = applier.apply(tree, &case.patch, patch_file)?;
            let got = tree_id(tree)?;
            reset(tree)?;
            let outcome = match (case.expect, &refused) {
                (Expect::Apply, None) if got == want => Outcome::Correct,
                (Expect::Refuse, Some(_)) | (Expect::Apply, Some(_)) if got == base => {
                    if case.expect == Expect::Refuse { Outcome::Correct } else { Outcome::Refused }
                }
                _ => Outcome::Misapplied,
            };
            if applier == Applier::Wright {
                wright_reason = refused;
            }
            outcomes.insert(applier, outcome);
        }
        results.push(CaseResult {
            instance_id: row.instance_id.clone(),
            source: candidate.source.clone(),
            kind: kind.to_string(),
            expect: case.expect,
            wright_reason,
            patch: (outcomes.get(&Applier::Wright) != Some(&Outcome::Correct)).then(|| case.patch.clone()),
            outcomes,
        });
    }
    Ok(Some(results))
}

/// The tree `git apply` of `patch` gives on the base (with `setup` written first).
fn reference_tree(
    tree: &Path,
    patch_file: &Path,
    patch: &str,
    setup: &[(String, String)],
) -> Result<Option<String>, EvalError> {
    set_up(tree, setup)?;
    std::fs::write(patch_file, patch).map_err(|e| EvalError::Io(e.to_string()))?;
    let refused = Applier::GitApply.apply(tree, patch, patch_file)?;
    let id = tree_id(tree)?;
    reset(tree)?;
    Ok(refused.is_none().then_some(id))
}

fn set_up(tree: &Path, setup: &[(String, String)]) -> Result<(), EvalError> {
    for (path, text) in setup {
        std::fs::write(tree.join(path), text).map_err(|e| EvalError::Io(format!("{path}: {e}")))?;
    }
    Ok(())
}
