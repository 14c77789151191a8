//! Real servers: the test MCP server (Python) over stdio in the real sandbox, and over
//! streamable HTTP on loopback, reached by the real rmcp client.

#![allow(clippy::disallowed_methods, clippy::unwrap_used, clippy::expect_used)]

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use wright_mcp::{Launch, McpSource, Offer, Place, ServerSpec, Started, call_once, start};
use wright_sandbox::{EnvPolicy, Isolation};
use wright_tools::{IndexHandle, RunLimits, ToolContext, Toolbox};

const SERVER: &str = include_str!("../../../tests/fixtures/mcp_server.py");

fn stdio(name: &str, flags: &[&str]) -> ServerSpec {
    let mut args = vec!["-c".to_string(), SERVER.to_string(), "--root".into(), wright_mcp::WORKTREE.into()];
    args.extend(flags.iter().map(|f| f.to_string()));
    ServerSpec {
        name: name.into(),
        launch: Launch::Stdio {
            command: "python3".into(),
            args,
            env: vec![("GLOSSARY".into(), "on".into())],
            network: false,
            read_only: vec![],
        },
        enabled_tools: None,
        disabled_tools: Vec::new(),
        startup_timeout: Duration::from_secs(30),
        tool_timeout: Duration::from_secs(20),
    }
}

fn place(root: &Path) -> Place {
    Place { root: root.to_path_buf(), isolation: Isolation::default(), env: EnvPolicy::default() }
}

fn ctx(root: &Path) -> ToolContext {
    let index = IndexHandle::new(root.to_path_buf(), root.with_extension("index"), None);
    ToolContext { root: root.to_path_buf(), workspace: None, index, run: RunLimits::default() }
}

#[tokio::test]
async fn a_stdio_server_in_the_sandbox_reads_and_writes_the_worktree() {
    let dir = tempfile::tempdir().unwrap();
    let Started { server, tools: listed, .. } = start(&stdio("glossary", &[]), &place(dir.path())).await.unwrap();
    let names: Vec<&str> = listed.iter().map(|l| l.spec.name.as_ref()).collect();
    assert_eq!(names[..3], ["glossary__lookup", "glossary__write_note", "glossary__probe"]);
    assert!(listed[0].spec.description.starts_with("(MCP server glossary) Look a term up"));
    let found = call_once(&server, "lookup", json!({"term": "wright"})).await.unwrap();
    assert_eq!(
        found,
        "wright: a word of the glossary\nstructured content:\n{\n  \"found\": true,\n  \"term\": \"wright\"\n}"
    );
    let wrote = call_once(&server, "write_note", json!({"path": "NOTE.md", "text": "hello"})).await.unwrap();
    assert_eq!(wrote, "wrote NOTE.md");
    assert_eq!(std::fs::read_to_string(dir.path().join("NOTE.md")).unwrap(), "hello");
    let refused = call_once(&server, "fail", json!({})).await.unwrap_err().to_string();
    assert_eq!(refused, "no glossary here");
    let unknown = call_once(&server, "nope", json!({})).await.unwrap_err().to_string();
    assert!(unknown.contains("refused the call: no tool nope"), "{unknown}");
    let odd = call_once(&server, "lookup", json!([1])).await.unwrap_err().to_string();
    assert!(odd.contains("not a JSON object"), "{odd}");
}

#[tokio::test]
async fn the_client_offers_no_capability_no_sampling() {
    let dir = tempfile::tempdir().unwrap();
    let Started { server, .. } = start(&stdio("glossary", &[]), &place(dir.path())).await.unwrap();
    let said: Value = serde_json::from_str(&call_once(&server, "client", json!({})).await.unwrap()).unwrap();
    assert_eq!(said["initialize"]["capabilities"], json!({}), "{said}");
    assert_eq!(said["initialize"]["clientInfo"]["name"], "wright");
}

