//! Runs one `sh -c` command in its own process group with a deadline and capped output.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::capture::Capture;
use crate::{Captured, EnvPolicy, SandboxError};

/// What to run and under which limits.
#[derive(Debug, Clone)]
pub struct RunSpec {
    /// Passed to `sh -c`.
    pub command: String,
    pub cwd: PathBuf,
    pub timeout: Duration,
    pub env: EnvPolicy,
    /// Bytes kept per stream (head and tail halves).
    pub output_limit: usize,
}

/// How a command ended.
#[derive(Debug, Clone)]
pub struct RunOutput {
    /// Exit code, or `None` when a signal ended it.
    pub exit_code: Option<i32>,
    pub signal: Option<i32>,
    pub timed_out: bool,
    pub stdout: Captured,
    pub stderr: Captured,
    pub duration: Duration,
}

impl RunOutput {
    pub fn success(&self) -> bool {
        self.exit_code == Some(0) && !self.timed_out
    }

    /// Shell-style status: the exit code, 124 on timeout, 128+signal when killed.
    pub fn status_code(&self) -> i32 {
        if self.timed_out {
            124
        } else if let Some(code) = self.exit_code {
            code
        } else {
            128 + self.signal.unwrap_or(9)
        }
    }
}

/// How long to wait for output pipes after the command ended (a stray child may hold them).
const DRAIN_GRACE: Duration = Duration::from_secs(2);

pub fn run(spec: &RunSpec) -> Result<RunOutput, SandboxError> {
    if !spec.cwd.is_dir() {
        return Err(SandboxError::MissingDir(spec.cwd.clone()));
    }
    let started = Instant::now();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(&spec.command)
        .current_dir(&spec.cwd)
        .env_clear()
        .envs(spec.env.build(std::env::vars()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()
        .map_err(SandboxError::Spawn)?;
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

    let deadline = started + spec.timeout;
    let mut timed_out = false;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(SandboxError::Wait)? {
            break status;
        }
        if Instant::now() >= deadline {
            timed_out = true;
            kill_group(pgid);
            break child.wait().map_err(SandboxError::Wait)?;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    // Whatever the command left running in its group goes with it.
    kill_group(pgid);

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
    Ok(RunOutput {
        exit_code: status.code(),
        signal: status.signal(),
        timed_out,
        stdout,
        stderr,
        duration: started.elapsed(),
    })
}

fn kill_group(pgid: i32) {
    // SAFETY: killpg only sends a signal; a group that is already gone yields ESRCH.
    unsafe {
        libc::killpg(pgid, libc::SIGKILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(command: &str, dir: &std::path::Path) -> RunSpec {
        RunSpec {
            command: command.into(),
            cwd: dir.to_path_buf(),
            timeout: Duration::from_secs(10),
            env: EnvPolicy::default(),
            output_limit: 1000,
        }
    }

    #[test]
    fn captures_output_and_exit_code() {
        let dir = tempfile::tempdir().unwrap();
        let out = run(&spec("echo out; echo err >&2; exit 3", dir.path())).unwrap();
        assert_eq!(out.exit_code, Some(3));
        assert_eq!(out.stdout.text, "out\n");
        assert_eq!(out.stderr.text, "err\n");
        assert!(!out.success());
    }

    #[test]
    fn timeout_kills_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = spec("(sleep 30; touch late) & sleep 30", dir.path());
        s.timeout = Duration::from_millis(300);
        let out = run(&s).unwrap();
        assert!(out.timed_out);
        assert_eq!(out.status_code(), 124);
        assert!(out.duration < Duration::from_secs(10));
        assert!(!dir.path().join("late").exists());
    }

    #[test]
    fn environment_is_scrubbed() {
        let dir = tempfile::tempdir().unwrap();
        // The test process itself has no secret; give the child a chance to print any.
        let out = run(&spec("env", dir.path())).unwrap();
        for line in out.stdout.text.lines() {
            let name = line.split('=').next().unwrap_or("");
            assert!(!crate::is_secret_name(name), "leaked {name}");
        }
        assert!(out.stdout.text.contains("PYTHONDONTWRITEBYTECODE=1"));
    }

    #[test]
    fn floods_are_capped() {
        let dir = tempfile::tempdir().unwrap();
        let out = run(&spec("yes | head -c 100000", dir.path())).unwrap();
        assert!(out.stdout.cut_bytes > 90_000);
        assert!(out.stdout.text.len() < 1100);
    }
}
