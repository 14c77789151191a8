//! `wright sandbox run`: one command under the same sandbox the agent's `run` tool and
//! test runs use. Exits with the command's own code, except 124 on timeout and 137 when
//! killed for a limit (the one documented exception to the exit-code table). What the
//! command printed is shown through `visible`: a repository's code must not drive the
//! user's terminal.

use std::io::Write;
use std::time::Duration;

use anyhow::Result;
use wright_sandbox::{EnvPolicy, Isolation, Program, RunSpec, TreeLimits};

use crate::cli::{SandboxCommand, SandboxFlags, SandboxRunArgs};
use crate::config::{Config, Settings};
use crate::exit::usage;
use crate::visible::visible;

pub fn run(cmd: SandboxCommand) -> Result<i32> {
    match cmd {
        SandboxCommand::Run(args) => run_one(args),
        SandboxCommand::InstallPython(args) => crate::install_python::install(args.wheel),
    }
}

fn run_one(args: SandboxRunArgs) -> Result<i32> {
    if !args.repo.is_dir() {
        return Err(usage(format!("--repo {} is not a directory", args.repo.display())));
    }
    let repo = args.repo.canonicalize()?;
    let config = Config::load(&repo, &Default::default(), false)?;
    for notice in config.notices() {
        eprintln!("wright: {}", visible(notice));
    }
    let settings = config.settings()?;
    let isolation = isolation(&settings, &args.sandbox);
    let env = EnvPolicy { allow: settings.sandbox.env.clone(), ..EnvPolicy::default() };
    let mut spec = RunSpec::new(Program::Argv(args.command.clone()), &repo);
    spec.timeout = Duration::from_secs(args.timeout);
    spec.env = env;
    spec.output_limit = 1 << 20;
    spec.isolation = isolation;
    spec.isolation.git_dirs = wright_git::TaskWorkspace::git_dirs_of(&repo);
    let out = match wright_sandbox::run(&spec) {
        Ok(out) => out,
        Err(e @ wright_sandbox::SandboxError::Unavailable(_)) => return Err(usage(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    std::io::stdout().write_all(visible(&out.stdout.text).as_bytes())?;
    std::io::stderr().write_all(visible(&out.stderr.text).as_bytes())?;
    if out.timed_out {
        eprintln!("wright: timed out after {} s; the command and everything it started were killed", args.timeout);
    } else if let Some(limit) = out.limit_killed {
        eprintln!("wright: killed for exceeding the {limit} limit");
    }
    Ok(out.status_code())
}

/// The sandbox a command gets: the flags over the settings.
pub fn isolation(settings: &Settings, flags: &SandboxFlags) -> Isolation {
    let s = &settings.sandbox;
    let mut isolation = Isolation::default();
    isolation.backend = flags.sandbox.unwrap_or(s.backend);
    isolation.tmp_bytes = s.tmp_mb.saturating_mul(1 << 20);
    isolation.file_bytes = s.file_mb.saturating_mul(1 << 20);
    isolation.network = flags.network || s.network;
    let memory_mb = flags.memory.unwrap_or(s.memory_mb);
    isolation.limits = TreeLimits { max_pids: s.max_pids, memory_bytes: memory_mb.saturating_mul(1 << 20) };
    isolation.hidden = [
        crate::dirs::data_dir(),
        crate::dirs::cache_dir(),
        crate::dirs::user_config().parent().map(|p| p.to_path_buf()).unwrap_or_default(),
    ]
    .into_iter()
    .chain(flags.hide.iter().map(|d| std::path::absolute(d).unwrap_or_else(|_| d.clone())))
    .collect();
    isolation.wasm = crate::install_python::wasm_setup();
    isolation
}
