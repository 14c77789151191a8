//! `replace_definition` through the whole run: the model names a function and sends its
//! new text (fenced, at the wrong indentation, as small models do); wright puts it in
//! place of the old one, and the change is committed and tested like any edit.

use serde_json::json;

use crate::support::fixture::{DATES_PY, Fixture};
use crate::support::server::{ModelServer, turn};
use crate::support::{Home, events, finished, git, of_type, output};

#[tokio::test]
async fn a_function_replaced_by_name_is_committed_and_tested() {
    let fixture = Fixture::new();
    let new = "```python\n    def parse_date(text):\n        \"\"\"Parse an ISO 8601 date-time, with or without a Z suffix.\"\"\"\n        return datetime.strptime(text.removesuffix(\"Z\"), \"%Y-%m-%dT%H:%M:%S\")\n```";
    let server = ModelServer::start(vec![
        turn("", &[("replace_definition", json!({"path": "dates.py", "symbol": "parse_date", "new": new}))]),
        turn("", &[("run", json!({"command": "python3 -m unittest -q"}))]),
        turn("", &[("finish", json!({"summary": "parse_date accepts a trailing Z.", "outcome": "fixed"}))]),
    ])
    .await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--model", "scripted", "--repo"]).arg(fixture.repo());
    cmd.arg("parse_date rejects ISO dates with a Z suffix; fix it");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "stderr: {}", String::from_utf8_lossy(&out.stderr));

    let events = events(&out.stdout);
    let replaced = of_type(&events, "tool_result").into_iter().find(|r| r["name"] == "replace_definition").unwrap();
    assert_eq!(replaced["ok"], true, "{replaced}");
    let said = replaced["output"].as_str().unwrap();
    assert!(said.contains("Replaced function parse_date (lines 4-6) of dates.py."), "{said}");
    let commits = of_type(&events, "commit");
    assert_eq!(commits.len(), 1, "{commits:?}");
    assert_eq!(commits[0]["files"], json!(["dates.py"]));
    let end = finished(&events);
    assert_eq!((end["verdict"].as_str(), end["exit_code"].as_i64()), (Some("fixed"), Some(0)), "{end}");

    // The branch holds the new definition at the old one's place and indentation.
    let branch = events[0]["branch"].as_str().unwrap();
    let committed = git(&fixture.repo(), &["show", &format!("{branch}:dates.py")]);
    let want = DATES_PY
        .replace(
            "Parse an ISO 8601 date-time such as 2024-05-01T10:20:30.",
            "Parse an ISO 8601 date-time, with or without a Z suffix.",
        )
        .replace("strptime(text, ", "strptime(text.removesuffix(\"Z\"), ");
    assert_eq!(committed, want);
}
