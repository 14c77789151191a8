//! Running an agent's command in a process group of its own, killed at a time limit or
//! when a watch over it says stop.

use std::process::Command;
use std::time::{Duration, Instant};

/// A check made while a command runs: when `stop` says so, the command is killed.
pub(crate) struct Watch<'a> {
    pub every: Duration,
    pub stop: &'a mut dyn FnMut() -> bool,
}

/// Why the harness killed a command: its time ran out, or (`watched`) its watch said stop.
#[derive(Debug)]
pub(crate) struct Stopped {
    pub watched: bool,
}

/// Runs `cmd` in a process group of its own; kills the group after `limit`, or when the
/// watch says so.
pub(crate) fn run_within(
    mut cmd: Command,
    limit: Duration,
    mut watch: Option<Watch>,
) -> std::io::Result<Result<std::process::ExitStatus, Stopped>> {
    use std::os::unix::process::CommandExt;
    let mut child = cmd.process_group(0).spawn()?;
    let deadline = Instant::now().checked_add(limit);
    let mut next_look = Instant::now();
    loop {
        if let Some(status) = child.try_wait()? {
            return Ok(Ok(status));
        }
        let watched = match &mut watch {
            Some(w) if Instant::now() >= next_look => {
                next_look = Instant::now().checked_add(w.every).unwrap_or(next_look);
                (w.stop)()
            }
            _ => false,
        };
        if watched || deadline.is_some_and(|d| Instant::now() >= d) {
            // SAFETY: killpg only sends a signal to the group this child leads.
            unsafe {
                libc::killpg(child.id() as i32, libc::SIGKILL);
            }
            let _ = child.wait();
            return Ok(Err(Stopped { watched }));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_command_is_killed_at_its_limit_or_when_its_watch_says_stop() {
        let sleeper = || {
            let mut c = Command::new("sh");
            c.args(["-c", "sleep 30 & sleep 30"]);
            c
        };
        let started = Instant::now();
        let timed_out = run_within(sleeper(), Duration::from_millis(200), None).unwrap();
        assert!(matches!(timed_out, Err(Stopped { watched: false })));
        let mut looks = 0;
        let mut stop = || {
            looks += 1;
            looks == 2
        };
        let watched =
            run_within(sleeper(), Duration::from_secs(60), Some(Watch { every: Duration::ZERO, stop: &mut stop }))
                .unwrap();
        assert!(matches!(watched, Err(Stopped { watched: true })));
        assert!(started.elapsed() < Duration::from_secs(30), "the whole group was killed, not waited for");
        let done = run_within(Command::new("true"), Duration::from_secs(60), None).unwrap();
        assert!(done.is_ok_and(|s| s.success()));
    }
}
