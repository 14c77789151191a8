//! A model going round in circles is stopped: the same failing call three times, or the
//! same call with the same answer again and again (told first, then stopped).

use serde_json::json;
use wright_scripted::{Step, turn};

use super::harness::run;

fn gave_up() -> Step {
    turn("", &[("finish", json!({"summary": "stuck", "outcome": "gave_up"}))])
}

#[tokio::test]
async fn the_same_failing_call_three_times_ends_the_run() {
    let bad = turn("", &[("read_file", json!({"path": "missing.py"}))]);
    let ran = run("look at dates", vec![bad.clone(), bad.clone(), bad, gave_up()], |_| {}).await;
    assert_eq!(ran.report.exit_code, 4);
    let end = ran.finished();
    assert_eq!(end["stop_reason"], "repeated_failure");
    assert!(end["detail"].as_str().unwrap().contains("`read_file`"), "{end}");
    assert_eq!(ran.requests.len(), 3, "no turn after the third failure");
}

#[tokio::test]
async fn a_model_repeating_the_same_call_is_told_then_stopped() {
    let look = turn("", &[("search", json!({"query": "parse_date"}))]);
    let ran = run("look at dates", vec![look.clone(), look.clone(), look.clone(), look, gave_up()], |_| {}).await;
    assert_eq!(ran.report.exit_code, 4);
    assert_eq!(ran.finished()["stop_reason"], "looping");
    let second = ran.of_type("tool_result")[1]["output"].as_str().unwrap().to_string();
    assert!(second.contains("you made this exact call 2 times in a row"), "{second}");
}
