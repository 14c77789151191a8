//! A window of a file's lines, read without holding the rest: lines outside the window
//! are only counted, and a line longer than the cap is cut (and says by how much). Memory
//! follows the window, not the file, whatever a stranger's file holds.

use std::io::{BufRead, BufReader, Read};

/// Bytes looked at to tell text from binary.
const SNIFF_BYTES: usize = 8192;

pub(crate) struct Line {
    /// 1-based.
    pub number: usize,
    pub text: String,
    /// Bytes of the line past the cap, not read into `text`.
    pub cut_bytes: usize,
}

pub(crate) struct Window {
    pub lines: Vec<Line>,
    /// Lines in the file, when they were counted.
    pub total: Option<usize>,
}

/// The first bytes of the file, for telling what it is (text, binary, an LFS pointer).
pub(crate) fn head(file: impl Read) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    file.take(SNIFF_BYTES as u64).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Whether `head` looks like text: UTF-8 (a character cut at the end is fine), no NUL.
pub(crate) fn is_text(head: &[u8]) -> bool {
    !head.contains(&0)
        && match std::str::from_utf8(head) {
            Ok(_) => true,
            Err(e) => e.error_len().is_none(),
        }
}

/// Lines `start..start + count` (1-based) of `file`, each cut to `line_cap` bytes; with
/// `count_all` the rest of the file is read (not kept) to count its lines.
pub(crate) fn read(
    file: impl Read,
    start: usize,
    count: usize,
    line_cap: usize,
    count_all: bool,
) -> std::io::Result<Window> {
    let mut reader = BufReader::with_capacity(64 << 10, file);
    let end = start.saturating_add(count);
    let mut lines = Vec::new();
    let (mut number, mut kept, mut length) = (1usize, Vec::new(), 0usize);
    let (mut open_line, mut last_cr) = (false, false);
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            break;
        }
        let newline = buf.iter().position(|&b| b == b'\n');
        let piece = &buf[..newline.unwrap_or(buf.len())];
        if (start..end).contains(&number) && kept.len() < line_cap {
            kept.extend_from_slice(&piece[..piece.len().min(line_cap - kept.len())]);
        }
        length += piece.len();
        if !piece.is_empty() {
            last_cr = piece.last() == Some(&b'\r');
        }
        let used = piece.len() + usize::from(newline.is_some());
        reader.consume(used);
        open_line = newline.is_none();
        if newline.is_some() {
            if (start..end).contains(&number) {
                lines.push(finish(number, std::mem::take(&mut kept), length, last_cr));
            }
            (number, length, last_cr) = (number + 1, 0, false);
            if !count_all && number >= end {
                return Ok(Window { lines, total: None });
            }
        }
    }
    if open_line {
        if (start..end).contains(&number) {
            lines.push(finish(number, kept, length, last_cr));
        }
        number += 1;
    }
    Ok(Window { lines, total: Some(number - 1) })
}

fn finish(number: usize, mut kept: Vec<u8>, length: usize, ends_with_cr: bool) -> Line {
    let mut cut_bytes = length - kept.len();
    if cut_bytes == 0 && kept.last() == Some(&b'\r') {
        kept.pop();
    } else if cut_bytes > 0 && ends_with_cr {
        // The line break's `\r` is not part of what was cut.
        cut_bytes -= 1;
    }
    // A cut inside a character drops the part of it that was read.
    if let Err(e) = std::str::from_utf8(&kept)
        && e.error_len().is_none()
    {
        cut_bytes += kept.len() - e.valid_up_to();
        kept.truncate(e.valid_up_to());
    }
    Line { number, text: String::from_utf8_lossy(&kept).into_owned(), cut_bytes }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_count_like_str_lines() {
        for content in ["a\nb\r\nc", "a\nb\r\nc\n", "", "\n\n"] {
            let f = content.as_bytes();
            let w = read(f, 1, 10, 100, true).unwrap();
            let expected: Vec<&str> = content.lines().collect();
            assert_eq!(w.total, Some(expected.len()), "{content:?}");
            assert_eq!(w.lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>(), expected, "{content:?}");
        }
        let f: &[u8] = b"1\n2\n3\n4\n5\n";
        let w = read(f, 2, 2, 100, false).unwrap();
        assert_eq!(w.lines.iter().map(|l| (l.number, l.text.as_str())).collect::<Vec<_>>(), [(2, "2"), (3, "3")]);
        assert_eq!(w.total, None, "without count_all the read stops after the window");
    }

    #[test]
    fn long_lines_are_cut_at_a_character_boundary() {
        let long = format!("{}\nshort\n", "é".repeat(1000));
        let f = long.as_bytes();
        let w = read(f, 1, 2, 7, true).unwrap();
        assert_eq!(w.lines[0].text, "ééé");
        assert_eq!(w.lines[0].cut_bytes, 2000 - 6);
        assert_eq!((w.lines[1].text.as_str(), w.lines[1].cut_bytes), ("short", 0));
    }

    #[test]
    fn text_is_told_from_binary() {
        assert!(is_text("plain é".as_bytes()));
        assert!(is_text(&"é".as_bytes()[..1]), "a character cut by the sniff is still text");
        assert!(!is_text(b"a\0b"));
        assert!(!is_text(&[0xff, 0xfe, b'a']));
    }
}
