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

use wright_tree::Tree;

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
/// The largest module of the worktree that is read (python.wasm is about 25 MB).
const MAX_MODULE_BYTES: usize = 128 << 20;

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
    let tree = Tree::open(&spec.worktree)
        .map_err(|e| SandboxError::Wasm(format!("cannot open the worktree {}: {e}", spec.worktree.display())))?;
    let cwd = working_dir(&tree, spec)?;
    let compiled = match resolve(name, &spec.worktree, &cwd, &setup.programs)? {
        Source::Installed(module) => engine::compiled(&setup.cache, &module)?,
        Source::InTree(rel) => {
            let refused = |why: String| SandboxError::Wasm(format!("no WASI module at {name}: {why}"));
            let read = tree.read(&rel, MAX_MODULE_BYTES).map_err(|e| refused(e.reason()))?;
            if read.cut() {
                return Err(refused(format!("larger than {} MiB", MAX_MODULE_BYTES >> 20)));
            }
            engine::compiled_bytes(&setup.cache, &read.bytes, name)?
        }
    };

    let inside = PathBuf::from(INSIDE);
    // `/tmp` and `/dev` are the process sandbox's private ones (bubblewrap's minimal `/dev`:
    // null, zero, random and the like), which programs such as pytest expect.
    let mut dirs = vec![(spec.worktree.clone(), "/work".to_string())];
    for shared in ["/tmp", "/dev"] {
        dirs.push((PathBuf::from(shared), shared.to_string()));
    }
    // Relative: the runner opens it beneath the worktree itself, no link followed.
    dirs.push((Path::new(".").join(cwd), ".".to_string()));
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

/// Where the command starts, relative to the worktree: a directory inside it reached
/// without a link, or the command is refused (WASI would open it wherever a link led).
fn working_dir(tree: &Tree, spec: &RunSpec) -> Result<PathBuf, SandboxError> {
    let refused = |why: String| SandboxError::Wasm(format!("the working directory {}: {why}", spec.cwd.display()));
    let rel = spec.cwd.strip_prefix(&spec.worktree).map_err(|_| refused("it is not inside the worktree".into()))?;
    tree.open_dir(rel).map_err(|e| refused(e.reason()))?;
    Ok(rel.to_path_buf())
}

/// What a program name stands for: a module of the user's installed programs, or a
/// `.wasm` file of the worktree (relative to `cwd`, itself relative to the worktree).
#[derive(Debug, PartialEq, Eq)]
enum Source {
    Installed(PathBuf),
    InTree(PathBuf),
}

/// The module a program name stands for. A path is a path of the worktree: it is read
/// beneath it without following a link, so `..`, an absolute path elsewhere or a link to
/// a host file never names a module.
fn resolve(name: &str, worktree: &Path, cwd: &Path, programs: &Path) -> Result<Source, SandboxError> {
    if name.contains('/') || name.ends_with(".wasm") {
        let path = Path::new(name);
        return match path.strip_prefix(worktree) {
            Ok(rel) => Ok(Source::InTree(rel.to_path_buf())),
            Err(_) if path.is_absolute() => Err(SandboxError::Wasm(format!(
                "no WASI module at {name}: the wasm backend runs modules of the worktree or installed programs only"
            ))),
            Err(_) => Ok(Source::InTree(cwd.join(path))),
        };
    }
    let stem = if name.starts_with("python") { "python" } else { name };
    let path = programs.join(format!("{stem}.wasm"));
    if path.is_file() {
        return Ok(Source::Installed(path));
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
    fn programs_resolve_to_installed_modules_or_paths_of_the_worktree() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("python.wasm"), b"\0asm").unwrap();
        let installed = |p: &str| Source::Installed(dir.path().join(p));
        let in_tree = |p: &str| Source::InTree(PathBuf::from(p));
        let (tree, cwd) = (Path::new("/wt"), Path::new("sub"));
        assert_eq!(resolve("python3", tree, cwd, dir.path()).unwrap(), installed("python.wasm"));
        assert_eq!(resolve("./tool.wasm", tree, cwd, dir.path()).unwrap(), in_tree("sub/./tool.wasm"));
        assert_eq!(resolve("/wt/a/t.wasm", tree, cwd, dir.path()).unwrap(), in_tree("a/t.wasm"));
        let outside = resolve("/usr/lib/t.wasm", tree, cwd, dir.path()).unwrap_err().to_string();
        assert!(outside.contains("modules of the worktree"), "{outside}");
        let missing = resolve("ruby", tree, cwd, dir.path()).unwrap_err().to_string();
        assert!(missing.contains("ruby.wasm"), "{missing}");
        let no_python = resolve("python", tree, cwd, Path::new("/none")).unwrap_err().to_string();
        assert!(no_python.contains("wright sandbox install-python"), "{no_python}");
    }

    #[test]
    fn a_module_or_working_directory_through_a_link_or_dotdot_is_refused() {
        let host = tempfile::tempdir().unwrap();
        std::fs::write(host.path().join("evil.wasm"), b"\0asm\x01\0\0\0").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let wt = dir.path().join("wt");
        std::fs::create_dir_all(wt.join("sub")).unwrap();
        std::os::unix::fs::symlink(host.path().join("evil.wasm"), wt.join("link.wasm")).unwrap();
        std::os::unix::fs::symlink(host.path(), wt.join("hostdir")).unwrap();
        std::fs::copy(host.path().join("evil.wasm"), dir.path().join("beside.wasm")).unwrap();
        let mut spec = RunSpec::new(Program::Argv(vec!["x".into()]), &wt);
        spec.isolation.wasm.runner = Some(PathBuf::from("/nonexistent/runner"));
        spec.isolation.wasm.cache = dir.path().join("cache");
        let refusal = |spec: &RunSpec, argv: &[&str]| {
            let mut spec = spec.clone();
            spec.program = Program::Argv(argv.iter().map(|a| a.to_string()).collect());
            run(&spec).unwrap_err().to_string()
        };
        for (argv, why) in [
            (vec!["./link.wasm"], "symbolic link"),
            (vec!["hostdir/evil.wasm"], "symbolic link"),
            (vec!["../beside.wasm"], "stay inside the worktree"),
            (vec!["sub/../../beside.wasm"], "stay inside the worktree"),
        ] {
            let err = refusal(&spec, &argv);
            assert!(err.contains("no WASI module") && err.contains(why), "{argv:?}: {err}");
        }
        let outside = dir.path().join("beside.wasm").display().to_string();
        assert!(refusal(&spec, &[&outside]).contains("modules of the worktree"));

        for cwd in [wt.join("hostdir"), wt.join("sub/../.."), dir.path().to_path_buf()] {
            spec.cwd = cwd.clone();
            let err = refusal(&spec, &["./x.wasm"]);
            assert!(err.contains("the working directory"), "{cwd:?}: {err}");
        }
    }
}
