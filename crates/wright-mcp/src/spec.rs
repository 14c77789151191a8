//! A server as the user's config describes it, checked before anything starts.

use std::path::PathBuf;
use std::time::Duration;

/// One `[mcp_servers.NAME]` of the user's config.
#[derive(Debug, Clone)]
pub struct ServerSpec {
    /// The config's NAME: the prefix of its tools' names.
    pub name: String,
    pub launch: Launch,
    /// Only these tools are offered (unset: all but `disabled_tools`).
    pub enabled_tools: Option<Vec<String>>,
    pub disabled_tools: Vec<String>,
    /// Longest wait for the server to start and list its tools.
    pub startup_timeout: Duration,
    /// Longest wait for one call's answer.
    pub tool_timeout: Duration,
}

/// How a server is reached.
#[derive(Debug, Clone)]
pub enum Launch {
    /// A program speaking MCP over its standard input and output, run in the sandbox.
    Stdio {
        command: String,
        args: Vec<String>,
        /// Variables set for it, beside the sandbox's scrubbed environment.
        env: Vec<(String, String)>,
        /// Let it reach the network.
        network: bool,
        /// Absolute host paths shown to it read-only (its program, when it lives under the
        /// home the sandbox hides).
        read_only: Vec<PathBuf>,
    },
    /// A streamable HTTP endpoint, reached by wright from the host.
    Http {
        url: String,
        /// Sent as `Authorization: Bearer …` to this URL's origin only.
        bearer_token: Option<String>,
    },
}

/// A server the user's config describes in a way wright will not start.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SpecError {
    #[error("mcp_servers.{0}: a server name is letters, digits, `-` and single `_` (it prefixes its tools' names)")]
    Name(String),
    #[error("mcp_servers.{0}: `command` is empty")]
    NoCommand(String),
    #[error("mcp_servers.{name}: read_only_paths holds {path}, which is not an absolute path that exists")]
    ReadOnlyPath { name: String, path: String },
    #[error("mcp_servers.{name}: `url` {url} is not an http(s) URL ({why})")]
    Url { name: String, url: String, why: String },
    #[error(
        "mcp_servers.{name}: a bearer token goes over https only (or http on loopback); {url} would send it in the clear"
    )]
    TokenInClear { name: String, url: String },
}

/// Longest server name: `NAME__tool` must leave room for the tool.
const LONGEST_NAME: usize = 32;

impl ServerSpec {
    /// Whether wright will start it: a name that can prefix tool names, a command, an
    /// http(s) URL, and a token only where it cannot be read on the way.
    pub fn check(&self) -> Result<(), SpecError> {
        let name = &self.name;
        let fits = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
        if name.is_empty() || name.len() > LONGEST_NAME || !name.chars().all(fits) || name.contains("__") {
            return Err(SpecError::Name(name.clone()));
        }
        match &self.launch {
            Launch::Stdio { command, .. } if command.trim().is_empty() => Err(SpecError::NoCommand(name.clone())),
            Launch::Stdio { read_only, .. } => match read_only.iter().find(|p| !p.is_absolute() || !p.exists()) {
                Some(path) => Err(SpecError::ReadOnlyPath { name: name.clone(), path: path.display().to_string() }),
                None => Ok(()),
            },
            Launch::Http { url, bearer_token } => {
                let bad = |why: String| SpecError::Url { name: name.clone(), url: url.clone(), why };
                let parsed = reqwest::Url::parse(url).map_err(|e| bad(e.to_string()))?;
                match parsed.scheme() {
                    "https" => Ok(()),
                    "http" if bearer_token.is_none() || is_loopback(&parsed) => Ok(()),
                    "http" => Err(SpecError::TokenInClear { name: name.clone(), url: url.clone() }),
                    other => Err(bad(format!("the scheme is {other}"))),
                }
            }
        }
    }

    /// Whether the tool `name` of this server is offered.
    pub fn offers(&self, tool: &str) -> bool {
        let enabled = self.enabled_tools.as_ref().is_none_or(|only| only.iter().any(|t| t == tool));
        enabled && !self.disabled_tools.iter().any(|t| t == tool)
    }
}

/// Whether `url` names this machine.
pub(crate) fn is_loopback_url(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| is_loopback(&u))
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(url: &str, token: bool) -> ServerSpec {
        ServerSpec {
            name: "docs".into(),
            launch: Launch::Http { url: url.into(), bearer_token: token.then(|| "t0ken".into()) },
            enabled_tools: None,
            disabled_tools: Vec::new(),
            startup_timeout: Duration::from_secs(1),
            tool_timeout: Duration::from_secs(1),
        }
    }

    #[test]
    fn a_token_goes_over_https_or_to_loopback_only() {
        assert_eq!(http("https://mcp.example.com/mcp", true).check(), Ok(()));
        assert_eq!(http("http://127.0.0.1:9/mcp", true).check(), Ok(()));
        assert_eq!(http("http://localhost:9/mcp", true).check(), Ok(()));
        assert_eq!(http("http://[::1]:9/mcp", true).check(), Ok(()));
        assert_eq!(http("http://mcp.example.com/mcp", false).check(), Ok(()));
        let err = http("http://mcp.example.com/mcp", true).check().unwrap_err();
        assert!(err.to_string().contains("in the clear"), "{err}");
        assert!(matches!(http("ftp://x/", false).check(), Err(SpecError::Url { .. })));
        assert!(matches!(http("not a url", false).check(), Err(SpecError::Url { .. })));
    }

    #[test]
    fn a_name_must_prefix_tool_names_cleanly() {
        for bad in ["", "a b", "a__b", "ä", "x".repeat(33).as_str(), "a/b"] {
            let mut spec = http("https://x/", false);
            spec.name = bad.into();
            assert_eq!(spec.check(), Err(SpecError::Name(bad.into())));
        }
        let mut spec = http("https://x/", false);
        spec.name = "my-docs_2".into();
        assert_eq!(spec.check(), Ok(()));
    }

    #[test]
    fn enabled_and_disabled_tools_filter_what_is_offered() {
        let mut spec = http("https://x/", false);
        assert!(spec.offers("search"));
        spec.disabled_tools = vec!["delete".into()];
        assert!(spec.offers("search") && !spec.offers("delete"));
        spec.enabled_tools = Some(vec!["search".into(), "delete".into()]);
        assert!(spec.offers("search") && !spec.offers("delete") && !spec.offers("other"));
    }
}
