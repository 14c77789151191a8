//! The bubblewrap command line for one sandboxed command: read-only `/`, the worktree
//! read-write, the git dirs read-only with configs free of credentials, a private `$HOME`
//! holding only the toolchains, a size-limited private `/tmp`, secrets on disk
//! hidden, new namespaces, an environment built from the allow-list.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use crate::home_binds::{self, Mask};

/// Private tmpfs mounts: nothing of the host's shows there.
const PRIVATE: &[&str] = &["/tmp", "/dev/shm", "/run"];

pub(crate) struct Layout<'a> {
    pub worktree: &'a Path,
    pub cwd: &'a Path,
    pub network: bool,
    pub tmp_bytes: u64,
    /// Directories that must not be visible (wright's data, config and cache).
    pub hidden: &'a [PathBuf],
    /// Git dirs (and the worktree's `.git`), bound read-only at their own paths.
    pub git_binds: &'a [PathBuf],
    /// Credential-free copies of git configs, each bound over its original.
    pub git_configs: &'a [(PathBuf, PathBuf)],
    /// Variables that change how programs load (`LD_*`): set with `--setenv`, so bwrap
    /// itself, on the host, never loads with them; they hold no secrets. The rest of the
    /// command's environment is bwrap's own, which it passes on.
    pub loader_env: &'a [(OsString, OsString)],
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
    let mut shown = Vec::new();
    for home in &homes {
        a.push_paths("--tmpfs", &[home]);
        for dir in home_binds::toolchains(home, &var) {
            a.push_paths("--ro-bind", &[&dir, &dir]);
            shown.push(dir);
        }
    }
    for secret in ["/etc/shadow", "/etc/gshadow", "/etc/sudoers"] {
        if Path::new(secret).exists() {
            a.push(["--ro-bind", "/dev/null", secret]);
        }
    }
    // Hidden directories and credentials are covered wherever they show: through `/`, in a
    // toolchain, in the worktree or a git dir. A cover that holds the worktree or a git
    // dir (wright's worktrees live in its data directory) goes before those are bound.
    shown.push(l.worktree.to_path_buf());
    shown.extend(l.git_binds.iter().cloned());
    shown.extend(l.extra_ro.iter().map(|(host, _)| host.clone()));
    let covered: Vec<PathBuf> = homes.iter().cloned().chain(PRIVATE.iter().map(PathBuf::from)).collect();
    let hidden: Vec<PathBuf> = l.hidden.iter().filter(|d| d.is_dir()).cloned().collect();
    let mut masks = home_binds::masks(&hidden, &covered, &shown);
    masks.extend(home_binds::masks(&home_binds::credentials(&homes, &var), &covered, &shown));
    let (early, late): (Vec<Mask>, Vec<Mask>) = masks.into_iter().partition(|m| {
        std::iter::once(l.worktree).chain(l.git_binds.iter().map(PathBuf::as_path)).any(|b| b.starts_with(&m.path))
    });
    a.push_masks(&early);
    a.push_paths("--bind", &[l.worktree, l.worktree]);
    for path in l.git_binds {
        a.push_paths("--ro-bind", &[path, path]);
    }
    for (copy, target) in l.git_configs {
        a.push_paths("--ro-bind", &[copy, target]);
    }
    // Bound before the late covers, so a hidden folder inside one stays covered.
    for (host, inside) in l.extra_ro {
        a.push_paths("--ro-bind", &[host, inside]);
    }
    a.push_masks(&late);
    a.push(["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL"]);
    a.push(["--hostname", "wright-sandbox"]);
    if l.network {
        a.push(["--share-net"]);
    }
    for (k, v) in l.loader_env {
        a.0.extend([OsString::from("--setenv"), k.clone(), v.clone()]);
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

#[derive(Default)]
struct Args(Vec<OsString>);

impl Args {
    fn push<const N: usize>(&mut self, items: [&str; N]) {
        self.0.extend(items.iter().map(OsString::from));
    }

    fn push_paths(&mut self, flag: &str, paths: &[&Path]) {
        self.0.push(flag.into());
        self.0.extend(paths.iter().map(|p| p.as_os_str().to_owned()));
    }

    fn push_masks(&mut self, masks: &[Mask]) {
        for m in masks {
            match m.dir {
                true => self.push_paths("--tmpfs", &[&m.path]),
                false => self.push_paths("--ro-bind", &[Path::new("/dev/null"), &m.path]),
            }
        }
    }
}

/// Whether bubblewrap can make a sandbox here; the reason and the fix when not. Checked
/// once per process.
/// bwrap as found on wright's own `PATH`, never the command's (which a server's config may
/// point into the worktree).
pub(crate) fn program() -> PathBuf {
    static FOUND: OnceLock<PathBuf> = OnceLock::new();
    FOUND
        .get_or_init(|| {
            let path = std::env::var_os("PATH").unwrap_or_default();
            std::env::split_paths(&path).map(|dir| dir.join("bwrap")).find(|p| p.is_file()).unwrap_or("bwrap".into())
        })
        .clone()
}

/// True for a variable that changes how a program is loaded.
pub(crate) fn is_loader_var(name: &std::ffi::OsStr) -> bool {
    name.to_str().is_none_or(|n| n.starts_with("LD_") || n == "GCONV_PATH")
}

pub(crate) fn available() -> Result<(), String> {
    static CHECK: OnceLock<Result<(), String>> = OnceLock::new();
    CHECK
        .get_or_init(|| {
            let out = Command::new(program()).args(["--ro-bind", "/", "/", "--unshare-all", "--", "true"]).output();
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A home with toolchains, wright's data and credentials in it.
    fn fake_home() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for file in [
            ".local/bin/tool",
            ".local/share/wright/runs/r1/transcript.jsonl",
            ".cargo/credentials.toml",
            ".cargo/registry/index/crates.io/config.json",
            ".cargo/registry/src/crate/lib.rs",
            ".cargo/bin/cargo",
            ".ssh/id_ed25519",
        ] {
            let path = dir.path().join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        dir
    }

    /// The arguments as one line, for `worktree` under `home` with `PATH` set to `path`.
    fn line(home: &Path, worktree: &Path, path: &str) -> String {
        let host_env = [("HOME".into(), home.into()), ("PATH".into(), path.into())];
        let hidden = [home.join(".local/share/wright")];
        let layout = Layout {
            worktree,
            cwd: worktree,
            network: false,
            tmp_bytes: 1 << 20,
            hidden: &hidden,
            git_binds: &[],
            git_configs: &[],
            loader_env: &[],
            host_env: &host_env,
            extra_ro: &[],
        };
        let args = args(&layout);
        args.iter().map(|a| a.to_string_lossy().into_owned()).collect::<Vec<_>>().join(" ") + " "
    }

    #[test]
    fn the_home_shows_path_entries_and_toolchain_subtrees_only() {
        let home = fake_home();
        let h = home.path().display();
        let work = tempfile::tempdir().unwrap();
        let line = line(home.path(), work.path(), &format!("{h}/.local/bin:/usr/bin"));
        assert!(line.contains(&format!("--tmpfs {h} ")), "{line}");
        assert!(line.contains(&format!("--ro-bind {h}/.local/bin {h}/.local/bin ")), "{line}");
        assert!(!line.contains(&format!("{h}/.local ")), "{line}");
        for sub in ["bin", "registry/index", "registry/src"] {
            assert!(line.contains(&format!("--ro-bind {h}/.cargo/{sub} {h}/.cargo/{sub} ")), "{line}");
        }
        assert!(!line.contains(&format!("{h}/.cargo ")), "{line}");
        assert!(!line.contains("credentials") && !line.contains(".ssh") && !line.contains("share/wright"), "{line}");
    }

    #[test]
    fn credentials_and_wrights_data_are_covered_where_a_bind_shows_them() {
        let home = fake_home();
        let h = home.path().display();
        // `~/.local` itself on PATH, and the home as the worktree.
        let line = line(home.path(), home.path(), &format!("{h}/.local"));
        let data = format!("--tmpfs {h}/.local/share/wright ");
        let worktree = format!("--bind {h} {h} ");
        assert!(line.contains(&format!("--ro-bind {h}/.local {h}/.local ")), "{line}");
        assert!(line.contains(&data) && line.contains(&worktree), "{line}");
        let after_worktree = line.split_once(&worktree).unwrap().1;
        assert!(after_worktree.contains(&format!("--tmpfs {h}/.ssh ")), "{line}");
        assert!(after_worktree.contains(&format!("--ro-bind /dev/null {h}/.cargo/credentials.toml ")), "{line}");
    }
}
