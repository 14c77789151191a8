//! The runner: executes one compiled WASI module, from inside the process sandbox.
//!
//! wright starts it through bubblewrap and a cgroup like any other command, so a wasm
//! program sits behind two walls: WASI's capabilities (only the preopened directories,
//! no sockets, no processes) and the process sandbox around the runner.

use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::time::Duration;

use wasmtime::{Linker, ResourceLimiter, Store, Trap};
use wasmtime_wasi::p1::WasiP1Ctx;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder};
use wright_tree::Tree;

use super::engine::{EPOCH_TICK_MS, engine, load};

/// What the runner was asked to do; see [`GuestArgs::to_argv`] for its command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestArgs {
    pub compiled: PathBuf,
    /// Host directories and the names the program sees them under.
    pub dirs: Vec<(PathBuf, String)>,
    pub timeout: Duration,
    pub memory_bytes: u64,
    /// The program's own argv, `argv[0]` first.
    pub argv: Vec<String>,
}

/// Exit codes the runner uses for its own verdicts, as the process backend does.
pub const EXIT_TIMEOUT: i32 = 124;
pub const EXIT_LIMIT: i32 = 137;
const EXIT_TRAP: i32 = 134;
const EXIT_USAGE: i32 = 2;

impl GuestArgs {
    pub fn to_argv(&self) -> Vec<String> {
        let mut out = vec![
            "--module".to_string(),
            self.compiled.display().to_string(),
            "--timeout-ms".to_string(),
            self.timeout.as_millis().to_string(),
            "--memory-bytes".to_string(),
            self.memory_bytes.to_string(),
        ];
        for (host, guest) in &self.dirs {
            out.push("--dir".to_string());
            out.push(format!("{}::{guest}", host.display()));
        }
        out.push("--".to_string());
        out.extend(self.argv.iter().cloned());
        out
    }

    pub fn parse(mut args: impl Iterator<Item = String>) -> Result<GuestArgs, String> {
        let mut parsed = GuestArgs {
            compiled: PathBuf::new(),
            dirs: Vec::new(),
            timeout: Duration::from_secs(60),
            memory_bytes: 1 << 30,
            argv: Vec::new(),
        };
        while let Some(flag) = args.next() {
            if flag == "--" {
                parsed.argv = args.collect();
                break;
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            let number = || value.parse::<u64>().map_err(|_| format!("{flag} takes a number, not `{value}`"));
            match flag.as_str() {
                "--module" => parsed.compiled = PathBuf::from(&value),
                "--timeout-ms" => parsed.timeout = Duration::from_millis(number()?),
                "--memory-bytes" => parsed.memory_bytes = number()?,
                "--dir" => {
                    let (host, guest) = value.split_once("::").ok_or("--dir takes HOST::GUEST")?;
                    parsed.dirs.push((PathBuf::from(host), guest.to_string()));
                }
                other => return Err(format!("unknown runner flag {other}")),
            }
        }
        if parsed.argv.is_empty() || parsed.compiled.as_os_str().is_empty() {
            return Err("usage: --module CWASM [--dir HOST::GUEST].. -- ARGV0 ARGS..".to_string());
        }
        Ok(parsed)
    }
}

struct GuestState {
    wasi: WasiP1Ctx,
    memory: MemoryCap,
}

/// Refuses memory growth past the cap, and remembers that it did.
struct MemoryCap {
    max: usize,
    hit: bool,
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.max {
            self.hit = true;
            return Err(wasmtime::format_err!("memory limit of {} MB reached", self.max >> 20));
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _max: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 10_000_000)
    }
}

/// Runs the runner with its command-line arguments; returns the process exit code.
pub fn runner_main(args: impl Iterator<Item = String>) -> i32 {
    match GuestArgs::parse(args) {
        Ok(parsed) => run_guest(&parsed),
        Err(why) => {
            eprintln!("wright wasm runner: {why}");
            EXIT_USAGE
        }
    }
}

