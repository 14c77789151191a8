//! Attempts selected by evidence, in-process: an attempt the tests refute is set aside
//! on its own branch and a fresh one starts from the same messages; the evidence picks
//! the attempt the task branch keeps; no attempt starts without the budget for one.

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use wright_scripted::{Step, turn};

use super::harness::{Ran, run};

/// The project's test: passes once `parse_date` strips its input.
const TEST: &str = "grep -q 'text.strip()' dates.py";

fn edit(to: &str) -> Step {
    turn("", &[("edit", json!({"path": "dates.py", "old": "    return text\n", "new": format!("    return {to}\n")}))])
}

fn finish(outcome: &str) -> Step {
    turn("", &[("finish", json!({"summary": format!("{outcome} summary"), "outcome": outcome}))])
}

fn git(ran: &Ran, args: &[&str]) -> String {
    let out = Command::new("git").args(args).current_dir(&ran.worktree).output().unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The attempt events, as `(type, attempt, verdict or temperature)`.
fn attempt_events(ran: &Ran) -> Vec<(String, u64, Value)> {
    let all = ran.events.iter().map(|e| serde_json::to_value(e).unwrap());
    all.filter_map(|e| {
        let kind = e["type"].as_str()?.to_string();
        let detail = match kind.as_str() {
            "attempt_started" => e["temperature"].clone(),
            "attempt_finished" => e["verdict"].clone(),
            _ => return None,
        };
        Some((kind, e["attempt"].as_u64()?, detail))
    })
    .collect()
}

#[tokio::test]
async fn a_refuted_attempt_is_set_aside_and_a_fresh_one_fixes_the_task() {
    let script = vec![edit("text.lower()"), finish("gave_up"), edit("text.strip()"), finish("fixed")];
    let ran = run("parse_date keeps surrounding spaces", script, |c| {
        c.test_command = Some(TEST.into());
        c.max_attempts = None;
        c.attempt_temperature = Some(0.8);
    })
    .await;
    let end = ran.finished();
    assert_eq!(ran.report.exit_code, 0, "{end}");
    assert_eq!(
        (end["verdict"].as_str(), end["attempts"].as_u64(), end["selected_attempt"].as_u64()),
        (Some("fixed"), Some(2), Some(2))
    );
    assert_eq!(
        attempt_events(&ran),
        [
            ("attempt_started".into(), 1, Value::Null),
            ("attempt_finished".into(), 1, json!("not_fixed")),
            ("attempt_started".into(), 2, json!(0.8)),
            ("attempt_finished".into(), 2, json!("fixed")),
        ]
    );
    // The task branch holds attempt 2; attempt 1 is kept on a branch of its own.
    assert!(std::fs::read_to_string(ran.worktree.join("dates.py")).unwrap().contains("text.strip()"));
    let branch = end["branch"].as_str().unwrap();
    let kept = git(&ran, &["show", &format!("{branch}-attempt-1:dates.py")]);
    assert!(kept.contains("text.lower()"), "{kept}");
    assert_eq!(git(&ran, &["rev-list", "--count", &format!("main..{branch}")]), "1", "attempt 1's commit is not on it");
    let finished = &ran.of_type("attempt_finished")[0];
    assert_eq!(finished["branch"].as_str(), Some(format!("{branch}-attempt-1").as_str()));

    // Attempt 2 begins with the very messages attempt 1 began with, then the account.
    let first = ran.requests[0]["messages"].as_array().unwrap();
    let fresh = ran.requests[2]["messages"].as_array().unwrap();
    assert_eq!(fresh[..first.len()], first[..], "the same prefix: a prompt cache serves it");
    assert_eq!(fresh.len(), first.len() + 1);
    let account = fresh[first.len()]["content"].as_str().unwrap();
    assert!(account.starts_with("[wright: this is attempt 2 of at most 4."), "{account}");
    assert!(account.contains("- attempt 1: changed dates.py (2 lines)") && account.contains("verdict: not_fixed"));
    assert_eq!((ran.requests[0].get("temperature"), ran.requests[2]["temperature"].as_f64()), (None, Some(0.8)));
}

#[tokio::test]
async fn when_every_attempt_fails_the_best_evidence_is_kept_and_the_run_exits_4() {
    // Attempt 1 changes the code without fixing it; attempt 2 changes nothing.
    let script = vec![edit("text.lower()"), finish("gave_up"), finish("gave_up")];
    let ran = run("parse_date keeps surrounding spaces", script, |c| {
        c.test_command = Some(TEST.into());
        c.max_attempts = Some(2);
    })
    .await;
    let end = ran.finished();
    assert_eq!(ran.report.exit_code, 4, "{end}");
    assert_eq!(
        (end["verdict"].as_str(), end["attempts"].as_u64(), end["selected_attempt"].as_u64()),
        (Some("not_fixed"), Some(2), Some(1))
    );
    assert_eq!(end["files_changed"], json!(["dates.py"]));
    assert!(std::fs::read_to_string(ran.worktree.join("dates.py")).unwrap().contains("text.lower()"));
    let finished = ran.of_type("attempt_finished");
    let branch = end["branch"].as_str().unwrap();
    assert_eq!(finished[1]["branch"].as_str(), Some(format!("{branch}-attempt-2").as_str()), "the last is set aside");
    assert_eq!(git(&ran, &["branch", "--list", &format!("{branch}-attempt-1")]), "", "the selected one's branch goes");
    assert_eq!(ran.requests.len(), 3, "the cap of 2 attempts holds");
}

#[tokio::test]
async fn no_attempt_starts_without_a_minute_and_four_steps_left() {
    let script = vec![edit("text.lower()"), finish("gave_up")];
    for (timeout, steps) in [(Some(Duration::from_secs(50)), 10), (None, 5)] {
        let ran = run("parse_date keeps surrounding spaces", script.clone(), |c| {
            c.test_command = Some(TEST.into());
            c.max_attempts = None;
            c.budgets.timeout = timeout;
            c.budgets.max_steps = steps;
        })
        .await;
        let end = ran.finished();
        assert_eq!((end["attempts"].as_u64(), end["verdict"].as_str()), (Some(1), Some("not_fixed")), "{end}");
        assert_eq!(ran.of_type("attempt_started").len(), 1);
        assert_eq!(ran.report.exit_code, 4);
    }
}
