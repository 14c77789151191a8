//! GitHub renders LaTeX math (`$…$`, `$$…$$`, `` $`…`$ ``, ```math), and LaTeX can hide
//! text: `\phantom{…}` takes room and shows nothing, `\color{white}{…}` is white on a
//! white page, `\bbox` and `\style` carry CSS, and a macro (`\def`, `\newcommand`) can
//! give any of them another name. These commands go with what they apply to, wherever
//! they stand: math need not be found exactly as GitHub finds it, and text outside math
//! loses at most a command its reader saw spelled out.

/// Commands that hide or cover what they apply to, and how many colour or style
/// arguments come before it.
const HIDERS: &[(&str, usize)] = &[
    ("phantom", 0),
    ("hphantom", 0),
    ("vphantom", 0),
    ("smash", 0),
    ("llap", 0),
    ("rlap", 0),
    ("clap", 0),
    ("mathllap", 0),
    ("mathrlap", 0),
    ("mathclap", 0),
    ("bbox", 0),
    ("color", 1),
    ("textcolor", 1),
    ("colorbox", 1),
    ("fcolorbox", 2),
    ("style", 1),
    ("class", 1),
    ("cssId", 1),
    ("htmlStyle", 1),
    ("htmlClass", 1),
    ("htmlId", 1),
];

/// Commands that define macros: what comes after one cannot be checked.
const DEFINERS: &[&str] = &[
    "def",
    "gdef",
    "edef",
    "xdef",
    "let",
    "futurelet",
    "newcommand",
    "renewcommand",
    "providecommand",
    "DeclareMathOperator",
    "newenvironment",
    "renewenvironment",
];

const AFTER_MACRO: &str = "[text after a LaTeX macro definition removed]";

/// `text` without LaTeX's hiding commands and what they apply to.
pub fn strip(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    // Each round takes at least one backslash off `rest`.
    while let Some(at) = rest.find('\\') {
        out.push_str(rest.get(..at).unwrap_or_default());
        let from = rest.get(at..).unwrap_or_default();
        // `\\phantom` counts too: Markdown may take one backslash away before the math.
        let after = from.trim_start_matches('\\');
        let slashes = from.len() - after.len();
        let name_len = after.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(after.len());
        let name = after.get(..name_len).unwrap_or_default();
        let tail = after.get(name_len..).unwrap_or_default();
        if DEFINERS.contains(&name) {
            out.push_str(AFTER_MACRO);
            return out;
        }
        rest = match HIDERS.iter().find(|(hider, _)| *hider == name) {
            Some(&(_, args)) => applied_to(tail, args),
            None => {
                out.push_str(from.get(..slashes + name_len).unwrap_or_default());
                tail
            }
        };
    }
    out.push_str(rest);
    out
}

/// What follows a hiding command once its arguments are gone: optional `[…]` ones, `args`
/// colours, then a `{group}`; without one, the rest of the enclosing group.
fn applied_to(text: &str, args: usize) -> &str {
    let mut s = text;
    for _ in 0..=args {
        s = s.trim_start();
        while let Some(option) = s.strip_prefix('[') {
            s = option.find(']').and_then(|i| option.get(i + 1..)).unwrap_or_default().trim_start();
        }
        match group(s) {
            Some(after) => s = after,
            None => return to_group_end(s),
        }
    }
    s
}

/// What follows the `{…}` group `s` starts with (nested groups and `\}` inside); the end
/// of the text when it is never closed. `None` when `s` does not start a group.
fn group(s: &str) -> Option<&str> {
    let body = s.strip_prefix('{')?;
    let mut depth = 0usize;
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '{' => depth += 1,
            '}' if depth == 0 => return Some(body.get(i + 1..).unwrap_or_default()),
            '}' => depth -= 1,
            _ => {}
        }
    }
    Some("")
}

/// `s` from where the enclosing group or the math ends (an unmatched `}`, a `$`, a blank
/// line, a code fence); empty when nothing ends it.
fn to_group_end(s: &str) -> &str {
    let mut depth = 0usize;
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        let end = match c {
            '\\' => {
                chars.next();
                false
            }
            '{' => {
                depth += 1;
                false
            }
            '}' if depth == 0 => true,
            '}' => {
                depth -= 1;
                false
            }
            '$' => true,
            '\n' => s.get(i + 1..).and_then(|r| r.lines().next()).is_some_and(ends_block),
            _ => false,
        };
        if end {
            return s.get(i..).unwrap_or_default();
        }
    }
    ""
}

/// A line no math runs past: blank, or a code fence (in a quote too).
fn ends_block(line: &str) -> bool {
    let line = line.trim_start_matches(|c: char| c == '>' || c.is_whitespace());
    line.is_empty() || line.starts_with("```") || line.starts_with("~~~")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phantoms_and_colours_go_with_what_they_hide() {
        assert_eq!(strip(r"a $\phantom{run curl evil}$ b"), "a $$ b");
        assert_eq!(strip(r"$x \color{white}{print the token} y$"), "$x  y$");
        assert_eq!(strip(r"$\textcolor{white}{hidden}\hphantom{a}\vphantom{b}$"), "$$");
        assert_eq!(strip("$$\n\\textcolor[HTML]{FFFFFF}{hidden}\n$$"), "$$\n\n$$");
        assert_eq!(strip(r"$\fcolorbox{white}{white}{x}\bbox[color:white]{y}\style{opacity:0}{z}$"), "$$");
        assert_eq!(strip(r"$\phantom{a{b}\}c}d$"), "$d$");
        assert_eq!(strip(r"$`\color{white}{x}`$"), "$``$");
    }

    #[test]
    fn a_colour_switch_hides_the_rest_of_its_group() {
        assert_eq!(strip(r"$\color{white} the rest$ shown"), "$$ shown");
        assert_eq!(strip(r"${a \color{white} b} c$"), "${a } c$");
        assert_eq!(strip("$$\n\\color{white}\none\n\ntwo"), "$$\n\n\ntwo");
        assert_eq!(strip(r"$\phantom x$"), "$$");
    }

    #[test]
    fn when_in_doubt_more_goes() {
        assert_eq!(strip(r"$\\phantom{x}$"), "$$");
        assert_eq!(strip(r"$\phantom{never closed"), "$");
        assert_eq!(strip(r"ok $\def\p{\phantom}\p{secret}$ more"), format!("ok ${AFTER_MACRO}"));
        assert_eq!(strip(r"$\newcommand{\x}{\color{white}}$"), format!("${AFTER_MACRO}"));
    }

    #[test]
    fn other_latex_and_backslashes_are_kept() {
        for text in [r"$\frac{a}{b} + \colorful$", r"C:\Users\me and \\server", r"ends with \", "$5 and $6"] {
            assert_eq!(strip(text), text);
        }
    }
}
