//! Words wright did not write (the model's, a verdict's, a command's or a test run's, the
//! repository's), posted as inert Markdown. In a code span nothing renders: no image
//! (GitHub's image proxy fetches its address, and a query can carry a secret out), no
//! link, autolink, HTML, emoji, mention or issue reference. Its fence is longer than any
//! run of backticks inside, so the text cannot close it early.

/// `text` on one line, at most `max` characters, as a code span; empty when nothing is
/// left.
pub fn code(text: &str, max: usize) -> String {
    let line = collapsed(text);
    let mut cut: String = line.chars().take(max).collect();
    if cut.len() < line.len() {
        cut.push('…');
    }
    if cut.is_empty() {
        return cut;
    }
    let cut = defused(&cut);
    let longest = cut.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A span that starts or ends with a backtick needs a space, which the renderer drops.
    let pad = if cut.starts_with('`') || cut.ends_with('`') { " " } else { "" };
    format!("{fence}{pad}{cut}{pad}{fence}")
}

/// `text` on one line, without controls or invisible characters, no mention and no
/// issue reference: for a place that renders no Markdown, such as a title.
pub fn plain(text: &str, max: usize) -> String {
    defused(&collapsed(text).chars().take(max).collect::<String>())
}

/// Whitespace and controls made single spaces; characters that show nothing or reorder
/// what is shown taken out.
fn collapsed(text: &str) -> String {
    let shown: String = text.chars().filter(|&c| !invisible(c)).map(|c| if c.is_control() { ' ' } else { c }).collect();
    shown.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Bidi controls, zero-width characters and Unicode tags.
fn invisible(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
        || ('\u{E0000}'..='\u{E007F}').contains(&c)
}

/// No ping and no issue reference (a `Fixes #12` in a merged pull request closes #12),
/// even where GitHub would find one despite the code span: an invisible break follows
/// `@` and a `#` before a digit.
fn defused(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '@' || (c == '#' && chars.peek().is_some_and(char::is_ascii_digit)) {
            out.push('\u{200B}');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_becomes_one_code_span_its_backticks_cannot_close() {
        assert_eq!(code("Fix  the\nparser", 300), "`Fix the parser`");
        assert_eq!(code("run `ls` then ``x``", 300), "``` run `ls` then ``x`` ```");
        assert_eq!(code("`quoted`", 300), "`` `quoted` ``");
        assert_eq!(code("   ", 300), "");
        assert_eq!(code("abcdef", 3), "`abc…`");
    }

    #[test]
    fn nothing_in_it_pings_links_or_hides() {
        let text = code("ask @admin, fixes #12\u{202E}\u{200B} ![x](https://e/?d=s) <img src=x>", 300);
        assert!(text.contains("@\u{200B}admin") && text.contains("#\u{200B}12"), "{text}");
        assert!(!text.contains('\u{202E}') && text.starts_with('`') && text.ends_with('`'), "{text}");
        assert_eq!(plain("a\n@b #1\u{E0041}", 72), "a @\u{200B}b #\u{200B}1");
    }
}
