//! Finds the lines of a file that most resemble text that failed to match, so that an
//! error can show the model what is really there.

use similar::TextDiff;

/// A message fragment quoting the window of `hay` most similar to `needle`, with line
/// numbers; empty when the file is empty.
pub(crate) fn closest_lines(hay: &[String], needle: &[String]) -> String {
    let width = needle.len().max(1);
    if hay.is_empty() {
        return " The file is empty.".to_string();
    }
    let wanted = needle.join("\n");
    let mut best = (0.0f32, 0usize);
    for start in 0..hay.len().saturating_sub(width - 1).max(1) {
        let end = (start + width).min(hay.len());
        let window = hay[start..end].join("\n");
        let ratio = TextDiff::from_chars(window.as_str(), wanted.as_str()).ratio();
        if ratio > best.0 {
            best = (ratio, start);
        }
    }
    let (ratio, start) = best;
    let end = (start + width).min(hay.len());
    let mut out = format!(
        " Closest lines in the file ({}% similar), lines {}-{}:\n",
        (ratio * 100.0).round() as u32,
        start + 1,
        end
    );
    for (i, line) in hay[start..end].iter().enumerate() {
        out.push_str(&format!("{:>6}\t{}\n", start + i + 1, line));
    }
    out.push_str("Copy the text exactly as it appears in the file (read_file shows it).");
    out
}

/// Character-level similarity of two texts, 0 to 1.
pub(crate) fn similarity(a: &str, b: &str) -> f32 {
    TextDiff::from_chars(a, b).ratio()
}
