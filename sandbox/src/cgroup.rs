//! A cgroup per command, for the limits rlimits cannot give a root process: how many
//! processes (a fork bomb) and how much memory. cgroup v2 when the unified hierarchy is
//! mounted, else the v1 `pids` and `memory` controllers. Each group is made below the
//! group wright itself runs in, and removed (everything in it killed) when dropped.

use std::ffi::CString;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

const ROOT: &str = "/sys/fs/cgroup";

/// Limits for one command's whole process tree.
#[derive(Debug, Clone, Copy)]
pub struct TreeLimits {
    pub max_pids: u64,
    pub memory_bytes: u64,
}

/// The groups made for one command: one directory (v2) or one per v1 controller.
#[derive(Debug)]
pub(crate) struct Cgroup {
    dirs: Vec<PathBuf>,
    /// The files a new process writes its pid to, ready for use between fork and exec.
    procs: Vec<CString>,
    memory: Option<PathBuf>,
    pub(crate) description: String,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

impl Cgroup {
    /// Makes the groups, or says why it could not.
    pub(crate) fn create(limits: TreeLimits) -> Result<Cgroup, String> {
        let name = format!("wright-{}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let own = own_groups();
        if Path::new(ROOT).join("cgroup.controllers").exists() {
            let parent = Path::new(ROOT).join(own.get("").map(|p| p.trim_start_matches('/')).unwrap_or(""));
            let dir = parent.join(&name);
            let mut group = Cgroup::empty("cgroup v2 (pids.max, memory.max)");
            make(&dir)?;
            group.add(dir.clone());
            write(&dir.join("pids.max"), &limits.max_pids.to_string())?;
            write(&dir.join("memory.max"), &limits.memory_bytes.to_string())?;
            let _ = write(&dir.join("memory.swap.max"), "0");
            group.memory = Some(dir);
            return Ok(group);
        }
        let mut group = Cgroup::empty("cgroup v1 (pids, memory)");
        for controller in ["pids", "memory"] {
            let mount = Path::new(ROOT).join(controller);
            if !mount.join("cgroup.procs").exists() {
                return Err(format!("the cgroup v1 `{controller}` controller is not mounted at {}", mount.display()));
            }
            let parent = mount.join(own.get(controller).map(|p| p.trim_start_matches('/')).unwrap_or(""));
            let dir = parent.join(&name);
            make(&dir)?;
            group.add(dir.clone());
            if controller == "pids" {
                write(&dir.join("pids.max"), &limits.max_pids.to_string())?;
            } else {
                write(&dir.join("memory.limit_in_bytes"), &limits.memory_bytes.to_string())?;
                // Swap would let a memory bomb go on past the limit, slowly.
                let _ = write(&dir.join("memory.memsw.limit_in_bytes"), &limits.memory_bytes.to_string());
                group.memory = Some(dir);
            }
        }
        Ok(group)
    }

    fn empty(description: &str) -> Cgroup {
        Cgroup { dirs: Vec::new(), procs: Vec::new(), memory: None, description: description.to_string() }
    }

    fn add(&mut self, dir: PathBuf) {
        if let Ok(c) = CString::new(dir.join("cgroup.procs").to_string_lossy().as_bytes()) {
            self.procs.push(c);
        }
        self.dirs.push(dir);
    }

    /// What a child needs to join the groups between fork and exec.
    pub(crate) fn joiner(&self) -> Joiner {
        Joiner { procs: self.procs.clone() }
    }
}

/// The `cgroup.procs` files of a [`Cgroup`], owned, for the child to write itself into.
pub(crate) struct Joiner {
    procs: Vec<CString>,
}

impl Joiner {
    /// Moves the calling process into the groups. Only async-signal-safe calls: it runs
    /// in the child between fork and exec.
    pub(crate) fn enter_self(&self) -> std::io::Result<()> {
        // SAFETY: getpid, open, write and close are async-signal-safe; the buffers live on
        // this stack frame and the paths were made before the fork.
        unsafe {
            let mut digits = [0u8; 20];
            let mut n = libc::getpid() as u64;
            let mut at = digits.len();
            loop {
                at -= 1;
                digits[at] = b'0' + (n % 10) as u8;
                n /= 10;
                if n == 0 {
                    break;
                }
            }
            for path in &self.procs {
                let fd = libc::open(path.as_ptr(), libc::O_WRONLY);
                if fd < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                let wrote = libc::write(fd, digits[at..].as_ptr().cast(), digits.len() - at);
                libc::close(fd);
                if wrote < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
        }
        Ok(())
    }
}

impl Cgroup {
    /// True when the kernel's OOM killer acted in this group.
    pub(crate) fn oom_killed(&self) -> bool {
        let Some(dir) = &self.memory else { return false };
        let events = std::fs::read_to_string(dir.join("memory.events"))
            .or_else(|_| std::fs::read_to_string(dir.join("memory.oom_control")))
            .unwrap_or_default();
        let count = |key: &str| {
            events.lines().find_map(|l| l.strip_prefix(key)).and_then(|v| v.trim().parse::<u64>().ok()).unwrap_or(0)
        };
        count("oom_kill ") > 0
    }

    /// SIGKILL everything in the groups until they are empty.
    pub(crate) fn kill_all(&self) {
        for _ in 0..100 {
            let mut any = false;
            for dir in &self.dirs {
                let procs = std::fs::read_to_string(dir.join("cgroup.procs")).unwrap_or_default();
                for pid in procs.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
                    any = true;
                    // SAFETY: kill only sends a signal.
                    unsafe {
                        libc::kill(pid, libc::SIGKILL);
                    }
                }
            }
            if !any {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        self.kill_all();
        for dir in &self.dirs {
            // The kernel may take a moment to release the last dead process.
            for _ in 0..50 {
                if std::fs::remove_dir(dir).is_ok() || !dir.exists() {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }
    }
}

/// This process's group per controller ("" for v2), from /proc/self/cgroup.
fn own_groups() -> std::collections::HashMap<String, String> {
    let text = std::fs::read_to_string("/proc/self/cgroup").unwrap_or_default();
    let mut out = std::collections::HashMap::new();
    for line in text.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next(), parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
        for c in controllers.split(',') {
            out.insert(c.to_string(), path.to_string());
        }
    }
    out
}

fn make(dir: &Path) -> Result<(), String> {
    std::fs::create_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))
}

fn write(path: &Path, value: &str) -> Result<(), String> {
    std::fs::write(path, value).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
