//! The git config a sandboxed command sees: the repository's own, with credentials
//! taken out (`http.*.extraheader`, `[credential]` sections, passwords and tokens in any
//! URL, section headers included), so `git` works inside but a test cannot read a token.

/// Sections dropped whole: credentials, and includes (they would read files not stripped).
const DROPPED_SECTIONS: &[&str] = &["credential", "include", "includeif"];
/// Keys dropped in any section.
const DROPPED_KEYS: &[&str] = &["extraheader", "helper", "askpass", "cookiefile"];
/// Words that mark a key's value as a secret.
const SECRET_WORDS: &[&str] = &["password", "passwd", "token", "secret"];

/// `text` (a git config file) without credentials.
pub fn strip_credentials(text: &str) -> String {
    let mut out = String::new();
    let mut dropping_section = false;
    // The previous line ended in `\`: this one goes on with its value.
    let mut continued: Option<bool> = None;
    for line in text.lines() {
        if let Some(keep) = continued {
            continued = continues(line).then_some(keep);
            if keep && !dropping_section {
                out.push_str(&strip_userinfo(line));
                out.push('\n');
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || trimmed.starts_with(';') {
            continue;
        }
        let mut body = line;
        if trimmed.starts_with('[') {
            let (header, rest) = split_header(trimmed);
            dropping_section = DROPPED_SECTIONS.contains(&section_name(header).as_str());
            if !dropping_section {
                out.push_str(&strip_userinfo(header));
                out.push('\n');
            }
            // git allows a key on the header's line.
            body = rest.trim_start();
            if body.is_empty() {
                continue;
            }
        }
        let keep = !dropping_section && !secret_key(body.trim_start());
        continued = continues(body).then_some(keep);
        if keep {
            out.push_str(&strip_userinfo(body));
            out.push('\n');
        }
    }
    out
}

/// `[section "sub"] rest` → (`[section "sub"]`, `rest`); the `]` inside quotes is skipped.
fn split_header(line: &str) -> (&str, &str) {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ']' if !quoted => return line.split_at(i + 1),
            _ => {}
        }
    }
    (line, "")
}

/// `[includeIf "gitdir:~/x"]` → `includeif`; `[http.https://x]` → `http`.
fn section_name(header: &str) -> String {
    let inner = header.trim_start_matches('[').trim_start();
    inner
        .split(|c: char| c == '.' || c == '"' || c == ']' || c.is_whitespace())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn secret_key(body: &str) -> bool {
    let key = body.split(|c: char| c == '=' || c.is_whitespace()).next().unwrap_or("").to_ascii_lowercase();
    DROPPED_KEYS.contains(&key.as_str()) || SECRET_WORDS.iter().any(|w| key.contains(w))
}

/// Whether a line ends in an odd number of backslashes (its value goes on).
fn continues(line: &str) -> bool {
    line.trim_end_matches(['\r', '\n']).chars().rev().take_while(|&c| c == '\\').count() % 2 == 1
}

/// Every `scheme://user:token@host` in `text` as `scheme://host`.
fn strip_userinfo(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some((before, after)) = rest.split_once("://") {
        out.push_str(before);
        out.push_str("://");
        let end =
            after.find(|c: char| matches!(c, '/' | '"' | '?' | '#' | '\\') || c.is_whitespace()).unwrap_or(after.len());
        let (authority, tail) = after.split_at(end);
        out.push_str(authority.rsplit_once('@').map_or(authority, |(_, host)| host));
        rest = tail;
    }
    out.push_str(rest);
    out
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

    #[test]
    fn tokens_in_section_headers_are_gone() {
        let config = "[url \"https://x-access-token:ghs_SECRET@github.com/\"]\n\tinsteadOf = https://github.com/\n\
                      [http \"https://me:SECRET2@git.example.com/\"] sslVerify = true\n\
                      [http.https://SECRET3@host.example/]\n\tproxy = http://u:SECRET4@proxy:8080\n\
                      [credential \"https://github.com\"]\n\tusername = SECRET5\n\
                      [includeIf \"gitdir:~/work/\"]\n\tpath = ~/.gitconfig-SECRET6\n\
                      # token SECRET7\n[core]\n\tpassword = SECRET8\n\tsshCommand = ssh -q\n";
        let clean = strip_credentials(config);
        assert!(!clean.contains("SECRET"), "{clean}");
        assert!(clean.contains("[url \"https://github.com/\"]\n\tinsteadOf = https://github.com/"), "{clean}");
        assert!(clean.contains("[http \"https://git.example.com/\"]\nsslVerify = true"), "{clean}");
        assert!(clean.contains("proxy = http://proxy:8080") && clean.contains("sshCommand = ssh -q"), "{clean}");
    }

    #[test]
    fn a_dropped_value_goes_with_its_continuation_lines() {
        let config = "[http]\n\textraheader = AUTHORIZATION: \\\n basic SECRET\n\tsslVerify = true\n[alias]\n\tst = status \\\n --short\n";
        let clean = strip_credentials(config);
        assert!(!clean.contains("SECRET"), "{clean}");
        assert!(clean.contains("sslVerify = true") && clean.contains("st = status \\\n --short"), "{clean}");
    }
}
