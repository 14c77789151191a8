//! Text that strangers wrote (the model, commands, tests, the repository, git), made inert
//! for a terminal: the characters a terminal acts on are shown, never sent.

use std::borrow::Cow;

/// `text` with every character a terminal would act on written as Rust's `\u{1b}` escape:
/// C0 controls but newline and tab, DEL, C1 controls, and the bidi controls that reorder
/// what a line appears to say. A CR stays only before a newline (CRLF text), where it
/// cannot overwrite anything.
pub fn visible(text: &str) -> Cow<'_, str> {
    let hidden = |i: usize, c: char| match c {
        '\r' => text.as_bytes().get(i + 1) != Some(&b'\n'),
        '\n' | '\t' => false,
        c => c.is_control() || is_bidi(c),
    };
    if !text.char_indices().any(|(i, c)| hidden(i, c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (i, c) in text.char_indices() {
        if hidden(i, c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The explicit bidi marks, embeddings, overrides and isolates.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csi_sequences_such_as_clear_screen_are_shown() {
        assert_eq!(visible("\x1b[2J\x1b[Hverdict: fixed"), "\\u{1b}[2J\\u{1b}[Hverdict: fixed");
        assert_eq!(visible("\x1b[31mred\x1b[0m"), "\\u{1b}[31mred\\u{1b}[0m");
    }

    #[test]
    fn osc_52_clipboard_writes_and_titles_are_shown() {
        assert_eq!(visible("\x1b]52;c;cm0gLXJmIH4=\x07"), "\\u{1b}]52;c;cm0gLXJmIH4=\\u{7}");
        assert_eq!(visible("\x1b]0;pwned\x1b\\"), "\\u{1b}]0;pwned\\u{1b}\\");
    }

    #[test]
    fn osc_8_hyperlinks_are_shown() {
        let link = "\x1b]8;;https://evil.example/\x1b\\docs\x1b]8;;\x1b\\";
        assert_eq!(visible(link), "\\u{1b}]8;;https://evil.example/\\u{1b}\\docs\\u{1b}]8;;\\u{1b}\\");
    }

    #[test]
    fn other_c0_controls_and_del_are_shown() {
        assert_eq!(visible("a\0b\x07c\x08d\x0be\x0cf\x7fg"), "a\\u{0}b\\u{7}c\\u{8}d\\u{b}e\\u{c}f\\u{7f}g");
    }

    #[test]
    fn c1_controls_are_shown() {
        // CSI, OSC and NEL in their one-character C1 forms.
        assert_eq!(visible("\u{9b}2J\u{9d}52;c;x\u{9c}\u{85}"), "\\u{9b}2J\\u{9d}52;c;x\\u{9c}\\u{85}");
        assert_eq!(visible("\u{80}"), "\\u{80}");
    }

    #[test]
    fn bidi_controls_are_shown() {
        assert_eq!(visible("x = \u{202e}1 + 2"), "x = \\u{202e}1 + 2");
        for c in ['\u{061c}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202b}', '\u{202c}', '\u{202d}', '\u{2066}'] {
            assert_eq!(visible(&c.to_string()), c.escape_unicode().to_string());
        }
        assert_eq!(visible("\u{2067}\u{2068}\u{2069}"), "\\u{2067}\\u{2068}\\u{2069}");
    }

    #[test]
    fn a_carriage_return_that_would_overwrite_a_line_is_shown() {
        assert_eq!(visible("tests pass\rtests FAIL"), "tests pass\\u{d}tests FAIL");
        assert_eq!(visible("trailing\r"), "trailing\\u{d}");
        // CRLF line ends overwrite nothing.
        assert_eq!(visible("one\r\ntwo\r\n"), "one\r\ntwo\r\n");
    }

    #[test]
    fn newlines_tabs_and_ordinary_unicode_are_kept() {
        let text = "fn main() {\n\tprintln!(\"héllo, 世界 — ✓ → 🦀\");\n}\nשלום عربي\u{200d}\n";
        assert!(matches!(visible(text), Cow::Borrowed(_)));
        assert_eq!(visible(text), text);
        assert_eq!(visible(""), "");
    }
}
