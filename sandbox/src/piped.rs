//! A long-lived sandboxed process that talks over its standard input and output (an MCP
//! server): the same bubblewrap, cgroup and environment as a one-shot command, no
//! deadline, and its whole tree killed when the handle is dropped.

use std::collections::VecDeque;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};

use crate::cgroup::Cgroup;
use crate::gitdirs::GitView;
use crate::process::{kill_group, prepare};
use crate::{RunSpec, SandboxError};

/// Bytes of standard error kept (the latest), to say why a process stopped.
const STDERR_TAIL: usize = 4096;

/// A running sandboxed process with piped stdin and stdout. Its stderr is read as it comes
/// and its tail kept. Dropping it kills the process and everything it started.
pub struct Piped {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Option<ChildStdout>,
    stderr: Arc<Mutex<VecDeque<u8>>>,
    group: Option<Cgroup>,
    /// The credential-free git configs the sandbox shows, kept while it runs.
    _git: GitView,
    enforced: String,
    /// Dropped last: the thread that started the process ends with it.
    _keeper: mpsc::Sender<()>,
}

/// Starts `spec`'s program as a long-lived process; its timeout and cancel are not used
/// (the owner decides when it ends, by dropping the handle). `read_only` host paths are
/// shown to it, read-only, where they are (the user's choice: its program, say).
pub fn spawn_piped(spec: &RunSpec, read_only: &[PathBuf]) -> Result<Piped, SandboxError> {
    let shown: Vec<(PathBuf, PathBuf)> = read_only.iter().map(|p| (p.clone(), p.clone())).collect();
    let prepared = prepare(spec, &shown)?;
    let mut cmd = prepared.cmd;
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    // bubblewrap dies with the thread that started it (`--die-with-parent` is tied to the
    // thread, not the process), so a thread of its own starts it and lives as long as it.
    let (started, child) = mpsc::channel();
    let (keeper, kept) = mpsc::channel::<()>();
    std::thread::spawn(move || {
        let _ = started.send(cmd.spawn());
        let _ = kept.recv();
    });
    let mut child = child
        .recv()
        .map_err(|e| SandboxError::Spawn(std::io::Error::other(e.to_string())))?
        .map_err(SandboxError::Spawn)?;
    let stderr = Arc::new(Mutex::new(VecDeque::new()));
    if let Some(mut pipe) = child.stderr.take() {
        let tail = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut tail) = tail.lock() {
                    tail.extend(buf.iter().take(n));
                    let over = tail.len().saturating_sub(STDERR_TAIL);
                    tail.drain(..over);
                }
            }
        });
    }
    Ok(Piped {
        _keeper: keeper,
        stdin: child.stdin.take(),
        stdout: child.stdout.take(),
        child,
        stderr,
        group: prepared.group,
        _git: prepared.git,
        enforced: prepared.enforced.join("; "),
    })
}

impl Piped {
    /// The process's standard input and output, once.
    pub fn take_io(&mut self) -> Option<(ChildStdin, ChildStdout)> {
        Some((self.stdin.take()?, self.stdout.take()?))
    }

    /// The latest of what it wrote to standard error, lossily decoded.
    pub fn stderr_tail(&self) -> String {
        let bytes: Vec<u8> = self.stderr.lock().map(|t| t.iter().copied().collect()).unwrap_or_default();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// How it ended, when it has.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// The isolation and limits in force, in words.
    pub fn enforced(&self) -> &str {
        &self.enforced
    }
}

impl Drop for Piped {
    fn drop(&mut self) {
        if let Some(group) = &self.group {
            group.kill_all();
        }
        if let Ok(pgid) = i32::try_from(self.child.id()) {
            kill_group(pgid);
        }
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Write};

    use super::*;
    use crate::{Backend, Program};

    #[test]
    fn a_piped_process_answers_line_by_line_and_dies_with_its_handle() {
        let dir = tempfile::tempdir().unwrap();
        for backend in [Backend::Process, Backend::None] {
            let script = "echo started >&2; (sleep 30; touch late) & while read line; do echo \"got $line\"; done";
            let mut spec = RunSpec::new(Program::Shell(script.into()), dir.path());
            spec.isolation.backend = backend;
            let mut piped = spawn_piped(&spec, &[]).unwrap();
            let (mut stdin, stdout) = piped.take_io().unwrap();
            let mut lines = BufReader::new(stdout).lines();
            writeln!(stdin, "one").unwrap();
            assert_eq!(lines.next().unwrap().unwrap(), "got one");
            writeln!(stdin, "two").unwrap();
            assert_eq!(lines.next().unwrap().unwrap(), "got two");
            assert!(piped.exited().is_none());
            // Its stderr is read by a thread of its own: give it a moment.
            let heard = (0..200).any(|_| {
                std::thread::sleep(std::time::Duration::from_millis(10));
                piped.stderr_tail().contains("started")
            });
            assert!(heard, "{}", piped.stderr_tail());
            drop(piped);
            // Its output ends: nothing of its tree holds the pipe open.
            assert!(lines.next().is_none());
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        assert!(!dir.path().join("late").exists());
    }

    #[test]
    fn a_process_that_ends_says_so_and_keeps_its_last_words() {
        let dir = tempfile::tempdir().unwrap();
        let words = "x".repeat(10_000) + "the end";
        let spec = RunSpec::new(Program::Shell(format!("echo {words} >&2; exit 3")), dir.path());
        let mut piped = spawn_piped(&spec, &[]).unwrap();
        let status = (0..500).find_map(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            piped.exited()
        });
        assert_eq!(status.and_then(|s| s.code()), Some(3));
        std::thread::sleep(std::time::Duration::from_millis(100));
        let tail = piped.stderr_tail();
        assert!(tail.trim_end().ends_with("the end") && tail.len() <= STDERR_TAIL, "{}", tail.len());
    }
}
