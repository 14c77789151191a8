//! Shell text for the commands detection names: paths from a stranger's tree as shell
//! words, one command over several directories, and scripts that start nothing.

use std::path::Path;

/// A path as one shell word: quoted unless plain, and never taken for an option.
pub(crate) fn shell_word(path: &Path) -> String {
    let text = path.to_string_lossy();
    let text = if text.starts_with('-') { format!("./{text}") } else { text.into_owned() };
    if text.chars().all(|c| c.is_ascii_alphanumeric() || "._/-".contains(c)) {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Whether a path from the tree may go into a command: not UTF-8, or with a control
/// character (a newline, an escape), it would not survive a command line or a log intact.
pub(crate) fn usable(path: &Path) -> bool {
    path.to_str().is_some_and(|s| !s.is_empty() && !s.chars().any(char::is_control))
}

/// One command that runs `command(dir)` in each of `dirs` and fails when any run fails,
/// so every directory's tests run each time. `command` gets the directory as a shell
/// word. A directory that is not [`usable`] is left out; `None` when none is left.
pub(crate) fn in_each(dirs: &[&Path], command: impl Fn(&str) -> String) -> Option<String> {
    let words: Vec<String> = dirs.iter().filter(|d| usable(d)).map(|d| shell_word(d)).collect();
    match words.as_slice() {
        [] => None,
        [one] => Some(command(one)),
        many => Some(format!("rc=0; for d in {}; do ({}) || rc=1; done; exit $rc", many.join(" "), command("\"$d\""))),
    }
}

/// Whether `script` is made only of commands that start nothing (`echo ok`, `true`,
/// `exit 0`, `printf`, `:`), joined by `&&` or `;`: its silence is that of no runner.
/// Anything else (a pipe, a substitution, a redirection, another program) may be a
/// runner whose lines are not read.
pub(crate) fn does_nothing(script: &str) -> bool {
    if script.contains(['|', '`', '$', '<', '>', '(', ')']) {
        return false;
    }
    let parts: Vec<&str> =
        script.split(['\n', ';']).flat_map(|p| p.split("&&")).map(str::trim).filter(|p| !p.is_empty()).collect();
    !parts.is_empty()
        && parts.iter().all(|part| {
            // A lone `&` left after the split puts a command in the background.
            if part.contains('&') {
                return false;
            }
            let mut words = part.split_whitespace();
            match words.next() {
                Some("echo" | "printf" | "true" | ":") => true,
                Some("exit") => words.all(|w| w.chars().all(|c| c.is_ascii_digit())),
                _ => false,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_are_quoted() {
        assert_eq!(shell_word(Path::new("tests")), "tests");
        assert_eq!(shell_word(Path::new("it's")), r"'it'\''s'");
        assert_eq!(shell_word(Path::new("-x")), "./-x");
        assert_eq!(shell_word(Path::new("a;b")), "'a;b'");
    }

    #[test]
    fn one_command_runs_in_each_directory() {
        let go = |d: &str| format!("cd {d} && go test -v ./...");
        assert_eq!(in_each(&[Path::new("calc")], go).as_deref(), Some("cd calc && go test -v ./..."));
        assert_eq!(
            in_each(&[Path::new("a"), Path::new("it's"), Path::new("bad\nname"), Path::new("-x")], go).as_deref(),
            Some(r#"rc=0; for d in a 'it'\''s' ./-x; do (cd "$d" && go test -v ./...) || rc=1; done; exit $rc"#)
        );
        assert_eq!(in_each(&[Path::new("tab\there")], go), None);
    }

    #[test]
    fn a_directory_name_is_not_run_as_code() {
        let dir = tempfile::tempdir().unwrap();
        let names = ["a b", "it's", "$(touch pwned)", "`touch pwned`;x", "-n"];
        for name in names {
            std::fs::create_dir(dir.path().join(name)).unwrap();
            std::fs::write(dir.path().join(name).join("mark"), name).unwrap();
        }
        let dirs: Vec<&Path> = names.iter().map(Path::new).collect();
        let command = in_each(&dirs, |d| format!("cat {d}/mark; echo")).unwrap();
        let out = std::process::Command::new("sh").arg("-c").arg(&command).current_dir(dir.path()).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().collect::<Vec<_>>(), names);
        assert!(!dir.path().join("pwned").exists());
    }

    #[test]
    fn only_scripts_of_no_ops_do_nothing() {
        for script in [
            "echo ok",
            "true",
            ":",
            "exit 0",
            "printf 'no tests'",
            "echo a && exit 0; true",
            "echo \"hi\"",
            "printf 'ok\\n'",
        ] {
            assert!(does_nothing(script), "{script}");
        }
        for script in [
            "turbo run test",
            "lerna run test",
            "nx test",
            "hardhat test",
            "ng test",
            "wdio run wdio.conf.js",
            "echo start && jest",
            "echo $(jest)",
            "echo `mocha`",
            "echo ok | node run.js",
            "echo ok & node run.js",
            "exit $(node t.js)",
            "true || node t.js",
            "",
        ] {
            assert!(!does_nothing(script), "{script}");
        }
    }
}
