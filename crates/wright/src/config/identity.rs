//! `git.author` and `git.committer`, read as `Name <email>`.

use anyhow::Result;

use super::settings::GitSettings;
use crate::exit::usage;

impl GitSettings {
    /// The configured author and committer; a value that is no `Name <email>` is refused.
    pub fn identity(&self) -> Result<wright_git::Identity> {
        Ok(wright_git::Identity {
            author: parse("git.author", self.author.as_deref())?,
            committer: parse("git.committer", self.committer.as_deref())?,
        })
    }
}

fn parse(key: &str, text: Option<&str>) -> Result<Option<(String, String)>> {
    match text {
        None => Ok(None),
        Some(text) => wright_git::parse_identity(text)
            .map(Some)
            .ok_or_else(|| usage(format!("{key} must look like `Name <email@example.com>`, not `{text}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_without_an_email_is_refused_naming_the_key() {
        let git = GitSettings { committer: Some("Pat".into()), ..GitSettings::default() };
        let e = git.identity().unwrap_err().to_string();
        assert_eq!(e, "git.committer must look like `Name <email@example.com>`, not `Pat`");
        let git = GitSettings { author: Some("Pat <pat@example.com>".into()), ..GitSettings::default() };
        let identity = git.identity().unwrap();
        assert_eq!(identity.author, Some(("Pat".into(), "pat@example.com".into())));
        assert_eq!(identity.committer, None);
    }
}
