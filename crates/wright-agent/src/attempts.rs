//! Attempts selected by evidence: when one ends without passing evidence and budget is
//! left, it is set aside on a branch of its own and a fresh one starts from the same
//! place; at the end the evidence picks the attempt the task branch keeps.

use serde::{Deserialize, Serialize};
use wright_testing::{Outcome as TestOutcome, TestRun};

use crate::{Outcome, StopReason, TestPhase, TestSummary, Verdict};

/// At most this many attempts when the user sets no cap.
pub(crate) const DEFAULT_MAX_ATTEMPTS: u32 = 4;
/// A new attempt needs at least this much of the time budget left …
pub(crate) const MIN_SECONDS_LEFT: u64 = 60;
/// … and this many steps.
pub(crate) const MIN_STEPS_LEFT: u32 = 4;

/// Where a run stands in its attempts; read back from the transcript on resume.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttemptState {
    /// The attempt in progress (0 before the first begins).
    pub current: u32,
    /// The messages every attempt's conversation begins with: the system prompt, the task
    /// and what was said before the first turn.
    pub keep: usize,
    /// The commit every attempt starts from.
    pub from: Option<String>,
    /// The attempts that ended, in order.
    pub ended: Vec<AttemptEnd>,
    /// Whether the attempt in progress is a draft.
    pub draft: bool,
    /// The drafted test kept as the reproduction (path, text), shown to every draft.
    pub draft_test: Option<(String, String)>,
}

impl AttemptState {
    /// True when the attempt in progress has ended (a run stopped between two attempts).
    pub(crate) fn between(&self) -> bool {
        self.current == 0 || self.ended.last().is_some_and(|e| e.attempt == self.current)
    }
}

/// How an attempt ended, with the evidence it is selected by.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AttemptEnd {
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The branch it is kept on once set aside (`None` while it is the task branch's).
    pub branch: Option<String>,
    /// The commit it ended at.
    pub head: String,
    pub verdict: Verdict,
    pub verdict_reason: String,
    pub stop_reason: StopReason,
    pub detail: String,
    /// What the model said of its work, and its summary, when it finished.
    pub outcome: Option<Outcome>,
    pub summary: Option<String>,
    pub commits: usize,
    pub files_changed: Vec<String>,
    /// Lines added and removed since the attempt's start.
    pub diff_lines: usize,
    /// The tests at its end (`None` when they did not run).
    pub last: Option<TestRun>,
}

impl AttemptEnd {
    pub(crate) fn final_tests(&self) -> Option<TestSummary> {
        self.last.as_ref().map(|run| TestSummary::of(TestPhase::Final, run))
    }
}

/// Whether an attempt that ended so deserves another: it went round in circles, or it
/// finished and the evidence refutes it (or it changed nothing). A finish the tests do not
/// refute stands; budgets, interrupts and a failing model end the run.
pub(crate) fn deserves_another(stop: StopReason, verdict: Verdict) -> bool {
    if verdict == Verdict::Fixed {
        return false;
    }
    match stop {
        StopReason::RepeatedFailure | StopReason::Looping | StopReason::NoToolCalls => true,
        StopReason::Finished => matches!(verdict, Verdict::NotFixed | Verdict::TestsBroken | Verdict::NoChange),
        _ => false,
    }
}

/// How good an attempt's evidence is: lower is better. A fix the tests show first, then a
/// change that breaks nothing, then one with no evidence, then one that breaks tests; no
/// change at all last.
fn standing(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Fixed => 0,
        Verdict::Unverified => 1,
        Verdict::NotFixed => 2,
        Verdict::Unknown => 3,
        Verdict::TestsBroken => 4,
        Verdict::NoChange => 5,
    }
}

/// The place in `ends` of the attempt the evidence selects: the best standing, then the
/// smaller diff, then the earlier attempt.
pub(crate) fn select(ends: &[AttemptEnd]) -> Option<usize> {
    ends.iter().enumerate().min_by_key(|(_, e)| (standing(e.verdict), e.diff_lines, e.attempt)).map(|(i, _)| i)
}

/// Characters of an attempt's failing test output told to the next attempt.
const FAILURE_CHARS: usize = 600;
/// Failing tests named per attempt.
const FAILING_NAMES: usize = 5;

