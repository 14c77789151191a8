//! Words for the shell: commands the harness builds from task ids, paths and templates.

/// `text` single-quoted, always.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// A word as the shell reads it back unchanged: plain words bare, the rest quoted.
pub fn word(text: &str) -> String {
    if !text.is_empty() && text.chars().all(|c| c.is_ascii_alphanumeric() || "/._-:=".contains(c)) {
        text.to_string()
    } else {
        quote(text)
    }
}
