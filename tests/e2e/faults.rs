//! Faults a real endpoint produces, and how the run survives them.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, Step, raw_call, turn};
use crate::support::{Home, SECRET_KEY, events, finished, git, of_type, output, spawn};

fn finish(outcome: &str) -> Step {
    turn("", &[("finish", json!({"summary": "done", "outcome": outcome}))])
}

fn plan() -> Step {
    turn("", &[("update_plan", json!({"steps": [{"step": "Look", "status": "in_progress"}]}))])
}

async fn run_json(
    server: &ModelServer,
    fixture: &Fixture,
    extra: &[&str],
) -> (Option<i32>, Vec<serde_json::Value>, String) {
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--attempts", "1", "--test-command", "true"])
        .args(extra)
        .arg("--repo")
        .arg(fixture.repo())
        .arg("look around");
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out.status.code(), events(&out.stdout), stderr)
}

fn notices(events: &[serde_json::Value]) -> Vec<String> {
    of_type(events, "notice").iter().map(|n| n["message"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn rate_limits_are_retried_after_the_servers_delay() {
    let fixture = Fixture::new();
    let limited = Step::Status { code: 429, retry_after: Some(1), body: r#"{"error":{"message":"slow down"}}"#.into() };
    let server = ModelServer::start(vec![
        limited,
        Step::Status { code: 503, retry_after: None, body: "overloaded".into() },
        plan(),
        finish("gave_up"),
    ])
    .await;
    let started = std::time::Instant::now();
    let (code, events, stderr) = run_json(&server, &fixture, &[]).await;
    assert_eq!(code, Some(4), "{stderr}");
    let notes = notices(&events);
    assert!(notes[0].contains("HTTP 429") && notes[0].contains("retry 1 in 1.0 s"), "{notes:?}");
    assert!(notes[1].contains("HTTP 503") && notes[1].contains("retry 2"), "{notes:?}");
    assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After must be honoured");
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn a_stream_dropped_mid_tool_call_is_retried_whole() {
    let fixture = Fixture::new();
    let server = ModelServer::start(vec![
        Step::DropMidToolCall,
        turn("", &[("read_file", json!({"path": "dates.py"}))]),
        finish("gave_up"),
    ])
    .await;
    let (code, events, stderr) = run_json(&server, &fixture, &[]).await;
    assert_eq!(code, Some(4), "{stderr}");
    assert!(notices(&events)[0].contains("stream dropped"), "{:?}", notices(&events));
    let calls = of_type(&events, "tool_call");
    assert_eq!(calls.len(), 2, "the half-streamed call must not run");
    assert_eq!(calls[0]["arguments"], r#"{"path":"dates.py"}"#);
    assert!(server.requests().iter().all(|r| r["stream"] == true));
}

#[tokio::test]
async fn an_empty_stream_switches_to_plain_requests() {
    let fixture = Fixture::new();
    let server = ModelServer::start(vec![Step::EmptyStream, plan(), finish("gave_up")]).await;
    let (code, events, stderr) = run_json(&server, &fixture, &[]).await;
    assert_eq!(code, Some(4), "{stderr}");
    assert!(notices(&events)[0].contains("empty stream; using non-streaming requests"), "{:?}", notices(&events));
    let streams: Vec<bool> = server.requests().iter().map(|r| r["stream"].as_bool().unwrap()).collect();
    assert_eq!(streams, vec![true, false, false]);
}

#[tokio::test]
async fn no_stream_flag_never_streams() {
    let fixture = Fixture::new();
    let server = ModelServer::start(vec![plan(), finish("gave_up")]).await;
    let (code, _, stderr) = run_json(&server, &fixture, &["--no-stream"]).await;
    assert_eq!(code, Some(4), "{stderr}");
    assert!(server.requests().iter().all(|r| r["stream"] == false));
}

#[tokio::test]
async fn bad_calls_go_back_to_the_model_as_errors() {
    let fixture = Fixture::new();
    let server = ModelServer::start(vec![
        raw_call("read_file", r#"{"path": "dates.py""#),
        turn("", &[("delete_everything", json!({}))]),
        turn("", &[("edit", json!({"path": "dates.py", "old": "no such text", "new": "x"}))]),
        turn("", &[("read_file", json!({"path": "../../etc/passwd"}))]),
        finish("gave_up"),
    ])
    .await;
    let (code, events, stderr) = run_json(&server, &fixture, &[]).await;
    assert_eq!(code, Some(4), "{stderr}");
    let results = of_type(&events, "tool_result");
    let outputs: Vec<&str> = results.iter().map(|r| r["output"].as_str().unwrap()).collect();
    assert!(results[..4].iter().all(|r| r["ok"] == false));
    assert!(outputs[0].contains("not valid JSON"), "{}", outputs[0]);
    assert!(
        outputs[1].contains("unknown tool `delete_everything`") && outputs[1].contains("update_plan"),
        "{}",
        outputs[1]
    );
    assert!(outputs[2].contains("not found") && outputs[2].contains("Closest lines"), "{}", outputs[2]);
    assert!(outputs[3].contains("outside the repository"), "{}", outputs[3]);
    let messages = server.requests()[1]["messages"].as_array().unwrap().clone();
    assert!(messages.last().unwrap()["content"].as_str().unwrap().contains("not valid JSON"));
    assert_eq!(finished(&events)["stop_reason"], "finished");
}

#[tokio::test]
async fn the_same_failing_call_three_times_ends_the_run() {
    let fixture = Fixture::new();
    let bad = turn("", &[("read_file", json!({"path": "missing.py"}))]);
    let server = ModelServer::start(vec![bad.clone(), bad.clone(), bad, finish("gave_up")]).await;
    let (code, events, stderr) = run_json(&server, &fixture, &[]).await;
    assert_eq!(code, Some(4), "{stderr}");
    let end = finished(&events);
    assert_eq!(end["stop_reason"], "repeated_failure");
    assert!(end["detail"].as_str().unwrap().contains("`read_file`"));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_full_context_is_compacted_and_retried_once() {
    let fixture = Fixture::new();
    let full = Step::Status {
        code: 400,
        retry_after: None,
        body: r#"{"error":{"message":"This model's maximum context length is 8192 tokens","code":"context_length_exceeded"}}"#.into(),
    };
    let read = turn("", &[("read_file", json!({"path": "dates.py"}))]);
    let server = ModelServer::start(vec![plan(), read.clone(), read, full.clone(), finish("gave_up")]).await;
    server.answer(wright_agent::SUMMARY_PROMPT, vec![turn("## Task\nlook around\n## Next step\nfinish", &[])]);
    let (code, events, stderr) = run_json(&server, &fixture, &[]).await;
    assert_eq!(code, Some(4), "{stderr}");
    assert!(notices(&events).iter().any(|n| n.contains("compacting and retrying once")), "{:?}", notices(&events));
    assert_eq!(of_type(&events, "context_compacted")[0]["summarized_turns"], 2, "the plan and the first read");
    assert_eq!(server.requests_with(wright_agent::SUMMARY_PROMPT).len(), 1);
    let retried = server.requests()[4]["messages"].as_array().unwrap().clone();
    assert_eq!(
        retried[1]["content"], "<untrusted-data source=\"task\">\nlook around\n</untrusted-data>",
        "the task stays"
    );
    assert!(retried[2]["content"].as_str().unwrap().contains("summarized to fit the context window"));
    let tools: Vec<&Value> = retried.iter().filter(|m| m["role"] == "tool").collect();
    assert_eq!(tools.len(), 1, "{retried:?}");
    assert!(tools[0]["content"].as_str().unwrap().contains("parse_date"), "the newest output stays");

    // Nothing left to compact: the overflow stops the run with that reason.
    let server = ModelServer::start(vec![plan(), full.clone(), full]).await;
    let (code, events, _) = run_json(&server, &fixture, &[]).await;
    assert_eq!(code, Some(3));
    assert_eq!(finished(&events)["stop_reason"], "context_length");
}

#[tokio::test]
async fn budgets_stop_the_run_with_exit_3() {
    let fixture = Fixture::new();
    let server = ModelServer::start(vec![plan(), plan(), plan()]).await;
    let (code, events, _) = run_json(&server, &fixture, &["--max-steps", "2"]).await;
    assert_eq!(code, Some(3));
    let end = finished(&events);
    assert_eq!(end["stop_reason"], "max_steps");
    assert_eq!(end["verdict"], "no_change");
    assert!(end["final"]["command"].is_string(), "the tests still run after a budget stop: {end}");

    let server = ModelServer::start(vec![plan(), plan()]).await;
    let (code, events, _) = run_json(&server, &fixture, &["--token-budget", "100"]).await;
    assert_eq!(code, Some(3));
    assert_eq!(finished(&events)["stop_reason"], "token_budget");
}

#[tokio::test]
async fn sigterm_stops_after_the_current_step_with_changes_committed() {
    let fixture = Fixture::new();
    let edit = turn("", &[("edit", json!({"path": "dates.py", "old": "%H:%M:%S\"", "new": "%H:%M:%S%z\""}))]);
    let slow = Step::Delay(Duration::from_secs(30), Box::new(finish("gave_up")));
    let server = ModelServer::start(vec![plan(), edit, slow]).await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--repo"]).arg(fixture.repo()).arg("make it strict");
    let child = spawn(cmd).await;
    for _ in 0..200 {
        if server.requests().len() >= 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(server.requests().len(), 3, "the run should be waiting on the model");
    crate::support::send_signal(child.id(), 15);
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", String::from_utf8_lossy(&out.stderr));
    let events = events(&out.stdout);
    let end = finished(&events);
    assert_eq!(end["stop_reason"], "interrupted");
    assert_eq!(end["commits"].as_array().unwrap().len(), 1);
    let branch = events[0]["branch"].as_str().unwrap();
    let diff = git(&fixture.repo(), &["diff", "main", branch, "--", "dates.py"]);
    assert!(diff.contains("+    return datetime.strptime(text, \"%Y-%m-%dT%H:%M:%S%z\")"), "{diff}");
    let worktree = std::path::Path::new(events[0]["worktree"].as_str().unwrap());
    assert_eq!(git(worktree, &["status", "--porcelain"]), "", "no half-done change is left behind");
}

#[tokio::test]
async fn the_timeout_also_bounds_a_slow_model() {
    let fixture = Fixture::new();
    let slow = Step::Delay(Duration::from_secs(30), Box::new(finish("gave_up")));
    let server = ModelServer::start(vec![plan(), slow]).await;
    let started = std::time::Instant::now();
    let (code, events, _) = run_json(&server, &fixture, &["--timeout", "2"]).await;
    assert_eq!(code, Some(3));
    assert_eq!(finished(&events)["stop_reason"], "timeout");
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn files_made_by_commands_are_committed_apart_and_ignored_ones_never() {
    let fixture = Fixture::new();
    std::fs::write(fixture.repo().join(".gitignore"), "*.log\n").unwrap();
    git(&fixture.repo(), &["add", ".gitignore"]);
    git(&fixture.repo(), &["commit", "-q", "-m", "ignore logs"]);
    let leaky_plan = turn(
        "",
        &[(
            "update_plan",
            json!({"steps": [{"step": format!("Generate with key {SECRET_KEY}"), "status": "in_progress"}]}),
        )],
    );
    let generate = turn("", &[("run", json!({"command": "echo data > generated.txt && echo noise > build.log"}))]);
    let server = ModelServer::start(vec![leaky_plan, generate, finish("gave_up")]).await;
    let (code, events, stderr) = run_json(&server, &fixture, &[]).await;
    assert_eq!(code, Some(4), "{stderr}");
    let commits = of_type(&events, "commit");
    assert_eq!(commits.len(), 1);
    assert_eq!(
        commits[0]["subject"],
        "feat(generated): apply changes made by `echo data > generated.txt && echo noise > build.log`"
    );
    assert_eq!(commits[0]["files"], json!(["generated.txt"]));
    let branch = events[0]["branch"].as_str().unwrap();
    let message = git(&fixture.repo(), &["log", "-1", "--format=%B", branch]);
    assert!(message.contains("Wright-Step: Generate with key [REDACTED:OPENAI_API_KEY]"), "{message}");
}

#[tokio::test]
async fn a_model_cycling_through_a_failing_call_is_stopped() {
    let fixture = Fixture::new();
    let bad = turn("", &[("edit", json!({"path": "dates.py", "old": "def parse(x):", "new": "def parse(y):"}))]);
    let look = turn("", &[("search", json!({"query": "parse_date"}))]);
    let server = ModelServer::start(vec![bad.clone(), look.clone(), bad.clone(), look, bad, finish("gave_up")]).await;
    let (code, events, stderr) = run_json(&server, &fixture, &[]).await;
    assert_eq!(code, Some(4), "{stderr}");
    assert_eq!(finished(&events)["stop_reason"], "repeated_failure");
    let second_failure = of_type(&events, "tool_result")[2]["output"].as_str().unwrap().to_string();
    assert!(second_failure.contains("this exact call has now failed 2 times"), "{second_failure}");
    assert_eq!(server.requests().len(), 5);
}

#[tokio::test]
async fn a_model_repeating_the_same_call_is_told_then_stopped() {
    let fixture = Fixture::new();
    let look = turn("", &[("search", json!({"query": "parse_date"}))]);
    let server = ModelServer::start(vec![look.clone(), look.clone(), look.clone(), look, finish("gave_up")]).await;
    let (code, events, stderr) = run_json(&server, &fixture, &[]).await;
    assert_eq!(code, Some(4), "{stderr}");
    assert_eq!(finished(&events)["stop_reason"], "looping");
    let second = of_type(&events, "tool_result")[1]["output"].as_str().unwrap().to_string();
    assert!(second.contains("you made this exact call 2 times in a row"), "{second}");
}
