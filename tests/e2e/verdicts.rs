//! The verdict comes from the evidence (the commits, and the tests at the base and at the
//! end, test by test), never from the model's word. A pytest-style project without any
//! pytest config, as many are.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::server::{ModelServer, Step, turn};
use crate::support::{Home, events, finished, git, of_type, output};

const CALC: &str = "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a * b\n";
const TESTS: &str = "from calc import add, mul\n\n\ndef test_add():\n    assert add(1, 2) == 3\n\n\ndef test_mul():\n    assert mul(2, 3) == 6\n";
const UNRELATED: &str = "\n\ndef test_unrelated():\n    assert 'network' == 'offline'\n";

/// A git repository with `calc.py` (add is wrong) and bare pytest test functions.
fn project(dir: &Path, unrelated_failure: bool) -> PathBuf {
    let tests = if unrelated_failure { format!("{TESTS}{UNRELATED}") } else { TESTS.to_string() };
    calc_repo(
        dir,
        &[
            ("tests/test_calc.py", &tests),
            ("tests/conftest.py", "import sys, os\nsys.path.insert(0, os.path.dirname(os.path.dirname(__file__)))\n"),
            ("README.md", "# calc\n"),
        ],
    )
}

/// `calc.py` and `files`, committed on `main` of a new repository `dir/calc`.
fn calc_repo(dir: &Path, files: &[(&str, &str)]) -> PathBuf {
    let repo = dir.join("calc");
    std::fs::create_dir_all(repo.join("tests")).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["config", "user.name", "Pat Developer"]);
    git(&repo, &["config", "user.email", "pat@example.com"]);
    std::fs::write(repo.join("calc.py"), CALC).unwrap();
    for (path, text) in files {
        std::fs::write(repo.join(path), text).unwrap();
    }
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "calc"]);
    repo
}

fn edit(old: &str, new: &str) -> Step {
    turn("", &[("edit", json!({"path": "calc.py", "old": old, "new": new}))])
}

/// The right fix after a wrong one (`return a * b` is also mul's line by then).
fn add_again() -> Step {
    edit("def add(a, b):\n    return a * b", "def add(a, b):\n    return a + b")
}

fn finish_fixed() -> Step {
    turn("", &[("finish", json!({"summary": "fixed it", "outcome": "fixed"}))])
}

async fn run(home: &Home, repo: &Path, script: Vec<Step>, extra: &[&str]) -> (Option<i32>, Vec<Value>) {
    run_on(&ModelServer::start(script).await, home, repo, extra).await
}

