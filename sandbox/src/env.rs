//! The environment a command sees: an allow-list, never a secret.
//!
//! Values are `OsString`s: a variable that is not UTF-8 passes to commands unchanged
//! (`std::env::vars` would panic on it), and is never logged.

use std::ffi::{OsStr, OsString};

/// Variables a command may inherit when they are set and do not look like secrets.
const DEFAULT_ALLOW: &[&str] = &[
    "PATH",
    "HOME",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
    "LC_CTYPE",
    "TERM",
    "TZ",
    "USER",
    "LOGNAME",
    "CARGO_HOME",
    "RUSTUP_HOME",
    "RUSTUP_TOOLCHAIN",
    "PYENV_ROOT",
    "PYENV_VERSION",
    "VIRTUAL_ENV",
    "GOPATH",
    "GOROOT",
    "GOCACHE",
    "GOFLAGS",
    "JAVA_HOME",
    "NODE_PATH",
];

/// Words in a variable name that mark its value as a secret.
const SECRET_MARKERS: &[&str] =
    &["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "COOKIE", "SESSION"];

/// True when a variable of this name must never reach a command or a log.
pub fn is_secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    SECRET_MARKERS.iter().any(|m| upper.contains(m))
}

/// The `(name, value)` pairs of the current environment that hold secrets worth redacting.
/// A secret that is not UTF-8 cannot appear in wright's (UTF-8) output, so it is skipped.
pub fn secret_values() -> Vec<(String, String)> {
    std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
        .filter(|(k, v)| is_secret_name(k) && v.trim().len() >= 6)
        .collect()
}

/// Which variables pass through to a command, and which are set for it.
#[derive(Debug, Clone)]
pub struct EnvPolicy {
    /// Extra variable names allowed through (from config); secrets are still refused.
    pub allow: Vec<String>,
    /// Variables set for every command.
    pub set: Vec<(String, String)>,
}

impl Default for EnvPolicy {
    fn default() -> Self {
        EnvPolicy {
            allow: Vec::new(),
            // Keep test runs from leaving bytecode caches behind as changes to commit.
            set: vec![("PYTHONDONTWRITEBYTECODE".into(), "1".into())],
        }
    }
}

impl EnvPolicy {
    /// The environment a command gets, built from `source` (normally the process env).
    /// A name that is not UTF-8 matches nothing on the allow-list, so it never passes.
    pub fn build(&self, source: impl Iterator<Item = (OsString, OsString)>) -> Vec<(OsString, OsString)> {
        let mut out: Vec<(OsString, OsString)> = source
            .filter(|(k, _)| {
                k.to_str().is_some_and(|k| {
                    let allowed = DEFAULT_ALLOW.contains(&k) || self.allow.iter().any(|a| a == k);
                    allowed && !is_secret_name(k)
                })
            })
            .collect();
        if !out.iter().any(|(k, _)| k == "PATH") {
            out.push(("PATH".into(), "/usr/local/bin:/usr/bin:/bin".into()));
        }
        for (k, v) in &self.set {
            out.retain(|(name, _)| name != OsStr::new(k));
            out.push((k.into(), v.into()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Iterator<Item = (OsString, OsString)> {
        pairs.iter().map(|(k, v)| (OsString::from(k), OsString::from(v))).collect::<Vec<_>>().into_iter()
    }

    #[test]
    fn secrets_never_pass_even_when_allowed() {
        let policy = EnvPolicy { allow: vec!["OPENAI_API_KEY".into(), "MY_FLAG".into()], set: vec![] };
        let env = policy.build(vars(&[
            ("OPENAI_API_KEY", "sk-123456"),
            ("GITHUB_TOKEN", "ghp_abcdef"),
            ("MY_FLAG", "1"),
            ("PATH", "/bin"),
            ("RANDOM_THING", "x"),
        ]));
        let names: Vec<&OsStr> = env.iter().map(|(k, _)| k.as_os_str()).collect();
        assert_eq!(names, vec!["MY_FLAG", "PATH"]);
    }

    #[test]
    fn values_that_are_not_utf8_pass_unchanged() {
        use std::os::unix::ffi::OsStringExt;
        let odd = OsString::from_vec(vec![b'a', 0xff, b'b']);
        let policy = EnvPolicy { allow: vec!["MY_FLAG".into()], set: vec![] };
        let env = policy.build(
            vec![(OsString::from("MY_FLAG"), odd.clone()), (OsString::from_vec(vec![0xfe]), OsString::from("x"))]
                .into_iter(),
        );
        assert_eq!(env[0], (OsString::from("MY_FLAG"), odd));
        assert_eq!(env.len(), 2, "{env:?}");
    }

    #[test]
    fn secret_names_are_recognised() {
        assert!(is_secret_name("OPENAI_API_KEY"));
        assert!(is_secret_name("gh_token"));
        assert!(is_secret_name("AWS_SECRET_ACCESS_KEY"));
        assert!(!is_secret_name("PATH"));
        assert!(!is_secret_name("LANG"));
    }
}
