//! An OpenSSH server on loopback for one test: its own host key, one authorized
//! throwaway client key, and git's `git-receive-pack` as the remote side of a push.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Listening, free_port, git, listen};

pub struct Sshd {
    server: Listening,
    /// The client's private key, to place where wright looks (`~/.ssh/id_ed25519`).
    pub client_key: PathBuf,
    /// `[127.0.0.1]:PORT ssh-ed25519 ...`, a `known_hosts` line for the server.
    pub known_host: String,
    pub bare: PathBuf,
    _dir: tempfile::TempDir,
}

fn keygen(path: &Path) {
    let ok = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "wright-test", "-f"])
        .arg(path)
        .status()
        .unwrap()
        .success();
    assert!(ok, "ssh-keygen failed");
}

/// Serves a bare clone of `source` over SSH on 127.0.0.1 to the current user.
pub fn serve(source: &Path) -> Sshd {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("remote.git");
    git(dir.path(), &["clone", "-q", "--bare", source.to_str().unwrap(), bare.to_str().unwrap()]);
    let host_key = dir.path().join("host_ed25519");
    let client_key = dir.path().join("client_ed25519");
    keygen(&host_key);
    keygen(&client_key);
    let authorized = dir.path().join("authorized_keys");
    std::fs::copy(client_key.with_extension("pub"), &authorized).unwrap();
    // sshd insists on its privilege-separation directory even on a test port.
    std::fs::create_dir_all("/run/sshd").unwrap();
    let port = free_port();
    let config = dir.path().join("sshd_config");
    std::fs::write(
        &config,
        format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\nPidFile {}\n\
PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\n",
            host_key.display(),
            authorized.display(),
            dir.path().join("sshd.pid").display()
        ),
    )
    .unwrap();
    let mut cmd = Command::new("/usr/sbin/sshd");
    cmd.args(["-D", "-e", "-f"]).arg(&config);
    let server = listen(cmd, port);
    let public = std::fs::read_to_string(host_key.with_extension("pub")).unwrap();
    let known_host = format!("[127.0.0.1]:{port} {}", public.split_whitespace().take(2).collect::<Vec<_>>().join(" "));
    Sshd { server, client_key, known_host, bare, _dir: dir }
}

impl Sshd {
    pub fn url(&self) -> String {
        let user = std::env::var("USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| "root".to_string());
        format!("ssh://{user}@127.0.0.1:{}{}", self.server.port, self.bare.display())
    }
}
