//! Runs shell commands on behalf of wright.
//!
//! Every command gets an environment rebuilt from an allow-list (no API key or token ever
//! reaches it), its own process group (killed whole on timeout and when the command ends),
//! and output captured up to a cap with head and tail kept.

mod capture;
mod env;
mod process;

pub use capture::Captured;
pub use env::{EnvPolicy, is_secret_name, secret_values};
pub use process::{RunOutput, RunSpec, run};

/// Why a command could not be run at all (a command that runs and fails is not an error).
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("working directory {0} does not exist")]
    MissingDir(std::path::PathBuf),
    #[error("could not start `sh`: {0}")]
    Spawn(std::io::Error),
    #[error("waiting for the command failed: {0}")]
    Wait(std::io::Error),
}
