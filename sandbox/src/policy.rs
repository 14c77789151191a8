//! How a command is isolated and limited.

use std::path::PathBuf;

use crate::cgroup::TreeLimits;

/// Where a command runs: `Process`, bubblewrap namespaces plus a cgroup (the default);
/// `Wasm`, a WASI program run by wasmtime, itself inside the process sandbox; `None`, no
/// sandbox: the user opted out explicitly (`--sandbox none`). The variants carry no doc
/// comments of their own: `clap` would show them as each value's help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Backend {
    Process,
    Wasm,
    None,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Process => "process",
            Backend::Wasm => "wasm",
            Backend::None => "none",
        }
    }
}

/// Made with `Isolation::default()`, then the fields that differ are set.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Isolation {
    pub backend: Backend,
    pub network: bool,
    pub limits: TreeLimits,
    /// Size of the private `/tmp`.
    pub tmp_bytes: u64,
    /// Largest file a command may write (RLIMIT_FSIZE).
    pub file_bytes: u64,
    /// Directories a command must not see (wright's data, config and cache).
    pub hidden: Vec<PathBuf>,
    /// The worktree's git dir and common dir, as wright knows them (from git2, never from
    /// the `.git` file a command could have written); bound read-only. Empty: only a
    /// `.git` directory in the worktree is.
    pub git_dirs: Vec<PathBuf>,
    /// Programs, module cache and runner for the wasm backend.
    pub wasm: WasmSetup,
}

impl Isolation {
    /// One line for the run's events: which backend, and the network.
    pub fn describe(&self) -> String {
        match self.backend {
            Backend::Process => format!(
                "process (bubblewrap + cgroup: {} processes, {} MB; network {})",
                self.limits.max_pids,
                self.limits.memory_bytes >> 20,
                if self.network { "on" } else { "off" }
            ),
            Backend::Wasm => format!(
                "wasm (WASI in wasmtime, inside bubblewrap + cgroup: {} MB; network off)",
                self.limits.memory_bytes >> 20
            ),
            Backend::None => "none (the user opted out: commands run unsandboxed)".to_string(),
        }
    }
}

impl Default for Isolation {
    fn default() -> Self {
        Isolation {
            backend: Backend::Process,
            network: false,
            limits: TreeLimits { max_pids: 512, memory_bytes: 4 << 30 },
            tmp_bytes: 1 << 30,
            file_bytes: 1 << 30,
            hidden: Vec::new(),
            git_dirs: Vec::new(),
            wasm: WasmSetup::default(),
        }
    }
}

/// Where the wasm backend finds its programs, its cache and its runner.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WasmSetup {
    /// Installed WASI programs: `python` runs `<programs>/python.wasm`.
    pub programs: PathBuf,
    /// Compiled modules, keyed by wasmtime version and module hash.
    pub cache: PathBuf,
    /// The runner executable (wright itself, as `wright __wasm-run`).
    pub runner: Option<PathBuf>,
}
