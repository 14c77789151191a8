//! The per-language table of `report.md`: for each language and agent, what was resolved,
//! the seconds a trial took, and the prompt tokens the server processed against those
//! it had cached (the cost that dominates on CPU).

use std::collections::BTreeMap;

use crate::suite::Row;
use crate::suite::markdown::cell;

/// Markdown rows, one per language and agent, in that order.
pub fn by_language_md(rows: &[Row]) -> String {
    let mut groups: BTreeMap<(&str, &str), Vec<&Row>> = BTreeMap::new();
    for r in rows {
        groups.entry((r.language.as_str(), r.agent.as_str())).or_default().push(r);
    }
    let mut out = String::from(
        "| language | agent | resolved | mean s per task | prompt processed / cached per task |\n|---|---|---|---|---|\n",
    );
    for ((language, agent), mine) in groups {
        let n = mine.len();
        let resolved = mine.iter().filter(|r| r.resolved).count();
        let seconds = mine.iter().map(|r| r.trial.seconds).sum::<f64>() / n as f64;
        // Averaged over the trials whose server said; `-` when none did.
        let known: Vec<(u64, u64)> = mine
            .iter()
            .filter_map(|r| Some((r.trial.processed_prompt_tokens?, r.trial.cached_prompt_tokens?)))
            .collect();
        let cache = match known.len() {
            0 => "-".to_string(),
            k => {
                let (p, c) = known.iter().fold((0u64, 0u64), |(p, c), (a, b)| (p + a, c + b));
                format!("{} / {}", p / k as u64, c / k as u64)
            }
        };
        out.push_str(&format!("| {} | {} | {resolved}/{n} | {seconds:.0} | {cache} |\n", cell(language), cell(agent)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::report::tests::row;

    #[test]
    fn languages_show_resolved_seconds_and_cache_per_agent() {
        let mut a = row("t1", "wright", "python", true, true, "finished");
        a.trial.processed_prompt_tokens = Some(1000);
        a.trial.cached_prompt_tokens = Some(3000);
        let b = row("t2", "wright", "python", false, false, "finished");
        let c = row("t3", "sample", "go", false, true, "finished");
        let md = by_language_md(&[a, b, c]);
        assert!(md.contains("| go | sample | 0/1 | 2 | - |"), "{md}");
        assert!(md.contains("| python | wright | 1/2 | 2 | 1000 / 3000 |"), "only the known one counts: {md}");
        assert!(md.find("| go |") < md.find("| python |"));
    }
}
