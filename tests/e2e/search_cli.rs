//! `wright index` and `wright search`: the index lives in the cache, never in the tree;
//! JSON hits are stable; regex hits are exactly rg's.

use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::support::fixture::Fixture;
use crate::support::{Home, output};

fn search(home: &Home, repo: &std::path::Path, args: &[&str]) -> (i32, Value) {
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["search", "--json", "--repo"]).arg(repo).args(args);
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    (out.status.code().unwrap_or(-1), serde_json::from_str(&stdout).unwrap_or(Value::Null))
}

#[tokio::test]
async fn index_then_search_from_the_cache_leaving_the_tree_alone() {
    let fixture = Fixture::new();
    let home = Home::new();
    let before = fixture.snapshot();
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["index", "--json", "--repo"]).arg(fixture.repo());
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let stats: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(stats["files"].as_u64().unwrap() >= 4, "{stats}");
    assert!(home.dir.path().join(".cache/wright/index").is_dir());
    assert_eq!(fixture.snapshot(), before, "indexing must not touch the user's tree");

    let repo = fixture.repo();
    let (code, hits) = search(&home, &repo, &["the parse_date helper rejects ISO dates with a Z suffix"]);
    assert_eq!(code, 0);
    let first = &hits[0];
    assert_eq!(first["path"], "dates.py", "{hits}");
    assert_eq!(first["symbol"], "parse_date", "{hits}");
    for key in ["start_line", "end_line", "score", "snippet"] {
        assert!(!first[key].is_null(), "{key} missing in {first}");
    }

    // A long query (a whole issue) can come from stdin.
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["search", "--json", "--limit", "1", "--repo"])
        .arg(&repo)
        .arg("-")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Traceback:\n  File \"dates.py\", line 5, in parse_date\nValueError")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let hits: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 1);
    assert_eq!(hits[0]["path"], "dates.py");

    let (_, hits) = search(&home, &repo, &["--kind", "symbol", "parse_date"]);
    assert_eq!(hits[0]["symbol"], "parse_date");
}

#[tokio::test]
async fn regex_hits_are_exactly_what_rg_finds() {
    let fixture = Fixture::new();
    let home = Home::new();
    let repo = fixture.repo();
    for pattern in [r"def \w+\(", r"^import", r"(?i)DATE", r"strptime|assert\w*"] {
        let (code, hits) = search(&home, &repo, &["--kind", "regex", "--limit", "1000", pattern]);
        assert_eq!(code, 0);
        let mut ours: Vec<String> = hits
            .as_array()
            .unwrap()
            .iter()
            .map(|h| format!("{}:{}", h["path"].as_str().unwrap(), h["start_line"]))
            .collect();
        let rg = std::process::Command::new("rg")
            .args(["-n", "--no-heading", "-o", "--max-columns", "0", pattern])
            .current_dir(&repo)
            .output();
        let rg = rg.expect("ripgrep is installed by the README's setup");
        let mut theirs: Vec<String> = String::from_utf8_lossy(&rg.stdout)
            .lines()
            .filter_map(|l| {
                let mut parts = l.splitn(3, ':');
                Some(format!("{}:{}", parts.next()?, parts.next()?))
            })
            .collect();
        ours.sort();
        theirs.sort();
        theirs.dedup();
        assert_eq!(ours, theirs, "pattern {pattern}");
        assert!(!ours.is_empty() || pattern == r"^import", "pattern {pattern} should match something");
    }
}

#[tokio::test]
async fn a_missing_repo_or_a_bad_regex_is_a_usage_error() {
    let home = Home::new();
    let (code, _) = search(&home, std::path::Path::new("/no/such/repo"), &["x"]);
    assert_eq!(code, 2);
    let fixture = Fixture::new();
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["search", "--kind", "regex", "--repo"]).arg(fixture.repo()).arg("(");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid regex"));
}
