//! Reading the code out of a sample: the longest fenced block of the reply.

/// The longest closed fenced block's body, or `None` when the reply holds none (a reply
/// cut at the token cap leaves its block open, and is no code to apply).
pub fn code_block(reply: &str) -> Option<String> {
    let mut best: Option<String> = None;
    let mut open: Option<Vec<&str>> = None;
    for line in reply.lines() {
        let fence = line.trim_start().starts_with("```");
        match (&mut open, fence) {
            (None, true) => open = Some(Vec::new()),
            (Some(body), true) => {
                let text = body.join("\n");
                if best.as_ref().is_none_or(|b| text.len() > b.len()) {
                    best = Some(text);
                }
                open = None;
            }
            (Some(body), false) => body.push(line),
            (None, false) => {}
        }
    }
    best
}

/// `new` in place of `lines` (1-based, inclusive) of `text`, or of all of it; the file's
/// final newline kept as it was.
pub fn splice(text: &str, lines: Option<(usize, usize)>, new: &str) -> String {
    let new = new.trim_end_matches('\n');
    let mut out = match lines {
        None => new.to_string(),
        Some((start, end)) => {
            let all: Vec<&str> = text.lines().collect();
            let before = all.iter().take(start.saturating_sub(1));
            let after = all.iter().skip(end);
            before.copied().chain(std::iter::once(new)).chain(after.copied()).collect::<Vec<_>>().join("\n")
        }
    };
    if text.ends_with('\n') || text.is_empty() {
        out.push('\n');
    }
    out
}

/// Lines `lines` of `text`, or all of it.
pub fn excerpt(text: &str, lines: Option<(usize, usize)>) -> String {
    match lines {
        None => text.trim_end_matches('\n').to_string(),
        Some((start, end)) => text
            .lines()
            .skip(start.saturating_sub(1))
            .take((end + 1).saturating_sub(start.max(1)))
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longest_closed_block_is_the_code() {
        let reply = "Here:\n```\nx\n```\nand\n```python\ndef f():\n    return 1\n```\n";
        assert_eq!(code_block(reply).unwrap(), "def f():\n    return 1");
        assert_eq!(code_block("```python\ndef f():\n    ret"), None);
        assert_eq!(code_block("no code at all"), None);
    }

    #[test]
    fn a_definition_is_spliced_in_place() {
        let text = "a\nb\nc\nd\n";
        assert_eq!(excerpt(text, Some((2, 3))), "b\nc");
        assert_eq!(excerpt(text, Some((4, 1))), "");
        assert_eq!(splice(text, Some((2, 3)), "B\nC\nC2\n"), "a\nB\nC\nC2\nd\n");
        assert_eq!(splice(text, None, "z"), "z\n");
        assert_eq!(splice("no newline", None, "y\n"), "y");
    }
}
