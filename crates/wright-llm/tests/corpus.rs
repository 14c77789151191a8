#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

//! Real replies from real models, each with the calls it holds or the problem it has:
//! `tests/corpus/*.jsonl`, one `{"source", "reply", "expect": {"calls": [{"name",
//! "arguments"}], "problem"?}}` per line. Every reply must give exactly its calls.

use serde_json::Value;
use wright_llm::parse_text_tool_calls;

const KNOWN: &[&str] =
    &["update_plan", "finish", "search", "read_file", "edit", "apply_patch", "run", "git_diff", "repo_map"];

#[test]
fn every_reply_in_the_corpus_gives_its_calls() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let case: Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), n + 1));
            let parsed = parse_text_tool_calls(case["reply"].as_str().unwrap(), KNOWN);
            let got: Vec<Value> = parsed
                .calls
                .iter()
                .map(|c| {
                    let arguments = serde_json::from_str(&c.arguments).unwrap_or(Value::String(c.arguments.clone()));
                    serde_json::json!({"name": c.name, "arguments": arguments})
                })
                .collect();
            let expect = &case["expect"];
            let problem_ok = match expect["problem"].as_str() {
                Some(said) => parsed.problem.as_deref().is_some_and(|p| p.contains(said)),
                None => parsed.problem.is_none(),
            };
            if got != *expect["calls"].as_array().unwrap() || !problem_ok {
                wrong.push(format!(
                    "{}:{} ({}): got {got:?}, problem {:?}",
                    path.file_name().unwrap().to_string_lossy(),
                    n + 1,
                    case["source"],
                    parsed.problem
                ));
            }
            checked += 1;
        }
    }
    assert!(checked >= 60, "the corpus holds {checked} replies; it should hold at least 60");
    assert!(wrong.is_empty(), "{} of {checked} replies parsed wrongly:\n{}", wrong.len(), wrong.join("\n"));
}
