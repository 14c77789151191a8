#![allow(clippy::unwrap_used, clippy::expect_used, clippy::disallowed_methods)]

//! Repositories with submodules and Git LFS pointers: the worktree gets the submodules at
//! the recorded commits from the user's checkout, and nothing wright commits replaces a
//! gitlink or puts large content where git expects an LFS pointer.

use std::path::Path;
use std::process::Command;

use wright_git::{CommitMessage, TaskWorkspace, write_refusal};

const POINTER: &str = "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n";

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "protocol.file.allow=always", "-c", "user.name=Tess", "-c", "user.email=tess@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `lib` (two commits) as submodule `vendor/lib` of `app` at its first commit, plus an
/// LFS-tracked `model.bin` pointer. The user's checkout of the submodule has since moved
/// on to the second commit.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    std::fs::create_dir(&lib).unwrap();
    git(&lib, &["init", "-q", "-b", "main"]);
    std::fs::write(lib.join("lib.txt"), "first\n").unwrap();
    git(&lib, &["add", "."]);
    git(&lib, &["commit", "-q", "-m", "first"]);
    let app = dir.path().join("app");
    std::fs::create_dir(&app).unwrap();
    git(&app, &["init", "-q", "-b", "main"]);
    std::fs::write(app.join("a.txt"), "one\n").unwrap();
    std::fs::write(app.join(".gitattributes"), "*.bin filter=lfs diff=lfs merge=lfs -text\n").unwrap();
    std::fs::write(app.join("model.bin"), POINTER).unwrap();
    git(&app, &["submodule", "add", "-q", "../lib", "vendor/lib"]);
    git(&app, &["add", "."]);
    git(&app, &["commit", "-q", "-m", "init"]);
    std::fs::write(lib.join("lib.txt"), "second\n").unwrap();
    git(&lib, &["commit", "-q", "-am", "second"]);
    git(&app.join("vendor/lib"), &["pull", "-q", "origin", "main"]);
    dir
}

fn gitlink(repo: &Path, rev: &str) -> String {
    git(repo, &["ls-tree", rev, "vendor/lib"])
}

#[test]
fn submodules_are_checked_out_at_the_recorded_commit_and_never_committed_into() {
    let dir = fixture();
    let app = dir.path().join("app");
    let ws = TaskWorkspace::create(&app, "t", "r1", &dir.path().join("wt")).unwrap();
    let modules = ws.check_out_submodules().unwrap();
    assert_eq!(modules.len(), 1);
    assert_eq!((modules[0].path.as_str(), &modules[0].missing), ("vendor/lib", &None));
    let wt = &ws.worktree;
    assert_eq!(std::fs::read_to_string(wt.join("vendor/lib/lib.txt")).unwrap(), "first\n", "the recorded commit");
    assert_eq!(git(wt, &["status", "--porcelain"]), "", "the superproject sees its submodule as recorded");

    let refusal = write_refusal(wt, "vendor/lib/lib.txt").unwrap();
    assert!(refusal.contains("inside the submodule vendor/lib"), "{refusal}");
    assert!(write_refusal(wt, "a.txt").is_none());

    // A command changes a file of the submodule and one of the superproject.
    std::fs::write(wt.join("vendor/lib/lib.txt"), "changed\n").unwrap();
    std::fs::write(wt.join("a.txt"), "two\n").unwrap();
    assert_eq!(ws.dirty_submodules().unwrap(), ["vendor/lib"]);
    assert_eq!(ws.pending().unwrap().0, ["a.txt"]);
    let info = ws.commit_all(&CommitMessage { subject: "fix: a".into(), ..Default::default() }).unwrap().unwrap();
    assert_eq!(info.files, ["a.txt"]);
    assert_eq!(gitlink(&app, &ws.branch), gitlink(&app, "main"), "the gitlink is unchanged");

    // Discarding uncommitted work leaves the submodule's checkout in place.
    ws.discard_uncommitted().unwrap();
    assert!(wt.join("vendor/lib/lib.txt").exists());
    // The user's own checkout of the submodule was only read.
    assert_eq!(std::fs::read_to_string(app.join("vendor/lib/lib.txt")).unwrap(), "second\n");
}

#[test]
fn a_submodule_the_user_never_checked_out_is_left_empty_with_the_reason() {
    let dir = fixture();
    let clone = dir.path().join("clone");
    git(dir.path(), &["clone", "-q", "app", "clone"]);
    let ws = TaskWorkspace::create(&clone, "t", "r1", &dir.path().join("wt")).unwrap();
    let modules = ws.check_out_submodules().unwrap();
    let why = modules[0].missing.as_deref().unwrap();
    assert!(why.contains("git submodule update --init vendor/lib"), "{why}");
    assert!(!ws.worktree.join("vendor/lib/lib.txt").exists());
}

#[test]
fn lfs_paths_keep_their_pointers() {
    let dir = fixture();
    let app = dir.path().join("app");
    let ws = TaskWorkspace::create(&app, "t", "r1", &dir.path().join("wt")).unwrap();
    let wt = &ws.worktree;
    let pointer = std::fs::read(wt.join("model.bin")).unwrap();
    assert!(wright_git::is_lfs_pointer(&pointer));
    let refusal = write_refusal(wt, "model.bin").unwrap();
    assert!(refusal.contains("tracked by Git LFS"), "{refusal}");
    assert!(write_refusal(wt, "weights/new.bin").is_some(), "new files under an LFS pattern too");

    // A command overwrites the pointer and adds a new LFS-tracked file: both go back.
    std::fs::write(wt.join("model.bin"), vec![7u8; 4096]).unwrap();
    std::fs::write(wt.join("extra.bin"), "large content\n").unwrap();
    std::fs::write(wt.join("a.txt"), "two\n").unwrap();
    let mut reverted = ws.revert_lfs_content().unwrap();
    reverted.sort();
    assert_eq!(reverted, ["extra.bin", "model.bin"]);
    assert_eq!(std::fs::read_to_string(wt.join("model.bin")).unwrap(), POINTER);
    assert!(!wt.join("extra.bin").exists());
    let info = ws.commit_all(&CommitMessage { subject: "fix: a".into(), ..Default::default() }).unwrap().unwrap();
    assert_eq!(info.files, ["a.txt"]);

    // The user's checkout holds the real content (git-lfs smudged it): --include-dirty
    // leaves it out rather than commit it raw.
    std::fs::write(app.join("model.bin"), vec![9u8; 2048]).unwrap();
    std::fs::write(app.join("a.txt"), "mine\n").unwrap();
    let second = TaskWorkspace::create(&app, "t", "r2", &dir.path().join("wt2")).unwrap();
    let copied = second.copy_dirty_from_checkout().unwrap();
    assert_eq!(copied.copied, ["a.txt"]);
    assert_eq!(copied.skipped_lfs, ["model.bin"]);
    assert_eq!(std::fs::read_to_string(second.worktree.join("model.bin")).unwrap(), POINTER);
}