pub fn run_guest(args: &GuestArgs) -> i32 {
    match execute(args) {
        Ok(code) => code,
        Err(why) => {
            eprintln!("wright wasm runner: {why}");
            EXIT_TRAP
        }
    }
}

fn execute(args: &GuestArgs) -> Result<i32, String> {
    let engine = engine().map_err(|e| e.to_string())?;
    let module = load(&args.compiled).map_err(|e| e.to_string())?;
    let mut wasi = WasiCtxBuilder::new();
    wasi.inherit_stdout().inherit_stderr().inherit_env().args(&args.argv).allow_blocking_current_thread(true);
    for (host, guest) in &args.dirs {
        let beneath = beneath_first(&args.dirs, host)?;
        let path = beneath.as_ref().map_or_else(|| host.clone(), fd_path);
        wasi.preopened_dir(&path, guest, FsPerms::ReadWrite)
            .map_err(|e| format!("cannot open {} for the program: {e}", host.display()))?;
    }
    let memory = MemoryCap { max: usize::try_from(args.memory_bytes).unwrap_or(usize::MAX), hit: false };
    let mut store = Store::new(engine, GuestState { wasi: wasi.build_p1(), memory });
    store.limiter(|state| &mut state.memory);
    let ticks = (args.timeout.as_millis() as u64 / EPOCH_TICK_MS).max(1);
    store.set_epoch_deadline(ticks);
    store.epoch_deadline_trap();
    start_clock(engine.clone());

    let mut linker: Linker<GuestState> = Linker::new(engine);
    wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |state| &mut state.wasi).map_err(|e| e.to_string())?;
    let instance = linker.instantiate(&mut store, &module).map_err(|e| format!("cannot start the program: {e}"))?;
    let start = instance
        .get_typed_func::<(), ()>(&mut store, "_start")
        .map_err(|_| "the module has no `_start`: not a WASI command".to_string())?;
    let outcome = start.call(&mut store, ());
    Ok(match outcome {
        Ok(()) => 0,
        Err(e) => {
            if let Some(exit) = e.downcast_ref::<I32Exit>() {
                exit.0
            } else if store.data().memory.hit {
                eprintln!("\nwright: the program reached the memory limit ({} MB)", args.memory_bytes >> 20);
                EXIT_LIMIT
            } else if matches!(e.downcast_ref::<Trap>(), Some(Trap::Interrupt)) {
                eprintln!("\nwright: the program ran past its deadline of {} s", args.timeout.as_secs());
                EXIT_TIMEOUT
            } else {
                eprintln!("\nwright: the program trapped: {e:?}");
                EXIT_TRAP
            }
        }
    })
}

/// A relative host directory (the working directory) is opened beneath the first one
/// (the worktree) with no link followed, and handed to WASI as that very directory: a
/// link planted in the worktree cannot widen what the program sees.
fn beneath_first(dirs: &[(PathBuf, String)], host: &Path) -> Result<Option<OwnedFd>, String> {
    if host.is_absolute() {
        return Ok(None);
    }
    let root = dirs.first().map(|d| &d.0).filter(|root| root.is_absolute());
    let root = root.ok_or_else(|| format!("{}: a relative directory needs the worktree first", host.display()))?;
    let tree = Tree::open(root).map_err(|e| format!("cannot open {}: {e}", root.display()))?;
    let fd = tree.open_dir(host).map_err(|e| format!("the working directory {e}"))?;
    Ok(Some(fd))
}

/// The path that names exactly the directory `fd` holds open.
fn fd_path(fd: &OwnedFd) -> PathBuf {
    PathBuf::from(format!("/proc/self/fd/{}", fd.as_raw_fd()))
}

