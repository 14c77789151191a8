//! What a command is, how it is to be run, and how it ended: the types every backend
//! shares.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::{Captured, EnvPolicy, Isolation};

/// What to run.
#[derive(Debug, Clone)]
pub enum Program {
    /// Passed to `sh -c`.
    Shell(String),
    /// Run as given, no shell.
    Argv(Vec<String>),
}

/// Asks running commands to stop: whoever holds a clone may cancel; a command that sees
/// it is killed with its whole tree.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// What to run, where, and under which limits. Made with [`RunSpec::new`], then the
/// fields that differ from the defaults are set.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RunSpec {
    pub program: Program,
    /// The only directory the command may write (besides its private `/tmp`).
    pub worktree: PathBuf,
    /// Where it starts: the worktree or a directory in it.
    pub cwd: PathBuf,
    pub timeout: Duration,
    pub env: EnvPolicy,
    /// Bytes kept per stream (head and tail halves).
    pub output_limit: usize,
    pub isolation: Isolation,
    /// Cancelling it kills the command's tree at once.
    pub cancel: Cancel,
}

impl RunSpec {
    /// `program` in `worktree` (also its working directory), sandboxed by default, for at
    /// most 120 s, keeping 64 KiB of each stream.
    pub fn new(program: Program, worktree: impl Into<PathBuf>) -> Self {
        let worktree = worktree.into();
        RunSpec {
            program,
            cwd: worktree.clone(),
            worktree,
            timeout: Duration::from_secs(120),
            env: EnvPolicy::default(),
            output_limit: 64 << 10,
            isolation: Isolation::default(),
            cancel: Cancel::default(),
        }
    }
}

/// How a command ended.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// Exit code, or `None` when a signal ended it.
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    /// Killed because its [`Cancel`] was cancelled.
    pub cancelled: bool,
    /// Killed by the kernel for a limit: out of memory, or a file too large.
    pub limit_killed: Option<&'static str>,
    pub stdout: Captured,
    pub stderr: Captured,
    pub duration: Duration,
    /// The isolation and limits that were in force, in words.
    pub enforced: String,
}

impl RunOutput {
    pub fn success(&self) -> bool {
        self.exit_code == Some(0) && !self.timed_out && !self.cancelled
    }

    /// The command's own exit code; 124 on timeout, 130 when cancelled, 137 when killed
    /// for a limit, 128 + signal otherwise.
    pub fn status_code(&self) -> i32 {
        if self.timed_out {
            124
        } else if self.cancelled {
            130
        } else if self.limit_killed.is_some() {
            137
        } else if let Some(code) = self.exit_code {
            code
        } else {
            128 + self.signal.unwrap_or(9)
        }
    }
}
