//! Output capture that keeps the head and the tail of a stream within a byte cap.

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
}

impl Capture {
    pub(crate) fn new(limit: usize) -> Self {
        let half = (limit / 2).max(1);
        Capture { head: Vec::new(), tail: VecDeque::new(), half, cut: 0 }
    }

    pub(crate) fn push(&mut self, mut bytes: &[u8]) {
        if self.head.len() < self.half {
            let take = (self.half - self.head.len()).min(bytes.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        for &b in bytes {
            if self.tail.len() == self.half {
                self.tail.pop_front();
                self.cut += 1;
            }
            self.tail.push_back(b);
        }
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
        if self.cut > 0 {
            text.push_str(&format!("\n[... {} bytes cut ...]\n", self.cut));
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
}
