//! Loop behaviours on the in-process harness: the tool format following the model, the
//! nudge after a reply without a call or one cut at the length limit, budget stops and
//! the review of a first `finish`. Their end-to-end tests through the binary stay (the
//! stop after three idle replies had none); these run in milliseconds.

use serde_json::{Value, json};
use wright_scripted::{Step, turn};

use super::harness::{Ran, run};
use crate::EventKind;

fn system(request: &Value) -> String {
    request["messages"][0]["content"].as_str().unwrap().to_string()
}

fn last_message(request: &Value) -> String {
    request["messages"].as_array().unwrap().last().unwrap()["content"].as_str().unwrap_or("").to_string()
}

fn strings(events: &[Value], field: &str) -> Vec<String> {
    events.iter().map(|e| e[field].as_str().unwrap().to_string()).collect()
}

fn plan() -> Step {
    turn("", &[("update_plan", json!({"steps": [{"step": "Look", "status": "in_progress"}]}))])
}

fn finish_fixed() -> Step {
    turn("", &[("finish", json!({"summary": "fixed it", "outcome": "fixed"}))])
}

/// The answers `finish` got, in order.
fn finish_answers(ran: &Ran) -> Vec<String> {
    let results = ran.of_type("tool_result");
    results.iter().filter(|r| r["name"] == "finish").map(|r| r["output"].as_str().unwrap().to_string()).collect()
}

const LISTED: &str = "- read_file(path, end_line?, start_line?)";

#[tokio::test]
async fn auto_mode_follows_the_model_between_text_and_native_calls() {
    let ran = run(
        "look at dates",
        vec![
            turn("<tool_call>{\"name\": \"read_file\", \"arguments\": {\"path\": \"dates.py\"}}</tool_call>", &[]),
            turn("", &[("read_file", json!({"path": "README.md"}))]),
            turn("", &[("finish", json!({"summary": "read", "outcome": "gave_up"}))]),
        ],
        |_| {},
    )
    .await;
    let requests = &ran.requests;
    assert_eq!(requests.len(), 3, "{}", ran.finished());
    assert!(requests[0]["tools"].is_array() && !system(&requests[0]).contains(LISTED));
    assert!(requests[1].get("tools").is_none(), "the model writes text calls: no tools in the request");
    assert!(system(&requests[1]).contains(LISTED), "so the system prompt lists them: {}", system(&requests[1]));
    assert!(requests[2]["tools"].is_array(), "native calls came back: the tools are offered natively again");
    assert!(!system(&requests[2]).contains(LISTED));

    assert_eq!(strings(&ran.of_type("model_message"), "format"), ["native", "text", "native"]);
    let notices = strings(&ran.of_type("notice"), "message");
    assert!(notices.iter().any(|n| n.contains("offering the tools natively again")), "{notices:?}");
    assert_eq!(strings(&ran.of_type("tool_result"), "name"), ["read_file", "read_file", "finish"]);
}

#[tokio::test]
async fn a_reply_without_a_call_is_nudged_and_three_in_a_row_stop_the_run() {
    let idle = || turn("I would read dates.py next.", &[]);
    let ran = run("look at dates", vec![idle(), idle(), idle()], |_| {}).await;
    assert_eq!(ran.requests.len(), 3);
    assert!(!ran.kinds().any(|k| matches!(k, EventKind::ToolCall { .. })), "nothing was called");
    for request in &ran.requests[1..] {
        let nudge = last_message(request);
        assert!(nudge.starts_with("You did not call a tool.") && nudge.contains("call finish"), "{nudge}");
    }
    let end = ran.finished();
    assert_eq!((end["stop_reason"].as_str(), end["verdict"].as_str()), (Some("no_tool_calls"), Some("no_change")));
    assert_eq!(ran.report.exit_code, 4, "{end}");
}

#[tokio::test]
async fn a_reply_cut_at_the_length_limit_is_asked_again_shorter() {
    let cut =
        Step::Cut("<tool_call>{\"name\": \"edit\", \"arguments\": {\"path\": \"dates.py\", \"old\": \"def".into());
    let stopped = turn("", &[("finish", json!({"summary": "stopped", "outcome": "gave_up"}))]);
    let ran = run("fix dates", vec![cut, stopped], |_| {}).await;
    assert_eq!(ran.report.exit_code, 4, "{}", ran.finished());
    let asked = last_message(&ran.requests[1]);
    assert!(asked.contains("cut off at the length limit") && asked.contains("smaller ones"), "{asked}");
}

#[tokio::test]
async fn budgets_stop_the_run_with_exit_3() {
    let ran = run("look around", vec![plan(), plan(), plan()], |c| c.budgets.max_steps = 2).await;
    assert_eq!(ran.report.exit_code, 3);
    let end = ran.finished();
    assert_eq!(end["stop_reason"], "max_steps");
    assert_eq!(end["verdict"], "no_change");
    assert!(end["final"]["command"].is_string(), "the tests still run after a budget stop: {end}");
    assert_eq!(ran.requests.len(), 2, "no request past the budget");

    let ran = run("look around", vec![plan(), plan()], |c| c.budgets.token_budget = Some(100)).await;
    assert_eq!(ran.report.exit_code, 3);
    assert_eq!(ran.finished()["stop_reason"], "token_budget");
}

#[tokio::test]
async fn a_first_finish_without_a_change_is_answered_and_a_second_ends_the_run() {
    let ran = run("fix dates", vec![finish_fixed(), finish_fixed()], |_| {}).await;
    let answers = finish_answers(&ran);
    assert!(answers[0].contains("no file has been changed"), "{answers:?}");
    assert_eq!(answers.len(), 2);
    let end = ran.finished();
    assert_eq!(
        (ran.report.exit_code, end["verdict"].as_str(), end["outcome"].as_str()),
        (4, Some("no_change"), Some("fixed")),
        "{end}"
    );
    assert_eq!(end["verdict_reason"], "the run committed no change");
    assert!(ran.worktree.join("dates.py").is_file(), "the run worked in its own worktree");
}
