//! Scratch checkouts of repository snapshots at a given commit, reused across instances
//! of one repository so its index is updated incrementally between commits.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::EvalError;

/// The git directory of `owner/name` under `repos`: `<owner>+<name>/repo` or `<owner>+<name>`.
pub fn snapshot(repos: &Path, repo: &str) -> Option<PathBuf> {
    let base = repos.join(repo.replace('/', "+"));
    [base.join("repo"), base.clone()].into_iter().find(|p| p.join("HEAD").is_file() || p.join(".git").exists())
}

/// Checks out `commit` of `snapshot` in `dir` (cloned once, sharing objects), clean.
pub fn at(snapshot: &Path, dir: &Path, commit: &str) -> Result<(), EvalError> {
    if !dir.join(".git").exists() {
        let parent = dir.parent().unwrap_or(dir);
        std::fs::create_dir_all(parent).map_err(|e| EvalError::Io(format!("{}: {e}", parent.display())))?;
        git(None, &["clone", "-q", "--shared", "--no-checkout", &snapshot.to_string_lossy(), &dir.to_string_lossy()])?;
    }
    git(Some(dir), &["checkout", "-q", "-f", "--detach", commit])?;
    git(Some(dir), &["clean", "-q", "-fdx"])?;
    Ok(())
}

fn git(dir: Option<&Path>, args: &[&str]) -> Result<(), EvalError> {
    let mut cmd = Command::new("git");
    if let Some(d) = dir {
        cmd.arg("-C").arg(d);
    }
    let out = cmd.args(args).output().map_err(|e| EvalError::Git { args: args.join(" "), message: e.to_string() })?;
    if !out.status.success() {
        let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(EvalError::Git { args: args.join(" "), message });
    }
    Ok(())
}
