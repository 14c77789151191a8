//! The one typed reader of what a run emitted: its journal, or the same lines from
//! `wright run --json`. `wright log`, `show` and `resume`, the PR bot (through the run
//! list) and the eval harness look back at runs through it, never through loose JSON.

// The journal lives in the run's directory under wright's data, beside the worktree.
#![allow(clippy::disallowed_methods)]

use std::path::Path;

use serde::Serialize;
use wright_llm::Usage;

use crate::{Event, EventKind, PlanStep, StopReason, Verdict};

/// The events in `lines`, in order. A line that is not an event (a panic's record, a line
/// torn by a kill, anything else a process printed) is skipped.
pub fn read_events(lines: &str) -> Vec<Event> {
    lines.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

/// The events of the journal at `path`.
pub fn read_journal(path: &Path) -> std::io::Result<Vec<Event>> {
    Ok(read_events(&std::fs::read_to_string(path)?))
}

/// What a run's events say of it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunHistory {
    pub run_id: String,
    /// When the run first started, RFC 3339.
    pub started: String,
    pub task: String,
    pub repo: String,
    pub worktree: String,
    pub branch: String,
    pub base: String,
    pub test_command: Option<String>,
    /// The end after the last start (a resumed run starts again), if it came.
    pub finished: Option<Finish>,
    pub commits: usize,
    /// Tokens over every model reply of every start.
    pub tokens: u64,
    /// The plan as last updated; `None` when the model never wrote one.
    pub plan: Option<Vec<PlanStep>>,
    /// The last event's number, so a resumed run numbers on from it.
    pub last_seq: u64,
    /// Each attempt begun, in order (none for a run from before attempts).
    pub attempts: Vec<AttemptHistory>,
}

/// One attempt of a run, as its events tell it: how it ended (the last end told, as a
/// resumed attempt ends again) and the branch that holds it now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptHistory {
    pub attempt: u32,
    /// `None` while it is in progress, or when the run stopped in it.
    pub verdict: Option<Verdict>,
    pub stop_reason: Option<StopReason>,
    pub detail: Option<String>,
    /// Lines added and removed since the attempt's start.
    pub diff_lines: Option<usize>,
    pub commits: Option<usize>,
    /// Its own branch once set aside; the task branch's when the task branch holds it.
    pub branch: String,
    /// The attempt the task branch holds, as the run's end says.
    pub selected: bool,
}

/// How a run ended, from its `run_finished` event.
#[derive(Debug, Clone, PartialEq)]
pub struct Finish {
    pub verdict: Verdict,
    pub stop_reason: StopReason,
    pub steps: u32,
    pub usage: Usage,
    pub context_rewrites: u32,
    pub cost_usd: Option<f64>,
    pub worktree: String,
    /// Attempts made, and the one the task branch holds.
    pub attempts: u32,
    pub selected_attempt: u32,
}

impl RunHistory {
    /// The run `events` tell of; `None` when it never started.
    pub fn of(events: &[Event]) -> Option<Self> {
        let first = events.iter().find(|e| matches!(e.kind, EventKind::RunStarted { .. }))?;
        let EventKind::RunStarted { task, repo, worktree, branch, base, test_command, .. } = &first.kind else {
            return None;
        };
        let last_start = events.iter().rposition(|e| matches!(e.kind, EventKind::RunStarted { .. }))?;
        let finished = events.get(last_start..).unwrap_or_default().iter().rev().find_map(|e| match &e.kind {
            EventKind::RunFinished {
                verdict,
                stop_reason,
                steps,
                usage,
                context_rewrites,
                cost_usd,
                worktree,
                attempts,
                selected_attempt,
                ..
            } => Some(Finish {
                verdict: *verdict,
                stop_reason: *stop_reason,
                steps: *steps,
                usage: *usage,
                context_rewrites: *context_rewrites,
                cost_usd: *cost_usd,
                worktree: worktree.clone(),
                attempts: *attempts,
                selected_attempt: *selected_attempt,
            }),
            _ => None,
        });
        let attempts = attempts(events, branch, finished.as_ref().map(|f| f.selected_attempt));
        let tokens = events
            .iter()
            .map(|e| match &e.kind {
                EventKind::ModelMessage { usage, .. } => usage.total_tokens,
                _ => 0,
            })
            .sum();
        let plan = events.iter().rev().find_map(|e| match &e.kind {
            EventKind::PlanUpdated { steps } => Some(steps.clone()),
            _ => None,
        });
        Some(RunHistory {
            run_id: first.run_id.clone(),
            started: first.ts.clone(),
            task: task.clone(),
            repo: repo.clone(),
            worktree: worktree.clone(),
            branch: branch.clone(),
            base: base.clone(),
            test_command: test_command.clone(),
            finished,
            commits: events.iter().filter(|e| matches!(e.kind, EventKind::Commit { .. })).count(),
            tokens,
            plan,
            last_seq: events.last().map_or(0, |e| e.seq),
            attempts,
        })
    }
}

