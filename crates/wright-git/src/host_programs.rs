//! Which git config may name a program wright starts on the host (a signer, a credential
//! helper): the user's own global and system files, never a repository's `.git/config`.
//! A repository may still say *whether* to sign and with which key; not what to run.

use crate::{Context, GitError};

/// The user's global, XDG and system git config, without any repository's.
pub(crate) fn user_config() -> Result<git2::Config, GitError> {
    git2::Config::open_default().context("reading the user's git config")
}
