//! Pushing a task branch: never forced, every rejected ref reported, and "pushed" only
//! once the remote is seen holding the branch at the pushed commit.

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::time::Duration;

use git2::{BranchType, Cred, CredentialType, Direction, PushOptions, RemoteCallbacks, Repository};

use crate::{Context, GitError};

#[derive(Debug, Clone, serde::Serialize)]
pub struct PushReport {
    pub remote: String,
    pub url: String,
    pub branch: String,
    pub sha: String,
}

/// Tokens looked for in the environment for HTTPS, in order.
const TOKEN_VARS: &[&str] = &["WRIGHT_GIT_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN"];
/// Private keys tried from `~/.ssh`, in order, after the agent.
const SSH_KEYS: &[&str] = &["id_ed25519", "id_ecdsa", "id_rsa"];
const AUTH_HELP: &str = "authentication failed: for HTTPS set WRIGHT_GIT_TOKEN (or GITHUB_TOKEN) or configure a git credential helper; for SSH load a key into ssh-agent or put it in ~/.ssh/id_ed25519";
/// Credential attempts before giving up (libgit2 asks again after each refusal).
const MAX_AUTH_TRIES: u32 = 4;

/// Pushes `branch` to `remote_name`; a server that does not answer within `timeout` (to
/// connect, or between reads and writes) fails the push.
pub fn push(repo_root: &Path, branch: &str, remote_name: &str, timeout: Duration) -> Result<PushReport, GitError> {
    network_timeouts(timeout)?;
    let repo = Repository::open(repo_root).map_err(|_| GitError::NotARepo(repo_root.to_path_buf()))?;
    let target = Target::Named(remote_name);
    // Credential helpers are programs: only the user's own config may name them.
    let config = crate::host_programs::user_config()?;
    let (tip, url) = push_with(&repo, target, branch, &Auth::User(&config), timeout)?;
    repo.reference(&format!("refs/remotes/{remote_name}/{branch}"), tip, true, "wright push")
        .context("recording the pushed commit")?;
    Ok(PushReport { remote: remote_name.to_string(), url, branch: branch.to_string(), sha: tip.to_string() })
}

/// Pushes `branch` to `url`, signing in over HTTPS with `token` and nothing else: no
/// credential helper, no key, no variable of the environment (the PR bot's push).
pub fn push_to_url(
    repo_root: &Path,
    branch: &str,
    url: &str,
    token: &str,
    timeout: Duration,
) -> Result<PushReport, GitError> {
    network_timeouts(timeout)?;
    let repo = Repository::open(repo_root).map_err(|_| GitError::NotARepo(repo_root.to_path_buf()))?;
    let (tip, _) = push_with(&repo, Target::Url(url), branch, &Auth::Token(token), timeout)?;
    Ok(PushReport { remote: url.to_string(), url: url.to_string(), branch: branch.to_string(), sha: tip.to_string() })
}

/// Where a push goes: a configured remote, or a URL.
#[derive(Clone, Copy)]
enum Target<'a> {
    Named(&'a str),
    Url(&'a str),
}

impl Target<'_> {
    fn open<'r>(&self, repo: &'r Repository) -> Result<git2::Remote<'r>, GitError> {
        match self {
            Target::Named(name) => repo.find_remote(name).map_err(|_| {
                GitError::Refused(format!("no remote `{name}`; add one with `git remote add {name} URL`"))
            }),
            Target::Url(url) => repo.remote_anonymous(url).context("opening the remote"),
        }
    }

    /// The remote's name in messages.
    fn label(&self) -> &str {
        match self {
            Target::Named(name) | Target::Url(name) => name,
        }
    }
}

