//! A tree that plants links and FIFOs for wright's host-side code: a committed link at an
//! edit's temporary name, one a model's command makes, a test that swaps indexed files
//! for links to host files, a linked directory and a FIFO, and a `wright.toml` that is a
//! link. Nothing outside the tree is read, written or sent; every run ends with its
//! summary.

use std::os::unix::fs::symlink;
use std::path::Path;

use serde_json::json;

use crate::support::fixture::{Fixture, strict_edit};
use crate::support::server::{ModelServer, turn};
use crate::support::{Home, commit_all, events, finished, of_type, output};

const HOST_SECRET: &str = "HOST-ONLY-d41d8cd98f00b204";

/// Everything the run let out: its events and every request the model got.
fn everything_sent(stdout: &[u8], server: &ModelServer) -> String {
    format!("{}\n{}", String::from_utf8_lossy(stdout), serde_json::to_string(&server.requests()).unwrap())
}

#[tokio::test]
async fn a_link_at_the_temporary_name_gets_nothing_written_through_it() {
    let fixture = Fixture::new();
    let repo = fixture.repo();
    let outside = tempfile::tempdir().unwrap();
    let (planted, made) = (outside.path().join("planted"), outside.path().join("made"));
    std::fs::write(&planted, "the host's file\n").unwrap();
    // Committed by the repository, beside the file the model will edit.
    symlink(&planted, repo.join(".dates.py.wright-tmp")).unwrap();
    commit_all(&repo, "a link");
    let server = ModelServer::start(vec![
        strict_edit(),
        // The model's own command plants one for the next edit.
        turn("", &[("run", json!({"command": format!("ln -s {} .README.md.wright-tmp", made.display())}))]),
        turn("", &[("edit", json!({"path": "README.md", "old": "# myproj", "new": "# myproj (tidy)"}))]),
        turn("", &[("finish", json!({"summary": "done", "outcome": "gave_up"}))]),
    ])
    .await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--attempts", "1", "--json", "--model", "scripted", "--repo"])
        .arg(&repo)
        .arg("make parse_date strict");
    let out = output(cmd).await;
    let events = events(&out.stdout);

    assert_eq!(std::fs::read_to_string(&planted).unwrap(), "the host's file\n", "written through the link");
    assert!(!made.exists(), "the model's link was written through");
    let worktree = Path::new(events[0]["worktree"].as_str().unwrap()).to_path_buf();
    for file in ["dates.py", "README.md"] {
        let meta = std::fs::symlink_metadata(worktree.join(file)).unwrap();
        assert!(meta.file_type().is_file(), "{file} is no longer a regular file");
    }
    assert!(std::fs::read_to_string(worktree.join("dates.py")).unwrap().contains("%z"));
    assert!(std::fs::read_to_string(worktree.join("README.md")).unwrap().contains("(tidy)"));
    // The repository's own file at that name is left as it is, a link still.
    assert!(std::fs::symlink_metadata(worktree.join(".dates.py.wright-tmp")).unwrap().file_type().is_symlink());
    assert_eq!(finished(&events)["stop_reason"], "finished", "{}", finished(&events));

    // `wright apply` on the checkout meets the same planted link.
    let patch = home.dir.path().join("change.diff");
    std::fs::write(
        &patch,
        "--- a/dates.py\n+++ b/dates.py\n@@ -1 +1,2 @@\n from datetime import datetime\n+# strict\n",
    )
    .unwrap();
    let mut apply = home.wright(&server.base_url);
    apply.args(["apply", "--repo"]).arg(&repo).arg(&patch);
    let applied = output(apply).await;
    assert!(applied.status.success(), "{}", String::from_utf8_lossy(&applied.stderr));
    assert_eq!(std::fs::read_to_string(&planted).unwrap(), "the host's file\n", "apply wrote through the link");
    assert!(std::fs::symlink_metadata(repo.join("dates.py")).unwrap().file_type().is_file());
}

