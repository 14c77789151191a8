//! Where a token may go. Each token variable of the environment is bound to its forge's
//! host, and offered only over https, or over http to a loopback address: that never
//! leaves the machine, and only a host the user named gets a token at all. The decision
//! reads the URL git2 is about to sign in to (after any redirect), never the remote's name.

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::GitError;

/// Tokens looked for in the environment, in order; the first one bound to the host wins.
pub(crate) const TOKEN_VARS: &[&str] = &["WRIGHT_GIT_TOKEN", "GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN"];

/// A host, and its port when the user wrote one (else any port of that host).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Host {
    /// Lowercase; an IPv6 address without its brackets.
    name: String,
    port: Option<u16>,
}

impl Host {
    fn named(name: &str) -> Host {
        Host { name: name.to_string(), port: None }
    }

    fn matches(&self, to: &Endpoint) -> bool {
        self.name == to.host && self.port.is_none_or(|p| p == to.port)
    }
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.name.contains(':'), self.port) {
            (true, Some(p)) => write!(f, "[{}]:{p}", self.name),
            (true, None) => write!(f, "[{}]", self.name),
            (false, Some(p)) => write!(f, "{}:{p}", self.name),
            (false, None) => write!(f, "{}", self.name),
        }
    }
}

/// `git.token_hosts` of the user's own config: the hosts `WRIGHT_GIT_TOKEN` is offered to.
#[derive(Debug, Clone, Default)]
pub struct TokenHosts(Vec<Host>);

impl TokenHosts {
    /// Each entry is a host name or address, with a port when only that port may have it.
    pub fn parse(entries: &[String]) -> Result<TokenHosts, GitError> {
        let parse = |e: &String| {
            let (name, port) = authority(e).ok_or_else(|| {
                GitError::Refused(format!(
                    "git.token_hosts: `{e}` is not a host; write a host name or address, such as `git.example.com` or `git.example.com:8443`"
                ))
            })?;
            Ok(Host { name, port })
        };
        entries.iter().map(parse).collect::<Result<_, _>>().map(TokenHosts)
    }
}

/// Where git2 is about to connect, read from the URL it hands the credentials callback.
#[derive(Debug)]
pub(crate) struct Endpoint {
    https: bool,
    host: String,
    port: u16,
}

impl Endpoint {
    /// `username` is the user name git2 read from the URL: git2 writes it back unescaped,
    /// so it is stripped as it is, and a URL with a password as well (whose end cannot be
    /// told) is not read at all. `None`: not a URL whose host is certain.
    pub(crate) fn parse(url: &str, username: Option<&str>) -> Option<Endpoint> {
        let (https, host, port) = split_url(url, username)?;
        Some(Endpoint { https, host, port: port.unwrap_or(if https { 443 } else { 80 }) })
    }

    /// Plain http to a loopback address stays on this machine.
    fn private(&self) -> bool {
        self.host.parse::<Ipv4Addr>().map(|a| a.is_loopback()).unwrap_or(false)
            || self.host.parse::<Ipv6Addr>().map(|a| a.is_loopback()).unwrap_or(false)
    }

    /// `scheme://host[:port]`, for messages: never the URL's user name or password.
    pub(crate) fn origin(&self) -> String {
        let port = Some(self.port).filter(|p| *p != if self.https { 443 } else { 80 });
        let host = Host { name: self.host.clone(), port };
        format!("{}://{host}", if self.https { "https" } else { "http" })
    }
}

/// Why a token was not offered to a host.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Withheld {
    OtherHost,
    PlainHttp,
}

/// Whether a token bound to `hosts` may go to `to`.
pub(crate) fn allowed(hosts: &[Host], to: &Endpoint) -> Result<(), Withheld> {
    if !hosts.iter().any(|h| h.matches(to)) {
        return Err(Withheld::OtherHost);
    }
    if !to.https && !to.private() {
        return Err(Withheld::PlainHttp);
    }
    Ok(())
}

