//! The end of an attempt and of the run: the final tests, the verdict from the evidence,
//! the attempt the evidence selects on the task branch, and the last event.

use wright_testing::Comparison;

use super::{Session, Stop};
use crate::attempts::{AttemptEnd, select};
use crate::interrupt::Interrupt;
use crate::test_runs::allowed;
use crate::transcript::Record;
use crate::verdict::{Evidence, judge};
use crate::{EventKind, RunReport, StopReason, TestPhase, TestSummary, Verdict};

/// An attempt's end with how it stopped and the tests that changed state.
pub(crate) struct Judged {
    pub stop: Stop,
    pub end: AttemptEnd,
    pub tests_changed: Option<Comparison>,
}

impl Session {
    /// Judges the attempt in progress from its evidence: its final tests (those a finish
    /// was let through on, else a run now, unless the run was interrupted or the model
    /// failed), its commits and its diff. An interrupt during the tests becomes the stop.
    pub(crate) async fn judge_attempt(&mut self, (mut reason, mut detail): Stop, interrupt: &Interrupt) -> Judged {
        let p = &mut self.parts;
        let mut last = None;
        if let Some(run) = self.reviewed_run.take() {
            p.events.emit(EventKind::TestResult(TestSummary::of(TestPhase::Final, &run)));
            last = Some(run);
        } else if !matches!(reason, StopReason::Interrupted | StopReason::ModelError) {
            let timeout = allowed(p.config.test_timeout, &p.config.run_limits.deadline, 1);
            match p.tests.shown(TestPhase::Final, timeout, interrupt, &mut p.events).await {
                Ok(run) => last = run,
                Err(_) => (reason, detail) = (StopReason::Interrupted, "interrupted while the final tests ran".into()),
            }
        }
        let (commits, files_changed, head, diff_lines) = p
            .committer
            .git(|w| Ok((w.commits()?.len(), w.changed_files()?, w.head()?, w.diff_size()?)))
            .await
            .unwrap_or_default();
        let (verdict, verdict_reason, tests_changed) = judge(&Evidence {
            commits,
            changed: &files_changed,
            has_command: p.tests.command().is_some(),
            baseline: p.baseline.as_ref(),
            last: last.as_ref(),
        });
        let finish = self.finish.take();
        let end = AttemptEnd {
            attempt: self.attempts.current.max(1),
            branch: None,
            head,
            verdict,
            verdict_reason,
            stop_reason: reason,
            detail: detail.clone(),
            outcome: finish.as_ref().and_then(|f| f.outcome),
            summary: finish.map(|f| f.summary),
            commits,
            files_changed,
            diff_lines,
            last,
        };
        Judged { stop: (reason, detail), end, tests_changed }
    }

    /// Judges the last attempt (unless judged already), puts the attempt the evidence
    /// selects on the task branch, and emits the last event.
    pub(crate) async fn conclude(mut self, stop: Stop, interrupt: &Interrupt) -> RunReport {
        let judged = match self.judged.take() {
            Some(judged) => judged,
            None => self.judge_attempt(stop, interrupt).await,
        };
        let Judged { stop: (reason, detail), end, mut tests_changed } = judged;
        let last_attempt = end.attempt;
        // An interrupted run keeps the attempt it was in: `resume` goes on with it.
        let selected = match reason {
            StopReason::Interrupted | StopReason::ModelError => {
                self.emit_attempt_finished(&end);
                end
            }
            _ => {
                let (selected, changed) = self.select_attempt(end).await;
                tests_changed = changed.or(tests_changed);
                selected
            }
        };
        let p = &mut self.parts;
        let exit_code = match reason {
            StopReason::Interrupted => 130,
            StopReason::ModelError => 1,
            r if r.is_budget() => 3,
            _ if selected.verdict == Verdict::Fixed => 0,
            _ => 4,
        };
        let commits = p.committer.git(|w| w.commits()).await.unwrap_or_default();
        p.conversation.record(&Record::Finished, true, &mut p.events);
        let summary = selected.summary.clone().unwrap_or_else(|| detail.clone());
        let workspace = p.committer.workspace();
        let finished = p.events.emit(EventKind::RunFinished {
            outcome: selected.outcome,
            verdict: selected.verdict,
            verdict_reason: selected.verdict_reason.clone(),
            stop_reason: reason,
            detail,
            summary,
            branch: workspace.branch.clone(),
            worktree: workspace.worktree.display().to_string(),
            commits: commits.iter().map(|c| format!("{} {}", c.sha.get(..10).unwrap_or(&c.sha), c.subject)).collect(),
            files_changed: selected.files_changed.clone(),
            baseline: p.baseline.as_ref().map(|b| TestSummary::of(TestPhase::Baseline, b)),
            final_tests: selected.final_tests(),
            tests_changed,
            usage: p.usage,
            context_rewrites: p.conversation.rewrites(),
            cost_usd: p.config.budgets.cost(&p.usage),
            steps: p.steps,
            attempts: last_attempt,
            selected_attempt: selected.attempt,
            exit_code,
        });
        RunReport { exit_code, finished }
    }

    /// Of the attempts set aside and `last` (on the task branch), the one the evidence
    /// selects, moved onto the task branch; `last` is then set aside in turn, and its end
    /// told. Returns the selected one with its tests that changed state when it is not
    /// `last`. A git failure keeps `last`.
    async fn select_attempt(&mut self, mut last: AttemptEnd) -> (AttemptEnd, Option<Comparison>) {
        let mut all = self.attempts.ended.clone();
        all.push(last.clone());
        let Some(best) = select(&all).and_then(|i| all.get(i)).filter(|b| b.attempt != last.attempt).cloned() else {
            self.emit_attempt_finished(&last);
            return (last, None);
        };
        let (n, head, branch) = (last.attempt, best.head.clone(), best.branch.clone());
        let moved = self
            .parts
            .committer
            .git(move |w| {
                let kept = w.set_aside(n)?;
                w.restart_at(&head)?;
                if let Some(branch) = &branch {
                    w.remove_branch(branch)?;
                }
                Ok(kept)
            })
            .await;
        if let Ok(kept) = &moved {
            last.branch = Some(kept.clone());
        }
        self.emit_attempt_finished(&last);
        let p = &mut self.parts;
        match moved {
            Ok(kept) => {
                p.events.emit(EventKind::Notice {
                    message: format!(
                        "attempt {} is selected ({}); attempt {n} is kept on {kept}",
                        best.attempt,
                        best.verdict.as_str()
                    ),
                });
                let (_, _, changed) = judge(&Evidence {
                    commits: best.commits,
                    changed: &best.files_changed,
                    has_command: p.tests.command().is_some(),
                    baseline: p.baseline.as_ref(),
                    last: best.last.as_ref(),
                });
                (best, changed)
            }
            Err(e) => {
                let message =
                    format!("attempt {} could not be put on the task branch ({e}); it keeps attempt {n}", best.attempt);
                p.events.emit(EventKind::Notice { message });
                (last, None)
            }
        }
    }

    pub(crate) fn emit_attempt_finished(&mut self, end: &AttemptEnd) {
        self.parts.events.emit(EventKind::AttemptFinished {
            attempt: end.attempt,
            branch: end.branch.clone(),
            verdict: end.verdict,
            verdict_reason: end.verdict_reason.clone(),
            stop_reason: end.stop_reason,
            detail: end.detail.clone(),
            commits: end.commits,
            files_changed: end.files_changed.clone(),
            diff_lines: end.diff_lines,
            final_tests: end.final_tests(),
        });
    }
}
