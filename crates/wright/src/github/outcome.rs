//! A finished run, in the words of the progress comment and the pull request.

use wright_agent::{Budgets, EventKind, StopReason, TestSummary};
use wright_github::report::Outcome;

/// The outcome of the run whose last event is `finished`; `None` for any other event.
pub fn of(finished: &EventKind, budgets: &Budgets) -> Option<Outcome> {
    let EventKind::RunFinished {
        verdict,
        verdict_reason,
        stop_reason,
        detail,
        summary,
        commits,
        baseline,
        final_tests,
        usage,
        cost_usd,
        steps,
        attempts,
        selected_attempt,
        ..
    } = finished
    else {
        return None;
    };
    Some(Outcome {
        verdict: verdict.as_str().to_string(),
        verdict_reason: verdict_reason.clone(),
        tests_before: baseline.as_ref().map(tests),
        tests_after: final_tests.as_ref().map(tests),
        commits: commits.clone(),
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
        cost_usd: *cost_usd,
        steps: *steps,
        stopped: detail.clone(),
        cap: cap(*stop_reason, budgets),
        summary: summary.clone(),
        attempts: *attempts,
        selected_attempt: *selected_attempt,
    })
}

/// The cap that stopped the run, as the action's inputs name it.
fn cap(stop: StopReason, budgets: &Budgets) -> Option<String> {
    let or_unset = |v: Option<String>| v.unwrap_or_else(|| "its limit".into());
    match stop {
        StopReason::MaxSteps => Some(format!("max_steps = {}", budgets.max_steps)),
        StopReason::TokenBudget => {
            Some(format!("token_budget = {}", or_unset(budgets.token_budget.map(|t| t.to_string()))))
        }
        StopReason::CostBudget => Some(format!("budget_usd = {}", or_unset(budgets.budget_usd.map(|c| c.to_string())))),
        StopReason::Timeout => {
            Some(format!("timeout = {} s", or_unset(budgets.timeout.map(|t| t.as_secs().to_string()))))
        }
        StopReason::ContextLength => Some("the model's context window".into()),
        _ => None,
    }
}

/// One test run in a line: the command, passed or failed, and the counts.
fn tests(t: &TestSummary) -> String {
    let state = if t.passed {
        "passed"
    } else if t.timed_out {
        "timed out"
    } else {
        "failed"
    };
    let c = &t.counts;
    let failing = match t.failing.as_slice() {
        [] => String::new(),
        names => format!("; failing: {}", names.iter().take(5).cloned().collect::<Vec<_>>().join(", ")),
    };
    format!("`{}` {state} ({} passed, {} failed, {} skipped{failing})", t.command, c.passed, c.failed, c.skipped)
}
