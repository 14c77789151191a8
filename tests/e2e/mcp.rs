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
    server.insert(
        "args".into(),
        toml::Value::Array(vec!["-c".into(), SERVER.into(), "--root".into(), "{worktree}".into()]),
    );
    for (key, value) in extra {
        server.insert(key.to_string(), value.clone());
    }
    let mut servers = toml::Table::new();
    servers.insert(name.into(), server.into());
    let mut config = toml::Table::new();
    config.insert("mcp_servers".into(), servers.into());
    toml::to_string(&config).unwrap()
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
    home.user_config(&server_table("glossary", &[]));
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
    home.user_config(&failing);
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

    home.user_config(&server_table("glossary", &[("disabled_tools", toml::Value::Array(vec!["crash".into()]))]));
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

#[tokio::test]
async fn resume_starts_the_servers_again_and_a_tool_gone_is_answered() {
    let fixture = Fixture::new();
    let home = Home::new();
    home.user_config(&server_table("glossary", &[]));
    let lookup = || turn("", &[("glossary__lookup", json!({"term": "Z"}))]);
    let first = ModelServer::start(vec![lookup()]).await;
    let mut cmd = home.wright(&first.base_url);
    cmd.args(["run", "--json", "--attempts", "1", "--max-steps", "1", "--model", "scripted", "--repo"]);
    cmd.arg(fixture.repo()).arg("note what Z means");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(3), "stopped by the step budget: {}", String::from_utf8_lossy(&out.stderr));
    let run_id = events(&out.stdout)[0]["run_id"].as_str().unwrap().to_string();

    let resume = |server: &ModelServer, steps: &str| {
        let mut cmd = home.wright(&server.base_url);
        cmd.args(["resume", "--json", "--max-steps", steps, &run_id]);
        output(cmd)
    };
    // The server is started again, and the call works.
    let second = ModelServer::start(vec![lookup()]).await;
    let out = resume(&second, "2").await;
    let events_two = events(&out.stdout);
    assert!(notices(&events_two).contains("MCP server `glossary` started"), "{}", String::from_utf8_lossy(&out.stderr));
    let result = of_type(&events_two, "tool_result")[0];
    assert_eq!((result["name"].as_str(), result["ok"].as_bool()), (Some("glossary__lookup"), Some(true)), "{result}");

    // Gone from the config: the call is answered with the tools there are.
    home.user_config("");
    let third = ModelServer::start(vec![lookup()]).await;
    let out = resume(&third, "3").await;
    let events_three = events(&out.stdout);
    let result = of_type(&events_three, "tool_result")[0];
    let said = result["output"].as_str().unwrap();
    assert_eq!(result["ok"], false);
    assert!(said.contains("unknown tool `glossary__lookup`; the tools are: read_file"), "{said}");
}

#[tokio::test]
async fn in_the_compact_prompt_a_tool_the_catalog_names_is_called_by_name() {
    let fixture = Fixture::new();
    let call = |name: &str| format!("<tool_call>{{\"name\": \"{name}\", \"arguments\": {{}}}}</tool_call>");
    let server = ModelServer::start(vec![
        turn(&call("mcp_tools"), &[]),
        turn(&call("glossary__client"), &[]),
        turn("<tool_call>{\"name\": \"finish\", \"arguments\": {\"summary\": \"-\", \"outcome\": \"gave_up\"}}</tool_call>", &[]),
    ])
    .await;
    server.set_context(16_384);
    let home = Home::new();
    home.user_config(&server_table("glossary", &[]));
    let mut cmd = home.wright(&server.base_url);
    cmd.args([
        "run",
        "--json",
        "--attempts",
        "1",
        "--drafts",
        "0",
        "--test-command",
        "python3 -m unittest",
        "--model",
        "scripted",
        "--repo",
    ]);
    cmd.arg(fixture.repo()).arg("look around");
    let out = output(cmd).await;
    let events = events(&out.stdout);
    assert_eq!(events[0]["prompt_profile"], "compact", "{}", String::from_utf8_lossy(&out.stderr));
    let system = server.requests()[0]["messages"][0]["content"].as_str().unwrap().to_string();
    assert!(system.contains("glossary__lookup") && !system.contains("glossary__client("), "only a few are listed");
    let results = of_type(&events, "tool_result");
    let catalog = results.iter().find(|r| r["name"] == "mcp_tools").unwrap();
    assert!(catalog["output"].as_str().unwrap().contains("glossary__client()"), "{catalog}");
    let client = results.iter().find(|r| r["name"] == "glossary__client").unwrap();
    assert_eq!(client["ok"], true, "{client}");
    assert!(client["output"].as_str().unwrap().contains("\"clientInfo\""), "{client}");
}
