//! A tool's output cut to its budget in one pass, in whole lines, keeping what a reader
//! of test and compiler output needs: the head, the tail, and the failures and
//! `file:line` frames from the middle.

/// Cuts `text` to about `limit` characters in one pass, in whole lines: the head, the
/// tail, and from the middle the lines that name a failure or a `file:line` (a test
/// run's first failure is often there), saying what was cut. Text of few, very long
/// lines is cut by characters.
pub(crate) fn truncate(text: &str, limit: usize) -> String {
    let count = text.chars().count();
    if count <= limit {
        return text.to_string();
    }
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let len = |line: &&str| line.chars().count();
    let (head_room, tail_room) = (limit * 2 / 5, limit * 2 / 5);
    let mut head = 0;
    let mut used = 0;
    while let Some(line) = lines.get(head).filter(|l| used + len(l) <= head_room) {
        used += len(line);
        head += 1;
    }
    let mut tail = lines.len();
    used = 0;
    while let Some(line) = tail.checked_sub(1).filter(|&t| t > head).and_then(|t| lines.get(t)) {
        if used + len(line) > tail_room {
            break;
        }
        used += len(line);
        tail -= 1;
    }
    let middle = lines.get(head..tail).unwrap_or_default();
    if head == 0 || tail == lines.len() || middle.is_empty() {
        return truncate_chars(text, limit);
    }
    let mut room = limit.saturating_sub(head_room + tail_room);
    let kept: Vec<&str> = middle
        .iter()
        .filter(|l| wright_sandbox::is_salient(l))
        .filter(|l| {
            let fits = len(l) <= room;
            room = room.saturating_sub(if fits { len(l) } else { 0 });
            fits
        })
        .copied()
        .collect();
    let cut_lines = middle.len() - kept.len();
    let cut_chars = middle.iter().map(len).sum::<usize>() - kept.iter().map(len).sum::<usize>();
    let mut out: String = lines.get(..head).unwrap_or_default().concat();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    if kept.is_empty() {
        out.push_str(&format!(
            "[... {cut_lines} lines ({cut_chars} characters) cut to fit the output budget; ask for a narrower window or command ...]\n"
        ));
    } else {
        out.push_str(&format!(
            "[... {cut_lines} lines ({cut_chars} characters) cut to fit the output budget; the {} of them that name a failure or a file:line follow ...]\n",
            kept.len()
        ));
        for line in &kept {
            out.push_str(line);
            if !line.ends_with('\n') {
                out.push('\n');
            }
        }
        out.push_str("[... end of the lines kept from the cut ...]\n");
    }
    out.push_str(&lines.get(tail..).unwrap_or_default().concat());
    out
}

/// Cuts `text` to at most `limit` characters, keeping head and tail, with a note.
fn truncate_chars(text: &str, limit: usize) -> String {
    let count = text.chars().count();
    let head_len = limit * 2 / 3;
    let tail_len = limit - head_len;
    let head: String = text.chars().take(head_len).collect();
    let tail: String = text.chars().skip(count - tail_len).collect();
    format!(
        "{head}\n[... {} characters cut to fit the output budget; ask for a narrower window or command ...]\n{tail}",
        count - head_len - tail_len
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_both_ends() {
        let text: String = (0..1000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        let out = truncate(&text, 90);
        assert!(out.starts_with(&text[..60]));
        assert!(out.ends_with(&text[970..]));
        assert!(out.contains("910 characters cut"));
        assert_eq!(truncate("short", 90), "short");
    }

    #[test]
    fn a_failure_in_the_middle_survives_the_cut() {
        let mut text = String::new();
        for i in 0..300 {
            text.push_str(&format!("tests/test_{i}.py::test_ok PASSED\n"));
        }
        text.push_str("    def average(values):\n>       return sum(values) / len(values)\n");
        text.push_str("E       ZeroDivisionError: division by zero\n\nstats.py:4: ZeroDivisionError\n");
        for i in 300..600 {
            text.push_str(&format!("tests/test_{i}.py::test_ok PASSED\n"));
        }
        let out = truncate(&text, 4000);
        assert!(out.starts_with("tests/test_0.py::test_ok PASSED\n"));
        assert!(out.ends_with("tests/test_599.py::test_ok PASSED\n"));
        assert!(out.contains("E       ZeroDivisionError: division by zero\n"), "{out}");
        assert!(out.contains("stats.py:4: ZeroDivisionError\n"));
        assert!(out.contains("of them that name a failure or a file:line follow"));
        assert!(out.chars().count() < 4000 + 300, "about the budget: {}", out.chars().count());
        // Nothing salient: only how much was cut.
        let plain: String = (0..600).map(|i| format!("line {i} is fine\n")).collect();
        let out = truncate(&plain, 1000);
        assert!(out.contains("lines (") && out.contains("ask for a narrower window"), "{out}");
        assert!(out.starts_with("line 0 is fine\n") && out.ends_with("line 599 is fine\n"));
    }
}
