//! The tool protocol turn by turn: in `auto` mode the tools are always in front of the
//! model in the form it uses (in the request, or listed in the system prompt), and a
//! reply cut at the length limit gets a turn to say it shorter. The first message carries
//! what the index ranks highest, and a failed edit of a file never read gets its lines.
//! A model with a small window gets the compact prompt and drafts first; an edit CPython
//! rejects is refused.

use serde_json::{Value, json};

use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, Step, turn};
use crate::support::{Home, events, of_type, output};

/// `wright run --json FLAGS --repo FIXTURE TASK` against `server`.
async fn run(server: &ModelServer, fixture: &Fixture, flags: &[&str], task: &str) -> std::process::Output {
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--attempts", "1"]).args(flags).arg("--repo").arg(fixture.repo()).arg(task);
    output(cmd).await
}

fn system(request: &Value) -> String {
    request["messages"][0]["content"].as_str().unwrap().to_string()
}

fn last_message(request: &Value) -> String {
    request["messages"].as_array().unwrap().last().unwrap()["content"].as_str().unwrap_or("").to_string()
}

const LISTED: &str = "- read_file(path, end_line?, start_line?)";

#[tokio::test]
async fn auto_mode_follows_the_model_between_text_and_native_calls() {
    let fixture = Fixture::new();
    let server = ModelServer::start(vec![
        turn("<tool_call>{\"name\": \"read_file\", \"arguments\": {\"path\": \"dates.py\"}}</tool_call>", &[]),
        turn("", &[("read_file", json!({"path": "README.md"}))]),
        turn("", &[("finish", json!({"summary": "read", "outcome": "gave_up"}))]),
    ])
    .await;
    let out = run(&server, &fixture, &["--test-command", "true"], "look at dates").await;
    let events = events(&out.stdout);
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "{}", String::from_utf8_lossy(&out.stderr));

    assert!(requests[0]["tools"].is_array() && !system(&requests[0]).contains(LISTED));
    assert!(requests[1].get("tools").is_none(), "the model writes text calls: no tools in the request");
    assert!(system(&requests[1]).contains(LISTED), "so the system prompt lists them: {}", system(&requests[1]));
    assert!(requests[2]["tools"].is_array(), "native calls came back: the tools are offered natively again");
    assert!(!system(&requests[2]).contains(LISTED));

    let formats: Vec<&str> = of_type(&events, "model_message").iter().map(|m| m["format"].as_str().unwrap()).collect();
    assert_eq!(formats, ["native", "text", "native"]);
    let notices: Vec<&str> = of_type(&events, "notice").iter().map(|n| n["message"].as_str().unwrap()).collect();
    assert!(notices.iter().any(|n| n.contains("offering the tools natively again")), "{notices:?}");
    let names: Vec<&str> = of_type(&events, "tool_result").iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["read_file", "read_file", "finish"]);
}

#[tokio::test]
async fn a_reply_cut_at_the_length_limit_is_asked_again_shorter() {
    let fixture = Fixture::new();
    let server = ModelServer::start(vec![
        Step::Cut("<tool_call>{\"name\": \"edit\", \"arguments\": {\"path\": \"dates.py\", \"old\": \"def".into()),
        turn("", &[("finish", json!({"summary": "stopped", "outcome": "gave_up"}))]),
    ])
    .await;
    let out = run(&server, &fixture, &["--test-command", "true"], "fix dates").await;
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let requests = server.requests();
    assert_eq!(requests[0]["max_tokens"], 2048, "every request caps the reply");
    let asked = last_message(&requests[1]);
    assert!(asked.contains("cut off at the length limit") && asked.contains("smaller ones"), "{asked}");
}

