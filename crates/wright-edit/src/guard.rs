//! The syntax guard: an edit that leaves a file with more tree-sitter parse errors than
//! it had is refused, with the broken lines shown, before anything is written.

use std::path::Path;

use wright_grammar::{Lang, error_lines};

use crate::EditError;

/// How many broken lines an error quotes.
const SHOWN: usize = 6;

/// Refuses `after` when it parses with more error lines than `before` (a new file
/// counts as having none). Files in no known language, or a parser that gives up,
/// pass: the guard only speaks when it is sure.
pub fn check_syntax(path: &str, before: Option<&str>, after: &str) -> Result<(), EditError> {
    let Some(lang) = Lang::from_path(Path::new(path)) else { return Ok(()) };
    let Ok(now) = error_lines(lang, after) else { return Ok(()) };
    let was = match before {
        Some(text) => match error_lines(lang, text) {
            Ok(lines) => lines.len(),
            Err(_) => return Ok(()),
        },
        None => 0,
    };
    if now.len() <= was {
        return Ok(());
    }
    let text: Vec<&str> = after.lines().collect();
    let mut shown = String::new();
    for &line in now.iter().take(SHOWN) {
        let content = text.get(line - 1).copied().unwrap_or("");
        shown.push_str(&format!("\n{line:>6}\t{content}"));
    }
    if now.len() > SHOWN {
        shown.push_str(&format!("\n       … and {} more", now.len() - SHOWN));
    }
    Err(EditError::BrokenSyntax { path: path.to_string(), lang: lang.name(), was, now: now.len(), shown })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_errors_are_refused_with_the_lines() {
        let before = "def f(x):\n    return x\n";
        let err = check_syntax("m.py", Some(before), "def f(x):\n    return (x\n\ndef g():\n    pass\n").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("m.py: the edit leaves"), "{msg}");
        assert!(msg.contains("return (x") || msg.contains("def g"), "{msg}");
        assert!(check_syntax("m.py", Some(before), "def f(x):\n    return x + 1\n").is_ok());
    }

    #[test]
    fn files_already_broken_may_stay_as_broken_and_unknown_languages_pass() {
        let broken = "def f(:\n    pass\n";
        assert!(check_syntax("m.py", Some(broken), "def f(:\n    pass\n\nx = 1\n").is_ok());
        assert!(check_syntax("notes.txt", Some("a"), "def f(:").is_ok());
        assert!(check_syntax("new.py", None, "def f(:").is_err());
    }
}