#[tokio::test]
async fn links_and_fifos_a_test_swaps_in_reach_no_event_and_hang_nothing() {
    let fixture = Fixture::new();
    let repo = fixture.repo();
    let outside = tempfile::tempdir().unwrap();
    let key = outside.path().join("id_ed25519");
    std::fs::write(&key, format!("def lookup_key():\n    return '{HOST_SECRET}'\n")).unwrap();
    std::fs::create_dir(outside.path().join("private")).unwrap();
    std::fs::write(outside.path().join("private/notes.py"), format!("def lookup_notes():\n    '{HOST_SECRET}'\n"))
        .unwrap();
    std::fs::write(repo.join("keys.py"), "def lookup_key():\n    return None\n").unwrap();
    std::fs::create_dir(repo.join("pkg")).unwrap();
    std::fs::write(repo.join("pkg/notes.py"), "def lookup_notes():\n    pass\n").unwrap();
    std::fs::write(repo.join("pipe.py"), "def lookup_pipe():\n    pass\n").unwrap();
    // The test command swaps the indexed files after the index is built, then tests.
    let swap = format!(
        "rm keys.py pipe.py && ln -s {key} keys.py && rm -r pkg && ln -s {private} pkg && mkfifo pipe.py && python3 -m unittest -q",
        key = key.display(),
        private = outside.path().join("private").display()
    );
    std::fs::write(repo.join("wright.toml"), format!("test_command = {swap:?}\n")).unwrap();
    commit_all(&repo, "lookups");
    let server = ModelServer::start(vec![
        turn("", &[("search", json!({"query": "lookup_key lookup_notes lookup_pipe"}))]),
        turn("", &[("read_file", json!({"path": "keys.py"}))]),
        turn("", &[("read_file", json!({"path": "pkg/notes.py"}))]),
        turn("", &[("read_file", json!({"path": "pipe.py"}))]),
        turn("", &[("search", json!({"query": "HOST ONLY", "kind": "regex"}))]),
        turn("", &[("finish", json!({"summary": "looked", "outcome": "gave_up"}))]),
        // A second attempt starts from the base, over the FIFO and links the test left.
        turn("", &[("finish", json!({"summary": "looked again", "outcome": "gave_up"}))]),
    ])
    .await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--attempts", "2", "--json", "--model", "scripted", "--repo"])
        .arg(&repo)
        .arg("look at lookup_key");
    let out = tokio::time::timeout(std::time::Duration::from_secs(120), output(cmd)).await.expect("the run hung");
    let events = events(&out.stdout);

    let sent = everything_sent(&out.stdout, &server);
    assert!(!sent.contains(HOST_SECRET), "a host file's bytes left the tree: {sent}");
    let results: Vec<String> =
        of_type(&events, "tool_result").iter().map(|r| r["output"].as_str().unwrap_or("").to_string()).collect();
    assert_eq!(results.len(), 7, "{results:?}");
    assert!(results[1].contains("symbolic link") && results[1].contains("id_ed25519"), "{}", results[1]);
    assert!(results[2].contains("symbolic link"), "{}", results[2]);
    assert!(results[3].contains("FIFO"), "{}", results[3]);
    let end = finished(&events);
    assert_eq!((end["stop_reason"].as_str(), end["attempts"].as_u64()), (Some("finished"), Some(2)), "{end}");
}

#[tokio::test]
async fn a_wright_toml_that_is_a_link_is_not_read() {
    let fixture = Fixture::new();
    let repo = fixture.repo();
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("settings.toml");
    std::fs::write(&target, format!("test_command = \"echo {HOST_SECRET}\"\n")).unwrap();
    symlink(&target, repo.join("wright.toml")).unwrap();
    commit_all(&repo, "a linked config");
    let server =
        ModelServer::start(vec![turn("", &[("finish", json!({"summary": "done", "outcome": "gave_up"}))])]).await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--attempts", "1", "--json", "--model", "scripted", "--repo"]).arg(&repo).arg("tidy up");
    let out = output(cmd).await;
    let events = events(&out.stdout);

    assert!(!everything_sent(&out.stdout, &server).contains(HOST_SECRET), "the linked config was read");
    assert_eq!(events[0]["test_command"], "python3 -m unittest -v", "{}", events[0]);
    let notices: String = of_type(&events, "notice").iter().map(|n| n["message"].as_str().unwrap()).collect();
    assert!(notices.contains("wright.toml") && notices.contains("symbolic link"), "{notices}");
    assert_eq!(finished(&events)["stop_reason"], "finished", "{}", finished(&events));
}
