//! What a run of the suite comes to, per agent: `summary.json` and the side-by-side
//! `report.md`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::suite::Row;
use crate::suite::markdown::cell;

/// Resolved out of tried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub resolved: usize,
    pub tasks: usize,
}

impl Tally {
    fn add(&mut self, resolved: bool) {
        self.tasks += 1;
        self.resolved += usize::from(resolved);
    }

    pub fn rate(&self) -> f64 {
        if self.tasks == 0 { 0.0 } else { self.resolved as f64 / self.tasks as f64 }
    }
}

impl std::fmt::Display for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{} ({:.0}%)", self.resolved, self.tasks, self.rate() * 100.0)
    }
}

/// One agent's figures over the rows.
#[derive(Debug, Clone, Serialize)]
pub struct AgentSummary {
    pub agent: String,
    pub model: String,
    pub all: Tally,
    /// Even-numbered tasks, for tuning; odd-numbered ones are held out.
    pub tuning: Tally,
    pub held_out: Tally,
    pub per_language: BTreeMap<String, Tally>,
    pub claimed_fixed: usize,
    /// Claimed fixed, but the hidden check failed.
    pub false_fixed_claims: usize,
    pub median_steps: Option<u64>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// Prompt tokens processed and cached, summed over the rows whose server said; `None`
    /// when none did.
    pub processed_prompt_tokens: Option<u64>,
    pub cached_prompt_tokens: Option<u64>,
    /// Summed over the rows that were priced; `None` when none was.
    pub cost_usd: Option<f64>,
    pub median_seconds: f64,
    pub seconds: f64,
    /// How its trials ended, most common first.
    pub stop_reasons: Vec<(String, usize)>,
}

pub fn summarize(rows: &[Row]) -> Vec<AgentSummary> {
    let mut by_agent: BTreeMap<(&str, &str), Vec<&Row>> = BTreeMap::new();
    for row in rows {
        by_agent.entry((row.agent.as_str(), row.model.as_str())).or_default().push(row);
    }
    by_agent.into_iter().map(|((agent, model), mine)| summary(agent, model, &mine)).collect()
}

fn summary(agent: &str, model: &str, rows: &[&Row]) -> AgentSummary {
    let (mut all, mut tuning, mut held_out) = (Tally::default(), Tally::default(), Tally::default());
    let mut per_language: BTreeMap<String, Tally> = BTreeMap::new();
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for r in rows {
        all.add(r.resolved);
        if r.held_out { &mut held_out } else { &mut tuning }.add(r.resolved);
        per_language.entry(r.language.clone()).or_default().add(r.resolved);
        *reasons.entry(reason_kind(&r.trial.stop_reason)).or_default() += 1;
    }
    let mut stop_reasons: Vec<(String, usize)> = reasons.into_iter().collect();
    stop_reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let priced: Vec<f64> = rows.iter().filter_map(|r| r.trial.cost_usd).collect();
    AgentSummary {
        agent: agent.to_string(),
        model: model.to_string(),
        all,
        tuning,
        held_out,
        per_language,
        claimed_fixed: rows.iter().filter(|r| r.trial.claimed_fixed).count(),
        false_fixed_claims: rows.iter().filter(|r| r.trial.claimed_fixed && !r.resolved).count(),
        median_steps: median(rows.iter().filter_map(|r| r.trial.steps).collect()),
        prompt_tokens: rows.iter().filter_map(|r| r.trial.prompt_tokens).sum(),
        completion_tokens: rows.iter().filter_map(|r| r.trial.completion_tokens).sum(),
        processed_prompt_tokens: sum_known(rows.iter().map(|r| r.trial.processed_prompt_tokens)),
        cached_prompt_tokens: sum_known(rows.iter().map(|r| r.trial.cached_prompt_tokens)),
        cost_usd: (!priced.is_empty()).then(|| priced.iter().sum()),
        median_seconds: median_f(rows.iter().map(|r| r.trial.seconds).collect()),
        seconds: rows.iter().map(|r| r.trial.seconds).sum(),
        stop_reasons,
    }
}

/// A stop reason without its particulars ("timeout: killed after 630 s" → "timeout").
fn reason_kind(reason: &str) -> String {
    let head = reason.split([':', '(']).next().unwrap_or(reason).trim();
    if head.is_empty() { "unknown".into() } else { head.to_string() }
}

/// The sum of the known values; `None` when none is known (never a claimed 0).
fn sum_known(values: impl Iterator<Item = Option<u64>>) -> Option<u64> {
    values.flatten().reduce(u64::saturating_add)
}

/// `processed / cached` prompt tokens, or `-` when the server did not say.
fn prompt_cache(processed: Option<u64>, cached: Option<u64>) -> String {
    match (processed, cached) {
        (Some(p), Some(c)) => format!("{p} / {c}"),
        _ => "-".into(),
    }
}

fn median(mut values: Vec<u64>) -> Option<u64> {
    values.sort_unstable();
    values.get(values.len() / 2).copied()
}

