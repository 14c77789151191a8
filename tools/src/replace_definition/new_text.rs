//! The model's `new` as code: without the Markdown fence it was wrapped in, the line
//! numbers it was copied with, and the blank lines around it.

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(super) enum NewTextError {
    #[error(
        "`new` is empty: it must hold the whole new definition, from its signature to its end. replace_definition does not delete definitions; to remove one, use edit"
    )]
    Empty,
}

/// The code of `new`, and a note for the model when something was taken off.
pub(super) fn clean(new: &str) -> Result<(String, Option<&'static str>), NewTextError> {
    let text = new.replace("\r\n", "\n");
    let mut lines: Vec<&str> = text.lines().collect();
    trim_blank(&mut lines);
    let mut note = None;
    if lines.first().is_some_and(|l| is_fence(l)) {
        lines.remove(0);
        if lines.last().is_some_and(|l| is_fence(l)) {
            lines.pop();
        }
        trim_blank(&mut lines);
        note = Some("[the Markdown fence around `new` was taken off]\n");
    }
    let mut code = lines.join("\n");
    if let Some(bare) = crate::patch_tools::without_line_numbers(&code) {
        code = bare;
        note = Some("[the line numbers at the start of the lines of `new` were taken off: they are not code]\n");
    }
    if code.trim().is_empty() {
        return Err(NewTextError::Empty);
    }
    Ok((code, note))
}

fn is_fence(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("```") || t.starts_with("~~~")
}

fn trim_blank(lines: &mut Vec<&str>) {
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let blank = lines.iter().take_while(|l| l.trim().is_empty()).count();
    lines.drain(..blank);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_line_numbers_and_blank_lines_are_taken_off() {
        let fenced = "\n```python\ndef f():\n    return 1\n```\n";
        assert_eq!(clean(fenced).unwrap().0, "def f():\n    return 1");
        assert!(clean(fenced).unwrap().1.is_some_and(|n| n.contains("fence")));
        let numbered = "    12\tdef f():\n    13\t    return 1";
        assert_eq!(clean(numbered).unwrap().0, "def f():\n    return 1");
        assert_eq!(clean("  def f():\r\n      pass\r\n\r\n").unwrap(), ("  def f():\n      pass".into(), None));
        assert_eq!(clean("```\n\n```"), Err(NewTextError::Empty));
        assert_eq!(clean(" \n "), Err(NewTextError::Empty));
    }
}
