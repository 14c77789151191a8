//! `git daemon` on loopback serving a bare repository read-write over `git://`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Listening, free_port, git, listen};

pub struct Daemon {
    _server: Listening,
    pub url: String,
    pub bare: PathBuf,
    _dir: tempfile::TempDir,
}

/// A bare repository seeded from `source`'s main, served read-write by `git daemon`.
pub fn daemon(source: &Path) -> Daemon {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("remote.git");
    git(dir.path(), &["clone", "-q", "--bare", source.to_str().unwrap(), bare.to_str().unwrap()]);
    let port = free_port();
    // The daemon itself, not the `git` wrapper, so that killing it stops serving.
    let exec_path = git(dir.path(), &["--exec-path"]);
    let mut cmd = Command::new(Path::new(exec_path.trim()).join("git-daemon"));
    cmd.args(["--reuseaddr", "--export-all", "--enable=receive-pack", "--listen=127.0.0.1"])
        .arg(format!("--port={port}"))
        .arg(format!("--base-path={}", dir.path().display()))
        .arg(dir.path());
    let server = listen(cmd, port);
    Daemon { _server: server, url: format!("git://127.0.0.1:{port}/remote.git"), bare, _dir: dir }
}