fn median_f(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

fn cost(c: Option<f64>) -> String {
    c.map_or("unpriced".into(), |c| format!("${c:.4}"))
}

/// The side-by-side tables, as Markdown.
pub fn report_md(rows: &[Row]) -> String {
    let summaries = summarize(rows);
    let mut out = String::from(
        "| agent | model | resolved | held out (odd) | tuning (even) | false fixed claims | median steps | tokens (prompt + completion) | prompt processed / cached | cost | median time | total time |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for s in &summaries {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} of {} claims | {} | {} + {} | {} | {} | {:.0} s | {:.0} s |\n",
            cell(&s.agent),
            if s.model.is_empty() { "-".into() } else { cell(&s.model) },
            s.all,
            s.held_out,
            s.tuning,
            s.false_fixed_claims,
            s.claimed_fixed,
            s.median_steps.map_or("-".to_string(), |m| m.to_string()),
            s.prompt_tokens,
            s.completion_tokens,
            prompt_cache(s.processed_prompt_tokens, s.cached_prompt_tokens),
            cost(s.cost_usd),
            s.median_seconds,
            s.seconds
        ));
    }
    let languages: std::collections::BTreeSet<&String> = summaries.iter().flat_map(|s| s.per_language.keys()).collect();
    out.push_str("\n| agent |");
    languages.iter().for_each(|l| out.push_str(&format!(" {l} |")));
    out.push_str(" how trials ended |\n|---|");
    languages.iter().for_each(|_| out.push_str("---|"));
    out.push_str("---|\n");
    for s in &summaries {
        out.push_str(&format!("| {} |", cell(&s.agent)));
        for l in &languages {
            out.push_str(&format!(" {} |", s.per_language.get(*l).map_or("-".into(), |t| t.to_string())));
        }
        let ends: Vec<String> = s.stop_reasons.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
        out.push_str(&format!(" {} |\n", cell(&ends.join(", "))));
    }
    out.push('\n');
    out.push_str(&crate::suite::report_languages::by_language_md(rows));
    out.push_str(
        "\n| task | agent | resolved | claimed fixed | steps | tokens | prompt processed / cached | context rewrites | time | stop | check |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let tokens = r.trial.prompt_tokens.unwrap_or(0).saturating_add(r.trial.completion_tokens.unwrap_or(0));
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {:.0} s | {} | {} |\n",
            cell(&r.task),
            cell(&r.agent),
            if r.resolved { "yes" } else { "no" },
            if r.trial.claimed_fixed { "yes" } else { "no" },
            r.trial.steps.map_or("-".to_string(), |s| s.to_string()),
            tokens,
            prompt_cache(r.trial.processed_prompt_tokens, r.trial.cached_prompt_tokens),
            r.trial.context_rewrites.map_or("-".to_string(), |n| n.to_string()),
            r.trial.seconds,
            cell(&r.trial.stop_reason),
            cell(&r.check)
        ));
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::suite::Trial;

    pub(crate) fn row(task: &str, agent: &str, language: &str, resolved: bool, claimed: bool, stop: &str) -> Row {
        Row {
            task: task.into(),
            language: language.into(),
            agent: agent.into(),
            model: "m".into(),
            held_out: task.ends_with('1') || task.ends_with('3'),
            resolved,
            check: "x".into(),
            files_changed: Vec::new(),
            trial: Trial {
                claimed_fixed: claimed,
                steps: Some(task.len() as u64),
                prompt_tokens: Some(100),
                completion_tokens: Some(10),
                stop_reason: stop.into(),
                seconds: 2.0,
                ..Trial::default()
            },
        }
    }

    #[test]
    fn summaries_count_false_claims_held_out_tasks_and_how_trials_ended() {
        let rows = vec![
            row("t1", "a", "python", true, true, "finished"),
            row("t2", "a", "python", false, true, "finished"),
            row("t3", "a", "go", false, false, "timeout: killed after 630 s (the harness enforced it)"),
            row("t1", "b", "python", false, false, "timeout: killed after 10 s"),
        ];
        let s = summarize(&rows);
        assert_eq!(s.len(), 2);
        let a = &s[0];
        assert_eq!((a.all, a.claimed_fixed, a.false_fixed_claims), (Tally { resolved: 1, tasks: 3 }, 2, 1));
        assert_eq!((a.held_out, a.tuning), (Tally { resolved: 1, tasks: 2 }, Tally { resolved: 0, tasks: 1 }));
        assert_eq!(a.per_language["go"], Tally { resolved: 0, tasks: 1 });
        assert_eq!(a.stop_reasons, [("finished".to_string(), 2), ("timeout".to_string(), 1)]);
        assert_eq!((a.prompt_tokens, a.cost_usd), (300, None));
        assert_eq!((a.processed_prompt_tokens, a.cached_prompt_tokens), (None, None), "no server said");
        let md = report_md(&rows);
        assert!(md.contains("| a | m | 1/3 (33%) | 1/2 (50%) | 0/1 (0%) | 1 of 2 claims |"), "{md}");
        assert!(md.contains("| b | - | 0/1 (0%) | timeout ×1 |"), "languages in order, go first: {md}");
    }

    #[test]
    fn prompt_tokens_processed_and_cached_show_per_task_where_known() {
        let mut cached = row("t1", "wright", "python", true, true, "finished");
        cached.trial.processed_prompt_tokens = Some(1200);
        cached.trial.cached_prompt_tokens = Some(3400);
        cached.trial.context_rewrites = Some(2);
        let mut also = row("t2", "wright", "python", false, false, "finished");
        also.trial.processed_prompt_tokens = Some(800);
        also.trial.cached_prompt_tokens = Some(0);
        also.trial.context_rewrites = Some(0);
        let silent = row("t3", "wright", "go", false, false, "finished");
        let rows = vec![cached, also, silent];
        let s = &summarize(&rows)[0];
        assert_eq!((s.processed_prompt_tokens, s.cached_prompt_tokens), (Some(2000), Some(3400)));
        let md = report_md(&rows);
        assert!(md.contains("| 300 + 30 | 2000 / 3400 |"), "{md}");
        assert!(md.contains("| t1 | wright | yes | yes | 2 | 110 | 1200 / 3400 | 2 | 2 s |"), "{md}");
        assert!(md.contains("| t2 | wright | no | no | 2 | 110 | 800 / 0 | 0 | 2 s |"), "{md}");
        assert!(md.contains("| t3 | wright | no | no | 2 | 110 | - | - | 2 s |"), "unknown is not 0: {md}");
    }
}
