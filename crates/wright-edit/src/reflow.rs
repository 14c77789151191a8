//! `old` written with the file's lines joined or broken differently: a chained call put
//! on one line, an argument list split over several. Such an `old` is found when the
//! file's text and it are the same once whitespace is ignored wherever it does not
//! separate two words, the two span a different number of lines, and exactly one place
//! matches, starting and ending at word boundaries.

/// Text with its whitespace squeezed out, and for each byte of it the byte of the
/// original text it came from.
struct Squeezed {
    text: String,
    origin: Vec<usize>,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whitespace goes, except one space where it separates two word characters
/// (`return x` stays apart from `returnx`).
fn squeeze(text: &str) -> Squeezed {
    let mut out = Squeezed { text: String::with_capacity(text.len()), origin: Vec::with_capacity(text.len()) };
    let mut gap_at: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            gap_at.get_or_insert(i);
            continue;
        }
        if let Some(at) = gap_at.take()
            && is_word(c)
            && out.text.chars().next_back().is_some_and(is_word)
        {
            out.text.push(' ');
            out.origin.push(at);
        }
        out.text.push(c);
        out.origin.extend(std::iter::repeat_n(i, c.len_utf8()));
    }
    out
}

/// The byte range of `text` that `old` names with its lines joined or split otherwise:
/// from the first to one past the last character of the match. `None` unless exactly one
/// place matches.
pub(crate) fn locate_reflowed(text: &str, old: &str) -> Option<(usize, usize)> {
    let needle = squeeze(old).text;
    // Too little text to be sure of the place.
    if needle.chars().count() < 8 {
        return None;
    }
    let hay = squeeze(text);
    let mut found = hay.text.match_indices(needle.as_str()).map(|(i, _)| i);
    let at = found.next()?;
    if found.next().is_some() {
        return None;
    }
    let start = *hay.origin.get(at)?;
    let last = *hay.origin.get(at + needle.len() - 1)?;
    let end = last + text.get(last..)?.chars().next()?.len_utf8();
    let before = text.get(..start)?.chars().next_back();
    let after = text.get(end..)?.chars().next();
    let first = needle.chars().next()?;
    let final_char = needle.chars().next_back()?;
    // `x = 1` must not be found inside `max = 10`.
    if (is_word(first) && before.is_some_and(is_word)) || (is_word(final_char) && after.is_some_and(is_word)) {
        return None;
    }
    let span = text.get(start..end)?;
    (span.lines().count() != old.trim().lines().count()).then_some((start, end))
}

/// `text` with the range replaced by `new`: `new`'s first line takes the place of the
/// match (the file's indentation before it stays), its later lines are re-indented from
/// the indentation of `old`'s first line to that of the line the match starts on.
pub(crate) fn splice_reflowed(text: &str, (start, end): (usize, usize), old: &str, new: &str) -> Option<String> {
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
    let file_indent = indent_of(text.get(line_start..)?);
    let old_indent = indent_of(old.trim_start_matches(['\n', '\r']));
    let new = new.trim_matches(['\n', '\r']);
    let mut body = String::with_capacity(new.len());
    for (i, line) in new.split('\n').enumerate() {
        if i == 0 {
            body.push_str(line.trim_start());
            continue;
        }
        body.push('\n');
        match line.strip_prefix(old_indent) {
            Some(rest) if !line.trim().is_empty() => {
                body.push_str(file_indent);
                body.push_str(rest);
            }
            _ => body.push_str(line),
        }
    }
    let body = body.trim_end();
    Some(format!("{}{body}{}", text.get(..start)?, text.get(end..)?))
}

fn indent_of(line: &str) -> &str {
    let rest = line.trim_start_matches([' ', '\t']);
    line.get(..line.len() - rest.len()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUST: &str = "fn hours(s: &str) -> Option<u64> {\n    s.trim()\n        .parse::<u64>()\n        .ok()\n}\n";

    #[test]
    fn a_chain_joined_onto_one_line_is_found() {
        let old = "    s.trim().parse::<u64>().ok()";
        let range = locate_reflowed(RUST, old).unwrap();
        assert_eq!(RUST.get(range.0..range.1).unwrap(), "s.trim()\n        .parse::<u64>()\n        .ok()");
        let out = splice_reflowed(RUST, range, old, "    s.trim().parse::<u64>().ok().map(|h| h * 3600)").unwrap();
        assert_eq!(out, "fn hours(s: &str) -> Option<u64> {\n    s.trim().parse::<u64>().ok().map(|h| h * 3600)\n}\n");
    }

    #[test]
    fn later_lines_of_new_take_the_file_indentation() {
        let text = "class A:\n    def f(self, a,\n          b):\n        return a\n";
        let old = "def f(self, a, b):\n    return a";
        let range = locate_reflowed(text, old).unwrap();
        let out = splice_reflowed(text, range, old, "def f(self, a, b):\n    return a + b").unwrap();
        assert_eq!(out, "class A:\n    def f(self, a, b):\n        return a + b\n");
    }

    #[test]
    fn words_are_not_run_together_or_cut() {
        assert_eq!(locate_reflowed("return\n  value\n", "returnvalue"), None);
        assert!(locate_reflowed("return\n  value\n", "return value").is_some());
        assert_eq!(locate_reflowed("max = f(1,\n  2)\n", "x = f(1, 2)"), None);
    }

    #[test]
    fn two_places_or_the_same_lines_are_not_a_reflow() {
        let twice = "call(a,\n  b)\ncall(a,\n  b)\n";
        assert_eq!(locate_reflowed(twice, "call(a, b)"), None);
        assert!(locate_reflowed(&twice.replacen("call", "other", 1), "call(a, b)").is_some());
        // Same line count: the matcher's layers own that case.
        assert_eq!(locate_reflowed("call(a,  b, c)\n", "call(a, b,c)"), None);
    }

    #[test]
    fn hostile_text_does_not_panic() {
        for (text, old) in [
            ("é\n  ü", "éü ab cd ef"),
            ("", "abcdefghij"),
            ("ab\ncd\nef\ngh\nij", "abcdefghij"),
            ("ääää(\n  öö,\n  üü)", "ääää(öö,üü)"),
        ] {
            if let Some(range) = locate_reflowed(text, old) {
                let _ = splice_reflowed(text, range, old, "\u{2028}é\n\n");
            }
        }
    }
}
