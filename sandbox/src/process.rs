//! Runs one command: inside bubblewrap and a cgroup of its own (or, when the user opted
//! out, bare), in its own process group, with a deadline and capped output.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::capture::Capture;
use crate::cgroup::Cgroup;
use crate::gitdirs::GitView;
use crate::policy::Backend;
use crate::spec::{Program, RunOutput, RunSpec};
use crate::{Captured, SandboxError, bwrap};

/// How long to wait for output pipes after the command ended (a stray child may hold them).
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// Runs `spec` as a process; `extra_ro` files are bound read-only inside the sandbox.
pub(crate) fn run(spec: &RunSpec, extra_ro: &[(PathBuf, PathBuf)]) -> Result<RunOutput, SandboxError> {
    let prepared = prepare(spec, extra_ro)?;
    let result = supervise(prepared.cmd, spec, prepared.group.as_ref(), prepared.enforced.join("; "));
    drop(prepared.git);
    result
}

/// A sandboxed command ready to spawn, and what must live as long as it runs.
pub(crate) struct Prepared {
    pub cmd: Command,
    pub group: Option<Cgroup>,
    /// Holds the git configs' credential-free copies until the command is over.
    pub git: GitView,
    /// The isolation and limits in force, in words.
    pub enforced: Vec<String>,
}

/// The command `spec` describes, in bubblewrap and a cgroup (or bare, when the user opted
/// out), with its rlimits set at exec.
pub(crate) fn prepare(spec: &RunSpec, extra_ro: &[(PathBuf, PathBuf)]) -> Result<Prepared, SandboxError> {
    if !spec.cwd.is_dir() {
        return Err(SandboxError::MissingDir(spec.cwd.clone()));
    }
    let host_env: Vec<(std::ffi::OsString, std::ffi::OsString)> = std::env::vars_os().collect();
    let env = spec.env.build(host_env.iter().cloned());
    let iso = &spec.isolation;
    let mut enforced = Vec::new();
    let mut git = GitView::default();
    let mut cmd = match iso.backend {
        Backend::Process | Backend::Wasm => {
            bwrap::available().map_err(SandboxError::Unavailable)?;
            git = GitView::new(&spec.worktree, &iso.git_dirs)?;
            let (loader_env, own_env): (Vec<_>, Vec<_>) =
                env.iter().cloned().partition(|(k, _)| bwrap::is_loader_var(k));
            let args = bwrap::args(&bwrap::Layout {
                worktree: &spec.worktree,
                cwd: &spec.cwd,
                network: iso.network,
                tmp_bytes: iso.tmp_bytes,
                hidden: &iso.hidden,
                git_binds: &git.binds,
                git_configs: &git.configs,
                loader_env: &loader_env,
                host_env: &host_env,
                extra_ro,
            });
            let mut c = Command::new(bwrap::program());
            // The command's environment is bwrap's own, which it passes on: read there (by
            // pid 1 of the namespace) it is the same, and on the host it stays off the
            // command line that every local user can read.
            c.env_clear().envs(own_env).args(args);
            enforced.push(format!(
                "bubblewrap (read-only /, worktree writable, private $HOME and /tmp, network {})",
                if iso.network { "on" } else { "off" }
            ));
            c
        }
        Backend::None => {
            enforced.push("no sandbox (--sandbox none)".to_string());
            let mut c = Command::new("env");
            c.current_dir(&spec.cwd).env_clear().envs(env.iter().cloned()).arg("--");
            c
        }
    };
    match &spec.program {
        Program::Shell(s) => cmd.args(["sh", "-c", s]),
        Program::Argv(argv) => cmd.args(argv),
    };
    let group = match Cgroup::create(iso.limits) {
        Ok(g) => {
            enforced.push(format!(
                "{}: {} processes, {} MB",
                g.description,
                iso.limits.max_pids,
                iso.limits.memory_bytes >> 20
            ));
            Some(g)
        }
        Err(why) => {
            enforced.push(format!("rlimits only (no cgroup: {why}); RLIMIT_NPROC does not hold back root"));
            None
        }
    };
    enforced.push(format!("files up to {} MB", iso.file_bytes >> 20));
    let limits = iso.limits;
    let file_bytes = iso.file_bytes;
    let joiner = group.as_ref().map(Cgroup::joiner);
    let bare = iso.backend == Backend::None;
    // SAFETY: the closure only makes async-signal-safe calls (open/write/close, setrlimit,
    // prctl).
    unsafe {
        cmd.pre_exec(move || {
            // bubblewrap dies with wright (--die-with-parent); a bare command does too
            // (what it starts may not: a bare run has no namespace to end with it).
            if bare && libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            if let Some(j) = &joiner {
                j.enter_self()?;
            } else {
                set_limit(libc::RLIMIT_NPROC, limits.max_pids)?;
                set_limit(libc::RLIMIT_AS, limits.memory_bytes)?;
            }
            set_limit(libc::RLIMIT_FSIZE, file_bytes)
        });
    }
    cmd.process_group(0);
    Ok(Prepared { cmd, group, git, enforced })
}