#[tokio::test]
async fn search_replace_blocks_and_a_heredoc_patch_edit_without_json() {
    let fixture = Fixture::new();
    let blocks = "I will make the format strict.\n\ndates.py\n```python\n<<<<<<< SEARCH\n    return datetime.strptime(text, \"%Y-%m-%dT%H:%M:%S\")\n=======\n    return datetime.strptime(text, \"%Y-%m-%dT%H:%M:%S%z\")\n>>>>>>> REPLACE\n```";
    let heredoc = "apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: README.md\n@@\n-# myproj\n+# myproj, strict dates\n*** End Patch\nEOF";
    let server = ModelServer::start(vec![
        turn(blocks, &[]),
        turn(&format!("<tool_call>{}</tool_call>", json!({"name": "run", "arguments": {"command": heredoc}})), &[]),
        turn("<tool_call>{\"name\": \"finish\", \"arguments\": {\"summary\": \"done\", \"outcome\": \"partial\"}}</tool_call>", &[]),
    ])
    .await;
    let out = run(&server, &fixture, &["--tool-format", "text", "--test-command", "true"], "make dates strict").await;
    let events = events(&out.stdout);
    let calls: Vec<&str> = of_type(&events, "tool_call").iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(calls, ["apply_patch", "run", "finish"], "{}", String::from_utf8_lossy(&out.stderr));
    let results = of_type(&events, "tool_result");
    assert!(results.iter().take(2).all(|r| r["ok"] == true), "{results:?}");
    let commits = of_type(&events, "commit");
    assert_eq!(commits.len(), 2, "{commits:?}");
    assert_eq!(commits[0]["files"], json!(["dates.py"]));
    assert_eq!(commits[1]["files"], json!(["README.md"]));
    let system = system(&server.requests()[0]);
    assert!(system.contains("<<<<<<< SEARCH"), "the text-mode prompt shows the block format");
}

#[tokio::test]
async fn the_first_message_carries_the_ranked_files_and_an_unread_file_is_shown_on_a_failed_edit() {
    let fixture = Fixture::new();
    let invented = json!({"path": "README.md", "old": "# My Project", "new": "# My Project (strict dates)"});
    let server = ModelServer::start(vec![
        turn("", &[("edit", invented)]),
        turn("", &[("finish", json!({"summary": "stopped", "outcome": "gave_up"}))]),
    ])
    .await;
    let out = run(&server, &fixture, &["--test-command", "true"], "parse_date refuses a Z suffix").await;
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "{}", String::from_utf8_lossy(&out.stderr));

    let first = requests[0]["messages"][1]["content"].as_str().unwrap();
    assert!(first.starts_with("<untrusted-data source=\"task\">\nparse_date refuses a Z suffix\n</untrusted-data>"));
    assert!(first.contains("ranks these files highest"), "{first}");
    assert!(
        first.contains(
            "<untrusted-data source=\"dates.py\">\ndates.py (lines 1-6 of 6)\n     1\tfrom datetime import datetime"
        ),
        "the best-ranked small file is shown whole, as read_file shows it: {first}"
    );
    assert!(!first.contains("# myproj"), "a file the index does not rank is not shown: {first}");

    let answer = last_message(&requests[1]);
    assert!(answer.contains("you had not read README.md yet"), "{answer}");
    assert!(answer.contains("     1\t# myproj"), "the file's real lines follow the error: {answer}");
}

#[tokio::test]
async fn a_model_with_a_small_window_gets_the_compact_prompt() {
    let fixture = Fixture::new();
    let server = ModelServer::start(vec![
        turn("<tool_call>{\"name\": \"read_file\", \"arguments\": {\"path\": \"dates.py\"}}</tool_call>", &[]),
        turn("<tool_call>{\"name\": \"finish\", \"arguments\": {\"summary\": \"read\", \"outcome\": \"gave_up\"}}</tool_call>", &[]),
    ])
    .await;
    server.set_context(16_384);
    let flags = ["--test-command", "python3 -m unittest", "--drafts", "0"];
    let out = run(&server, &fixture, &flags, "look at dates").await;
    let events = events(&out.stdout);
    assert_eq!(of_type(&events, "run_started")[0]["prompt_profile"], "compact");
    let notices: Vec<&str> = of_type(&events, "notice").iter().map(|n| n["message"].as_str().unwrap()).collect();
    assert!(
        notices.iter().any(|n| n.contains("compact prompt: the model's context holds 16384 tokens")),
        "{notices:?}"
    );

    let requests = server.requests();
    assert!(requests[0].get("tools").is_none(), "a small window starts with the text list, not the schemas");
    let prompt = system(&requests[0]);
    assert!(prompt.contains("Work in this order: read the relevant code"), "{prompt}");
    assert!(
        prompt.contains("Example of a whole task") && prompt.contains("<<<<<<< SEARCH\n    return a * b"),
        "{prompt}"
    );
    assert!(prompt.contains("{\"command\":\"python3 -m unittest\"}"), "the example runs the project's tests: {prompt}");
    assert!(
        prompt.contains("- edit(") && !prompt.contains("- update_plan(") && !prompt.contains("- repo_map("),
        "{prompt}"
    );
    assert!(prompt.len() < 4000, "the compact prompt stays short: {} chars", prompt.len());
}

