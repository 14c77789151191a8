//! A fresh copy of a task's repository holding only its base commit: no other branches,
//! tags, reflogs or unreachable objects, so no fix can be read out of the history.

use std::path::Path;
use std::process::Command;

use crate::EvalError;
use crate::suite::{RepoSource, Task};

/// Makes `dest` (which must not exist) a repository at the task's base; returns the base sha.
pub fn fresh_tree(task: &Task, dest: &Path) -> Result<String, EvalError> {
    if dest.exists() {
        return Err(EvalError::Io(format!("{} exists already", dest.display())));
    }
    std::fs::create_dir_all(dest).map_err(|e| EvalError::Io(format!("{}: {e}", dest.display())))?;
    git(dest, &["init", "-q", "-b", "main"])?;
    match &task.repo {
        RepoSource::Path { path } => {
            copy_dir(&task.dir.join(path), dest)?;
            git(dest, &["add", "-A"])?;
            git(dest, &["commit", "-q", "-m", "base"])?;
        }
        RepoSource::Git { git: url, commit } => {
            git(dest, &["fetch", "-q", "--no-tags", "--depth", "1", "--", url, commit])?;
            git(dest, &["checkout", "-q", "--detach", "FETCH_HEAD"])?;
            git(dest, &["reflog", "expire", "--expire=now", "--all"])?;
            git(dest, &["gc", "-q", "--prune=now"])?;
        }
    }
    git(dest, &["rev-parse", "HEAD"])
}

/// Runs the task's `setup` (if any) in `tree`, in the sandbox, with the network allowed
/// (it may fetch dependencies), before anyone works on the tree.
pub fn set_up(task: &Task, tree: &Path, limits: &wright_testing::Limits) -> Result<(), EvalError> {
    let Some(setup) = &task.setup else { return Ok(()) };
    let mut isolation = limits.isolation.clone();
    isolation.network = true;
    let mut spec = wright_sandbox::RunSpec::new(wright_sandbox::Program::Shell(setup.clone()), tree);
    spec.timeout = task.check_timeout();
    spec.env = limits.env.clone();
    spec.isolation = isolation;
    let out = wright_sandbox::run(&spec).map_err(|e| EvalError::Io(format!("setup `{setup}`: {e}")))?;
    if !out.success() {
        let tail: String = out.stderr.text.lines().rev().take(5).collect::<Vec<_>>().join(" / ");
        return Err(EvalError::Io(format!("setup `{setup}` failed (exit {}): {tail}", out.status_code())));
    }
    // What setup made (dependencies, generated files) is not the agent's change.
    let made = git_raw(tree, &["ls-files", "--others", "--exclude-standard", "-z"])?;
    let exclude: String = made.split('\0').filter(|p| !p.is_empty()).map(|p| format!("/{p}\n")).collect();
    let info = tree.join(".git/info");
    std::fs::create_dir_all(&info).map_err(|e| EvalError::Io(format!("{}: {e}", info.display())))?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(info.join("exclude"))
        .map_err(|e| EvalError::Io(format!("{}: {e}", info.display())))?;
    std::io::Write::write_all(&mut file, exclude.as_bytes()).map_err(|e| EvalError::Io(e.to_string()))?;
    Ok(())
}

/// Copies a folder's files (not a `.git` in it), keeping the executable bit.
fn copy_dir(from: &Path, to: &Path) -> Result<(), EvalError> {
    let io = |e: std::io::Error, p: &Path| EvalError::Io(format!("{}: {e}", p.display()));
    for entry in std::fs::read_dir(from).map_err(|e| io(e, from))?.flatten() {
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_name() == ".git" {
            continue;
        }
        let kind = entry.file_type().map_err(|e| io(e, &src))?;
        if kind.is_dir() {
            std::fs::create_dir_all(&dst).map_err(|e| io(e, &dst))?;
            copy_dir(&src, &dst)?;
        } else if kind.is_file() {
            std::fs::copy(&src, &dst).map_err(|e| io(e, &src))?;
        }
    }
    Ok(())
}

/// git with a fixed identity and date, so base commits are the same on every machine,
/// and without the user's hooks or templates.
pub(crate) fn git(dir: &Path, args: &[&str]) -> Result<String, EvalError> {
    git_raw(dir, args).map(|out| out.trim().to_string())
}

/// `git`, its output untouched (a patch's last line may end in a space).
pub(crate) fn git_raw(dir: &Path, args: &[&str]) -> Result<String, EvalError> {
    let out = Command::new("git")
        .args(["-c", "user.name=wright eval", "-c", "user.email=eval@wright.invalid", "-c", "core.hooksPath=/dev/null"])
        .args(["-c", "init.templateDir=", "-c", "commit.gpgsign=false"])
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .output()
        .map_err(|e| EvalError::Git { args: args.join(" "), message: e.to_string() })?;
    if !out.status.success() {
        let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(EvalError::Git { args: args.join(" "), message });
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}