/// The first token of the environment bound to `url`'s host; else why each set one was not.
pub(crate) fn env_token(bindings: &Bindings, url: &str, username: Option<&str>) -> Result<String, Vec<String>> {
    let set: Vec<(&str, String)> =
        TOKEN_VARS.iter().filter_map(|v| Some((*v, std::env::var(v).ok().filter(|t| !t.is_empty())?))).collect();
    if set.is_empty() {
        return Err(Vec::new());
    }
    let Some(to) = Endpoint::parse(url, username) else { return Err(vec![format!("{UNCERTAIN}, so none is")]) };
    let mut why = Vec::new();
    for (var, token) in set {
        match bindings.check(var, &to) {
            Ok(()) => return Ok(token),
            Err(reason) => why.push(reason),
        }
    }
    Err(why)
}

/// Whether the PR bot's token may go to `to`: the GitHub server's host, over https.
pub(crate) fn token_bound(server: &Host, to: &Option<Endpoint>) -> Result<(), String> {
    let Some(to) = to else { return Err(format!("the GitHub token goes only to {server}, and {UNCERTAIN}")) };
    match allowed(std::slice::from_ref(server), to) {
        Ok(()) => Ok(()),
        Err(Withheld::OtherHost) => {
            Err(format!("the GitHub token goes only to {server} (GITHUB_SERVER_URL), not to {}", to.origin()))
        }
        Err(Withheld::PlainHttp) => {
            Err(format!("the GitHub token goes only over https, and {} is plain http", to.origin()))
        }
    }
}

/// The host of a GitHub server URL (`GITHUB_SERVER_URL`), with its port when written.
pub(crate) fn server_host(url: &str) -> Option<Host> {
    let (_, name, port) = split_url(url, None)?;
    Some(Host { name, port })
}

/// The hosts each token variable is bound to.
pub(crate) struct Bindings {
    github: Result<Host, String>,
    gitlab: Result<Host, String>,
    wright: TokenHosts,
}

impl Bindings {
    /// From `GITHUB_SERVER_URL` and `GITLAB_HOST` (as `glab` reads it), and the user's list.
    pub(crate) fn from_env(token_hosts: &TokenHosts) -> Bindings {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Bindings::new(var("GITHUB_SERVER_URL").as_deref(), var("GITLAB_HOST").as_deref(), token_hosts.clone())
    }

    fn new(github_server: Option<&str>, gitlab_host: Option<&str>, wright: TokenHosts) -> Bindings {
        let github = match github_server {
            None => Ok(Host::named("github.com")),
            Some(url) => server_host(url)
                .ok_or_else(|| format!("the host of GITHUB_SERVER_URL, but `{url}` is not a URL wright can read")),
        };
        let gitlab = match gitlab_host {
            None => Some(Host::named("gitlab.com")),
            Some(h) if h.contains("://") => server_host(h),
            Some(h) => authority(h).map(|(name, port)| Host { name, port }),
        }
        .ok_or_else(|| {
            format!("the host of GITLAB_HOST, but `{}` is not a host wright can read", gitlab_host.unwrap_or_default())
        });
        Bindings { github, gitlab, wright }
    }

    /// Offers `var`'s token to `to`, or says why not and what to set.
    pub(crate) fn check(&self, var: &str, to: &Endpoint) -> Result<(), String> {
        let host = Host::named(&to.host);
        let forge = |bound: &Result<Host, String>, usual: &str, env: &str, what: &str| match bound {
            Ok(h) if *h == Host::named(usual) => {
                (vec![h.clone()], format!("{h}"), format!(" (set {env} if {host} is your {what} server)"))
            }
            Ok(h) => (vec![h.clone()], format!("{h}, the host of {env}"), String::new()),
            Err(why) => (Vec::new(), why.clone(), String::new()),
        };
        let (hosts, whose, hint) = match var {
            "GITHUB_TOKEN" | "GH_TOKEN" => forge(&self.github, "github.com", "GITHUB_SERVER_URL", "GitHub"),
            "GITLAB_TOKEN" => forge(&self.gitlab, "gitlab.com", "GITLAB_HOST", "GitLab"),
            _ => {
                let list: Vec<String> = self.wright.0.iter().map(Host::to_string).collect();
                let list = if list.is_empty() { "none yet".to_string() } else { list.join(", ") };
                let whose = format!("the hosts of git.token_hosts in your own wright config ({list})");
                (self.wright.0.clone(), whose, format!(" (add \"{host}\" there if the token is for it)"))
            }
        };
        match allowed(&hosts, to) {
            Ok(()) => Ok(()),
            Err(Withheld::OtherHost) => Err(format!("{var} is offered only to {whose}, not to {host}{hint}")),
            Err(Withheld::PlainHttp) => {
                Err(format!("{var} is offered only over https, and {} is plain http", to.origin()))
            }
        }
    }
}

