//! What a commit holds after a `run` command: text the change made, never build output,
//! binaries or a flood of files; what is left out is reported.

use serde_json::json;

use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, turn};
use crate::support::{Home, events, git, of_type, output};

#[tokio::test]
async fn build_output_and_a_binary_stay_out_of_the_commit_and_are_reported() {
    let fixture = Fixture::new();
    let make = "mkdir -p build && for i in $(seq 5000); do echo $i > build/$i.txt; done; \
                head -c 5000000 /dev/zero | tr '\\0' 'x' > big.log; printf 'a\\0b' > blob.bin; echo kept > notes.txt";
    let server = ModelServer::start(vec![
        turn("", &[("run", json!({"command": make}))]),
        turn("", &[("finish", json!({"summary": "made things"}))]),
    ])
    .await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--no-baseline", "--model", "scripted", "--repo"]).arg(fixture.repo());
    cmd.arg("write some files");
    let out = output(cmd).await;
    let events = events(&out.stdout);
    let commits = of_type(&events, "commit");
    assert_eq!(commits.len(), 1, "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(commits[0]["files"], json!(["notes.txt"]));
    let branch = events[0]["branch"].as_str().unwrap();
    let tree = git(&fixture.repo(), &["ls-tree", "-r", "--name-only", branch]);
    assert!(!tree.contains("build/") && !tree.contains("blob.bin") && !tree.contains("big.log"), "{tree}");
    // The model is told, in the run's result (and so in its event).
    let run = of_type(&events, "tool_result").into_iter().find(|r| r["name"] == "run").unwrap();
    let said = run["output"].as_str().unwrap();
    assert!(said.contains("not committed, left in the worktree"), "{said}");
    assert!(
        said.contains("big.log (larger than 1 MiB)") && said.contains("blob.bin (binary (not UTF-8 text))"),
        "{said}"
    );
    assert!(!said.contains("build/"), "build output is never committed, so not news: {said}");
}
