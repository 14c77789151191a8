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

/// Positions where `needle` occurs as whole lines in `hay`, starting at `from`, under
/// progressively looser line comparisons; the first comparison that finds anything wins.
pub(crate) fn find_all(hay: &[String], needle: &[String], from: usize) -> Vec<usize> {
    let comparisons: [fn(&str, &str) -> bool; 3] =
        [|a, b| a == b, |a, b| a.trim_end() == b.trim_end(), |a, b| a.trim() == b.trim()];
    if needle.is_empty() || needle.len() > hay.len() {
        return Vec::new();
    }
    for same in comparisons {
        let found: Vec<usize> = (from..=hay.len() - needle.len())
            .filter(|&i| needle.iter().zip(&hay[i..]).all(|(n, h)| same(h, n)))
            .collect();
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
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

    #[test]
    fn looser_comparison_only_when_exact_fails() {
        let hay: Vec<String> = ["a  ", "b", "a", "b"].iter().map(|s| s.to_string()).collect();
        let needle: Vec<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        assert_eq!(find_all(&hay, &needle, 0), vec![2]);
        let needle2: Vec<String> = ["  a", "b"].iter().map(|s| s.to_string()).collect();
        assert_eq!(find_all(&hay, &needle2, 0), vec![0, 2]);
    }
}