/// Why no token goes to a URL `Endpoint::parse` cannot read.
const UNCERTAIN: &str = "the URL's host is not certain (it holds a password, or characters no host name has)";

/// A URL's scheme (https or not), host and written port. `username` as in `Endpoint::parse`.
fn split_url(url: &str, username: Option<&str>) -> Option<(bool, String, Option<u16>)> {
    let (scheme, rest) = url.split_once("://")?;
    let https = match scheme.to_ascii_lowercase().as_str() {
        "https" => true,
        "http" => false,
        _ => return None,
    };
    let rest = match username {
        Some(user) => rest.strip_prefix(user)?.strip_prefix('@')?,
        None => rest,
    };
    // An `@` left here fails the host check below: no userinfo trick gets past it.
    let authority_text = rest.split(['/', '?']).next()?;
    let (host, port) = authority(authority_text)?;
    Some((https, host, port))
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`; a host of letters, digits, `-` and `.` only.
fn authority(text: &str) -> Option<(String, Option<u16>)> {
    let port = |p: &str| if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) { p.parse().ok() } else { None };
    if let Some(bracketed) = text.strip_prefix('[') {
        let (v6, after) = bracketed.split_once(']')?;
        v6.parse::<Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            p => Some(port(p.strip_prefix(':')?)?),
        };
        return Some((v6.to_ascii_lowercase(), port));
    }
    let (name, written) = match text.split_once(':') {
        Some((name, p)) => (name, Some(port(p)?)),
        None => (text, None),
    };
    let fine = |b: u8| b.is_ascii_alphanumeric() || b == b'-' || b == b'.';
    (!name.is_empty() && name.bytes().all(fine)).then(|| (name.to_ascii_lowercase(), written))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(url: &str) -> Endpoint {
        Endpoint::parse(url, None).unwrap()
    }

    fn hosts(entries: &[&str]) -> TokenHosts {
        TokenHosts::parse(&entries.iter().map(|e| e.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn plain() -> Bindings {
        Bindings::new(None, None, TokenHosts::default())
    }

    #[test]
    fn a_github_token_goes_to_github_over_https_only() {
        let b = plain();
        for var in ["GITHUB_TOKEN", "GH_TOKEN"] {
            assert_eq!(b.check(var, &at("https://github.com/o/r.git")), Ok(()));
            assert_eq!(b.check(var, &at("https://GitHub.COM:443/o/r.git")), Ok(()), "case and the default port");
            let evil = b.check(var, &at("https://evil.example/o/r.git")).unwrap_err();
            assert!(evil.contains("only to github.com") && evil.contains("GITHUB_SERVER_URL"), "{evil}");
            let http = b.check(var, &at("http://github.com/o/r.git")).unwrap_err();
            assert!(http.contains("only over https") && http.contains("http://github.com is plain"), "{http}");
        }
        assert!(b.check("GITHUB_TOKEN", &at("https://gitlab.com/o/r.git")).is_err());
    }

    #[test]
    fn suffixes_prefixes_and_lookalikes_are_other_hosts() {
        let b = plain();
        for url in [
            "https://github.com.evil.example/o/r.git",
            "https://evil.example/github.com/o/r.git",
            "https://evilgithub.com/o/r.git",
            "https://api.github.com/o/r.git",
            "https://github.com./o/r.git",
            "https://evil.example/?github.com",
        ] {
            assert!(b.check("GITHUB_TOKEN", &at(url)).is_err(), "{url}");
        }
    }

    #[test]
    fn userinfo_never_passes_for_the_host() {
        let b = plain();
        // As written, or as git2 hands it to the callback (the user name unescaped).
        for (url, user) in [
            ("https://github.com@evil.example/o/r.git", Some("github.com")),
            ("https://github.com/@evil.example/o/r.git", Some("github.com/")),
            ("https://x:github.com@evil.example/o/r.git", Some("x")),
            ("https://x@github.com@evil.example/o/r.git", Some("x")),
            ("https://x:@github.com/@evil.example/o/r.git", Some("x")),
        ] {
            match Endpoint::parse(url, user) {
                None => {}
                Some(to) => assert!(b.check("GITHUB_TOKEN", &to).is_err(), "{url} read as {to:?}"),
            }
        }
        for url in ["https://github.com@evil.example/o/r.git", "https://x@github.com/o/r.git", "https://git hub.com/"] {
            assert!(Endpoint::parse(url, None).is_none(), "{url} has userinfo git2 did not report, or no host");
        }
        let named = Endpoint::parse("https://me@github.com/o/r.git", Some("me")).unwrap();
        assert_eq!(b.check("GITHUB_TOKEN", &named), Ok(()), "a plain user name is fine");
        assert!(Endpoint::parse("https://me:pw@github.com/o/r.git", Some("me")).is_none(), "a password: unsure");
    }

    #[test]
    fn github_server_url_moves_the_github_tokens_and_its_port_binds() {
        let b = Bindings::new(Some("https://GHE.example.com/"), None, TokenHosts::default());
        assert_eq!(b.check("GITHUB_TOKEN", &at("https://ghe.example.com/o/r.git")), Ok(()));
        let other = b.check("GH_TOKEN", &at("https://github.com/o/r.git")).unwrap_err();
        assert!(other.contains("ghe.example.com, the host of GITHUB_SERVER_URL"), "{other}");
        let ported = Bindings::new(Some("https://ghe.example.com:8443"), None, TokenHosts::default());
        assert_eq!(ported.check("GITHUB_TOKEN", &at("https://ghe.example.com:8443/o/r.git")), Ok(()));
        assert!(ported.check("GITHUB_TOKEN", &at("https://ghe.example.com/o/r.git")).is_err());
        let unreadable = Bindings::new(Some("https://a@ghe.example.com"), None, TokenHosts::default());
        let why = unreadable.check("GITHUB_TOKEN", &at("https://ghe.example.com/o/r.git")).unwrap_err();
        assert!(why.contains("GITHUB_SERVER_URL, but `https://a@ghe.example.com` is not a URL"), "{why}");
    }

    #[test]
    fn a_gitlab_token_goes_to_gitlab_or_gitlab_host() {
        assert_eq!(plain().check("GITLAB_TOKEN", &at("https://gitlab.com/o/r.git")), Ok(()));
        assert!(plain().check("GITLAB_TOKEN", &at("https://github.com/o/r.git")).is_err());
        for host in ["gitlab.example.com", "https://gitlab.example.com"] {
            let b = Bindings::new(None, Some(host), TokenHosts::default());
            assert_eq!(b.check("GITLAB_TOKEN", &at("https://gitlab.example.com/o/r.git")), Ok(()), "{host}");
            assert!(b.check("GITLAB_TOKEN", &at("https://gitlab.com/o/r.git")).is_err(), "{host}");
        }
    }

    #[test]
    fn the_wright_token_goes_only_to_the_users_hosts() {
        let none = plain().check("WRIGHT_GIT_TOKEN", &at("https://git.example.com/r.git")).unwrap_err();
        assert!(none.contains("git.token_hosts") && none.contains("(none yet)"), "{none}");
        assert!(none.contains("add \"git.example.com\" there"), "{none}");
        let b = Bindings::new(None, None, hosts(&["git.example.com", "[::1]:8080", "Mirror.Example:8443"]));
        assert_eq!(b.check("WRIGHT_GIT_TOKEN", &at("https://git.example.com/r.git")), Ok(()));
        assert_eq!(b.check("WRIGHT_GIT_TOKEN", &at("https://GIT.example.com:444/r.git")), Ok(()), "any port");
        assert_eq!(b.check("WRIGHT_GIT_TOKEN", &at("https://mirror.example:8443/r.git")), Ok(()));
        assert!(b.check("WRIGHT_GIT_TOKEN", &at("https://mirror.example/r.git")).is_err(), "another port");
        assert!(b.check("WRIGHT_GIT_TOKEN", &at("https://github.com/r.git")).is_err());
        assert!(b.check("WRIGHT_GIT_TOKEN", &at("http://git.example.com/r.git")).is_err(), "plain http");
        assert_eq!(b.check("WRIGHT_GIT_TOKEN", &at("http://[::1]:8080/r.git")), Ok(()), "loopback");
        let listed = b.check("WRIGHT_GIT_TOKEN", &at("https://evil.example/r.git")).unwrap_err();
        assert!(listed.contains("(git.example.com, [::1]:8080, mirror.example:8443)"), "{listed}");
    }

    #[test]
    fn plain_http_is_only_for_a_loopback_address_the_user_named() {
        let b = Bindings::new(None, None, hosts(&["127.0.0.1", "localhost", "10.0.0.1"]));
        assert_eq!(b.check("WRIGHT_GIT_TOKEN", &at("http://127.0.0.1:9418/r.git")), Ok(()));
        // A name resolves wherever the resolver says; only an address is surely this machine.
        assert!(b.check("WRIGHT_GIT_TOKEN", &at("http://localhost:9418/r.git")).is_err());
        assert!(b.check("WRIGHT_GIT_TOKEN", &at("http://10.0.0.1/r.git")).is_err());
        assert!(b.check("WRIGHT_GIT_TOKEN", &at("http://127.0.0.2/r.git")).is_err(), "not named");
        assert!(b.check("GITHUB_TOKEN", &at("http://127.0.0.1/r.git")).is_err(), "not GitHub's");
    }

    #[test]
    fn the_bots_token_goes_to_the_github_server_over_https_only() {
        let github = server_host("https://github.com").unwrap();
        assert_eq!(token_bound(&github, &Endpoint::parse("https://github.com/o/r.git", None)), Ok(()));
        for url in
            ["http://github.com/o/r.git", "https://evil.example/o/r.git", "https://github.com@evil.example/o/r.git"]
        {
            assert!(token_bound(&github, &Endpoint::parse(url, None)).is_err(), "{url}");
        }
        let local = server_host("http://127.0.0.1:8080").unwrap();
        assert_eq!(token_bound(&local, &Endpoint::parse("http://127.0.0.1:8080/o/r.git", None)), Ok(()));
        assert!(token_bound(&local, &Endpoint::parse("http://127.0.0.1:9090/o/r.git", None)).is_err());
        // Refused before any connection is made.
        let (nowhere, timeout) = (std::path::Path::new("/nonexistent"), std::time::Duration::from_secs(1));
        let e = crate::push_to_url(nowhere, "b", "http://ghe.example/o/r.git", "t", "http://ghe.example", timeout)
            .unwrap_err();
        assert!(matches!(e, GitError::Refused(_)) && e.to_string().contains("plain http"), "{e}");
        let e = crate::push_to_url(nowhere, "b", "https://evil.example/o/r.git", "t", "https://github.com", timeout)
            .unwrap_err();
        assert!(matches!(e, GitError::Refused(_)) && e.to_string().contains("only to github.com"), "{e}");
    }

    #[test]
    fn token_hosts_entries_are_hosts() {
        for bad in
            ["https://git.example.com", "git.example.com/path", "user@git.example.com", "host:", "h:+1", "", "[::1"]
        {
            let e = TokenHosts::parse(&[bad.to_string()]).unwrap_err();
            assert!(e.to_string().contains("git.token_hosts"), "{bad}: {e}");
        }
        assert!(Endpoint::parse("ssh://git@github.com/o/r.git", Some("git")).is_none(), "not http(s)");
    }
}
