//! Line splitting that remembers the file's line ending and final newline.

#[derive(Debug, Clone)]
pub(crate) struct Lines {
    pub lines: Vec<String>,
    pub crlf: bool,
    pub final_newline: bool,
}

impl Lines {
    pub(crate) fn split(text: &str) -> Self {
        let crlf = text.contains("\r\n");
        let final_newline = text.ends_with('\n');
        let body = text.strip_suffix('\n').unwrap_or(text);
        let lines = if text.is_empty() {
            Vec::new()
        } else {
            body.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l).to_string()).collect()
        };
        Lines { lines, crlf, final_newline }
    }

    pub(crate) fn join(&self) -> String {
        let eol = if self.crlf { "\r\n" } else { "\n" };
        let mut out = self.lines.join(eol);
        if self.final_newline && !self.lines.is_empty() {
            out.push_str(eol);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_endings() {
        for text in ["a\nb\n", "a\nb", "a\r\nb\r\n", "", "x\n"] {
            assert_eq!(Lines::split(text).join(), text);
        }
    }
}
