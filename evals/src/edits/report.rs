//! The edits table: per perturbation, how often each applier got the tree right,
//! misapplied the patch, or refused it.

use std::collections::BTreeMap;

use super::{Applier, Outcome, Report};

#[derive(Default, Clone, Copy)]
struct Counts {
    correct: usize,
    misapplied: usize,
    refused: usize,
}

impl Counts {
    fn add(&mut self, o: Outcome) {
        match o {
            Outcome::Correct => self.correct += 1,
            Outcome::Misapplied => self.misapplied += 1,
            Outcome::Refused => self.refused += 1,
        }
    }

    fn cell(&self) -> String {
        let n = (self.correct + self.misapplied + self.refused).max(1) as f64;
        format!("{:.1}% / {} / {}", 100.0 * self.correct as f64 / n, self.misapplied, self.refused)
    }
}

pub fn table(r: &Report) -> String {
    let mut rows: BTreeMap<usize, (String, usize, BTreeMap<Applier, Counts>)> = BTreeMap::new();
    let mut perturbed: (usize, BTreeMap<Applier, Counts>) = (0, BTreeMap::new());
    for case in &r.cases {
        let order = super::KINDS.iter().position(|k| *k == case.kind).unwrap_or(usize::MAX);
        let row = rows.entry(order).or_insert_with(|| (case.kind.clone(), 0, BTreeMap::new()));
        row.1 += 1;
        if case.kind != "unperturbed" {
            perturbed.0 += 1;
        }
        for (applier, outcome) in &case.outcomes {
            row.2.entry(*applier).or_default().add(*outcome);
            if case.kind != "unperturbed" {
                perturbed.1.entry(*applier).or_default().add(*outcome);
            }
        }
    }
    let mut out = format!(
        "{} candidate patches scored; {} that `git apply` itself refuses at their base commit left out\n",
        r.patches - r.reference_failed,
        r.reference_failed
    );
    if !r.skipped_repos.is_empty() {
        let skipped: Vec<String> = r.skipped_repos.iter().map(|(k, v)| format!("{k} ({v})")).collect();
        out.push_str(&format!("skipped, no snapshot: {}\n", skipped.join(", ")));
    }
    out.push_str("cells: applied correctly / misapplied / refused (trap-unhinted: correct = refused)\n\n");
    out.push_str("| case | n |");
    for a in Applier::ALL {
        out.push_str(&format!(" {} |", a.name()));
    }
    out.push_str("\n|---|---|---|---|---|\n");
    let line = |name: &str, n: usize, counts: &BTreeMap<Applier, Counts>| {
        let mut s = format!("| {name} | {n} |");
        for a in Applier::ALL {
            s.push_str(&format!(" {} |", counts.get(&a).copied().unwrap_or_default().cell()));
        }
        s.push('\n');
        s
    };
    for (name, n, counts) in rows.values() {
        out.push_str(&line(name, *n, counts));
    }
    out.push_str(&line("**all perturbed**", perturbed.0, &perturbed.1));
    out
}
