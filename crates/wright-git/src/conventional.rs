//! Commit subjects in conventional form (`type(scope): description`), derived from what a
//! change touched when no model writes the message.

use std::collections::HashSet;

/// `fix(dates): update dates.py` from the tool's summary and the paths it changed.
/// `added` says which of the paths are new files.
pub fn conventional_subject(summary: &str, paths: &[String], added: &[String]) -> String {
    let kind = kind_of(paths, added);
    let description = lower_first(summary.trim().trim_end_matches('.'));
    match scope_of(paths) {
        Some(scope) => format!("{kind}({scope}): {description}"),
        None => format!("{kind}: {description}"),
    }
}

fn kind_of(paths: &[String], added: &[String]) -> &'static str {
    let all = |f: fn(&str) -> bool| !paths.is_empty() && paths.iter().all(|p| f(p));
    let added: HashSet<&str> = added.iter().map(String::as_str).collect();
    if all(is_test) {
        "test"
    } else if all(is_doc) {
        "docs"
    } else if all(is_build) {
        "build"
    } else if !paths.is_empty() && paths.iter().all(|p| added.contains(p.as_str())) {
        "feat"
    } else {
        "fix"
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn is_test(path: &str) -> bool {
    let name = file_name(path);
    path.split('/').any(|part| matches!(part, "test" | "tests" | "spec" | "__tests__"))
        || name.starts_with("test_")
        || name.contains("_test.")
        || name.contains(".test.")
        || name.contains(".spec.")
}

fn is_doc(path: &str) -> bool {
    path.starts_with("docs/")
        || [".md", ".rst", ".adoc"].iter().any(|ext| path.ends_with(ext))
        || matches!(file_name(path), "LICENSE" | "CHANGELOG" | "AUTHORS")
}

fn is_build(path: &str) -> bool {
    matches!(
        file_name(path),
        "Cargo.toml"
            | "Cargo.lock"
            | "package.json"
            | "package-lock.json"
            | "pyproject.toml"
            | "setup.py"
            | "setup.cfg"
            | "requirements.txt"
            | "Makefile"
            | "CMakeLists.txt"
            | "go.mod"
            | "go.sum"
            | "pom.xml"
            | "build.gradle"
    ) || path.starts_with(".github/")
}

/// One file: its stem; several under one top-level directory: that directory.
fn scope_of(paths: &[String]) -> Option<String> {
    let scope = match paths {
        [one] => file_name(one).split('.').next().unwrap_or("").to_string(),
        [first, rest @ ..] => {
            let top = first.split('/').next().filter(|_| first.contains('/'))?;
            rest.iter().all(|p| p.starts_with(&format!("{top}/"))).then(|| top.to_string())?
        }
        [] => return None,
    };
    let clean: String = scope.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect();
    (!clean.is_empty()).then_some(clean)
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        // Keep acronyms and identifiers as they are (`README`, `HTTPClient`).
        Some(c) if chars.clone().next().is_some_and(|n| n.is_lowercase()) => c.to_lowercase().chain(chars).collect(),
        Some(c) => std::iter::once(c).chain(chars).collect(),
        None => "update files".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::conventional_subject as subject;

    fn paths(p: &[&str]) -> Vec<String> {
        p.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn type_and_scope_come_from_the_paths() {
        assert_eq!(subject("Update dates.py", &paths(&["dates.py"]), &[]), "fix(dates): update dates.py");
        assert_eq!(
            subject("Update tests", &paths(&["tests/test_a.py", "tests/test_b.py"]), &[]),
            "test(tests): update tests"
        );
        assert_eq!(subject("Update README.md", &paths(&["README.md"]), &[]), "docs(README): update README.md");
        assert_eq!(subject("Bump deps", &paths(&["Cargo.toml", "Cargo.lock"]), &[]), "build: bump deps");
        let new = paths(&["src/cache.rs"]);
        assert_eq!(subject("Add src/cache.rs", &new, &new), "feat(cache): add src/cache.rs");
        assert_eq!(
            subject("Apply changes made by `x`", &paths(&["src/a.rs", "lib/b.rs"]), &[]),
            "fix: apply changes made by `x`"
        );
        assert_eq!(subject("", &[], &[]), "fix: update files");
    }
}