#[tokio::test]
async fn a_model_with_a_small_window_drafts_the_fix_in_one_reply() {
    let fixture = Fixture::new();
    let before = fixture.snapshot();
    let fixed = "from datetime import datetime\n\n\ndef parse_date(text):\n    \"\"\"Parse an ISO 8601 date-time such as 2024-05-01T10:20:30.\"\"\"\n    return datetime.strptime(text.removesuffix(\"Z\"), \"%Y-%m-%dT%H:%M:%S\")\n";
    let server = ModelServer::start(vec![turn(&format!("```python\n{fixed}```\n"), &[])]).await;
    server.set_context(16_384);
    // Verbose: the passing tests are named at the end too, as they must be to show the fix.
    let flags = ["--test-command", "python3 -m unittest -v"];
    let out = run(&server, &fixture, &flags, "parse_date rejects a Z suffix in dates.py").await;
    let events = events(&out.stdout);
    let end = &of_type(&events, "run_finished")[0];
    assert_eq!((out.status.code(), end["verdict"].as_str()), (Some(0), Some("fixed")), "{end}");
    assert_eq!(of_type(&events, "attempt_started")[0]["draft"], true);
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one request: the draft");
    assert!(system(&requests[0]).contains("one fenced code block"), "{}", system(&requests[0]));
    assert!(last_message(&requests[0]).contains("the whole file of `dates.py`"));
    // Committed on the task branch; the user's checkout is as it was.
    let branch = end["branch"].as_str().unwrap();
    let shown = crate::support::git(&fixture.repo(), &["show", &format!("{branch}:dates.py")]);
    assert!(shown.contains("text.removesuffix(\"Z\")"), "{shown}");
    assert_eq!(fixture.snapshot(), before);
}

#[tokio::test]
async fn an_edit_cpython_rejects_is_refused_though_tree_sitter_accepts_it() {
    let fixture = Fixture::new();
    let old = "    return datetime.strptime(text, \"%Y-%m-%dT%H:%M:%S\")";
    let new = "    if text.endswith(\"Z\"):\n        text = text[:-1]\n      return datetime.strptime(text, \"%Y-%m-%dT%H:%M:%S\")";
    let server = ModelServer::start(vec![
        turn("", &[("edit", json!({"path": "dates.py", "old": old, "new": new}))]),
        turn("", &[("finish", json!({"summary": "stopped", "outcome": "gave_up"}))]),
    ])
    .await;
    let out = run(&server, &fixture, &["--test-command", "true"], "accept a Z suffix").await;
    let events = events(&out.stdout);
    let result = &of_type(&events, "tool_result")[0];
    assert_eq!(result["ok"], false, "{result}");
    let said = last_message(&server.requests()[1]);
    assert!(said.contains("python3's compiler") && said.contains("IndentationError"), "{said}");
    assert!(said.contains("nothing was written"), "{said}");
    assert!(of_type(&events, "commit").is_empty(), "nothing to commit");
}

#[tokio::test]
async fn a_long_output_fits_a_small_window_and_keeps_its_failure() {
    let fixture = Fixture::new();
    // 2000 passing lines, a failure with its place, 2000 more: about 60 KB.
    let noisy = "python3 -c \"[print(f'case {i} ok') for i in range(2000)]; \
                 print('  File \\\"dates.py\\\", line 5, in parse_date'); print('ValueError: time data does not match'); \
                 [print(f'case {i} ok') for i in range(2000, 4000)]\"";
    let server = ModelServer::start(vec![
        turn("", &[("run", json!({"command": noisy}))]),
        turn("", &[("finish", json!({"summary": "looked", "outcome": "gave_up"}))]),
    ])
    .await;
    server.set_context(8192);
    let flags = ["--test-command", "python3 -m unittest", "--drafts", "0"];
    let out = run(&server, &fixture, &flags, "look at the cases").await;
    assert!(out.status.code().is_some(), "{}", String::from_utf8_lossy(&out.stderr));
    let requests = server.requests();
    let answer = last_message(&requests[1]);
    assert!(answer.contains("case 0 ok") && answer.contains("case 3999 ok"), "head and tail: {answer}");
    assert!(answer.contains("ValueError: time data does not match"), "the failure from the middle: {answer}");
    assert!(answer.contains("File \"dates.py\", line 5"), "{answer}");
    assert!(answer.contains("lines (") && answer.contains("cut to fit the output budget"), "{answer}");
    // A quarter of an 8192-token window, at ~4 characters a token, and the cut's notes.
    assert!(answer.chars().count() < 8192 + 1500, "{} characters", answer.chars().count());
}