/// What the next attempt is told of the earlier ones: what each changed and how its
/// tests went, never their conversations. Test output is strangers' text: quoted.
pub(crate) fn account(ends: &[AttemptEnd], next: u32, cap: u32) -> String {
    let mut text = format!(
        "[wright: this is attempt {next} of at most {cap}. The earlier attempts did not fix the task and were set aside; the files are as they were at the start. Do not repeat their mistakes:\n"
    );
    for end in ends {
        let changed = match end.files_changed.as_slice() {
            [] => "changed no file".to_string(),
            files => format!("changed {} ({} lines)", files.join(", "), end.diff_lines),
        };
        text.push_str(&format!(
            "- attempt {}: {changed}; it ended because {}; verdict: {}.\n",
            end.attempt,
            end.detail,
            end.verdict.as_str()
        ));
        // Test names and output come from the repository: quoted, one block per attempt.
        if let Some(run) = end.last.as_ref().filter(|r| r.exit_code != 0 || r.timed_out) {
            let failing = run.named(TestOutcome::Failed);
            let mut told = String::new();
            if !failing.is_empty() {
                let shown: Vec<&str> = failing.iter().take(FAILING_NAMES).copied().collect();
                told.push_str(&format!("failing tests: {}\n", shown.join(", ")));
            }
            told.push_str(&tail_chars(run.output_tail.trim_end(), FAILURE_CHARS));
            text.push_str(&crate::quote::quote(&format!("tests after attempt {}", end.attempt), &told));
            text.push('\n');
        }
    }
    text.push_str("Start again from the task: find the cause, change the code, and run the tests.]");
    text
}

/// The last `limit` characters of `text`.
fn tail_chars(text: &str, limit: usize) -> String {
    let count = text.chars().count();
    text.chars().skip(count.saturating_sub(limit)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(attempt: u32, verdict: Verdict, diff_lines: usize) -> AttemptEnd {
        AttemptEnd {
            attempt,
            branch: None,
            head: format!("{attempt:040}"),
            verdict,
            verdict_reason: format!("{} by the tests", verdict.as_str()),
            stop_reason: StopReason::Finished,
            detail: "the model finished".into(),
            outcome: None,
            summary: None,
            commits: usize::from(verdict != Verdict::NoChange),
            files_changed: if verdict == Verdict::NoChange { vec![] } else { vec!["a.py".into()] },
            diff_lines,
            last: None,
        }
    }

    #[test]
    fn the_evidence_selects_then_the_smaller_diff_then_the_earlier() {
        use Verdict::*;
        let pick = |ends: &[AttemptEnd]| select(ends).map(|i| ends[i].attempt);
        assert_eq!(pick(&[end(1, NoChange, 0), end(2, TestsBroken, 9), end(3, Unverified, 40)]), Some(3));
        assert_eq!(pick(&[end(1, Unverified, 4), end(2, Fixed, 40)]), Some(2), "a fix the tests show wins");
        assert_eq!(pick(&[end(1, Fixed, 12), end(2, Fixed, 3), end(3, Fixed, 3)]), Some(2));
        assert_eq!(pick(&[end(1, NoChange, 0), end(2, Unknown, 7)]), Some(2), "no change comes last");
        assert_eq!(pick(&[]), None);
    }

    #[test]
    fn circles_and_refuted_finishes_get_another_attempt_budgets_do_not() {
        use StopReason as S;
        use Verdict as V;
        assert!(deserves_another(S::RepeatedFailure, V::NoChange));
        assert!(deserves_another(S::Looping, V::Unverified));
        assert!(deserves_another(S::Finished, V::TestsBroken));
        assert!(deserves_another(S::Finished, V::NoChange), "a model that gave up without a change");
        assert!(!deserves_another(S::Finished, V::Unverified), "a finish the tests do not refute stands");
        assert!(!deserves_another(S::NoToolCalls, V::Fixed));
        for spent in [S::Timeout, S::MaxSteps, S::TokenBudget, S::Interrupted, S::ModelError, S::ContextLength] {
            assert!(!deserves_another(spent, V::NoChange), "{spent:?}");
        }
    }

    #[test]
    fn the_account_tells_what_changed_and_how_tests_failed_quoted() {
        let mut broken = end(1, Verdict::TestsBroken, 6);
        broken.detail = "the model finished: fixed".into();
        let mut tests = std::collections::BTreeMap::new();
        tests.insert("test_average".to_string(), TestOutcome::Failed);
        tests.insert("test_spread".to_string(), TestOutcome::Passed);
        broken.last = Some(TestRun {
            command: "pytest".into(),
            exit_code: 1,
            timed_out: false,
            duration_ms: 5,
            source: wright_testing::Source::Output,
            tests,
            summary: None,
            output_tail: format!("{}AssertionError: assert None == 2", "x".repeat(2000)),
        });
        let text = account(&[broken, end(2, Verdict::NoChange, 0)], 3, 4);
        assert!(text.starts_with("[wright: this is attempt 3 of at most 4."), "{text}");
        assert!(text.contains(
            "- attempt 1: changed a.py (6 lines); it ended because the model finished: fixed; verdict: tests_broken.\n<untrusted-data source=\"tests after attempt 1\">\nfailing tests: test_average\n"
        ), "{text}");
        assert!(text.contains("AssertionError: assert None == 2") && !text.contains(&"x".repeat(601)));
        assert!(text.contains("- attempt 2: changed no file;"));
    }
}
