//! `wright log` and `wright show`: what runs did, for review. Tasks, plans, commit messages
//! and diffs are strangers' text: they go through `visible` on their way to the terminal.

use std::io::IsTerminal;

use anyhow::Result;
use serde_json::json;
use wright_agent::{AttemptHistory, StepStatus};

use crate::cli::{LogArgs, ShowArgs};
use crate::runs;
use crate::visible::visible;

pub fn log(args: LogArgs) -> Result<i32> {
    let runs = match &args.run {
        Some(q) => vec![runs::find(q)?],
        None => runs::list(),
    };
    if args.json {
        for run in &runs {
            println!("{}", serde_json::to_string(run)?);
        }
        return Ok(0);
    }
    if runs.is_empty() {
        println!("no runs yet in {}", runs::runs_root().display());
        return Ok(0);
    }
    println!("{:<9} {:<20} {:<10} {:>7} {:>8}  {:<32} task", "run", "started", "status", "commits", "tokens", "branch");
    for r in &runs {
        let status = match (&r.status, &r.verdict) {
            (&"finished", Some(v)) => v.clone(),
            (s, _) => s.to_string(),
        };
        let task: String = r.task.lines().next().unwrap_or("").chars().take(60).collect();
        println!(
            "{:<9} {:<20} {:<10} {:>7} {:>8}  {:<32} {}",
            visible(&r.id),
            visible(&r.started.get(..19).unwrap_or(&r.started).replace('T', " ")),
            visible(&status),
            r.commits,
            r.tokens,
            visible(&r.branch),
            visible(&task)
        );
    }
    Ok(0)
}

pub fn show(args: ShowArgs) -> Result<i32> {
    let run = runs::find(&args.run)?;
    let commits = wright_git::branch_commits(&run.repo, &run.branch, &run.base)?;
    let plan = &run.plan;
    if args.json {
        println!("{}", json!({"run": run, "plan": plan, "commits": commits}));
        return Ok(0);
    }
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let paint = |code: &str, text: &str| if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() };
    println!("{} {}", paint("1", &format!("run {}", visible(&run.id))), run.status);
    println!("task:     {}", visible(run.task.lines().next().unwrap_or("")));
    println!("branch:   {} (from {})", visible(&run.branch), visible(run.base.get(..10).unwrap_or(&run.base)));
    println!("worktree: {}", visible(&run.worktree.display().to_string()));
    if let Some(v) = &run.verdict {
        println!("verdict:  {} ({})", visible(v), visible(run.stop_reason.as_deref().unwrap_or("")));
    }
    // A run of one attempt says nothing of attempts.
    if run.attempts.len() > 1 {
        println!("\nattempts:");
        for a in &run.attempts {
            println!("{}", attempt_line(a));
        }
    }
    if let Some(steps) = plan {
        println!("\nplan:");
        for s in steps {
            let mark = match s.status {
                StepStatus::Completed => "[x]",
                StepStatus::InProgress => "[>]",
                StepStatus::Pending => "[ ]",
            };
            println!("  {mark} {}", visible(&s.step));
        }
    }
    println!("\n{} commit(s)", commits.len());
    for c in &commits {
        println!("\n{}", paint("33", &format!("commit {}", visible(&c.sha))));
        for line in c.message.lines() {
            println!("    {}", visible(line));
        }
        println!();
        for line in c.patch.lines() {
            let code = match line.as_bytes().first() {
                _ if line.starts_with("+++") || line.starts_with("---") => "1",
                Some(b'+') => "32",
                Some(b'-') => "31",
                Some(b'@') => "36",
                _ => "",
            };
            let line = visible(line);
            println!("{}", if code.is_empty() { line.into_owned() } else { paint(code, &line) });
        }
    }
    Ok(0)
}

/// One attempt in `wright show`: `*` marks the one the task branch holds.
fn attempt_line(a: &AttemptHistory) -> String {
    let mark = if a.selected { "*" } else { " " };
    let held = if a.selected { " (the task branch holds it)" } else { "" };
    let ended = match (a.verdict, a.stop_reason) {
        (Some(verdict), Some(stop)) => {
            let lines = a.diff_lines.map(|n| format!("{n} lines changed")).unwrap_or_default();
            let detail = a.detail.as_deref().map(|d| format!(": {}", visible(d))).unwrap_or_default();
            format!("{} ({}{detail}), {lines}", verdict.as_str(), stop.as_str())
        }
        _ => "did not end".to_string(),
    };
    format!("  {mark} attempt {}: {ended}; on {}{held}", a.attempt, visible(&a.branch))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wright_agent::{StopReason, Verdict};

    #[test]
    fn an_attempt_line_tells_its_evidence_and_branch_with_strangers_text_made_visible() {
        let set_aside = AttemptHistory {
            attempt: 1,
            verdict: Some(Verdict::NotFixed),
            stop_reason: Some(StopReason::Finished),
            detail: Some("the model finished: gave_up\u{1b}[2J".into()),
            diff_lines: Some(2),
            commits: Some(1),
            branch: "wright/fix-attempt-1".into(),
            selected: false,
        };
        assert_eq!(
            attempt_line(&set_aside),
            "    attempt 1: not_fixed (finished: the model finished: gave_up\\u{1b}[2J), 2 lines changed; on wright/fix-attempt-1"
        );
        let going = AttemptHistory {
            attempt: 2,
            verdict: None,
            stop_reason: None,
            branch: "wright/fix".into(),
            selected: true,
            ..set_aside
        };
        assert_eq!(attempt_line(&going), "  * attempt 2: did not end; on wright/fix (the task branch holds it)");
    }
}
