//! The three appliers compared: wright's engine, `git apply`, and `patch -p1 --fuzz=3`,
//! each run on a real checkout, judged by the tree it leaves.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::EvalError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub enum Applier {
    Wright,
    GitApply,
    Patch,
}

impl Applier {
    pub const ALL: [Applier; 3] = [Applier::Wright, Applier::GitApply, Applier::Patch];

    pub fn name(self) -> &'static str {
        match self {
            Applier::Wright => "wright",
            Applier::GitApply => "git apply",
            Applier::Patch => "patch --fuzz=3",
        }
    }

    /// Applies `patch` (saved at `file`) to `tree`. `Ok(None)` when it applied, the
    /// reason when it refused.
    pub fn apply(self, tree: &Path, patch: &str, file: &Path) -> Result<Option<String>, EvalError> {
        match self {
            Applier::Wright => Ok(wright_tools::apply_to_tree(tree, patch, false).err().map(|e| e.to_string())),
            Applier::GitApply => run(tree, "git", &["apply", "--whitespace=nowarn", &file.to_string_lossy()]),
            // A dry run first, as a careful script would: patch otherwise leaves the
            // hunks that matched applied and the rest rejected.
            Applier::Patch => {
                let args = ["-p1", "--fuzz=3", "-f", "-s", "--no-backup-if-mismatch", "-i"];
                let file = file.to_string_lossy();
                let mut dry: Vec<&str> = args.to_vec();
                dry.extend([&*file, "--dry-run"]);
                if let Some(reason) = run(tree, "patch", &dry)? {
                    return Ok(Some(reason));
                }
                let mut real: Vec<&str> = args.to_vec();
                real.push(&file);
                run(tree, "patch", &real)
            }
        }
    }
}

fn run(tree: &Path, program: &str, args: &[&str]) -> Result<Option<String>, EvalError> {
    let out = Command::new(program)
        .args(args)
        .current_dir(tree)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| EvalError::Io(format!("{program}: {e}")))?;
    if out.status.success() {
        return Ok(None);
    }
    let mut reason = String::from_utf8_lossy(&out.stderr).trim().to_string();
    if reason.is_empty() {
        reason = String::from_utf8_lossy(&out.stdout).trim().to_string();
    }
    Ok(Some(reason))
}

/// The tree the working directory holds now, as git would commit it.
pub fn tree_id(tree: &Path) -> Result<String, EvalError> {
    git(tree, &["add", "-A"])?;
    git(tree, &["write-tree"])
}

/// Back to the checked-out commit, nothing untracked left.
pub fn reset(tree: &Path) -> Result<(), EvalError> {
    git(tree, &["reset", "-q", "--hard"])?;
    git(tree, &["clean", "-q", "-fdx"]).map(|_| ())
}

fn git(tree: &Path, args: &[&str]) -> Result<String, EvalError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(tree)
        .args(args)
        .output()
        .map_err(|e| EvalError::Git { args: args.join(" "), message: e.to_string() })?;
    if !out.status.success() {
        let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return Err(EvalError::Git { args: args.join(" "), message });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}
