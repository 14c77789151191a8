//! `wright sandbox run`: one command under the same sandbox the agent's `run` tool and
//! test runs use. Exits with the command's own code, except 124 on timeout and 137 when
//! killed for a limit (the one documented exception to the exit-code table). What the
//! command printed is shown through `visible`: a repository's code must not drive the
//! user's terminal.

use std::io::Write;
use std::time::Duration;

use anyhow::Result;
use wright_sandbox::{Backend, EnvPolicy, Isolation, Program, RunSpec, TreeLimits};

use crate::cli::{SandboxCommand, SandboxFlags, SandboxRunArgs};
use crate::config::Config;
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
    let isolation = isolation(&config, &args.sandbox)?;
    let env = EnvPolicy { allow: config.strings("sandbox.env")?, ..EnvPolicy::default() };
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

/// The sandbox a command gets, from flags over config over defaults.
pub fn isolation(config: &Config, flags: &SandboxFlags) -> Result<Isolation> {
    let backend = match (flags.sandbox, config.str("sandbox.backend")?.as_deref()) {
        (Some(flag), _) => flag,
        (None, Some("process") | None) => Backend::Process,
        (None, Some("wasm")) => Backend::Wasm,
        (None, Some("none")) => Backend::None,
        (None, Some(other)) => {
            return Err(usage(format!("sandbox.backend must be process, wasm or none, not `{other}`")));
        }
    };
    let defaults = Isolation::default();
    let memory_mb = flags.memory.or(config.int("sandbox.memory_mb")?).unwrap_or(defaults.limits.memory_bytes >> 20);
    let max_pids = config.int("sandbox.max_pids")?.unwrap_or(defaults.limits.max_pids);
    let mb = |key: &str, default: u64| -> Result<u64> {
        Ok(config.int(key)?.map(|v| v.saturating_mul(1 << 20)).unwrap_or(default))
    };
    let mut isolation = Isolation::default();
    isolation.backend = backend;
    isolation.tmp_bytes = mb("sandbox.tmp_mb", defaults.tmp_bytes)?;
    isolation.file_bytes = mb("sandbox.file_mb", defaults.file_bytes)?;
    isolation.network = flags.network || config.bool("sandbox.network")?.unwrap_or(false);
    isolation.limits = TreeLimits { max_pids, memory_bytes: memory_mb.saturating_mul(1 << 20) };
    isolation.hidden = [
        crate::dirs::data_dir(),
        crate::dirs::cache_dir(),
        crate::dirs::user_config().parent().map(|p| p.to_path_buf()).unwrap_or_default(),
    ]
    .into_iter()
    .chain(flags.hide.iter().map(|d| std::path::absolute(d).unwrap_or_else(|_| d.clone())))
    .collect();
    isolation.wasm = crate::install_python::wasm_setup();
    Ok(isolation)
}
