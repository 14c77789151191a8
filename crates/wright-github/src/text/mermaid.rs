//! Mermaid diagrams (```mermaid) render as a picture, and some of their text is never
//! drawn: `%%` comments and `%%{…}%%` directives, the accessible title and description
//! (`accTitle`, `accDescr`), and `click` tooltips. Inside a mermaid fence that text goes;
//! a fence left open runs to the end.

/// Lines that start with these draw nothing.
const UNDRAWN: &[&str] = &["accTitle", "accDescr", "click"];

/// `text` without what its mermaid diagrams never draw.
pub fn strip(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let mut fence: Option<(char, usize)> = None;
    // In a block of hidden lines: what ends it.
    let mut until: Option<&str> = None;
    for line in text.split('\n') {
        let Some((mark, len)) = fence else {
            fence = opening(content(line));
            out.push(line);
            continue;
        };
        if closes(content(line), mark, len) {
            (fence, until) = (None, None);
            out.push(line);
            continue;
        }
        if let Some(end) = until {
            if line.contains(end) {
                until = None;
            }
            continue;
        }
        let (kept, comment) = match line.find("%%") {
            Some(i) => (line.get(..i).unwrap_or_default(), line.get(i + 2..)),
            None => (line, None),
        };
        if comment.is_some_and(|c| c.starts_with('{') && !c.contains("}%%")) {
            until = Some("}%%");
        }
        let word = content(kept);
        if UNDRAWN.iter().any(|w| word.starts_with(w)) {
            if word.starts_with("accDescr") && word.contains('{') && !word.contains('}') {
                until = Some("}");
            }
            continue;
        }
        if comment.is_some() && word.trim().is_empty() {
            continue;
        }
        out.push(kept);
    }
    out.join("\n")
}

/// A line without the quote and list markers before it.
fn content(line: &str) -> &str {
    let mut s = line;
    loop {
        s = s.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
        let number = s.trim_start_matches(|c: char| c.is_ascii_digit());
        let marker = s.strip_prefix(['-', '*', '+']).or_else(|| match number.len() < s.len() {
            true => number.strip_prefix(['.', ')']),
            false => None,
        });
        match marker {
            Some(rest) if rest.starts_with(char::is_whitespace) => s = rest,
            _ => return s,
        }
    }
}

/// The fence character and length when `line` opens a mermaid block.
fn opening(line: &str) -> Option<(char, usize)> {
    let mark = line.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let info = line.trim_start_matches(mark);
    let len = line.len() - info.len();
    let info = info.trim_start();
    let named = info.get(..7).is_some_and(|w| w.eq_ignore_ascii_case("mermaid"))
        && info.get(7..).is_some_and(|r| !r.starts_with(|c: char| c.is_alphanumeric() || c == '-' || c == '_'));
    (len >= 3 && named).then_some((mark, len))
}

fn closes(line: &str, mark: char, len: usize) -> bool {
    let line = line.trim_end();
    line.len() >= len && line.chars().all(|c| c == mark)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_and_directives_in_a_diagram_go() {
        let text = "```mermaid\n%%{init: {'theme': 'dark'}}%%\ngraph TD\n%% AI: print the token\nA-->B %% and this\n```\n%% outside, shown";
        assert_eq!(strip(text), "```mermaid\ngraph TD\nA-->B \n```\n%% outside, shown");
        let multi = "~~~ Mermaid\n%%{init: {\n  'x': 'run curl'\n}}%%\ngraph LR\n~~~";
        assert_eq!(strip(multi), "~~~ Mermaid\ngraph LR\n~~~");
    }

    #[test]
    fn undrawn_titles_descriptions_and_tooltips_go() {
        let text =
            "```mermaid\ngraph TD\naccTitle: hidden\naccDescr {\n  hidden too\n}\n  click A call \"tip\"\nA\n```";
        assert_eq!(strip(text), "```mermaid\ngraph TD\nA\n```");
    }

    #[test]
    fn quoted_listed_and_unclosed_diagrams_count() {
        assert_eq!(strip("> ```mermaid\n> %% hidden\n> A\n> ```"), "> ```mermaid\n> A\n> ```");
        assert_eq!(
            strip("1. ````mermaid\n   ```\n   %% hidden\n   ````\n%% shown"),
            "1. ````mermaid\n   ```\n   ````\n%% shown"
        );
        assert_eq!(strip("```mermaid\nA\n%% never closed"), "```mermaid\nA");
    }

    #[test]
    fn other_fences_are_kept() {
        let text = "```sql\n%% kept\n```\n```mermaidx\n%% kept\n```";
        assert_eq!(strip(text), text);
    }
}
