//! A run in a repository with a submodule and Git LFS pointers: the model can read both,
//! its tools refuse to write into either with the reason, and what a command does to them
//! never reaches a commit.

use serde_json::json;

use crate::support::server::{ModelServer, turn};
use crate::support::{Home, events, finished, git, of_type, output};

const POINTER: &str = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";

/// `app` with submodule `vendor/lib` (checked out by the user) and an LFS-tracked pointer.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let app = dir.path().join("app");
    for repo in [&lib, &app] {
        std::fs::create_dir(repo).unwrap();
        git(repo, &["init", "-q", "-b", "main"]);
        git(repo, &["config", "user.name", "Pat Developer"]);
        git(repo, &["config", "user.email", "pat@example.com"]);
    }
    std::fs::write(lib.join("lib.txt"), "library\n").unwrap();
    git(&lib, &["add", "."]);
    git(&lib, &["commit", "-q", "-m", "lib"]);
    std::fs::write(app.join("a.txt"), "one\n").unwrap();
    std::fs::write(app.join(".gitattributes"), "*.bin filter=lfs diff=lfs merge=lfs -text\n").unwrap();
    std::fs::write(app.join("model.bin"), POINTER).unwrap();
    git(&app, &["-c", "protocol.file.allow=always", "submodule", "add", "-q", "../lib", "vendor/lib"]);
    git(&app, &["add", "."]);
    git(&app, &["commit", "-q", "-m", "init"]);
    dir
}

#[tokio::test]
async fn submodules_and_lfs_pointers_are_read_but_never_committed_into() {
    let dir = fixture();
    let app = dir.path().join("app");
    let status_before = git(&app, &["status", "--porcelain"]);
    let edit = |path: &str| ("edit", json!({"path": path, "old": "a", "new": "b"}));
    let command = "head -c 3000 /dev/zero > model.bin; echo two > a.txt; echo more >> vendor/lib/lib.txt";
    let server = ModelServer::start(vec![
        turn("", &[("read_file", json!({"path": "model.bin"})), ("read_file", json!({"path": "vendor/lib/lib.txt"}))]),
        turn("", &[edit("vendor/lib/lib.txt")]),
        turn("", &[edit("model.bin")]),
        turn("", &[("run", json!({"command": command}))]),
        turn("", &[("finish", json!({"summary": "changed a.txt", "outcome": "fixed"}))]),
    ])
    .await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--test-command", "true", "--repo"]).arg(&app).arg("touch everything");
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(4), "{}", String::from_utf8_lossy(&out.stderr));
    let events = events(&out.stdout);

    let system = server.requests()[0]["messages"][0]["content"].as_str().unwrap().to_string();
    assert!(system.contains("Submodules are other repositories") && system.contains("vendor/lib"), "{system}");
    assert!(system.contains("Git LFS"), "{system}");

    let results = of_type(&events, "tool_result");
    let output_of = |i: usize| results[i]["output"].as_str().unwrap().to_string();
    assert!(output_of(0).contains("model.bin is a Git LFS pointer"), "{}", output_of(0));
    assert!(output_of(1).contains("library"), "the submodule is checked out: {}", output_of(1));
    assert!(output_of(2).contains("inside the submodule vendor/lib"), "{}", output_of(2));
    assert!(output_of(3).contains("model.bin is tracked by Git LFS"), "{}", output_of(3));
    let ran = output_of(4);
    assert!(ran.contains("[wright: put back model.bin"), "{ran}");
    assert!(ran.contains("changes inside the submodule(s) vendor/lib are not committed"), "{ran}");

    let commits = of_type(&events, "commit");
    assert_eq!(commits.len(), 1);
    assert_eq!(commits[0]["files"], json!(["a.txt"]));
    let branch = events[0]["branch"].as_str().unwrap();
    assert_eq!(git(&app, &["ls-tree", branch, "vendor/lib"]), git(&app, &["ls-tree", "main", "vendor/lib"]));
    assert_eq!(git(&app, &["show", &format!("{branch}:model.bin")]), POINTER);
    assert_eq!(finished(&events)["verdict"], "unverified");

    // The user's checkout, submodule included, is as it was.
    assert_eq!(git(&app, &["status", "--porcelain"]), status_before);
    assert_eq!(std::fs::read_to_string(app.join("vendor/lib/lib.txt")).unwrap(), "library\n");
}