fn supervise(
    mut cmd: Command,
    spec: &RunSpec,
    group: Option<&Cgroup>,
    enforced: String,
) -> Result<RunOutput, SandboxError> {
    let started = Instant::now();
    let mut child =
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().map_err(SandboxError::Spawn)?;
    let pgid = child.id() as i32;
    let (tx, rx) = mpsc::channel();
    for (index, pipe) in [
        child.stdout.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        child.stderr.take().map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    ]
    .into_iter()
    .enumerate()
    {
        let tx = tx.clone();
        let limit = spec.output_limit;
        std::thread::spawn(move || {
            let captured = match pipe {
                Some(p) => Capture::new(limit).drain(p),
                None => Captured::default(),
            };
            let _ = tx.send((index, captured));
        });
    }
    drop(tx);

    // A timeout too large for the clock means no deadline.
    let deadline = started.checked_add(spec.timeout);
    let mut timed_out = false;
    let mut cancelled = false;
    let kill_everything = || {
        if let Some(g) = group {
            g.kill_all();
        }
        kill_group(pgid);
    };
    let status = loop {
        if let Some(status) = child.try_wait().map_err(SandboxError::Wait)? {
            break status;
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            timed_out = true;
            kill_everything();
            break child.wait().map_err(SandboxError::Wait)?;
        }
        if spec.cancel.is_cancelled() {
            cancelled = true;
            kill_everything();
            break child.wait().map_err(SandboxError::Wait)?;
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    // Whatever the command left running (a daemon) goes with it.
    kill_everything();

    let mut streams = [Captured::default(), Captured::default()];
    let drain_deadline = Instant::now() + DRAIN_GRACE;
    for _ in 0..2 {
        let left = drain_deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok((index, captured)) => streams[index] = captured,
            Err(_) => break,
        }
    }
    let [stdout, stderr] = streams;
    let limit_killed = if group.is_some_and(|g| g.oom_killed()) {
        Some("memory")
    } else if status.signal() == Some(libc::SIGXFSZ) || status.code() == Some(128 + libc::SIGXFSZ) {
        Some("file size")
    } else {
        None
    };
    Ok(RunOutput {
        exit_code: status.code(),
        signal: status.signal(),
        timed_out,
        cancelled,
        limit_killed,
        stdout,
        stderr,
        duration: started.elapsed(),
        enforced,
    })
}

fn set_limit(resource: libc::__rlimit_resource_t, value: u64) -> std::io::Result<()> {
    let limit = libc::rlimit { rlim_cur: value, rlim_max: value };
    // SAFETY: setrlimit reads the struct and changes this process's limits only.
    if unsafe { libc::setrlimit(resource, &limit) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

pub(crate) fn kill_group(pgid: i32) {
    // SAFETY: killpg only sends a signal; a group that is already gone yields ESRCH.
    unsafe {
        libc::killpg(pgid, libc::SIGKILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(command: &str, dir: &std::path::Path, backend: Backend) -> RunSpec {
        let mut spec = RunSpec::new(Program::Shell(command.into()), dir);
        spec.timeout = Duration::from_secs(10);
        spec.output_limit = 1000;
        spec.isolation.backend = backend;
        spec
    }

    fn run(spec: &RunSpec) -> Result<RunOutput, SandboxError> {
        super::run(spec, &[])
    }

    #[test]
    fn captures_output_and_exit_code_in_both_backends() {
        let dir = tempfile::tempdir().unwrap();
        for backend in [Backend::Process, Backend::None] {
            let out = run(&spec("echo out; echo err >&2; exit 3", dir.path(), backend)).unwrap();
            assert_eq!(
                (out.exit_code, out.stdout.text.as_str(), out.stderr.text.as_str()),
                (Some(3), "out\n", "err\n")
            );
            assert!(!out.success());
            assert!(out.enforced.contains(if backend == Backend::None { "no sandbox" } else { "bubblewrap" }));
        }
    }

    #[test]
    fn timeout_kills_the_whole_tree() {
        let dir = tempfile::tempdir().unwrap();
        for backend in [Backend::Process, Backend::None] {
            let mut s = spec("(sleep 30; touch late) & sleep 30", dir.path(), backend);
            s.timeout = Duration::from_millis(300);
            let out = run(&s).unwrap();
            assert!(out.timed_out);
            assert_eq!(out.status_code(), 124);
            assert!(out.duration < Duration::from_secs(10));
        }
        std::thread::sleep(Duration::from_millis(100));
        assert!(!dir.path().join("late").exists());
    }

    #[test]
    fn cancelling_kills_the_whole_tree_at_once() {
        let dir = tempfile::tempdir().unwrap();
        for backend in [Backend::Process, Backend::None] {
            let mut s = spec("(sleep 30; touch late) & sleep 30", dir.path(), backend);
            s.timeout = Duration::from_secs(60);
            let cancel = s.cancel.clone();
            let canceller = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                cancel.cancel();
            });
            let out = run(&s).unwrap();
            canceller.join().unwrap();
            assert!(out.cancelled && !out.timed_out && !out.success());
            assert_eq!(out.status_code(), 130);
            assert!(out.duration < Duration::from_secs(10));
        }
        std::thread::sleep(Duration::from_millis(100));
        assert!(!dir.path().join("late").exists());
    }

    #[test]
    fn environment_is_scrubbed() {
        let dir = tempfile::tempdir().unwrap();
        let out = run(&spec("env", dir.path(), Backend::Process)).unwrap();
        for line in out.stdout.text.lines() {
            let name = line.split('=').next().unwrap_or("");
            assert!(!crate::is_secret_name(name), "leaked {name}");
        }
        assert!(out.stdout.text.contains("PYTHONDONTWRITEBYTECODE=1"));
    }

    #[test]
    fn floods_are_capped() {
        let dir = tempfile::tempdir().unwrap();
        let out = run(&spec("yes | head -c 100000", dir.path(), Backend::Process)).unwrap();
        assert!(out.stdout.cut_bytes > 90_000);
        assert!(out.stdout.text.len() < 1100);
    }
}