/// Advances the engine's epoch every tick (one clock per process); a store traps when
/// its deadline passes.
fn start_clock(engine: wasmtime::Engine) {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        std::thread::spawn(move || {
            loop {
                std::thread::sleep(Duration::from_millis(EPOCH_TICK_MS));
                engine.increment_epoch();
            }
        });
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runner_arguments_round_trip() {
        let args = GuestArgs {
            compiled: PathBuf::from("/cache/m.cwasm"),
            dirs: vec![(PathBuf::from("/repo"), "/work".to_string()), (PathBuf::from("/repo/sub"), ".".to_string())],
            timeout: Duration::from_millis(2500),
            memory_bytes: 64 << 20,
            argv: vec!["python".to_string(), "-c".to_string(), "print(1)".to_string()],
        };
        assert_eq!(GuestArgs::parse(args.to_argv().into_iter()), Ok(args));
    }

    fn guest(body: &str, timeout_ms: u64, memory_bytes: u64) -> i32 {
        let dir = tempfile::tempdir().unwrap();
        let module = dir.path().join("m.wasm");
        let text = format!(
            r#"(module
                (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
                (memory (export "memory") 1)
                (func (export "_start") {body}))"#
        );
        std::fs::write(&module, wat::parse_str(text).unwrap()).unwrap();
        let compiled = super::super::engine::compiled(&dir.path().join("cache"), &module).unwrap();
        run_guest(&GuestArgs {
            compiled,
            dirs: vec![(dir.path().to_path_buf(), "/work".to_string())],
            timeout: Duration::from_millis(timeout_ms),
            memory_bytes,
            argv: vec!["m".to_string()],
        })
    }

    #[test]
    fn the_program_exit_code_is_returned() {
        assert_eq!(guest("(call $exit (i32.const 7))", 5000, 1 << 20), 7);
        assert_eq!(guest("", 5000, 1 << 20), 0);
        assert_eq!(guest("unreachable", 5000, 1 << 20), EXIT_TRAP);
    }

    #[test]
    fn the_deadline_stops_an_endless_loop() {
        let started = std::time::Instant::now();
        assert_eq!(guest("(loop $l (br $l))", 200, 1 << 20), EXIT_TIMEOUT);
        assert!(started.elapsed() < Duration::from_secs(30));
    }

    #[test]
    fn growing_past_the_memory_limit_is_a_limit_kill() {
        // 64 KiB pages: 100 pages is 6.4 MB against a 1 MB cap.
        let grow = "(drop (memory.grow (i32.const 100))) (call $exit (i32.const 0))";
        assert_eq!(guest(grow, 5000, 1 << 20), EXIT_LIMIT);
        assert_eq!(guest(grow, 5000, 64 << 20), 0);
    }

    #[test]
    fn the_working_directory_is_opened_beneath_the_worktree_only() {
        let host = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink(host.path(), dir.path().join("hostdir")).unwrap();
        let dirs = vec![(dir.path().to_path_buf(), "/work".to_string())];
        let opened = beneath_first(&dirs, Path::new("./sub")).unwrap().unwrap();
        let seen = std::fs::read_link(fd_path(&opened)).unwrap();
        assert_eq!(seen, dir.path().join("sub").canonicalize().unwrap());
        for bad in ["./hostdir", "hostdir/x", "../", "sub/../.."] {
            let err = beneath_first(&dirs, Path::new(bad)).unwrap_err();
            assert!(err.contains("the working directory"), "{bad}: {err}");
        }
        assert!(beneath_first(&[], Path::new(".")).is_err());
        assert!(beneath_first(&dirs, Path::new("/tmp")).unwrap().is_none());
    }

    #[test]
    fn bad_runner_arguments_say_why() {
        let err = GuestArgs::parse(["--timeout-ms", "soon", "--", "x"].map(String::from).into_iter()).unwrap_err();
        assert!(err.contains("takes a number"), "{err}");
        let err = GuestArgs::parse(["--module", "m"].map(String::from).into_iter()).unwrap_err();
        assert!(err.contains("usage"), "{err}");
    }
}
