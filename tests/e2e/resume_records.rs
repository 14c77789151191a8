//! What a transcript records and `wright resume` reads back: the transcript's version
//! first, the prompt profile and the tool format at the start and at each switch, text
//! results and compactions as records of their own, so a resumed run goes on in the
//! form it was in and does not bring compacted turns back. A transcript of version 1
//! (none of those records) still resumes, its state read from the wording as then.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, Step, turn};
use crate::support::{Home, events, finished, of_type, output};

const LISTED: &str = "- read_file(path, end_line?, start_line?)";
const SUMMARIZED: &str = "earlier turns of this attempt were summarized to fit the context window";

fn text_call(path: &str) -> Step {
    turn(&format!("<tool_call>{}</tool_call>", json!({"name": "read_file", "arguments": {"path": path}})), &[])
}

/// A run in `auto` mode whose model writes its calls as text (the run switches), whose
/// context fills once (the oldest turn is summarized), and which stops at its step
/// budget; then the turn its resume gets: a finish written as text.
fn script() -> Vec<Step> {
    let full = Step::Status {
        code: 400,
        retry_after: None,
        body: r#"{"error":{"message":"maximum context length is 8192 tokens","code":"context_length_exceeded"}}"#
            .into(),
    };
    let finish = "<tool_call>{\"name\": \"finish\", \"arguments\": {\"summary\": \"read\", \"outcome\": \"gave_up\"}}</tool_call>";
    vec![text_call("dates.py"), text_call("README.md"), full, text_call("dates.py"), turn(finish, &[])]
}

/// Runs the script up to its step budget; returns the run's id and its transcript.
async fn stopped_run(home: &Home, server: &ModelServer, fixture: &Fixture) -> (String, PathBuf) {
    server
        .answer(wright_agent::SUMMARY_PROMPT, vec![turn("## Task\nlook at dates\n## Next step\nread README.md", &[])]);
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--max-steps", "3", "--test-command", "true", "--repo"]).arg(fixture.repo());
    cmd.arg("look at dates");
    let out = output(cmd).await;
    let events = events(&out.stdout);
    assert_eq!(finished(&events)["stop_reason"], "max_steps", "{}", String::from_utf8_lossy(&out.stderr));
    let id = events[0]["run_id"].as_str().unwrap().to_string();
    let transcript = home.data().join("wright/runs").join(&id).join("transcript.jsonl");
    (id, transcript)
}

fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// Resumes `id` until its finish; returns its events and the request it made.
async fn resume(home: &Home, server: &ModelServer, id: &str) -> (Vec<Value>, Value) {
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["resume", "--json", "--max-steps", "6", id]);
    let out = output(cmd).await;
    let events = events(&out.stdout);
    assert_eq!(finished(&events)["stop_reason"], "finished", "{}", String::from_utf8_lossy(&out.stderr));
    (events, server.requests().last().unwrap().clone())
}

fn notices(events: &[Value]) -> Vec<String> {
    of_type(events, "notice").iter().map(|n| n["message"].as_str().unwrap().to_string()).collect()
}

/// The request's messages that answer tool calls written as text.
fn text_results(request: &Value) -> Vec<String> {
    let messages = request["messages"].as_array().unwrap();
    messages
        .iter()
        .filter(|m| m["role"] == "user")
        .skip(1)
        .map(|m| m["content"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_transcript_records_the_prompt_and_resume_reads_the_records() {
    let (home, fixture) = (Home::new(), Fixture::new());
    let server = ModelServer::start(script()).await;
    let (id, path) = stopped_run(&home, &server, &fixture).await;

    let all = records(&path);
    let kinds: Vec<&str> = all.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(all[0], json!({"kind": "version", "version": 2}), "a transcript starts with its version");
    assert_eq!(all[1], json!({"kind": "prompt", "profile": "full", "tool_format": "native"}));
    assert_eq!(all[2]["kind"], "message", "the system prompt follows the record of its form");
    let switch = all.iter().position(|r| r["kind"] == "prompt" && r["tool_format"] == "text").expect("the switch");
    assert_eq!(all[switch + 1]["message"]["role"], "system", "the rebuilt prompt follows the record");
    assert!(all[switch + 1]["message"]["content"].as_str().unwrap().contains(LISTED));
    assert_eq!(kinds.iter().filter(|k| **k == "text_results").count(), 3);
    let compacted: Vec<&Value> = all.iter().filter(|r| r["kind"] == "compacted").collect();
    assert_eq!(compacted.len(), 1, "{kinds:?}");

    let (events, request) = resume(&home, &server, &id).await;
    assert!(request.get("tools").is_none(), "the run goes on in the text form it recorded");
    assert!(request["messages"][0]["content"].as_str().unwrap().contains(LISTED));
    let results = text_results(&request);
    assert!(results[0].contains(SUMMARIZED), "a summarized turn stays summarized: {results:?}");
    assert!(results[1].starts_with("[tool result: read_file]"), "{results:?}");
    assert!(!notices(&events).iter().any(|n| n.contains("version 1")), "{:?}", notices(&events));
    let resumed = records(&path);
    let prompts: Vec<&Value> = resumed.iter().filter(|r| r["kind"] == "prompt").collect();
    assert_eq!(prompts.last().unwrap()["tool_format"], "text", "the resumed process records its form");
}

#[tokio::test]
async fn a_transcript_of_version_one_still_resumes() {
    let (home, fixture) = (Home::new(), Fixture::new());
    let server = ModelServer::start(script()).await;
    let (id, path) = stopped_run(&home, &server, &fixture).await;
    // Written back as version 1 wrote it: no version, prompt or compaction records, and
    // text results as plain user messages (the compaction is forgotten: it came later).
    let old: Vec<String> = records(&path)
        .into_iter()
        .filter(|r| !matches!(r["kind"].as_str(), Some("version" | "prompt" | "compacted")))
        .map(|r| match r["kind"].as_str() {
            Some("text_results") => json!({"kind": "message", "message": {"role": "user", "content": r["content"]}}),
            _ => r,
        })
        .map(|r| r.to_string())
        .collect();
    std::fs::write(&path, old.join("\n") + "\n").unwrap();

    let (events, request) = resume(&home, &server, &id).await;
    let notices = notices(&events);
    assert!(notices.iter().any(|n| n.contains("transcript is of version 1")), "{notices:?}");
    assert!(request.get("tools").is_none(), "the prompt's end says text, as it did then");
    assert!(request["messages"][0]["content"].as_str().unwrap().contains(LISTED));
    let results = text_results(&request);
    assert!(results[0].starts_with("[tool result: read_file]"), "version 1 never knew of compactions: {results:?}");
}
