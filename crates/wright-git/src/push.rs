//! Pushing a task branch: never forced, every rejected ref reported, and "pushed" only
//! once the remote is seen holding the branch at the pushed commit.

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::time::Duration;

use git2::{BranchType, Direction, PushOptions, Repository};

use crate::credentials::{Auth, credentials};
use crate::token_hosts::{Bindings, Endpoint, TokenHosts, token_bound};
use crate::{Context, GitError};

#[derive(Debug, Clone, serde::Serialize)]
pub struct PushReport {
    pub remote: String,
    pub url: String,
    pub branch: String,
    pub sha: String,
}

/// Pushes `branch` to `remote_name`; a server that does not answer within `timeout` (to
/// connect, or between reads and writes) fails the push. A token of the environment goes
/// only to its own host (`token_hosts`: `WRIGHT_GIT_TOKEN`'s, from the user's config).
pub fn push(
    repo_root: &Path,
    branch: &str,
    remote_name: &str,
    token_hosts: &TokenHosts,
    timeout: Duration,
) -> Result<PushReport, GitError> {
    network_timeouts(timeout)?;
    let repo = Repository::open(repo_root).map_err(|_| GitError::NotARepo(repo_root.to_path_buf()))?;
    let target = Target::Named(remote_name);
    // Credential helpers are programs: only the user's own config may name them.
    let config = crate::host_programs::user_config()?;
    let auth = Auth::User { config: &config, bindings: Bindings::from_env(token_hosts) };
    let (tip, url) = push_with(&repo, target, branch, &auth, timeout)?;
    repo.reference(&format!("refs/remotes/{remote_name}/{branch}"), tip, true, "wright push")
        .context("recording the pushed commit")?;
    Ok(PushReport { remote: remote_name.to_string(), url, branch: branch.to_string(), sha: tip.to_string() })
}

/// Pushes `branch` to `url`, signing in over HTTPS with `token` and nothing else: no
/// credential helper, no key, no variable of the environment (the PR bot's push). The
/// token goes only to the host of `server` (the GitHub server it belongs to), over https.
pub fn push_to_url(
    repo_root: &Path,
    branch: &str,
    url: &str,
    token: &str,
    server: &str,
    timeout: Duration,
) -> Result<PushReport, GitError> {
    let server = crate::token_hosts::server_host(server)
        .ok_or_else(|| GitError::Refused(format!("the GitHub server URL `{server}` is not a URL wright can read")))?;
    token_bound(&server, &Endpoint::parse(url, None))
        .map_err(|why| GitError::Refused(format!("not pushing: {why}")))?;
    network_timeouts(timeout)?;
    let repo = Repository::open(repo_root).map_err(|_| GitError::NotARepo(repo_root.to_path_buf()))?;
    let (tip, _) = push_with(&repo, Target::Url(url), branch, &Auth::Token { token, server }, timeout)?;
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
