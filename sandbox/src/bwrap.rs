//! The bubblewrap command line for one sandboxed command: read-only `/`, the worktree
//! read-write, the git dirs read-only with configs free of credentials, a private `$HOME`
//! holding only the toolchains, a size-limited private `/tmp`, secrets on disk
//! hidden, new namespaces, an environment built from the allow-list.

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Toolchain homes kept visible (read-only) inside the private `$HOME`.
const TOOLCHAIN_VARS: &[&str] =
    &["CARGO_HOME", "RUSTUP_HOME", "PYENV_ROOT", "GOROOT", "GOPATH", "NVM_DIR", "JAVA_HOME"];
const TOOLCHAIN_DIRS: &[&str] = &[".cargo", ".rustup", ".pyenv", ".nvm", ".local/bin"];

pub(crate) struct Layout<'a> {
    pub worktree: &'a Path,
    pub cwd: &'a Path,
    pub network: bool,
    pub tmp_bytes: u64,
    pub env: &'a [(OsString, OsString)],
    /// Directories that must not be visible (wright's data, config and cache).
    pub hidden: &'a [PathBuf],
    /// Git dirs (and the worktree's `.git`), bound read-only at their own paths.
    pub git_binds: &'a [PathBuf],
    /// Credential-free copies of git configs, each bound over its original.
    pub git_configs: &'a [(PathBuf, PathBuf)],
    /// Host environment, to find `$HOME` and the toolchains.
    pub host_env: &'a [(OsString, OsString)],
    /// Files bound read-only under the private `/run` (host path, path inside).
    pub extra_ro: &'a [(PathBuf, PathBuf)],
}

/// Arguments for `bwrap`, up to and including `--`.
pub(crate) fn args(l: &Layout) -> Vec<OsString> {
    let mut a = Args::default();
    a.push(["--ro-bind", "/", "/"]);
    a.push(["--dev", "/dev"]);
    a.push(["--proc", "/proc"]);
    a.push(["--size", &l.tmp_bytes.to_string(), "--tmpfs", "/tmp"]);
    a.push(["--tmpfs", "/dev/shm"]);
    // Host sockets (docker, dbus, databases) live here; a unix socket ignores the network namespace.
    a.push(["--tmpfs", "/run"]);
    let var = |name: &str| l.host_env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    // `$HOME`, and the account's home from /etc/passwd when `$HOME` points elsewhere.
    let mut homes: Vec<PathBuf> = [var("HOME").map(PathBuf::from), passwd_home()]
        .into_iter()
        .flatten()
        .filter(|h| h.is_dir() && h != Path::new("/"))
        .collect();
    homes.dedup();
    for home in &homes {
        a.push_paths("--tmpfs", &[home]);
        for dir in toolchains(home, &var) {
            a.push_paths("--ro-bind", &[&dir, &dir]);
        }
    }
    for secret in ["/etc/shadow", "/etc/gshadow", "/etc/sudoers"] {
        if Path::new(secret).exists() {
            a.push(["--ro-bind", "/dev/null", secret]);
        }
    }
    for dir in l.hidden.iter().filter(|d| d.is_dir() && !homes.iter().any(|h| d.starts_with(h))) {
        a.push_paths("--tmpfs", &[dir]);
    }
    a.push_paths("--bind", &[l.worktree, l.worktree]);
    for path in l.git_binds {
        a.push_paths("--ro-bind", &[path, path]);
    }
    for (copy, target) in l.git_configs {
        a.push_paths("--ro-bind", &[copy, target]);
    }
    for (host, inside) in l.extra_ro {
        a.push_paths("--ro-bind", &[host, inside]);
    }
    a.push(["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]);
    a.push(["--hostname", "wright-sandbox"]);
    if l.network {
        a.push(["--share-net"]);
    }
    a.push(["--clearenv"]);
    for (k, v) in l.env {
        a.push_os(&["--setenv".as_ref(), k.as_os_str(), v.as_os_str()]);
    }
    a.push_paths("--chdir", &[l.cwd]);
    a.push(["--"]);
    a.0
}

/// The home directory /etc/passwd gives the current user.
fn passwd_home() -> Option<PathBuf> {
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() }.to_string();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    passwd
        .lines()
        .map(|l| l.split(':').collect::<Vec<_>>())
        .find(|f| f.len() > 5 && f[2] == uid)
        .map(|f| PathBuf::from(f[5]))
}

fn toolchains(home: &Path, var: &dyn Fn(&str) -> Option<OsString>) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut add = |p: PathBuf| {
        // Only what `$HOME`'s tmpfs would hide, and never `$HOME` itself.
        if p.starts_with(home) && p != home && p.exists() && !dirs.iter().any(|d| p.starts_with(d)) {
            dirs.retain(|d| !d.starts_with(&p));
            dirs.push(p);
        }
    };
    for name in TOOLCHAIN_VARS {
        if let Some(v) = var(name) {
            add(PathBuf::from(v));
        }
    }
    for d in TOOLCHAIN_DIRS {
        add(home.join(d));
    }
    // Each `PATH` entry under `$HOME`, by its top directory there (`~/.pyenv/shims` needs
    // `~/.pyenv/versions` too).
    for entry in std::env::split_paths(&var("PATH").unwrap_or_default()) {
        if let Ok(rest) = entry.strip_prefix(home)
            && let Some(top) = rest.components().next()
        {
            add(home.join(top));
        }
    }
    dirs
}

#[derive(Default)]
struct Args(Vec<OsString>);

impl Args {
    fn push<const N: usize>(&mut self, items: [&str; N]) {
        self.0.extend(items.iter().map(OsString::from));
    }

    fn push_os(&mut self, items: &[&OsStr]) {
        self.0.extend(items.iter().map(|i| i.to_os_string()));
    }

    fn push_paths(&mut self, flag: &str, paths: &[&Path]) {
        self.0.push(flag.into());
        self.0.extend(paths.iter().map(|p| p.as_os_str().to_owned()));
    }
}

/// Whether bubblewrap can make a sandbox here; the reason and the fix when not. Checked
/// once per process.
pub(crate) fn available() -> Result<(), String> {
    static CHECK: OnceLock<Result<(), String>> = OnceLock::new();
    CHECK
        .get_or_init(|| {
            let out = Command::new("bwrap").args(["--ro-bind", "/", "/", "--unshare-all", "--", "true"]).output();
            match out {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(
                    "bubblewrap (`bwrap`) is not installed; install it (Debian: `apt-get install bubblewrap`), or pass `--sandbox none` to run without a sandbox".into(),
                ),
                Err(e) => Err(format!("`bwrap` could not start ({e}); check its installation, or pass `--sandbox none`")),
                Ok(o) if !o.status.success() => Err(format!(
                    "bubblewrap cannot create namespaces here ({}); enable unprivileged user namespaces (`sysctl kernel.unprivileged_userns_clone=1`, or run as root), or pass `--sandbox none`",
                    String::from_utf8_lossy(&o.stderr).trim()
                )),
                Ok(_) => Ok(()),
            }
        })
        .clone()
}