/// The attempts `events` tell of, in order; `task_branch` holds `selected` and any
/// attempt never set aside.
fn attempts(events: &[Event], task_branch: &str, selected: Option<u32>) -> Vec<AttemptHistory> {
    let mut out: Vec<AttemptHistory> = Vec::new();
    for event in events {
        let (attempt, end) = match &event.kind {
            EventKind::AttemptStarted { attempt, .. } => (*attempt, None),
            EventKind::AttemptFinished { attempt, .. } => (*attempt, Some(&event.kind)),
            _ => continue,
        };
        let at = match out.iter().position(|a| a.attempt == attempt) {
            Some(at) => at,
            None => {
                out.push(AttemptHistory {
                    attempt,
                    verdict: None,
                    stop_reason: None,
                    detail: None,
                    diff_lines: None,
                    commits: None,
                    branch: task_branch.to_string(),
                    selected: false,
                });
                out.len() - 1
            }
        };
        if let Some(EventKind::AttemptFinished { branch, verdict, stop_reason, detail, commits, diff_lines, .. }) = end
            && let Some(a) = out.get_mut(at)
        {
            a.verdict = Some(*verdict);
            a.stop_reason = Some(*stop_reason);
            a.detail = Some(detail.clone());
            a.diff_lines = Some(*diff_lines);
            a.commits = Some(*commits);
            a.branch = branch.clone().unwrap_or_else(|| task_branch.to_string());
        }
    }
    out.sort_by_key(|a| a.attempt);
    for a in &mut out {
        // The selected attempt's own branch went when the task branch took it.
        if Some(a.attempt) == selected {
            a.selected = true;
            a.branch = task_branch.to_string();
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seq: u64, kind: serde_json::Value) -> String {
        let mut event =
            serde_json::json!({"schema": 2, "run_id": "r1", "seq": seq, "ts": format!("2026-12-01T10:00:0{seq}Z")});
        event.as_object_mut().unwrap().extend(kind.as_object().unwrap().clone());
        event.to_string()
    }

    fn started(seq: u64) -> String {
        // As a journal of schema 1 wrote it: no prompt profile, no reason for the command.
        line(
            seq,
            serde_json::json!({"type": "run_started", "task": "fix it", "repo": "/r", "worktree": "/w", "branch": "wright/fix-it",
                "base": "abc", "model": "m", "base_url": "http://x", "streaming": true, "tool_format": "auto",
                "sandbox": "process", "test_command": "pytest"}),
        )
    }

    fn finished(seq: u64, stop: &str) -> String {
        line(
            seq,
            serde_json::json!({"type": "run_finished", "outcome": null, "verdict": "not_fixed", "stop_reason": stop,
                "detail": "", "summary": "", "branch": "b", "worktree": "/w", "commits": [], "files_changed": [],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2, "estimated": false}, "cost_usd": null,
                "steps": 3, "exit_code": 3}),
        )
    }

    #[test]
    fn a_resumed_run_reads_as_one_with_its_last_end() {
        let usage =
            serde_json::json!({"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7, "estimated": false});
        let journal = [
            started(0),
            line(1, serde_json::json!({"type": "model_message", "text": "", "tool_calls": 1, "usage": usage})),
            line(2, serde_json::json!({"type": "plan_updated", "steps": [{"step": "read", "status": "in_progress"}]})),
            line(3, serde_json::json!({"type": "commit", "sha": "1", "subject": "fix", "files": ["a.py"]})),
            finished(4, "max_steps"),
            r#"{"schema":2,"run_id":"r1","ts":"x","type":"panic","message":"boom"}"#.to_string(),
            started(5),
            line(6, serde_json::json!({"type": "model_message", "text": "", "tool_calls": 0, "usage": usage, "format": "text"})),
            "{\"schema\":2,\"run_id\":\"r1\",\"seq\":7,\"type\":\"comm".to_string(),
        ]
        .join("\n");
        let events = read_events(&journal);
        assert_eq!(events.len(), 7, "the panic's record and the torn line are no events");
        let run = RunHistory::of(&events).unwrap();
        assert_eq!((run.run_id.as_str(), run.started.as_str()), ("r1", "2026-12-01T10:00:00Z"));
        assert_eq!((run.task.as_str(), run.test_command.as_deref()), ("fix it", Some("pytest")));
        assert_eq!(run.finished, None, "the second start has no end yet");
        assert_eq!((run.commits, run.tokens, run.last_seq), (1, 14, 6));
        assert_eq!(run.plan.unwrap()[0].step, "read");

        let ended = format!("{journal}\n{}", finished(8, "finished"));
        let run = RunHistory::of(&read_events(&ended)).unwrap();
        let finish = run.finished.unwrap();
        assert_eq!((finish.verdict, finish.stop_reason, finish.steps), (Verdict::NotFixed, StopReason::Finished, 3));
        assert_eq!(RunHistory::of(&read_events(&finished(0, "finished"))), None, "no start, no run");
    }

    fn attempt_finished(seq: u64, attempt: u32, branch: Option<&str>, verdict: &str, stop: &str) -> String {
        line(
            seq,
            serde_json::json!({"type": "attempt_finished", "attempt": attempt, "branch": branch, "verdict": verdict,
                "verdict_reason": "", "stop_reason": stop, "detail": format!("attempt {attempt} ended"), "commits": 1,
                "files_changed": ["a.py"], "diff_lines": attempt * 2, "final": null}),
        )
    }

    #[test]
    fn attempts_read_with_their_last_end_and_the_branch_that_holds_them() {
        let begun = |seq, attempt| {
            line(
                seq,
                serde_json::json!({"type": "attempt_started", "attempt": attempt, "from": "abc", "temperature": null}),
            )
        };
        let mut journal = vec![
            started(0),
            begun(1, 1),
            attempt_finished(2, 1, Some("wright/fix-it-attempt-1"), "not_fixed", "finished"),
            begun(3, 2),
            // Interrupted in attempt 2, then resumed: the attempt ends again.
            attempt_finished(4, 2, None, "unknown", "interrupted"),
            started(5),
        ];
        let run = RunHistory::of(&read_events(&journal.join("\n"))).unwrap();
        assert_eq!(run.attempts.len(), 2);
        assert_eq!(run.attempts[1].stop_reason, Some(StopReason::Interrupted));
        assert!(run.attempts.iter().all(|a| !a.selected), "the run has not ended");

        journal.push(attempt_finished(6, 2, Some("wright/fix-it-attempt-2"), "no_change", "finished"));
        let mut end: serde_json::Value = serde_json::from_str(&finished(7, "finished")).unwrap();
        (end["attempts"], end["selected_attempt"]) = (2.into(), 1.into());
        journal.push(end.to_string());
        let run = RunHistory::of(&read_events(&journal.join("\n"))).unwrap();
        let [first, second] = run.attempts.as_slice() else { panic!("{:?}", run.attempts) };
        assert_eq!(run.finished.as_ref().map(|f| (f.attempts, f.selected_attempt)), Some((2, 1)));
        assert!(first.selected && !second.selected);
        assert_eq!(first.branch, "wright/fix-it", "the task branch holds the selected attempt");
        assert_eq!((first.verdict, first.diff_lines), (Some(Verdict::NotFixed), Some(2)));
        assert_eq!(second.branch, "wright/fix-it-attempt-2");
        assert_eq!((second.verdict, second.stop_reason), (Some(Verdict::NoChange), Some(StopReason::Finished)));

        let old = RunHistory::of(&read_events(&[started(0), finished(1, "finished")].join("\n"))).unwrap();
        assert!(old.attempts.is_empty(), "a journal from before attempts tells of none");
        assert_eq!(old.finished.map(|f| (f.attempts, f.selected_attempt)), Some((1, 1)));
    }
}
