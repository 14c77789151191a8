//! Signed commits, the way git makes them when `commit.gpgsign` is set: git2 builds the
//! commit buffer, the user's configured signer (gpg, or ssh-keygen for `gpg.format = ssh`)
//! signs it, and the signed commit becomes the branch head. The signer's program comes
//! from the user's global or system config only (see `host_programs`).

use std::io::Write;
use std::process::{Command, Stdio};

use git2::{Oid, Repository, Signature, Tree};

use crate::{Context, GitError};

/// Commits on HEAD, signed when the repository's config asks for it.
pub(crate) fn commit(
    repo: &Repository,
    author: &Signature,
    committer: &Signature,
    message: &str,
    tree: &Tree,
    parent: &git2::Commit,
) -> Result<Oid, GitError> {
    let config = repo.config().context("reading git config")?;
    if !config.get_bool("commit.gpgsign").unwrap_or(false) {
        return repo.commit(Some("HEAD"), author, committer, message, tree, &[parent]).context("committing");
    }
    let buffer =
        repo.commit_create_buffer(author, committer, message, tree, &[parent]).context("building the commit")?;
    let buffer = std::str::from_utf8(&buffer).map_err(|_| refused("the commit buffer is not UTF-8"))?;
    let key = config.get_string("user.signingkey").ok();
    let programs = crate::host_programs::user_config()?;
    let signature = match config.get_string("gpg.format").as_deref() {
        Ok("ssh") => ssh_sign(&programs, key.as_deref(), buffer)?,
        Ok("openpgp") | Err(_) => gpg_sign(&programs, key.as_deref(), buffer)?,
        Ok(other) => return Err(refused(&format!("gpg.format `{other}` is not supported; use openpgp or ssh"))),
    };
    let oid = repo.commit_signed(buffer, &signature, None).context("writing the signed commit")?;
    let head = repo.head().context("reading HEAD")?;
    let name = head.name().ok().ok_or_else(|| refused("HEAD has no name"))?.to_string();
    repo.reference(&name, oid, true, "commit (signed, wright)").context("moving the branch to the signed commit")?;
    Ok(oid)
}

/// `programs`: the user's config, where the signer's program is looked up.
fn gpg_sign(programs: &git2::Config, key: Option<&str>, buffer: &str) -> Result<String, GitError> {
    let program = programs.get_string("gpg.openpgp.program").or_else(|_| programs.get_string("gpg.program"));
    let mut cmd = Command::new(program.unwrap_or_else(|_| "gpg".to_string()));
    cmd.args(["--status-fd=2", "-bsa"]);
    if let Some(key) = key {
        cmd.args(["-u", key]);
    }
    run_signer(cmd, Some(buffer))
}

#[allow(clippy::disallowed_methods)] // a private temporary file of wright's for ssh-keygen
fn ssh_sign(programs: &git2::Config, key: Option<&str>, buffer: &str) -> Result<String, GitError> {
    let key = key.ok_or_else(|| refused("gpg.format = ssh needs user.signingkey (the key file)"))?;
    let program = programs.get_string("gpg.ssh.program").unwrap_or_else(|_| "ssh-keygen".to_string());
    let dir = tempfile::tempdir().map_err(|e| refused(&format!("no temp dir for signing: {e}")))?;
    let file = dir.path().join("commit");
    std::fs::write(&file, buffer).map_err(|e| refused(&format!("cannot stage the commit for signing: {e}")))?;
    let key = key
        .strip_prefix("~/")
        .map_or_else(|| key.to_string(), |rest| format!("{}/{rest}", std::env::var("HOME").unwrap_or_default()));
    let mut cmd = Command::new(program);
    cmd.args(["-Y", "sign", "-n", "git", "-f", &key]).arg(&file);
    run_signer(cmd, None)?;
    std::fs::read_to_string(file.with_extension("sig"))
        .map_err(|e| refused(&format!("the ssh signer wrote no signature: {e}")))
}

fn run_signer(mut cmd: Command, input: Option<&str>) -> Result<String, GitError> {
    let shown = format!("{:?}", cmd.get_program());
    let mut child = cmd
        .stdin(if input.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| refused(&format!("cannot start the signer {shown}: {e}")))?;
    if let (Some(text), Some(mut stdin)) = (input, child.stdin.take()) {
        stdin.write_all(text.as_bytes()).map_err(|e| refused(&format!("the signer {shown} did not read: {e}")))?;
    }
    let out = child.wait_with_output().map_err(|e| refused(&format!("the signer {shown} failed: {e}")))?;
    if !out.status.success() {
        return Err(refused(&format!(
            "the signer {shown} refused ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn refused(why: &str) -> GitError {
    GitError::Refused(format!("signing the commit: {why}; fix the signer, or unset commit.gpgsign"))
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::process::Command;

    use crate::{CommitMessage, TaskWorkspace};

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git").args(args).current_dir(dir).output().unwrap();
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn commits_are_signed_with_the_users_ssh_key_when_gpgsign_is_set() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key");
        let made = Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", "throwaway", "-f"])
            .arg(&key)
            .status()
            .unwrap();
        assert!(made.success());
        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        git(&repo, &["init", "-q", "-b", "main"]);
        for (k, v) in [("user.name", "Tess"), ("user.email", "tess@example.com")] {
            git(&repo, &["config", k, v]);
        }
        std::fs::write(repo.join("a.txt"), "one\n").unwrap();
        git(&repo, &["add", "."]);
        git(&repo, &["commit", "-q", "-m", "init"]);
        git(&repo, &["config", "gpg.format", "ssh"]);
        git(&repo, &["config", "user.signingkey", key.to_str().unwrap()]);
        git(&repo, &["config", "commit.gpgsign", "true"]);
        let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
        let allowed = dir.path().join("allowed");
        std::fs::write(&allowed, format!("tess@example.com {public}")).unwrap();
        git(&repo, &["config", "gpg.ssh.allowedSignersFile", allowed.to_str().unwrap()]);

        let ws = TaskWorkspace::create(&repo, "signed", "r1", &dir.path().join("wt")).unwrap();
        std::fs::write(ws.worktree.join("a.txt"), "two\n").unwrap();
        let info =
            ws.commit_all(&CommitMessage { subject: "fix(a): two".into(), ..Default::default() }).unwrap().unwrap();
        assert_eq!(git(&repo, &["rev-parse", "wright/signed"]).trim(), info.sha);
        let verify = Command::new("git").args(["verify-commit", &info.sha]).current_dir(&repo).output().unwrap();
        let said = String::from_utf8_lossy(&verify.stderr);
        assert!(verify.status.success() && said.contains("Good \"git\" signature"), "{said}");

        // A signer that fails stops the commit with the reason; nothing half-made is left.
        git(&repo, &["config", "user.signingkey", "/nonexistent/key"]);
        std::fs::write(ws.worktree.join("a.txt"), "three\n").unwrap();
        let err = ws.commit_all(&CommitMessage { subject: "x".into(), ..Default::default() }).unwrap_err();
        assert!(err.to_string().contains("unset commit.gpgsign"), "{err}");
        assert_eq!(git(&repo, &["rev-parse", "wright/signed"]).trim(), info.sha);
    }
}
