//! Where the API key may go: to the endpoint the user configured, over TLS unless that
//! endpoint is this machine, and never across a redirect to another origin.

use reqwest::Url;
use reqwest::redirect::{Attempt, Policy};

use crate::LlmError;

/// Refuses to send `key` in the clear off this machine.
pub(crate) fn check_key_transport(base: &str, has_key: bool) -> Result<(), LlmError> {
    let url = Url::parse(base).map_err(|e| LlmError::Config(format!("base URL `{base}` is not a URL: {e}")))?;
    if !has_key || url.scheme() == "https" || is_loopback(&url) {
        return Ok(());
    }
    Err(LlmError::Config(format!(
        "refusing to send OPENAI_API_KEY over plain http to {}: anyone on the way could read it. \
         Use an https:// endpoint, or unset the key for a server that needs none (`OPENAI_API_KEY= wright ...`)",
        url.host_str().unwrap_or(base)
    )))
}

fn is_loopback(url: &Url) -> bool {
    let Some(host) = url.host_str() else { return false };
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        // Only the name itself: `x.localhost` is whatever the resolver says it is.
        Err(_) => host == "localhost",
    }
}

/// Redirects within the endpoint's own origin are followed (a few); one to another
/// scheme, host or port is not, so the `Authorization` header never travels there. The
/// 3xx then reaches wright as the answer, and is reported.
pub(crate) fn redirect_policy() -> Policy {
    Policy::custom(|attempt: Attempt| {
        let same_origin = attempt.previous().first().is_some_and(|first| first.origin() == attempt.url().origin());
        if same_origin && attempt.previous().len() < 5 { attempt.follow() } else { attempt.stop() }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_goes_in_the_clear_only_to_this_machine() {
        for ok in ["https://api.openai.com/v1", "http://127.0.0.1:8089/v1", "http://localhost/v1", "http://[::1]:9/v1"]
        {
            assert!(check_key_transport(ok, true).is_ok(), "{ok}");
        }
        let err = check_key_transport("http://attacker.example/v1", true).unwrap_err().to_string();
        assert!(err.contains("attacker.example") && err.contains("https://"), "{err}");
        assert!(check_key_transport("http://10.0.0.5/v1", true).is_err());
        // No key: nothing to leak.
        assert!(check_key_transport("http://10.0.0.5/v1", false).is_ok());
    }
}