async fn run_on(server: &ModelServer, home: &Home, repo: &Path, extra: &[&str]) -> (Option<i32>, Vec<Value>) {
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--attempts", "1", "--model", "scripted"])
        .args(extra)
        .arg("--repo")
        .arg(repo)
        .arg("add(1, 2) should be 3");
    let out = output(cmd).await;
    assert!(!out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
    (out.status.code(), events(&out.stdout))
}

fn names(v: &Value) -> Vec<&str> {
    v.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

/// What the model was told when it called `finish`, in order.
fn finish_answers(events: &[Value]) -> Vec<String> {
    of_type(events, "tool_result")
        .into_iter()
        .filter(|r| r["name"] == "finish")
        .map(|r| r["output"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn phases(events: &[Value]) -> Vec<String> {
    of_type(events, "test_result").into_iter().map(|t| t["phase"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn nothing_committed_is_no_change_whatever_the_model_says() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project(dir.path(), false);
    // The first finish without a change is answered; the second ends the run.
    let (code, events) = run(&Home::new(), &repo, vec![finish_fixed(), finish_fixed()], &[]).await;
    let answers = finish_answers(&events);
    assert!(answers[0].contains("no file has been changed"), "{answers:?}");
    assert_eq!(answers.len(), 2);
    let end = finished(&events);
    assert_eq!(
        (code, end["verdict"].as_str(), end["outcome"].as_str()),
        (Some(4), Some("no_change"), Some("fixed")),
        "{end}"
    );
    assert_eq!(end["verdict_reason"], "the run committed no change");
}

#[tokio::test]
async fn a_wrong_fix_in_a_pytest_project_without_config_is_not_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project(dir.path(), false);
    // The model checks its fix with unittest, which finds none of these tests: it is told so.
    let unittest = turn("", &[("run", json!({"command": "python3 -m unittest"}))]);
    let script = vec![edit("return a - b", "return a * b"), unittest, finish_fixed(), finish_fixed()];
    let (code, events) = run(&Home::new(), &repo, script, &[]).await;
    let told = of_type(&events, "tool_result").into_iter().find(|r| r["name"] == "run").unwrap()["output"].to_string();
    assert!(told.contains("this ran no test") && told.contains("python3 -m pytest -q"), "{told}");
    assert_eq!(events[0]["test_command"], "python3 -m pytest -q");
    assert!(events[0]["test_command_reason"].as_str().unwrap().contains("written for pytest"), "{}", events[0]);
    let end = finished(&events);
    assert_eq!((code, end["verdict"].as_str()), (Some(4), Some("not_fixed")), "{end}");
    assert_eq!(end["baseline"]["source"], "junit");
    assert_eq!(names(&end["final"]["failing"]), ["tests/test_calc.py::test_add"]);
    assert_eq!(names(&end["tests_changed"]["still_failing"]), ["tests/test_calc.py::test_add"]);
    assert!(!repo.join(".wright-junit.xml").exists());
}

#[tokio::test]
async fn a_first_finish_with_failing_tests_is_answered_with_them_and_a_passing_one_is_kept_as_final() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project(dir.path(), false);
    // A wrong fix, finish (answered with the failing test), the right fix, finish.
    let script = vec![edit("return a - b", "return a * b"), finish_fixed(), add_again(), finish_fixed()];
    let (code, events) = run(&Home::new(), &repo, script, &[]).await;
    let answers = finish_answers(&events);
    assert!(answers[0].starts_with("Not finished: wright ran `python3 -m pytest -q`"), "{answers:?}");
    assert!(answers[0].contains("tests/test_calc.py::test_add") && answers[0].contains("assert"), "{answers:?}");
    assert_eq!(phases(&events), ["baseline", "review", "final"]);
    let end = finished(&events);
    assert_eq!((code, end["verdict"].as_str()), (Some(0), Some("fixed")), "{end}");

    // A right fix at the first finish: its test run is weighed and kept as the final one.
    let (code, events) =
        run(&Home::new(), &repo, vec![edit("return a - b", "return a + b"), finish_fixed()], &[]).await;
    assert_eq!(phases(&events), ["baseline", "review", "final"]);
    let runs = of_type(&events, "test_result");
    assert_eq!(runs[1]["duration_ms"], runs[2]["duration_ms"], "the final run is the weighed one");
    assert_eq!((code, finished(&events)["verdict"].as_str()), (Some(0), Some("fixed")));
}

#[tokio::test]
async fn a_fix_that_breaks_another_test_is_tests_broken() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project(dir.path(), false);
    let script = vec![
        edit("return a - b", "return a + b"),
        edit("return a * b", "return a + b"),
        finish_fixed(),
        finish_fixed(),
    ];
    let (code, events) = run(&Home::new(), &repo, script, &[]).await;
    let end = finished(&events);
    assert_eq!((code, end["verdict"].as_str()), (Some(4), Some("tests_broken")), "{end}");
    assert_eq!(names(&end["tests_changed"]["now_failing"]), ["tests/test_calc.py::test_mul"]);
    assert!(end["verdict_reason"].as_str().unwrap().contains("test_mul"), "{end}");
}

#[tokio::test]
async fn a_real_fix_beside_an_unrelated_failure_is_fixed_and_names_both() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project(dir.path(), true);
    // No outcome from the model at all: the evidence decides.
    let done = turn("", &[("finish", json!({"summary": "add adds"}))]);
    let (code, events) = run(&Home::new(), &repo, vec![edit("return a - b", "return a + b"), done], &[]).await;
    let end = finished(&events);
    assert_eq!((code, end["verdict"].as_str()), (Some(0), Some("fixed")), "{end}");
    assert_eq!(end["outcome"], Value::Null);
    assert_eq!(names(&end["tests_changed"]["now_passing"]), ["tests/test_calc.py::test_add"]);
    assert_eq!(names(&end["tests_changed"]["still_failing"]), ["tests/test_calc.py::test_unrelated"]);
    let why = end["verdict_reason"].as_str().unwrap();
    assert!(
        why.contains("test_add") && why.contains("still failing as at the base: tests/test_calc.py::test_unrelated"),
        "{why}"
    );
    assert_eq!(end["baseline"]["counts"], json!({"passed": 1, "failed": 2, "skipped": 0}));
    assert_eq!(end["final"]["counts"], json!({"passed": 2, "failed": 1, "skipped": 0}));
}

/// A git repository with `calc.py` (add is wrong) and unittest suites in `tests/`, which
/// has no `__init__.py`.
fn unittest_project(dir: &Path) -> PathBuf {
    calc_repo(
        dir,
        &[(
            "tests/test_calc.py",
            "import unittest\n\nfrom calc import add, mul\n\n\nclass CalcTest(unittest.TestCase):\n    def test_add(self):\n        self.assertEqual(add(1, 2), 3)\n\n    def test_mul(self):\n        self.assertEqual(mul(2, 3), 6)\n",
        )],
    )
}

/// unittest suites in `tests/` with no `__init__.py`: `python3 -m unittest -v` finds none
/// of them (Python 3.11), so the run at the base settles on a command that runs them, and
/// a right fix is verified by it.
#[tokio::test]
async fn unittest_suites_that_unittest_does_not_find_are_run_by_the_settled_command() {
    let dir = tempfile::tempdir().unwrap();
    let repo = unittest_project(dir.path());
    let (code, events) =
        run(&Home::new(), &repo, vec![edit("return a - b", "return a + b"), finish_fixed()], &[]).await;
    assert_eq!(events[0]["test_command"], "python3 -m unittest -v");
    assert!(events[0]["test_command_reason"].as_str().unwrap().contains("if it runs no test"), "{}", events[0]);
    let notices: Vec<&str> = of_type(&events, "notice").iter().filter_map(|n| n["message"].as_str()).collect();
    let settled = notices.iter().find(|m| m.starts_with("test command settled on")).expect("a notice of the choice");
    assert!(settled.contains("`python3 -m unittest -v` ran no test while 1 test file exists"), "{settled}");
    let end = finished(&events);
    assert_eq!((code, end["verdict"].as_str()), (Some(0), Some("fixed")), "{end}");
    let command = end["baseline"]["command"].as_str().unwrap();
    assert!(settled.contains(&format!("`{command}`")) && command != "python3 -m unittest -v", "{end}");
    assert_eq!(end["final"]["command"], command, "later runs keep the settled command");
    assert_eq!((end["baseline"]["ran"].as_u64(), end["final"]["ran"].as_u64()), (Some(2), Some(2)), "{end}");
    assert_eq!(names(&end["tests_changed"]["now_passing"]).len(), 1, "{end}");
}

/// With `--no-baseline` the first `finish` settles the test command while that call is
/// open: the model learns of the new command in the call's answer, and every tool call
/// is followed by its result, with no message between (OpenAI-style servers refuse one).
#[tokio::test]
async fn a_command_settled_at_finish_is_told_in_the_answer_to_finish() {
    let dir = tempfile::tempdir().unwrap();
    let repo = unittest_project(dir.path());
    let script = vec![edit("return a - b", "return a * b"), finish_fixed(), finish_fixed()];
    let server = ModelServer::start(script).await;
    let (code, events) = run_on(&server, &Home::new(), &repo, &["--no-baseline"]).await;
    let answers = finish_answers(&events);
    assert_eq!(answers.len(), 2, "{answers:?}");
    assert!(
        answers[0].starts_with("Not finished") && answers[0].contains("the project's test command is"),
        "{answers:?}"
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    for request in &requests {
        let messages = request["messages"].as_array().unwrap();
        for (i, message) in messages.iter().enumerate() {
            let calls = message["tool_calls"].as_array().cloned().unwrap_or_default();
            for (j, call) in calls.iter().enumerate() {
                let answer = &messages[i + 1 + j];
                assert_eq!((&answer["role"], &answer["tool_call_id"]), (&json!("tool"), &call["id"]), "{messages:#?}");
            }
        }
    }
    let told = requests[2]["messages"].as_array().unwrap().last().unwrap()["content"].as_str().unwrap().to_string();
    assert!(told.contains("the project's test command is"), "{told}");
    assert_eq!((code, finished(&events)["verdict"].as_str()), (Some(4), Some("not_fixed")));
}

#[tokio::test]
async fn a_change_no_test_shows_is_unverified() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project(dir.path(), false);
    std::fs::write(repo.join("calc.py"), CALC.replace("a - b", "a + b")).unwrap();
    git(&repo, &["commit", "-qam", "fix add"]);
    let readme =
        turn("", &[("edit", json!({"path": "README.md", "old": "# calc", "new": "# calc\n\nAdds and multiplies."}))]);
    let (code, events) = run(&Home::new(), &repo, vec![readme, finish_fixed()], &[]).await;
    let end = finished(&events);
    assert_eq!((code, end["verdict"].as_str()), (Some(4), Some("unverified")), "{end}");
    assert!(end["final"]["passed"].as_bool().unwrap());
    // Without a baseline, the verdict says what it could not know.
    let (_, events) = run(&Home::new(), &repo, vec![readme_again(), finish_fixed()], &["--no-baseline"]).await;
    let end = finished(&events);
    assert_eq!(end["baseline"], Value::Null);
    assert!(end["verdict_reason"].as_str().unwrap().contains("no baseline"), "{end}");
}

fn readme_again() -> Step {
    turn("", &[("edit", json!({"path": "README.md", "old": "# calc", "new": "# Calc"}))])
}

#[tokio::test]
async fn a_resumed_run_judges_against_its_first_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let repo = project(dir.path(), false);
    let home = Home::new();
    let (code, first) = run(&home, &repo, vec![edit("return a - b", "return a + b")], &["--max-steps", "1"]).await;
    assert_eq!(code, Some(3));
    let run_id = first[0]["run_id"].as_str().unwrap().to_string();
    let baselines =
        |events: &[Value]| of_type(events, "test_result").into_iter().filter(|t| t["phase"] == "baseline").count();
    assert_eq!(baselines(&first), 1);
    // The tests at the base would now be different: the resumed run must not rerun them.
    let server = ModelServer::start(vec![finish_fixed()]).await;
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["resume", "--json", "--model", "scripted", "--max-steps", "3", &run_id]);
    let out = output(cmd).await;
    let resumed = events(&out.stdout);
    assert_eq!(baselines(&resumed), 0, "the baseline ran again");
    let end = finished(&resumed);
    assert_eq!((out.status.code(), end["verdict"].as_str()), (Some(0), Some("fixed")), "{end}");
    assert_eq!(names(&end["baseline"]["failing"]), ["tests/test_calc.py::test_add"]);
}
