//! The git config a sandboxed command sees: the repository's own, with credentials
//! taken out (`http.*.extraheader`, `[credential]` sections, passwords and tokens in
//! remote URLs), so `git` works inside but a test cannot read a token.

/// `text` (a git config file) without credentials.
pub fn strip_credentials(text: &str) -> String {
    let mut out = String::new();
    let mut in_credential = false;
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            let section = trimmed.trim_start_matches('[').to_ascii_lowercase();
            in_credential = section.starts_with("credential");
            if in_credential {
                continue;
            }
        }
        if in_credential {
            continue;
        }
        let key = trimmed.split('=').next().unwrap_or("").trim().to_ascii_lowercase();
        if key == "extraheader" || key == "helper" || key == "askpass" || key == "cookiefile" {
            continue;
        }
        if key == "url" || key == "pushurl" {
            out.push_str(&strip_userinfo(line));
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// `https://user:token@host/x` → `https://host/x`.
fn strip_userinfo(line: &str) -> String {
    let Some((scheme, rest)) = line.split_once("://") else { return line.to_string() };
    let authority = rest.split('/').next().unwrap_or(rest);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{host}{}", rest.strip_prefix(authority).unwrap_or_default()),
        None => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_headers_are_gone() {
        let config = "[core]\n\tbare = false\n[remote \"origin\"]\n\turl = https://x-access-token:ghs_SECRET@github.com/o/r.git\n[http \"https://github.com/\"]\n\textraheader = AUTHORIZATION: basic SECRET2\n[credential]\n\thelper = store\n\tusername = me\n[user]\n\tname = Dev\n";
        let clean = strip_credentials(config);
        assert!(!clean.contains("SECRET"), "{clean}");
        assert!(!clean.contains("helper"), "{clean}");
        assert!(clean.contains("url = https://github.com/o/r.git"), "{clean}");
        assert!(clean.contains("name = Dev"));
    }
}