#[tokio::test]
async fn the_server_process_sees_no_secret_and_nothing_the_sandbox_hides() {
    // nextest runs each test in a process of its own: this variable is this test's.
    unsafe { std::env::set_var("OPENAI_API_KEY", "sk-mcp-test-secret-4242") };
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("secret.txt"), "hunter2").unwrap();
    let outside = elsewhere.path().join("secret.txt").display().to_string();
    let home = std::env::var("HOME").unwrap();
    // A relative or missing path to show is refused before anything starts.
    let mut odd = stdio("glossary", &[]);
    if let Launch::Stdio { read_only, .. } = &mut odd.launch {
        read_only.push("relative/bin".into());
    }
    assert!(odd.check().unwrap_err().to_string().contains("read_only_paths holds relative/bin"));
    let credentials = format!("{home}/.cargo/credentials.toml");
    let Started { server, .. } = start(&stdio("glossary", &[]), &place(dir.path())).await.unwrap();
    let args = json!({"paths": [outside, credentials, "/etc/hostname"]});
    let seen: Value = serde_json::from_str(&call_once(&server, "probe", args).await.unwrap()).unwrap();
    let env = seen["env"].as_object().unwrap();
    assert!(env.keys().all(|k| !wright_sandbox::is_secret_name(k)), "{env:?}");
    assert!(!seen.to_string().contains("sk-mcp-test-secret-4242"));
    assert_eq!(env["GLOSSARY"], "on", "its configured env is set");
    assert!(seen["paths"][&outside].as_str().unwrap().starts_with("unreadable"), "{seen}");
    assert!(seen["paths"][&credentials].as_str().unwrap().starts_with("unreadable"), "{seen}");
    assert_eq!(seen["cwd"], "/tmp", "it starts outside the repository's tree");
    assert_eq!(env["WRIGHT_WORKTREE"], dir.path().display().to_string());

    // A path the user lists is shown to it, read-only; the rest of that folder is not, and
    // what the sandbox hides stays hidden inside a folder listed.
    let shown = tempfile::tempdir().unwrap();
    std::fs::write(shown.path().join("server.cfg"), "glossary=en").unwrap();
    std::fs::create_dir(shown.path().join("wright-data")).unwrap();
    std::fs::write(shown.path().join("wright-data/transcript.jsonl"), "private").unwrap();
    let hidden = shown.path().join("wright-data/transcript.jsonl").display().to_string();
    let mut folder = stdio("glossary", &[]);
    if let Launch::Stdio { read_only, .. } = &mut folder.launch {
        read_only.push(shown.path().to_path_buf());
    }
    let mut covered = place(dir.path());
    covered.isolation.hidden = vec![shown.path().join("wright-data")];
    let Started { server, .. } = start(&folder, &covered).await.unwrap();
    let config = shown.path().join("server.cfg").display().to_string();
    let seen: Value =
        serde_json::from_str(&call_once(&server, "probe", json!({"paths": [config, hidden]})).await.unwrap()).unwrap();
    assert_eq!(seen["paths"][&config], "glossary=en");
    assert!(seen["paths"][&hidden].as_str().unwrap().starts_with("unreadable"), "{seen}");
    let listed = shown.path().join("server.cfg");
    let mut spec = stdio("glossary", &[]);
    if let Launch::Stdio { read_only, .. } = &mut spec.launch {
        read_only.push(listed.clone());
    }
    spec.check().unwrap();
    let Started { server, .. } = start(&spec, &place(dir.path())).await.unwrap();
    let listed = listed.display().to_string();
    let args = json!({"paths": [listed, outside]});
    let seen: Value = serde_json::from_str(&call_once(&server, "probe", args).await.unwrap()).unwrap();
    assert_eq!(seen["paths"][&listed], "glossary=en");
    assert!(seen["paths"][&outside].as_str().unwrap().starts_with("unreadable"), "{seen}");
    let wrote = call_once(&server, "write_note", json!({"path": listed, "text": "changed"})).await;
    assert!(wrote.unwrap_err().to_string().contains("Read-only file system"));
}

