//! Output capture that keeps the head and the tail of a stream within a byte cap, and from
//! the middle it cuts, the lines that name a failure or a `file:line` (up to an eighth of
//! the cap more), so a traceback in the middle of a long test run survives.

use std::collections::VecDeque;
use std::io::Read;

/// Captured output of one stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    /// Head and tail of the stream, with a marker where bytes were cut.
    pub text: String,
    /// How many bytes were dropped from the middle.
    pub cut_bytes: usize,
}

/// Accumulates a stream, keeping at most `limit` bytes: the first half and the last half.
pub(crate) struct Capture {
    head: Vec<u8>,
    tail: VecDeque<u8>,
    half: usize,
    cut: usize,
    /// The line being cut, as far as it is kept (a line longer than this is not salient).
    cutting: Vec<u8>,
    /// Salient lines of the cut middle, and their bytes.
    kept: Vec<String>,
    kept_bytes: usize,
}

/// The longest line of the cut middle that is looked at.
const LONGEST_KEPT_LINE: usize = 1000;

impl Capture {
    pub(crate) fn new(limit: usize) -> Self {
        let half = (limit / 2).max(1);
        Capture {
            head: Vec::new(),
            tail: VecDeque::new(),
            half,
            cut: 0,
            cutting: Vec::new(),
            kept: Vec::new(),
            kept_bytes: 0,
        }
    }

    pub(crate) fn push(&mut self, mut bytes: &[u8]) {
        if self.head.len() < self.half {
            let take = (self.half - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        for &b in bytes {
            if self.tail.len() == self.half
                && let Some(gone) = self.tail.pop_front()
            {
                self.cut += 1;
                self.look_at(gone);
            }
            self.tail.push_back(b);
        }
    }

    /// A byte cut from the middle: a line's end decides whether the line is kept.
    fn look_at(&mut self, byte: u8) {
        if byte != b'\n' {
            if self.cutting.len() <= LONGEST_KEPT_LINE {
                self.cutting.push(byte);
            }
            return;
        }
        if self.cutting.len() <= LONGEST_KEPT_LINE {
            let line = String::from_utf8_lossy(&self.cutting).into_owned();
            let room = (self.half / 4).saturating_sub(self.kept_bytes);
            if crate::is_salient(&line) && line.len() < room {
                self.kept_bytes += line.len() + 1;
                self.kept.push(line);
            }
        }
        self.cutting.clear();
    }

    /// Reads `reader` to its end (or error), then returns what was kept.
    pub(crate) fn drain(mut self, mut reader: impl Read) -> Captured {
        let mut buf = [0u8; 8192];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => self.push(&buf[..n]),
            }
        }
        self.finish()
    }

    pub(crate) fn finish(self) -> Captured {
        let mut text = String::from_utf8_lossy(&self.head).into_owned();
        if self.cut > 0 && self.kept.is_empty() {
            text.push_str(&format!("\n[... {} bytes cut ...]\n", self.cut));
        } else if self.cut > 0 {
            text.push_str(&format!(
                "\n[... {} bytes cut; the {} lines of them that name a failure or a file:line follow ...]\n",
                self.cut,
                self.kept.len()
            ));
            for line in &self.kept {
                text.push_str(line);
                text.push('\n');
            }
            text.push_str("[... end of the lines kept from the cut ...]\n");
        }
        let tail: Vec<u8> = self.tail.into_iter().collect();
        text.push_str(&String::from_utf8_lossy(&tail));
        Captured { text, cut_bytes: self.cut }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_output_is_kept_whole() {
        let c = Capture::new(100).drain(&b"hello\nworld\n"[..]);
        assert_eq!(c.text, "hello\nworld\n");
        assert_eq!(c.cut_bytes, 0);
    }

    #[test]
    fn long_output_keeps_head_and_tail() {
        let input: Vec<u8> = (0..1000).map(|i| b'a' + (i % 26) as u8).collect();
        let c = Capture::new(20).drain(&input[..]);
        assert_eq!(c.cut_bytes, 980);
        assert!(c.text.starts_with("abcdefghij"));
        assert!(c.text.contains("[... 980 bytes cut ...]"));
        let tail: String = input[990..].iter().map(|&b| b as char).collect();
        assert!(c.text.ends_with(&tail));
    }

    #[test]
    fn a_failure_in_the_cut_middle_is_kept() {
        let mut input = String::new();
        for i in 0..500 {
            input.push_str(&format!("test_{i} ... ok\n"));
        }
        input.push_str("  File \"app/stats.py\", line 12, in average\nZeroDivisionError: division by zero\n");
        for i in 500..1000 {
            input.push_str(&format!("test_{i} ... ok\n"));
        }
        let c = Capture::new(2000).drain(input.as_bytes());
        assert!(c.cut_bytes > 0);
        assert!(c.text.contains("the 2 lines of them that name a failure"), "{}", c.text);
        assert!(c.text.contains("ZeroDivisionError: division by zero\n"));
        assert!(c.text.contains("File \"app/stats.py\", line 12"));
        assert!(c.text.len() < 2000 + 2000 / 8 + 200, "bounded: {}", c.text.len());
    }
}
