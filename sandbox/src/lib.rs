//! Runs commands for wright, safely by default.
//!
//! The process backend puts every command in bubblewrap (read-only `/`, the worktree
//! writable, `.git` read-only without credentials, private `$HOME` and `/tmp`, new
//! user/pid/net/ipc/uts namespaces) and in a cgroup of its own (processes and memory),
//! with an environment rebuilt from an allow-list, a deadline that kills the whole tree,
//! a file size limit, and output captured up to a cap with head and tail kept. When
//! bubblewrap cannot run, the command is refused with the cause and the fix; running
//! bare takes an explicit `Backend::None`. The wasm backend runs a WASI program (such as
//! `python.wasm`) in wasmtime, itself inside the process sandbox.

// Input from strangers reaches every crate: a byte index that lands inside a character
// must not panic, so text is cut with `get`, `split_once` and the like, never `[a..b]`.
#![cfg_attr(not(test), deny(clippy::string_slice))]
// The sandbox touches host files of its own (credential-free git configs, cgroups, the wasm
// module cache); the tree it runs in is reached only by the sandboxed command.
#![allow(clippy::disallowed_methods)]

mod bwrap;
mod capture;
mod cgroup;
mod env;
mod gitconfig;
mod gitdirs;
mod home_binds;
mod piped;
mod policy;
mod process;
mod salient;
mod spec;
mod wasm;

pub use capture::Captured;
pub use cgroup::TreeLimits;
pub use env::{EnvPolicy, is_secret_name, secret_values};
pub use gitconfig::strip_credentials;
pub use piped::{Piped, spawn_piped};
pub use policy::{Backend, Isolation, WasmSetup};
pub use salient::is_salient;
pub use spec::{Cancel, Program, RunOutput, RunSpec};
pub use wasm::{GuestArgs, RUNNER_SUBCOMMAND, cache_path, compiled, load, runner_main};

/// Runs `spec` under its backend; a command that runs and fails is not an error.
pub fn run(spec: &RunSpec) -> Result<RunOutput, SandboxError> {
    if !spec.cwd.is_dir() {
        return Err(SandboxError::MissingDir(spec.cwd.clone()));
    }
    match spec.isolation.backend {
        Backend::Wasm => wasm::run(spec),
        Backend::Process | Backend::None => process::run(spec, &[]),
    }
}

/// Why a command could not be run at all (a command that runs and fails is not an error).
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("working directory {0} does not exist")]
    MissingDir(std::path::PathBuf),
    #[error("could not start the command: {0}")]
    Spawn(std::io::Error),
    #[error("waiting for the command failed: {0}")]
    Wait(std::io::Error),
    #[error("no sandbox: {0}")]
    Unavailable(String),
    #[error("wasm: {0}")]
    Wasm(String),
}
