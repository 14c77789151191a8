//! `wright apply`: any supported patch format, all or nothing, exit 0 or 1.

use crate::support::fixture::Fixture;
use crate::support::{Home, output};

fn apply(home: &Home, repo: &std::path::Path, patch: &str, extra: &[&str]) -> (i32, String) {
    let file = home.dir.path().join("change.diff");
    std::fs::write(&file, patch).unwrap();
    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["apply", "--repo"]).arg(repo).args(extra).arg(&file);
    let out = cmd.output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[tokio::test]
async fn a_git_diff_with_wrong_line_numbers_applies_and_a_bad_one_changes_nothing() {
    let fixture = Fixture::new();
    let home = Home::new();
    let repo = fixture.repo();
    let dates = std::fs::read_to_string(repo.join("dates.py")).unwrap();
    let first = dates.lines().find(|l| l.contains("def parse_date")).unwrap();
    let good = format!(
        "diff --git a/dates.py b/dates.py\n--- a/dates.py\n+++ b/dates.py\n@@ -90,1 +90,2 @@\n {first}\n+    # parses ISO dates\ndiff --git a/NEW.md b/NEW.md\nnew file mode 100644\n--- /dev/null\n+++ b/NEW.md\n@@ -0,0 +1 @@\n+hello\n"
    );
    let (code, stderr) = apply(&home, &repo, &good, &["--check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!repo.join("NEW.md").exists(), "--check writes nothing");

    // One good file and one that does not match: nothing is written.
    let bad = format!("{good}--- a/test_dates.py\n+++ b/test_dates.py\n@@ -1 +1 @@\n-no such line\n+x\n");
    let (code, stderr) = apply(&home, &repo, &bad, &[]);
    assert_eq!(code, 1);
    assert!(stderr.contains("test_dates.py: hunk 1 did not match"), "{stderr}");
    assert_eq!(std::fs::read_to_string(repo.join("dates.py")).unwrap(), dates);
    assert!(!repo.join("NEW.md").exists());

    let (code, stderr) = apply(&home, &repo, &good, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(std::fs::read_to_string(repo.join("dates.py")).unwrap().contains("# parses ISO dates"));
    assert_eq!(std::fs::read_to_string(repo.join("NEW.md")).unwrap(), "hello\n");

    let mut cmd = home.wright("http://127.0.0.1:9/v1");
    cmd.args(["apply", "--repo"]).arg(&repo).arg("/no/such.patch");
    assert_eq!(output(cmd).await.status.code(), Some(2));
}

/// SIGKILL `wright apply` while it writes a large patch: the next edit on the tree puts
/// every file back first, so the half-written patch leaves no trace.
#[tokio::test]
async fn a_patch_killed_mid_write_is_rolled_back_before_the_next_edit() {
    let fixture = Fixture::new();
    let home = Home::new();
    let repo = fixture.repo();
    let journal = repo.join(".git").join("wright-patch.journal");
    let dates = std::fs::read_to_string(repo.join("dates.py")).unwrap();
    let mut caught = false;
    for files in [3000, 12000, 40000] {
        let mut patch = String::from("*** Begin Patch\n");
        for i in 0..files {
            patch.push_str(&format!("*** Add File: bulk/f{i}.txt\n+line {i}\n"));
        }
        patch.push_str("*** End Patch\n");
        let file = home.dir.path().join("bulk.patch");
        std::fs::write(&file, patch).unwrap();
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_wright"));
        cmd.env("HOME", home.dir.path()).args(["apply", "--repo"]).arg(&repo).arg(&file);
        let mut child = cmd.stderr(std::process::Stdio::null()).spawn().unwrap();
        // Kill as soon as the journal exists and some files are written.
        while child.try_wait().unwrap().is_none() {
            if journal.exists() && repo.join("bulk/f0.txt").exists() {
                child.kill().unwrap();
                break;
            }
            std::thread::yield_now();
        }
        child.wait().unwrap();
        if journal.exists() {
            caught = true;
            break;
        }
        std::fs::remove_dir_all(repo.join("bulk")).unwrap();
    }
    assert!(caught, "the kill never landed while the patch was being written");
    assert!(repo.join("bulk").read_dir().unwrap().next().is_some(), "some files were half written");

    let fix = "*** Begin Patch\n*** Update File: dates.py\n@@\n-from datetime import datetime\n+from datetime import datetime  # dates\n*** End Patch\n";
    let (code, stderr) = apply(&home, &repo, fix, &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("an earlier patch was interrupted"), "{stderr}");
    assert!(!journal.exists());
    let left: Vec<_> = std::fs::read_dir(repo.join("bulk")).map(|d| d.collect()).unwrap_or_default();
    assert!(left.is_empty(), "{} bulk files survived the rollback", left.len());
    assert_eq!(
        std::fs::read_to_string(repo.join("dates.py")).unwrap(),
        dates.replacen("from datetime import datetime", "from datetime import datetime  # dates", 1)
    );
}
