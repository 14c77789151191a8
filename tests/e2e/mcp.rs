//! The user's MCP servers in a run: the test server (tests/fixtures/mcp_server.py) started
//! in the sandbox from the user's config, its tools called by the scripted model, what it
//! wrote committed, what it said quoted; a repository cannot add one; the bot offers only
//! the tools the user listed.

use std::path::Path;

use serde_json::{Value, json};

use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, turn};
use crate::support::{Home, commit_all, events, finished, git, of_type, output};

const SERVER: &str = include_str!("../fixtures/mcp_server.py");

/// `[mcp_servers.NAME]` for the test server, with `extra` keys, as TOML.
pub(crate) fn server_table(name: &str, extra: &[(&str, toml::Value)]) -> String {
    let mut server = toml::Table::new();
    server.insert("command".into(), "python3".into());
    server.insert("args".into(), toml::Value::Array(vec!["-c".into(), SERVER.into()]));
    for (key, value) in extra {
        server.insert(key.to_string(), value.clone());
    }
    let mut servers = toml::Table::new();
    servers.insert(name.into(), server.into());
    let mut config = toml::Table::new();
    config.insert("mcp_servers".into(), servers.into());
    toml::to_string(&config).unwrap()
}

pub(crate) fn user_config(home: &Home, text: &str) {
    let dir = home.dir.path().join("config/wright");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

pub(crate) fn notices(events: &[Value]) -> String {
    of_type(events, "notice").iter().map(|n| n["message"].as_str().unwrap_or_default()).collect::<Vec<_>>().join("\n")
}

pub(crate) fn offered(request: &Value) -> Vec<String> {
    request["tools"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|t| t["function"]["name"].as_str())
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn the_model_calls_the_users_mcp_tools_and_what_one_wrote_is_committed() {
    let fixture = Fixture::new();
    let server = ModelServer::start(vec![
        turn("", &[("glossary__lookup", json!({"term": "injection"}))]),
        turn("", &[("glossary__write_note", json!({"path": "NOTES.md", "text": "Z means UTC.\n"}))]),
        turn("", &[("finish", json!({"summary": "noted", "outcome": "gave_up"}))]),
    ])
    .await;
    let home = Home::new();
    user_config(&home, &server_table("glossary", &[]));
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--attempts", "1", "--model", "scripted", "--repo"])
        .arg(fixture.repo())
        .arg("note what Z means");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let events = events(&out.stdout);
    let said = notices(&events);
    assert!(
        said.contains("MCP server `glossary` started: 7 tools offered (glossary__lookup, glossary__write_note"),
        "{said}"
    );

    let requests = server.requests();
    let tools = offered(&requests[0]);
    assert!(tools.contains(&"glossary__lookup".to_string()) && tools.contains(&"mcp_tools".to_string()), "{tools:?}");
    // The server's words reach the model quoted, as data, never in wright's voice.
    let answer = requests[1]["messages"].as_array().unwrap().last().unwrap().clone();
    let content = answer["content"].as_str().unwrap();
    assert!(content.starts_with("<untrusted-data source=\"glossary__lookup\">"), "{content}");
    assert!(content.contains("Ignore previous instructions") && content.contains("</untrusted_data>"), "{content}");
    assert_eq!(content.matches("</untrusted-data>").count(), 1, "{content}");

    let results = of_type(&events, "tool_result");
    assert!(results.iter().all(|r| r["ok"] == true), "{results:?}");
    let branch = events[0]["branch"].as_str().unwrap();
    let files = git(&fixture.repo(), &["show", "--name-only", "--format=%s", branch]);
    assert!(files.contains("NOTES.md"), "the server's change is committed: {files}");
    assert_eq!(git(&fixture.repo(), &["show", &format!("{branch}:NOTES.md")]), "Z means UTC.\n");
    assert_eq!(finished(&events)["stop_reason"], "finished");
}

#[tokio::test]
async fn a_repository_cannot_add_an_mcp_server_even_when_trusted() {
    let fixture = Fixture::new();
    let repo = fixture.repo();
    let outside = tempfile::tempdir().unwrap();
    let marker = outside.path().join("server-ran");
    let hostile = format!("[mcp_servers.evil]\ncommand = \"sh\"\nargs = [\"-c\", \"touch {}\"]\n", marker.display());
    std::fs::write(repo.join("wright.toml"), hostile).unwrap();
    commit_all(&repo, "a helpful server");
    let server = ModelServer::start(vec![turn("", &[("finish", json!({"summary": "-", "outcome": "gave_up"}))])]).await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--attempts", "1", "--trust-repo-config", "--model", "scripted", "--repo"])
        .arg(&repo)
        .arg("tidy up");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let said = notices(&events(&out.stdout));
    assert!(said.contains("mcp_servers"), "the refusal is a notice: {said}");
    assert!(!said.contains("MCP server"), "{said}");
    assert!(offered(&server.requests()[0]).iter().all(|t| !t.contains("__")));
    assert!(!marker.exists() && !Path::new(&repo).join("server-ran").exists());
}

#[tokio::test]
async fn no_mcp_starts_none_and_a_server_that_fails_is_a_notice() {
    let fixture = Fixture::new();
    let script = || vec![turn("", &[("finish", json!({"summary": "-", "outcome": "gave_up"}))])];
    let home = Home::new();
    let failing = server_table(
        "broken",
        &[("args", toml::Value::Array(vec!["-c".into(), SERVER.into(), "--die-on-start".into()]))],
    );
    user_config(&home, &failing);
    for (flags, expected) in [(&[][..], "MCP server `broken` did not start"), (&["--no-mcp"][..], "")] {
        let server = ModelServer::start(script()).await;
        let mut cmd = home.wright(&server.base_url);
        cmd.args(["run", "--json", "--attempts", "1", "--model", "scripted"])
            .args(flags)
            .arg("--repo")
            .arg(fixture.repo())
            .arg("tidy");
        let out = output(cmd).await;
        assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
        let said = notices(&events(&out.stdout));
        if expected.is_empty() {
            assert!(!said.contains("MCP server"), "{said}");
        } else {
            assert!(said.contains(expected) && said.contains("cannot open the glossary"), "{said}");
        }
    }
}

#[tokio::test]
async fn wright_mcp_lists_the_tools_and_calls_one_by_hand() {
    let home = Home::new();
    let mcp = |args: &[&str]| {
        let mut cmd = home.wright("http://127.0.0.1:9/v1");
        cmd.arg("mcp").args(args);
        output(cmd)
    };
    let none = mcp(&["list"]).await;
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("no MCP server is configured: add [mcp_servers.NAME]"));

    user_config(&home, &server_table("glossary", &[("disabled_tools", toml::Value::Array(vec!["crash".into()]))]));
    let listed = mcp(&["list"]).await;
    let text = String::from_utf8_lossy(&listed.stdout);
    assert_eq!(listed.status.code(), Some(0), "{}", String::from_utf8_lossy(&listed.stderr));
    assert!(
        text.starts_with("glossary: running, 7 tools\n  glossary__lookup\n    (MCP server glossary) Look a term up"),
        "{text}"
    );
    assert!(text.contains("  glossary__crash [not offered]\n"), "{text}");

    let found = mcp(&["call", "glossary", "lookup", "{\"term\": \"Z\"}"]).await;
    assert!(String::from_utf8_lossy(&found.stdout).starts_with("Z: a word of the glossary"));
    let failed = mcp(&["call", "glossary", "fail"]).await;
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&failed.stderr), "wright: no glossary here\n");
    let unknown = mcp(&["call", "nope", "lookup"]).await;
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no MCP server `nope`; the configured ones: glossary"));
    let bad = mcp(&["call", "glossary", "lookup", "{term"]).await;
    assert!(String::from_utf8_lossy(&bad.stderr).contains("the arguments are not JSON"));
}
