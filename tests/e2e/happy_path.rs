//! The whole run: plan, search, read, edit, test, finish, on a real repository.

use serde_json::json;

use crate::support::fixture::{DATES_PY, Fixture};
use crate::support::server::{ModelServer, Step, turn};
use crate::support::{Home, SECRET_KEY, events, finished, git, of_type, output};

fn fixing_script() -> Vec<Step> {
    vec![
        turn(
            "I'll plan first.",
            &[(
                "update_plan",
                json!({"steps": [
                    {"step": "Find parse_date", "status": "in_progress"},
                    {"step": "Accept the Z suffix", "status": "pending"}
                ]}),
            )],
        ),
        turn("", &[("search", json!({"query": "parse_date ISO"})), ("read_file", json!({"path": "dates.py"}))]),
        turn(
            &format!("Found it. (my key is {SECRET_KEY})"),
            &[
                (
                    "update_plan",
                    json!({"steps": [
                        {"step": "Find parse_date", "status": "completed"},
                        {"step": "Accept the Z suffix", "status": "in_progress"}
                    ]}),
                ),
                (
                    "edit",
                    json!({
                        "path": "dates.py",
                        "old": "return datetime.strptime(text, ",
                        "new": "return datetime.strptime(text.removesuffix(\"Z\"), "
                    }),
                ),
            ],
        ),
        turn("", &[("run", json!({"command": "python3 -m unittest -q 2>&1; echo \"key=[$OPENAI_API_KEY]\""}))]),
        turn("", &[("finish", json!({"summary": "parse_date now accepts a trailing Z.", "outcome": "fixed"}))]),
    ]
}

