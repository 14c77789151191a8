//! How a push signs in: the user's ways (SSH keys, a token of the environment bound to
//! its host, the user's credential helper), or the PR bot's one token.

use std::cell::Cell;

use git2::{Cred, CredentialType, RemoteCallbacks};

use crate::token_hosts::{Bindings, Endpoint, Host, env_token, token_bound};

/// Private keys tried from `~/.ssh`, in order, after the agent.
const SSH_KEYS: &[&str] = &["id_ed25519", "id_ecdsa", "id_rsa"];
const AUTH_HELP: &str = "authentication failed: for HTTPS set GITHUB_TOKEN (github.com), or WRIGHT_GIT_TOKEN and name the host in git.token_hosts, or configure a git credential helper; for SSH load a key into ssh-agent or put it in ~/.ssh/id_ed25519";
/// Credential attempts before giving up (libgit2 asks again after each refusal).
const MAX_AUTH_TRIES: u32 = 4;

/// How a push signs in.
pub(crate) enum Auth<'a> {
    /// The user's ways: a token in the environment bound to the host, their credential
    /// helper, SSH keys.
    User { config: &'a git2::Config, bindings: Bindings },
    /// This token only, to this server only.
    Token { token: &'a str, server: Host },
}

/// The user's ways: SSH through the agent or the usual key files; HTTPS through a token
/// in the environment bound to the host, or else the user's git credential helper (the
/// user's own config, which keys its credentials by host itself). Or one given token only.
pub(crate) fn credentials<'a>(auth: &'a Auth<'a>, tries: &'a Cell<u32>) -> RemoteCallbacks<'a> {
    let (config, bindings) = match auth {
        Auth::User { config, bindings } => (*config, bindings),
        Auth::Token { token, server } => return token_only(token, server, tries),
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
            // `url` is where git2 signs in now, after any redirect: the token's host is checked here.
            let withheld = match env_token(bindings, url, username) {
                Ok(token) => return Cred::userpass_plaintext(username.unwrap_or("x-access-token"), &token),
                Err(withheld) => withheld,
            };
            return Cred::credential_helper(config, url, username)
                .map_err(|_| git2::Error::from_str(&withheld_help(&withheld)));
        }
        Cred::default()
    });
    callbacks
}

/// What to do when no credential came, with why each token of the environment was withheld.
fn withheld_help(withheld: &[String]) -> String {
    if withheld.is_empty() {
        return AUTH_HELP.to_string();
    }
    let ways = AUTH_HELP.strip_prefix("authentication failed: ").unwrap_or(AUTH_HELP);
    format!(
        "authentication failed: no token from the environment was offered ({}), and no git credential helper gave one; {ways}",
        withheld.join("; ")
    )
}

/// HTTPS with `token` as the password of `x-access-token`, as GitHub takes it, to the
/// GitHub server only.
fn token_only<'a>(token: &'a str, server: &'a Host, tries: &'a Cell<u32>) -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(move |url, username, allowed| {
        tries.set(tries.get() + 1);
        token_bound(server, &Endpoint::parse(url, username)).map_err(|why| git2::Error::from_str(&why))?;
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
