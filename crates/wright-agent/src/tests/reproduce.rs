//! Reproduce first, in-process: with every test passing at the base, the first attempt is
//! asked for a test that shows the bug; one that fails on the unchanged code is kept as
//! the base, one that passes or cannot load is not.

use serde_json::json;
use wright_scripted::{Step, turn};

use super::harness::{Ran, run_with_files};

const PASSING_TEST: &str = "import unittest\nfrom dates import parse_date\n\n\nclass Dates(unittest.TestCase):\n    def test_plain(self):\n        self.assertEqual(parse_date(\"2024\"), \"2024\")\n";

fn add_test(name: &str, body: &str) -> Step {
    let patch = format!(
        "*** Begin Patch\n*** Add File: tests/{name}.py\n{}\n*** End Patch",
        body.lines().map(|l| format!("+{l}")).collect::<Vec<_>>().join("\n")
    );
    turn("", &[("apply_patch", json!({ "patch": patch }))])
}

fn case(test: &str) -> String {
    format!(
        "import unittest\nfrom dates import parse_date\n\n\nclass Repro(unittest.TestCase):\n    def test_strips(self):\n{test}\n"
    )
}

async fn go(script: Vec<Step>) -> Ran {
    let files = [("tests/test_dates.py", PASSING_TEST)];
    run_with_files("parse_date keeps surrounding spaces", &files, script, |c| {
        c.test_command = Some("python3 -m unittest discover -v -s tests".into());
    })
    .await
}

fn outputs(ran: &Ran) -> Vec<String> {
    ran.of_type("tool_result").iter().map(|r| r["output"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_test_that_fails_on_the_unchanged_code_is_kept_and_the_fix_is_judged_by_it() {
    let ran = go(vec![
        add_test("test_repro", &case("        self.assertEqual(parse_date(\" 2024 \"), \"2024\")")),
        turn("", &[("edit", json!({"path": "dates.py", "old": "return text\n", "new": "return text.strip()\n"}))]),
        turn("", &[("finish", json!({"summary": "strips", "outcome": "fixed"}))]),
    ])
    .await;
    let first =
        ran.requests[0]["messages"].as_array().unwrap().last().unwrap()["content"].as_str().unwrap().to_string();
    assert!(first.starts_with("[wright: no test fails on the code as it is"), "{first}");
    let outputs = outputs(&ran);
    assert!(outputs[0].contains("your test fails on the code as it is, as it should: "), "{}", outputs[0]);
    assert!(outputs[0].contains("test_strips"), "{}", outputs[0]);
    let end = ran.finished();
    assert_eq!((end["verdict"].as_str(), ran.report.exit_code), (Some("fixed"), 0), "{end}");
    let reason = end["verdict_reason"].as_str().unwrap();
    assert!(reason.contains("failed at the base passes now") && reason.contains("test_strips"), "{reason}");
    let phases: Vec<String> =
        ran.of_type("test_result").iter().map(|t| t["phase"].as_str().unwrap().to_string()).collect();
    assert_eq!(phases, ["baseline", "reproduction", "review", "final"], "{end}");
}

#[tokio::test]
async fn a_test_that_passes_at_the_base_or_cannot_load_is_not_kept() {
    let ran = go(vec![
        add_test("test_repro", &case("        self.assertEqual(parse_date(\"x\"), \"x\")")),
        // A module that cannot load: unittest names it `_FailedTest`, not a test.
        add_test(
            "test_broken",
            &case("        self.assertEqual(parse_date(\" 1 \"), \"1\")")
                .replace("import parse_date", "import parse_dates"),
        ),
        turn("", &[("finish", json!({"summary": "no luck", "outcome": "gave_up"}))]),
    ])
    .await;
    let outputs = outputs(&ran);
    assert!(
        outputs[0].contains("does not reproduce the bug: every test passes") && outputs[0].contains("Change the test"),
        "{}",
        outputs[0]
    );
    assert!(
        outputs[1].contains("does not reproduce the bug: ") && outputs[1].contains("Go on and fix the code"),
        "{}",
        outputs[1]
    );
    let notices = ran.of_type("notice");
    assert!(!notices.iter().any(|n| n["message"].as_str().unwrap().contains("reproduction kept")), "{notices:?}");
    let end = ran.finished();
    assert_eq!(end["baseline"]["counts"]["passed"], 1, "the base stays the run before the first turn: {end}");
}
