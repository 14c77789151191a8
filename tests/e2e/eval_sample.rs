//! `wright eval run --agent sample`: the fixed yardstick samples whole corrected files
//! until the visible tests pass, feeding back only the latest failure.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::support::server::{ModelServer, turn, with};
use crate::support::{Home, jsonl, output};

fn starter() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../evals/suites/starter")
}

const PAGES_BROKEN: &str = "def page_count(total, size):\n    return -(-total // size)\n\n\ndef paginate(items, page, size):\n    return None\n";

const PAGES_FIXED: &str = "\"\"\"Splitting a list of items into pages for the listing screens.\"\"\"\n\n\ndef page_count(total, size):\n    \"\"\"How many pages `total` items fill, `size` to a page.\"\"\"\n    return -(-total // size)\n\n\ndef paginate(items, page, size):\n    \"\"\"The items on page `page` (from 1), `size` to a page.\"\"\"\n    if page < 1 or page > page_count(len(items), size):\n        return []\n    start = (page - 1) * size\n    return items[start:start + size]\n";

fn fenced(code: &str) -> String {
    format!("Here is the corrected file:\n\n```python\n{code}```\n")
}

#[tokio::test]
async fn samples_run_until_the_visible_tests_pass_or_the_budget_ends() {
    // Tasks run in id order: py-average-empty (never fixed: prose, unchanged code, a
    // crash), then py-paginate-last-page (broken on the first sample, fixed on the second).
    let stats = std::fs::read_to_string(starter().join("py-average-empty/repo/stats.py")).unwrap();
    let script = vec![
        turn("I think the average should check for empty lists.", &[]),
        turn(&fenced(&stats), &[]),
        turn(&fenced("def average(values):\n    raise SystemExit(3)\n"), &[]),
        with(json!({"timings": {"prompt_n": 300, "cache_n": 0}}), turn(&fenced(PAGES_BROKEN), &[])),
        with(json!({"timings": {"prompt_n": 20, "cache_n": 280}}), turn(&fenced(PAGES_FIXED), &[])),
    ];
    let server = ModelServer::start(script).await;
    let home = Home::new();
    let out_dir = home.dir.path().join("results");
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["eval", "run", "--tasks", "py-average-empty,py-paginate-last-page", "--agent", "sample"]);
    cmd.args(["--max-steps", "3", "--model", "scripted", "--base-url", &server.base_url, "--jobs", "1", "--suite"])
        .arg(starter())
        .arg("--out")
        .arg(&out_dir);
    let out = output(cmd).await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let rows = jsonl(&out_dir.join("results.jsonl"));
    let row = |id: &str| rows.iter().find(|r| r["task"] == id).unwrap().clone();

    let never = row("py-average-empty");
    assert_eq!((never["resolved"].as_bool(), never["claimed_fixed"].as_bool()), (Some(false), Some(false)), "{never}");
    assert_eq!(never["steps"], 3);
    assert!(never["stop_reason"].as_str().unwrap().contains("step budget"), "{never}");
    // No passing sample: the tree is left as it was, so the check saw no change.
    assert_eq!(never["files_changed"], json!([]), "{never}");
    let notes = jsonl(Path::new(never["transcript"].as_str().unwrap()));
    let outcomes: Vec<&str> = notes.iter().map(|n| n["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["no closed code block", "the code came back unchanged", "the visible tests fail"]);

    let fixed = row("py-paginate-last-page");
    assert_eq!((fixed["resolved"].as_bool(), fixed["claimed_fixed"].as_bool()), (Some(true), Some(true)), "{fixed}");
    assert_eq!(fixed["steps"], 2);
    // The prompt-cache figures the server gave, summed; unknown where it gave none.
    assert_eq!(
        (fixed["processed_prompt_tokens"].as_u64(), fixed["cached_prompt_tokens"].as_u64()),
        (Some(320), Some(280))
    );
    assert_eq!(never["cached_prompt_tokens"], json!(null));
    assert_eq!(fixed["files_changed"], json!(["pages.py"]));

    let requests = server.requests();
    assert_eq!(requests.len(), 5);
    let user = |i: usize| requests[i]["messages"][1]["content"].as_str().unwrap().to_string();
    // The file the task names, whole; its text beside the ticket.
    assert!(user(0).contains("`stats.py`") && user(0).contains("return sum(values) / len(values)"), "{}", user(0));
    assert!(user(3).contains("`pages.py`") && user(3).contains("orders 8 and 9"), "{}", user(3));
    // Greedy first, then hot; only a failing test run is fed back, and only the latest.
    let temps: Vec<f64> = requests.iter().map(|r| r["temperature"].as_f64().unwrap()).collect();
    assert_eq!(temps, [0.0, 0.8, 0.8, 0.0, 0.8]);
    assert!(!user(1).contains("earlier corrected version") && !user(2).contains("earlier corrected version"));
    assert!(
        user(4).contains("earlier corrected version was wrong") && user(4).contains("test_first_page"),
        "{}",
        user(4)
    );
    // The model never saw the hidden tests.
    for r in &requests {
        let text = r.to_string();
        assert!(!text.contains("test_hidden"), "{text}");
    }
}
