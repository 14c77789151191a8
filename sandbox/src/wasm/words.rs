//! A WASI program has no shell: a command line is split into words, and anything that
//! needs a shell (pipes, redirections, variables) is refused with the reason.

/// Splits `line` on whitespace, honouring single and double quotes and backslashes.
pub(crate) fn split(line: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') | (None, '\\') => {
                word.extend(chars.next());
                in_word = true;
            }
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, '|' | '&' | ';' | '<' | '>' | '$' | '`' | '(' | ')' | '*' | '?') => {
                return Err(format!(
                    "`{c}` needs a shell, and the wasm backend runs one program without a shell: \
                     give the program and its arguments only, or use the process backend"
                ));
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unclosed quote in the command".to_string());
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn words_and_quotes() {
        assert_eq!(
            split(r#"python -m pytest -k "parse and not slow" 'a b' c\ d"#).unwrap(),
            ["python", "-m", "pytest", "-k", "parse and not slow", "a b", "c d"]
        );
        assert_eq!(split("  ").unwrap(), Vec::<String>::new());
        assert_eq!(split("x ''").unwrap(), ["x", ""]);
    }

    #[test]
    fn shell_syntax_is_refused_with_the_reason() {
        for line in ["python a.py | head", "python a.py > out", "echo $HOME", "a && b", "ls *.py"] {
            let err = split(line).unwrap_err();
            assert!(err.contains("needs a shell"), "{line}: {err}");
        }
        assert!(split("echo 'open").unwrap_err().contains("unclosed"));
    }
}