#[tokio::test]
async fn a_task_becomes_a_reviewed_commit() {
    let fixture = Fixture::new();
    let before = fixture.snapshot();
    // The model writes the commit message (fenced, with a secret it must not leak).
    let message = format!(
        "```\nfix(dates): accept a trailing Z in parse_date\n\nISO 8601 allows Z for UTC (key {SECRET_KEY}).\n```"
    );
    let server = ModelServer::start_with_commits(fixing_script(), vec![turn(&message, &[])]).await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--model", "scripted", "--repo"]).arg(fixture.repo());
    cmd.arg("the parse_date helper rejects ISO dates with a Z suffix; fix it");
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");

    let events = events(&out.stdout);
    let start = &events[0];
    assert_eq!(start["type"], "run_started");
    let branch = start["branch"].as_str().unwrap();
    assert_eq!(branch, "wright/the-parse-date-helper-rejects-iso-dates");
    let run_id = start["run_id"].as_str().unwrap();
    let worktree = std::path::PathBuf::from(start["worktree"].as_str().unwrap());
    assert!(worktree.starts_with(home.data()), "worktree {worktree:?} must live in wright's data dir");
    assert_eq!(start["test_command"], "python3 -m unittest -v");

    // Plan, tools, the commit, the tests and the verdict are all in the stream.
    assert_eq!(of_type(&events, "plan_updated").len(), 2);
    let results = of_type(&events, "tool_result");
    assert_eq!(results.len(), 7);
    assert!(results.iter().all(|r| r["ok"] == true), "{results:?}");
    let search = results.iter().find(|r| r["name"] == "search").unwrap();
    assert!(search["output"].as_str().unwrap().starts_with("dates.py:"), "{search}");
    let read = results.iter().find(|r| r["name"] == "read_file").unwrap();
    assert!(read["output"].as_str().unwrap().contains("     6\t    return datetime.strptime"), "{read}");
    let run = results.iter().find(|r| r["name"] == "run").unwrap();
    let run_output = run["output"].as_str().unwrap();
    assert!(run_output.contains("OK") && run_output.contains("key=[]"), "no key may reach a command: {run_output}");
    // The two read-only calls of one reply ran side by side: both announced, then both answered.
    let kinds: Vec<(&str, &str)> = events
        .iter()
        .filter(|e| e["name"] == "search" || e["name"] == "read_file")
        .map(|e| (e["type"].as_str().unwrap(), e["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("tool_call", "search"),
            ("tool_call", "read_file"),
            ("tool_result", "search"),
            ("tool_result", "read_file")
        ]
    );
    let commits = of_type(&events, "commit");
    assert_eq!(commits.len(), 1);
    assert_eq!(commits[0]["subject"], "fix(dates): accept a trailing Z in parse_date");
    assert_eq!(commits[0]["files"], json!(["dates.py"]));
    // The tests ran at the base (one failing) and at the end (all passing), test by test.
    let tests = of_type(&events, "test_result");
    assert_eq!(
        (tests[0]["phase"].as_str(), tests[0]["passed"].as_bool()),
        (Some("baseline"), Some(false)),
        "{}",
        tests[0]
    );
    assert_eq!(tests[0]["failing"], json!(["test_dates.ParseDateTest.test_z_suffix"]));
    // The model's finish was weighed by a test run, which passed and is the final one.
    let phases: Vec<&str> = tests.iter().map(|t| t["phase"].as_str().unwrap()).collect();
    assert_eq!(phases, ["baseline", "review", "final"]);
    assert_eq!(tests[2]["passed"].as_bool(), Some(true), "{}", tests[2]);
    assert_eq!(tests[2]["counts"], json!({"passed": 2, "failed": 0, "skipped": 0}));
    let end = finished(&events);
    assert_eq!(end["verdict"], "fixed");
    assert_eq!(end["tests_changed"]["now_passing"], json!(["test_dates.ParseDateTest.test_z_suffix"]));
    assert!(end["verdict_reason"].as_str().unwrap().contains("failed at the base passes now"), "{end}");
    assert_eq!(end["outcome"], "fixed");
    assert_eq!(end["stop_reason"], "finished");
    assert_eq!(end["exit_code"], 0);
    assert_eq!(end["files_changed"], json!(["dates.py"]));
    // Five agent turns and one commit message, 120 tokens each.
    assert_eq!(end["usage"]["total_tokens"], 720);
    assert_eq!(end["usage"]["estimated"], false);

    // Secrets never appear in what wright writes.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(SECRET_KEY) && stdout.contains("[REDACTED:OPENAI_API_KEY]"));
    let journal = std::fs::read_to_string(home.data().join("wright/runs").join(run_id).join("events.jsonl")).unwrap();
    assert_eq!(journal.lines().count(), events.len());
    assert!(!journal.contains(SECRET_KEY));

    // The branch holds one commit with wright's trailers, on top of the user's HEAD.
    let repo = fixture.repo();
    let log = git(&repo, &["log", "--format=%an|%s|%b", &format!("main..{branch}")]);
    assert!(log.starts_with("Pat Developer|fix(dates): accept a trailing Z in parse_date|ISO 8601 allows Z"), "{log}");
    assert!(log.contains("[REDACTED:OPENAI_API_KEY]") && !log.contains(SECRET_KEY), "{log}");
    assert!(log.contains("Co-authored-by: wright <"), "{log}");
    assert!(log.contains(&format!("Wright-Session: {run_id}")), "{log}");
    assert!(log.contains("Wright-Step: Accept the Z suffix"), "{log}");
    assert_eq!(git(&repo, &["rev-list", "--count", &format!("main..{branch}")]).trim(), "1");

    // The fix is real: the tests pass in the worktree.
    let test =
        std::process::Command::new("python3").args(["-m", "unittest", "-q"]).current_dir(&worktree).output().unwrap();
    assert!(test.status.success(), "{}", String::from_utf8_lossy(&test.stderr));

    // The user's checkout, index and uncommitted work are exactly as they were.
    assert_eq!(fixture.snapshot(), before);
    assert_eq!(std::fs::read_to_string(repo.join("dates.py")).unwrap(), DATES_PY);

    // The commit message was asked for with the change's diff and plan step, and no tools.
    let asked = server.commit_requests();
    assert_eq!(asked.len(), 1);
    assert!(asked[0]["tools"].is_null() || asked[0]["tools"] == json!([]), "{}", asked[0]);
    let about = asked[0]["messages"][1]["content"].as_str().unwrap();
    assert!(about.contains("+    return datetime.strptime(text.removesuffix(\"Z\")"), "{about}");
    assert!(about.contains("Accept the Z suffix") && about.contains("Update dates.py"), "{about}");

    // The model saw the task, AGENTS.md, the tools, and each tool result by call id.
    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    let system = requests[0]["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("Keep changes small"), "AGENTS.md must reach the prompt");
    let tools: Vec<&str> =
        requests[0]["tools"].as_array().unwrap().iter().map(|t| t["function"]["name"].as_str().unwrap()).collect();
    for name in ["read_file", "search", "edit", "apply_patch", "run", "git_diff", "update_plan", "finish"] {
        assert!(tools.contains(&name), "{name} missing from {tools:?}");
    }
    let second = requests[2]["messages"].as_array().unwrap();
    let tool_messages: Vec<_> = second.iter().filter(|m| m["role"] == "tool").collect();
    assert_eq!(tool_messages.len(), 3);
    assert_eq!(tool_messages[1]["tool_call_id"], "call_0");
    assert_eq!(requests[0]["stream"], true);
}

#[tokio::test]
async fn the_terminal_view_ends_with_a_summary() {
    let fixture = Fixture::new();
    let server = ModelServer::start(fixing_script()).await;
    let home = Home::new();
    let task_file = fixture.dir.path().join("TICKET.md");
    std::fs::write(&task_file, "Fix parse_date\n\nISO dates with a Z suffix are rejected.\n").unwrap();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--max-steps", "30", "--task-file"]).arg(&task_file).arg("--repo").arg(fixture.repo());
    let out = output(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(out.stdout.is_empty(), "the terminal view writes to stderr only");
    for needle in [
        "wright run ",
        "[>] Accept the Z suffix",
        "→ edit",
        "● commit",
        "tests: `python3 -m unittest -v` passed (2 passed, 0 failed",
        "verdict:  fixed: 1 test that failed at the base passes now",
        "branch:   wright/fix-parse-date",
        "tokens:   600",
    ] {
        assert!(stderr.contains(needle), "missing {needle:?} in:\n{stderr}");
    }
    assert!(!stderr.contains(SECRET_KEY));
}

#[tokio::test]
async fn text_tool_calls_from_small_models_are_executed() {
    let fixture = Fixture::new();
    let script = vec![
        turn("<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"dates.py\"}}\n</tool_call>", &[]),
        turn("I will explain the fix in prose instead of calling a tool.", &[]),
        turn(
            "```json\n{\"name\": \"finish\", \"arguments\": {\"summary\": \"looked only\", \"outcome\": \"gave_up\"}}\n```",
            &[],
        ),
    ];
    let server = ModelServer::start(script).await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--attempts", "1", "--json", "--tool-format", "text", "--repo"])
        .arg(fixture.repo())
        .arg("look at parse_date");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let events = events(&out.stdout);
    let results = of_type(&events, "tool_result");
    assert_eq!(results[0]["name"], "read_file");
    assert_eq!(results[0]["ok"], true);
    let end = finished(&events);
    assert_eq!(end["outcome"], "gave_up");
    assert_eq!(end["verdict"], "no_change");

    let requests = server.requests();
    assert!(requests[0].get("tools").is_none(), "text mode sends no native tools");
    let system = requests[0]["messages"][0]["content"].as_str().unwrap();
    assert!(
        system.contains("<tool_call>{\"name\": \"search\", \"arguments\": {\"query\": \"parse_date\"}}"),
        "{system}"
    );
    let second = requests[1]["messages"].as_array().unwrap();
    assert!(second.last().unwrap()["content"].as_str().unwrap().starts_with("[tool result: read_file]"));
    let third = requests[2]["messages"].as_array().unwrap();
    assert!(third.last().unwrap()["content"].as_str().unwrap().starts_with("You did not call a tool"));
}

#[tokio::test]
async fn auto_mode_moves_a_model_that_echoes_its_tools_to_text_calls() {
    let fixture = Fixture::new();
    let script = vec![
        turn("<tools><function><name>read_file</name><description>Read a file</description></function></tools>", &[]),
        turn(
            "```json\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"dates.py\"}}\n```\n```json\n{\"name\": \"run\", \"arguments\": {\"command\": \"touch surprise\"}}\n```",
            &[],
        ),
        turn(
            "<tool_call>{\"name\": \"finish\", \"arguments\": {\"summary\": \"read it\", \"outcome\": \"gave_up\"}}</tool_call>",
            &[],
        ),
    ];
    let server = ModelServer::start(script).await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--attempts", "1", "--json", "--repo"])
        .arg(fixture.repo())
        .arg("the parse_date helper rejects a Z suffix");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let events = events(&out.stdout);
    let notices = of_type(&events, "notice");
    assert!(notices[0]["message"].as_str().unwrap().contains("using tool calls written as text"), "{notices:?}");
    let calls = of_type(&events, "tool_call");
    let names: Vec<&str> = calls.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["read_file", "finish"], "only the first text call of a reply runs");
    assert!(!std::path::Path::new(events[0]["worktree"].as_str().unwrap()).join("surprise").exists());

    let requests = server.requests();
    assert!(requests[0]["tools"].is_array());
    assert!(requests[1].get("tools").is_none(), "text mode from the second request on");
    let nudge = requests[1]["messages"].as_array().unwrap().last().unwrap()["content"].as_str().unwrap().to_string();
    assert!(nudge.contains("- read_file(path, end_line?, start_line?)"), "{nudge}");
    assert!(
        nudge.contains("<tool_call>{\"name\": \"search\", \"arguments\": {\"query\": \"parse_date\"}}</tool_call>"),
        "{nudge}"
    );
    let result = requests[2]["messages"].as_array().unwrap().last().unwrap()["content"].as_str().unwrap().to_string();
    assert!(
        result.starts_with("[tool result: read_file]") && result.contains("only the first tool call was run"),
        "{result}"
    );
}