#[tokio::test]
async fn a_slow_call_times_out_and_the_server_answers_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = stdio("glossary", &[]);
    spec.tool_timeout = Duration::from_secs(1);
    let Started { server, .. } = start(&spec, &place(dir.path())).await.unwrap();
    let late = call_once(&server, "sleep", json!({"seconds": 5})).await.unwrap_err().to_string();
    assert_eq!(
        late,
        "`sleep` of the MCP server `glossary` did not answer within 1 s; the call was abandoned and the server told to cancel it"
    );
    let next = call_once(&server, "lookup", json!({"term": "b"})).await.unwrap();
    assert!(next.starts_with("b: a word"), "{next}");
}

#[tokio::test]
async fn a_server_that_crashes_is_restarted_once_then_withdrawn() {
    let dir = tempfile::tempdir().unwrap();
    let Started { server, .. } = start(&stdio("glossary", &[]), &place(dir.path())).await.unwrap();
    let first = call_once(&server, "crash", json!({})).await.unwrap_err().to_string();
    assert!(
        first.contains(
            "stopped during the call (it exited (exit status: 3); its last words: the glossary index is corrupt)"
        ),
        "{first}"
    );
    assert!(
        first.contains("wright restarted it") && first.contains("unknown: look before calling it again"),
        "{first}"
    );
    assert!(call_once(&server, "lookup", json!({"term": "a"})).await.is_ok(), "restarted");
    let second = call_once(&server, "crash", json!({})).await.unwrap_err().to_string();
    assert!(second.contains("is withdrawn (it stopped again: it exited"), "{second}");
    let after = call_once(&server, "lookup", json!({"term": "a"})).await.unwrap_err().to_string();
    assert!(after.contains("withdrawn") && after.contains("its tools are gone for this run"), "{after}");
}

#[tokio::test]
async fn a_server_that_dies_at_start_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let err = start(&stdio("glossary", &["--die-on-start"]), &place(dir.path())).await.err().unwrap().to_string();
    assert!(err.contains("cannot open the glossary"), "{err}");
    let mut missing = stdio("glossary", &[]);
    missing.launch = Launch::Stdio {
        command: "no-such-mcp-server".into(),
        args: vec![],
        env: vec![],
        network: false,
        read_only: vec![],
    };
    assert!(start(&missing, &place(dir.path())).await.is_err());
}

#[tokio::test]
async fn a_noisy_description_is_cleaned_and_capped() {
    let dir = tempfile::tempdir().unwrap();
    let Started { tools: listed, .. } = start(&stdio("glossary", &["--noisy"]), &place(dir.path())).await.unwrap();
    let noisy = listed.iter().find(|l| l.tool == "noisy").unwrap();
    let text = noisy.spec.description.as_ref();
    assert!(text.starts_with("(MCP server glossary) ALERT evil d"), "{}", text.get(..60).unwrap());
    assert!(text.ends_with("characters cut]") && text.chars().count() < 1100, "{}", text.len());
    assert!(!text.chars().any(|c| c.is_control() || c == '\u{202e}' || c == '\u{200b}'));
}

