//! Draft attempts, in-process: the model rewrites the code the index ranks first in one
//! reply of its own; wright applies it as an edit, commits it, and the tests judge it. A
//! draft the tests refute is set aside like any attempt, and the next one is told why.

use serde_json::{Value, json};
use wright_scripted::{Step, turn};

use super::harness::{Ran, run};
use crate::PromptProfile;

/// The project's test: passes once `parse_date` strips its input.
const TEST: &str = "grep -q 'text.strip()' dates.py";
const TASK: &str = "parse_date keeps the surrounding spaces of its text";

fn draft(body: &str) -> Step {
    turn(&format!("Here it is:\n```py\ndef parse_date(text):\n    return {body}\n```\n"), &[])
}

fn started(ran: &Ran) -> Vec<(u64, bool)> {
    let started = ran.of_type("attempt_started");
    started.iter().map(|e| (e["attempt"].as_u64().unwrap(), e["draft"].as_bool().unwrap())).collect()
}

fn user_text(request: &Value) -> String {
    let messages = request["messages"].as_array().unwrap();
    messages.iter().filter(|m| m["role"] == "user").map(|m| m["content"].as_str().unwrap_or_default()).collect()
}

#[tokio::test]
async fn a_refuted_draft_is_set_aside_and_the_next_draft_told_why_fixes_the_task() {
    let ran = run(TASK, vec![draft("text.lower()"), draft("text.strip()")], |c| {
        c.prompt_profile = PromptProfile::Compact;
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
    assert_eq!(started(&ran), [(1, true), (2, true)]);
    let text = std::fs::read_to_string(ran.worktree.join("dates.py")).unwrap();
    assert_eq!(text, "def parse_date(text):\n    return text.strip()\n", "the draft replaced the whole file");

    // A draft is a request of its own: no tools, the draft prompt, the file shown whole.
    let first = &ran.requests[0];
    assert!(first.get("tools").is_none_or(|t| t.as_array().is_some_and(|t| t.is_empty())), "{first}");
    let system = first["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("one fenced code block"), "{system}");
    let asked = user_text(first);
    assert!(
        asked.contains("the whole file of `dates.py`") && asked.contains("def parse_date(text):\n    return text\n")
    );
    assert!(asked.contains(&format!("<untrusted-data source=\"task\">\n{TASK}\n</untrusted-data>")), "{asked}");
    // The second is told what the first did, and samples hotter.
    let again = user_text(&ran.requests[1]);
    assert!(again.contains("An earlier corrected version was wrong"), "{again}");
    assert_eq!(ran.requests[1]["temperature"], json!(0.8));
    // Each draft went through the edit tool and was committed.
    let edits = ran.of_type("tool_call");
    assert_eq!(edits.len(), 2);
    assert!(edits.iter().all(|c| c["name"] == "edit"));
    assert_eq!(ran.of_type("commit").len(), 2);
}

#[tokio::test]
async fn replies_without_a_change_are_asked_again_and_then_an_attempt_with_tools_follows() {
    let fix = json!({"path": "dates.py", "old": "    return text\n", "new": "    return text.strip()\n"});
    let script = vec![
        turn("The bug is that the spaces are kept; strip them.", &[]),
        draft("text"),
        draft("text"),
        turn("", &[("edit", fix)]),
        turn("", &[("finish", json!({"summary": "strip", "outcome": "fixed"}))]),
    ];
    let ran = run(TASK, script, |c| {
        c.prompt_profile = PromptProfile::Compact;
        c.test_command = Some(TEST.into());
        c.max_attempts = None;
        c.draft_attempts = Some(1);
        c.attempt_temperature = Some(0.8);
    })
    .await;
    let end = ran.finished();
    assert_eq!(ran.report.exit_code, 0, "{end}");
    assert_eq!(started(&ran), [(1, true), (2, false)]);
    let first = &ran.of_type("attempt_finished")[0];
    assert_eq!(first["verdict"], "no_change");
    assert!(first["detail"].as_str().unwrap().contains("gave the code back unchanged"), "{first}");
    // Within the attempt each request says what was wrong with the last reply, hotter.
    let second = user_text(&ran.requests[1]);
    assert!(second.contains("Your last reply held no complete code block"), "{second}");
    assert!(user_text(&ran.requests[2]).contains("Your last reply gave the code back unchanged"));
    assert_eq!(ran.requests[1]["temperature"], json!(0.8));
    // Attempt 2 is the conversation with tools, told of the draft.
    let tools = user_text(&ran.requests[3]);
    assert!(tools.contains("this is attempt 2") && tools.contains("gave the code back unchanged"), "{tools}");
}

#[tokio::test]
async fn a_draft_that_breaks_the_syntax_is_refused_like_any_edit() {
    let ran = run(TASK, vec![draft("text.strip(")], |c| {
        c.prompt_profile = PromptProfile::Compact;
        c.test_command = Some(TEST.into());
    })
    .await;
    let end = ran.finished();
    assert_eq!((ran.report.exit_code, end["verdict"].as_str()), (4, Some("no_change")), "{end}");
    assert!(end["detail"].as_str().unwrap().contains("could not be applied"), "{end}");
    let text = std::fs::read_to_string(ran.worktree.join("dates.py")).unwrap();
    assert_eq!(text, "def parse_date(text):\n    return text\n");
}

#[tokio::test]
async fn the_full_prompt_makes_no_drafts_unless_asked() {
    let finish = turn("", &[("finish", json!({"summary": "nothing to do", "outcome": "gave_up"}))]);
    let ran = run(TASK, vec![finish], |c| c.test_command = Some(TEST.into())).await;
    assert_eq!(started(&ran), [(1, false)]);
}

/// A passing unittest suite: no test fails at the base, so the first draft reproduces first.
const SUITE: &str = "import unittest\n\nfrom dates import parse_date\n\n\nclass DatesTest(unittest.TestCase):\n    def test_plain(self):\n        self.assertEqual(parse_date(\"x\"), \"x\")\n";

fn test_reply(assertion: &str) -> Step {
    let file = format!(
        "import unittest\n\nfrom dates import parse_date\n\n\nclass ReproductionTest(unittest.TestCase):\n    def test_spaces_are_stripped(self):\n        {assertion}\n"
    );
    turn(&format!("```python\n{file}```\n"), &[])
}

async fn reproducing(script: Vec<Step>) -> Ran {
    super::harness::run_with_files(TASK, &[("test_dates.py", SUITE)], script, |c| {
        c.prompt_profile = PromptProfile::Compact;
        c.test_command = Some("python3 -m unittest -v".into());
        c.max_attempts = None;
    })
    .await
}

#[tokio::test]
async fn a_drafted_test_that_fails_at_the_base_is_kept_and_shows_the_fix() {
    let test = test_reply("self.assertEqual(parse_date(\" x \"), \"x\")");
    let ran = reproducing(vec![test, draft("text.strip()")]).await;
    let end = ran.finished();
    assert_eq!((ran.report.exit_code, end["verdict"].as_str()), (0, Some("fixed")), "{end}");
    assert!(end["verdict_reason"].as_str().unwrap().contains("test_spaces_are_stripped"), "{end}");
    let notices: Vec<String> = ran.of_type("notice").iter().map(|n| n["message"].to_string()).collect();
    assert!(notices.iter().any(|n| n.contains("reproduction kept")), "{notices:?}");
    // The test was asked for first, beside the project's test file and in its style.
    let asked = user_text(&ran.requests[0]);
    assert!(asked.contains("`test_wright_reproduction.py`") && asked.contains("class DatesTest"), "{asked}");
    // The draft is shown the test, and the branch holds both commits, the test first.
    assert!(user_text(&ran.requests[1]).contains("This test shows the bug"));
    assert!(ran.worktree.join("test_wright_reproduction.py").exists());
    assert_eq!(ran.of_type("commit").len(), 2);
}

#[tokio::test]
async fn a_drafted_test_that_passes_at_the_base_is_taken_back_off_the_branch() {
    let test = test_reply("self.assertEqual(parse_date(\"x\"), \"x\")");
    let ran = reproducing(vec![test, draft("text.strip()")]).await;
    let end = ran.finished();
    // Without a reproduction nothing shows the fix: the change stands, unverified.
    assert_eq!(end["verdict"].as_str(), Some("unverified"), "{end}");
    let notices: Vec<String> = ran.of_type("notice").iter().map(|n| n["message"].to_string()).collect();
    assert!(notices.iter().any(|n| n.contains("drafted test is not kept")), "{notices:?}");
    assert!(!ran.worktree.join("test_wright_reproduction.py").exists());
    assert!(!user_text(&ran.requests[1]).contains("This test shows the bug"));
    assert_eq!(end["files_changed"], json!(["dates.py"]));
}

#[tokio::test]
async fn a_drafted_test_with_a_syntax_error_is_not_kept() {
    let test = test_reply("self.assertEqual(parse_date(\" x \"), \"x\"");
    let ran = reproducing(vec![test, draft("text.strip()")]).await;
    let notices: Vec<String> = ran.of_type("notice").iter().map(|n| n["message"].to_string()).collect();
    assert!(notices.iter().any(|n| n.contains("drafted test is not kept")), "{notices:?}");
    assert!(!ran.worktree.join("test_wright_reproduction.py").exists());
    assert_eq!(ran.finished()["files_changed"], json!(["dates.py"]));
}

#[tokio::test]
async fn with_nothing_to_draft_the_attempt_goes_on_with_tools() {
    let finish = turn("", &[("finish", json!({"summary": "nothing found", "outcome": "gave_up"}))]);
    let ran = run("zzqx wvbk", vec![finish], |c| {
        c.prompt_profile = PromptProfile::Compact;
        c.test_command = Some(TEST.into());
    })
    .await;
    let notices: Vec<String> = ran.of_type("notice").iter().map(|n| n["message"].to_string()).collect();
    assert!(notices.iter().any(|n| n.contains("nothing to draft")), "{notices:?}");
    let system = ran.requests[0]["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("Work in this order"), "the agent's prompt, with tools: {system}");
    // Recorded as an attempt with tools, so a resumed run goes on with tools.
    let transcript = std::fs::read_to_string(ran.worktree.parent().unwrap().join("transcript.jsonl")).unwrap();
    let last_start = transcript.lines().rfind(|l| l.contains("\"attempt_started\"")).unwrap();
    assert!(!last_start.contains("\"draft\":true"), "{last_start}");
    assert_eq!(ran.finished()["stop_reason"], "finished");
}