/// How a push signs in.
enum Auth<'a> {
    /// The user's ways: a token in the environment, their credential helper, SSH keys.
    User(&'a git2::Config),
    /// This token only.
    Token(&'a str),
}

/// The push itself, and the check that the remote holds the branch at the pushed commit
/// afterwards. Returns that commit and the remote's URL.
fn push_with(
    repo: &Repository,
    target: Target,
    branch: &str,
    auth: &Auth,
    timeout: Duration,
) -> Result<(git2::Oid, String), GitError> {
    let label = target.label();
    let mut remote = target.open(repo)?;
    let url = remote.url().unwrap_or_default().to_string();
    let tip = repo
        .find_branch(branch, BranchType::Local)
        .map_err(|_| GitError::Moved(format!("the branch {branch} no longer exists")))?
        .get()
        .target()
        .ok_or_else(|| GitError::Moved(format!("the branch {branch} points nowhere")))?;

    let rejected: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let tries = Cell::new(0);
    let mut callbacks = credentials(auth, &tries);
    callbacks.push_update_reference(|refname, status| {
        if let Some(why) = status {
            rejected.borrow_mut().push(format!("{refname}: {why}"));
        }
        Ok(())
    });
    let mut opts = PushOptions::new();
    opts.remote_callbacks(callbacks);
    // No `+`: a push that is not a fast-forward is refused, never forced.
    let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
    if let Err(e) = remote.push(&[refspec.as_str()], Some(&mut opts)) {
        let message = e.message().to_string();
        return Err(if e.code() == git2::ErrorCode::NotFastForward || message.contains("non-fast") {
            GitError::Rejected(format!(
                "refs/heads/{branch}: not a fast-forward; the remote has commits the run's branch lacks (wright never forces a push)"
            ))
        } else if e.code() == git2::ErrorCode::Certificate {
            GitError::Refused(format!(
                "the server of {url} is not known: its SSH host key is not in ~/.ssh/known_hosts, or does not match it; \
check the key and add it (for example `ssh-keyscan HOST >> ~/.ssh/known_hosts`, or connect once with ssh)"
            ))
        } else if message.contains("timed out") {
            GitError::Git {
                context: format!(
                    "pushing to {label} ({url}): no answer within {} s (git.timeout_secs); check the address and the network",
                    timeout.as_secs()
                ),
                source: e,
            }
        } else {
            GitError::Git { context: format!("pushing to {label} ({url})"), source: e }
        });
    }
    drop(opts);
    let rejected = rejected.into_inner();
    if !rejected.is_empty() {
        return Err(GitError::Rejected(rejected.join("; ")));
    }

    // Pushed means the remote holds the branch at this commit: look.
    let tries = Cell::new(0);
    let mut remote = target.open(repo)?;
    let connection =
        remote.connect_auth(Direction::Fetch, Some(credentials(auth, &tries)), None).context("checking the push")?;
    let wanted = format!("refs/heads/{branch}");
    let seen =
        connection.list().context("listing the remote's refs")?.iter().find(|h| h.name() == wanted).map(|h| h.oid());
    if seen != Some(tip) {
        return Err(GitError::Rejected(format!(
            "{wanted}: the remote does not hold {} after the push (it has {})",
            tip,
            seen.map(|o| o.to_string()).unwrap_or_else(|| "no such branch".into())
        )));
    }
    Ok((tip, url))
}

fn network_timeouts(timeout: Duration) -> Result<(), GitError> {
    let ms = i32::try_from(timeout.as_millis()).unwrap_or(i32::MAX).max(1);
    // SAFETY: libgit2 reads these globals when it opens a connection; they are set before
    // wright's pushes, and wright opens no other git connection at the same time.
    unsafe {
        git2::opts::set_server_connect_timeout_in_milliseconds(ms).context("setting the connect timeout")?;
        git2::opts::set_server_timeout_in_milliseconds(ms).context("setting the network timeout")?;
    }
    Ok(())
}

/// The user's ways: SSH through the agent or the usual key files; HTTPS through a token
/// in the environment or the user's git credential helper. Or one given token only.
fn credentials<'a>(auth: &'a Auth<'a>, tries: &'a Cell<u32>) -> RemoteCallbacks<'a> {
    let config = match auth {
        Auth::User(config) => *config,
        Auth::Token(token) => return token_only(token, tries),
    };
    let mut callbacks = RemoteCallbacks::new();
    let mut ssh_attempts = 0;
    callbacks.credentials(move |url, username, allowed| {
        tries.set(tries.get() + 1);
        if tries.get() > MAX_AUTH_TRIES {
            return Err(git2::Error::from_str(AUTH_HELP));
        }
        let user = username.unwrap_or("git");
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(user);
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            ssh_attempts += 1;
            return ssh_credential(user, ssh_attempts - 1);
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            if let Some(token) = TOKEN_VARS.iter().find_map(|v| std::env::var(v).ok().filter(|t| !t.is_empty())) {
                return Cred::userpass_plaintext(username.unwrap_or("x-access-token"), &token);
            }
            return Cred::credential_helper(config, url, username).map_err(|_| git2::Error::from_str(AUTH_HELP));
        }
        Cred::default()
    });
    callbacks
}

/// HTTPS with `token` as the password of `x-access-token`, as GitHub takes it.
fn token_only<'a>(token: &'a str, tries: &'a Cell<u32>) -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(move |_, _, allowed| {
        tries.set(tries.get() + 1);
        if tries.get() > MAX_AUTH_TRIES || !allowed.contains(CredentialType::USER_PASS_PLAINTEXT) {
            return Err(git2::Error::from_str("the remote refused the token: it needs `contents: write` permission"));
        }
        Cred::userpass_plaintext("x-access-token", token)
    });
    callbacks
}

/// The agent (when one runs), then each usual key file: the `attempt`-th way to sign in.
fn ssh_credential(user: &str, attempt: usize) -> Result<Cred, git2::Error> {
    let agent = std::env::var_os("SSH_AUTH_SOCK").is_some();
    if agent && attempt == 0 {
        return Cred::ssh_key_from_agent(user);
    }
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from).unwrap_or_default();
    let keys: Vec<_> = SSH_KEYS.iter().map(|k| home.join(".ssh").join(k)).filter(|p| p.is_file()).collect();
    match keys.get(attempt - usize::from(agent)) {
        Some(key) => Cred::ssh_key(user, None, key, None),
        None => Err(git2::Error::from_str(AUTH_HELP)),
    }
}