/// The test server on loopback over streamable HTTP, and its port.
fn http_server() -> (std::process::Child, u16) {
    let mut child = Command::new("python3").args(["-c", SERVER, "--http"]).stdout(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    (child, line.trim().parse().unwrap())
}

#[tokio::test]
async fn an_http_server_is_reached_with_its_token() {
    let (mut child, port) = http_server();
    let dir = tempfile::tempdir().unwrap();
    let mut spec = stdio("remote", &[]);
    spec.launch = Launch::Http { url: format!("http://127.0.0.1:{port}/mcp"), bearer_token: Some("t0ken-42".into()) };
    spec.check().unwrap();
    let Started { server, tools: listed, .. } = start(&spec, &place(dir.path())).await.unwrap();
    assert_eq!(listed[0].spec.name, "remote__lookup");
    let found = call_once(&server, "lookup", json!({"term": "x"})).await.unwrap();
    assert!(found.starts_with("x: a word of the glossary"), "{found}");
    let said: Value = serde_json::from_str(&call_once(&server, "client", json!({})).await.unwrap()).unwrap();
    let auth: Vec<&str> = said["auth"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(!auth.is_empty() && auth.iter().all(|a| *a == "Bearer t0ken-42"), "{auth:?}");
    child.kill().unwrap();
}

#[tokio::test]
async fn a_source_offers_a_few_tools_in_the_compact_prompt_and_a_catalog_of_all() {
    let dir = tempfile::tempdir().unwrap();
    let hashes = tempfile::tempdir().unwrap();
    let mut spec = stdio("glossary", &[]);
    spec.disabled_tools = vec!["crash".into()];
    let mut toolbox = Toolbox::builtin();
    let builtin = toolbox.specs().len();
    let source = |spec: ServerSpec| McpSource {
        servers: vec![spec],
        offer: Offer::Configured,
        hashes: Some(hashes.path().into()),
    };
    toolbox.add_source(source(spec.clone()));
    let notices = toolbox.open_sources(&ctx(dir.path())).await;
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].starts_with("MCP server `glossary` started: 6 tools offered (glossary__lookup,"), "{notices:?}");
    let names: Vec<String> = toolbox.specs().iter().skip(builtin).map(|s| s.name.to_string()).collect();
    assert_eq!(names.len(), 7, "{names:?}");
    assert!(!names.contains(&"glossary__crash".to_string()));
    assert_eq!(names.last().map(String::as_str), Some(wright_mcp::CATALOG));
    let compact: Vec<bool> = toolbox.iter().skip(builtin).map(|t| t.in_compact_prompt()).collect();
    assert_eq!(compact, [true, true, true, false, false, false, true]);
    let catalog = toolbox.call(&ctx(dir.path()), wright_mcp::CATALOG, &json!({}), &[]).await.unwrap();
    assert!(
        catalog.text.contains("glossary__client(): (MCP server glossary) What the client said"),
        "{}",
        catalog.text
    );
    let noted = toolbox
        .call(&ctx(dir.path()), "glossary__write_note", &json!({"path": "a.md", "text": "x"}), &[])
        .await
        .unwrap();
    assert_eq!(noted.change.as_deref(), Some("Apply changes made by the MCP tool glossary__write_note"));

    // The same list on the next run is no news; a changed one is.
    let mut again = Toolbox::empty();
    again.add_source(source(stdio("glossary", &[])));
    assert_eq!(again.open_sources(&ctx(dir.path())).await.len(), 1);
    let mut changed = Toolbox::empty();
    changed.add_source(source(stdio("glossary", &["--noisy"])));
    let notices = changed.open_sources(&ctx(dir.path())).await;
    assert!(notices.iter().any(|n| n.contains("its tools changed since the last run")), "{notices:?}");
}

#[tokio::test]
async fn where_strangers_steer_only_enabled_tools_are_offered() {
    let dir = tempfile::tempdir().unwrap();
    let mut listed = stdio("listed", &[]);
    listed.enabled_tools = Some(vec!["lookup".into()]);
    let unlisted = stdio("unlisted", &[]);
    let mut toolbox = Toolbox::empty();
    toolbox.add_source(McpSource { servers: vec![listed, unlisted], offer: Offer::EnabledOnly, hashes: None });
    let notices = toolbox.open_sources(&ctx(dir.path())).await;
    let names: Vec<String> = toolbox.specs().iter().map(|s| s.name.to_string()).collect();
    assert_eq!(names, ["listed__lookup"]);
    assert!(notices.iter().any(|n| n.contains("`unlisted` is not started")), "{notices:?}");
}

/// tokio ends an idle blocking thread (10 s by default); the server it started must live on.
#[test]
fn a_server_outlives_the_blocking_thread_that_started_it() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_keep_alive(Duration::from_millis(50))
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let Started { server, .. } = start(&stdio("glossary", &[]), &place(dir.path())).await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
        let found = call_once(&server, "lookup", json!({"term": "later"})).await.unwrap();
        assert!(found.starts_with("later: a word"), "{found}");
    });
}
