//! One exit-code table for every command.

pub const EXIT_TABLE: &str = "\
Exit codes:
  0    done: the verdict is fixed (a test that failed at the base passes now)
  1    error (model endpoint, git, I/O)
  2    usage error (bad flags or configuration)
  3    stopped by a budget (steps, tokens, cost, time, context window)
  4    finished with any other verdict (unverified, tests_broken, not_fixed, no_change, unknown)
  130  interrupted (Ctrl-C / SIGTERM); completed changes are committed";

pub const ERROR: i32 = 1;
pub const USAGE: i32 = 2;

/// A usage error: wrong flags or configuration, exit code 2.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Shorthand for returning a usage error.
pub fn usage(message: impl Into<String>) -> anyhow::Error {
    anyhow::Error::new(UsageError(message.into()))
}

pub fn exit_code_of(e: &anyhow::Error) -> i32 {
    let git = e.downcast_ref::<wright_git::GitError>().or(match e.downcast_ref::<wright_agent::AgentError>() {
        Some(wright_agent::AgentError::Git(g)) => Some(g),
        _ => None,
    });
    // What the user can fix by pointing wright elsewhere is a usage error too.
    let user_fixable = matches!(
        git,
        Some(
            wright_git::GitError::NotARepo(_)
                | wright_git::GitError::Bare(_)
                | wright_git::GitError::Unborn
                | wright_git::GitError::Refused(_)
        )
    );
    if e.downcast_ref::<UsageError>().is_some() || user_fixable { USAGE } else { ERROR }
}
