//! The wasm backend: a WASI program (such as `python.wasm`) compiled once and cached,
//! then run by wright's runner inside the process sandbox, so it sits behind WASI's
//! capabilities and bubblewrap's walls at once.

mod engine;
mod guest;
mod words;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use engine::{cache_path, compiled, load};
pub use guest::{GuestArgs, runner_main};

use crate::SandboxError;
use crate::spec::{Program, RunOutput, RunSpec};

/// The subcommand of the runner executable that runs a module.
pub const RUNNER_SUBCOMMAND: &str = "__wasm-run";
const INSIDE: &str = "/run/wright";
/// The runner's own memory (engine, compiled code) on top of the program's limit.
const RUNNER_MEMORY: u64 = 512 << 20;
/// The process sandbox's deadline trails the program's, so the program's own deadline
/// (which keeps its output and says why) normally fires first.
const GRACE: Duration = Duration::from_secs(5);

pub(crate) fn run(spec: &RunSpec) -> Result<RunOutput, SandboxError> {
    let setup = &spec.isolation.wasm;
    let runner = setup.runner.clone().ok_or_else(|| {
        SandboxError::Unavailable("the wasm backend needs wright's runner; run it through `wright`".to_string())
    })?;
    let argv = match &spec.program {
        Program::Argv(argv) => argv.clone(),
        Program::Shell(line) => words::split(line).map_err(SandboxError::Wasm)?,
    };
    let Some(name) = argv.first() else {
        return Err(SandboxError::Wasm("no program given".to_string()));
    };
    let module = resolve(name, &spec.cwd, &setup.programs)?;
    let compiled = engine::compiled(&setup.cache, &module)?;

    let inside = PathBuf::from(INSIDE);
    // `/tmp` and `/dev` are the process sandbox's private ones (bubblewrap's minimal `/dev`:
    // null, zero, random and the like), which programs such as pytest expect.
    let mut dirs = vec![(spec.worktree.clone(), "/work".to_string())];
    for shared in ["/tmp", "/dev"] {
        dirs.push((PathBuf::from(shared), shared.to_string()));
    }
    dirs.push((spec.cwd.clone(), ".".to_string()));
    let guest = GuestArgs {
        compiled: inside.join("module.cwasm"),
        dirs,
        timeout: spec.timeout,
        memory_bytes: spec.isolation.limits.memory_bytes,
        argv,
    };
    let mut runner_argv = vec![inside.join("runner").display().to_string(), RUNNER_SUBCOMMAND.to_string()];
    runner_argv.extend(guest.to_argv());
    let mut outer = spec.clone();
    outer.program = Program::Argv(runner_argv);
    outer.timeout = spec.timeout.saturating_add(GRACE);
    outer.isolation.limits.memory_bytes += RUNNER_MEMORY;
    let binds = [(runner, inside.join("runner")), (compiled, inside.join("module.cwasm"))];
    let mut out = crate::process::run(&outer, &binds)?;
    match out.exit_code {
        Some(guest::EXIT_TIMEOUT) => out.timed_out = true,
        Some(guest::EXIT_LIMIT) => out.limit_killed = Some("memory"),
        _ => {}
    }
    out.enforced = format!(
        "wasm (WASI: /work, /tmp and the working directory only, no sockets or processes; {} MB memory; {} s deadline) inside {}",
        spec.isolation.limits.memory_bytes >> 20,
        spec.timeout.as_secs(),
        out.enforced
    );
    Ok(out)
}

/// The module a program name stands for: a `.wasm` path, or an installed program.
fn resolve(name: &str, cwd: &Path, programs: &Path) -> Result<PathBuf, SandboxError> {
    if name.contains('/') || name.ends_with(".wasm") {
        let path = cwd.join(name);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(SandboxError::Wasm(format!("no WASI module at {}", path.display())))
        };
    }
    let stem = if name.starts_with("python") { "python" } else { name };
    let path = programs.join(format!("{stem}.wasm"));
    if path.is_file() {
        return Ok(path);
    }
    let hint = if stem == "python" {
        "`wright sandbox install-python` installs it".to_string()
    } else {
        format!("put a WASI build there as {stem}.wasm, or name a .wasm file")
    };
    Err(SandboxError::Unavailable(format!("no WASI program `{name}` in {}: {hint}", programs.display())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn programs_resolve_to_installed_modules_or_paths() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("python.wasm"), b"\0asm").unwrap();
        std::fs::write(dir.path().join("tool.wasm"), b"\0asm").unwrap();
        assert_eq!(resolve("python3", dir.path(), dir.path()).unwrap(), dir.path().join("python.wasm"));
        assert_eq!(resolve("./tool.wasm", dir.path(), Path::new("/none")).unwrap(), dir.path().join("./tool.wasm"));
        let missing = resolve("ruby", dir.path(), dir.path()).unwrap_err().to_string();
        assert!(missing.contains("ruby.wasm"), "{missing}");
        let no_python = resolve("python", dir.path(), Path::new("/none")).unwrap_err().to_string();
        assert!(no_python.contains("wright sandbox install-python"), "{no_python}");
    }
}
