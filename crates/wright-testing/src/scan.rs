//! The test files of a tree, by language: one walk (a few levels deep, a few thousand
//! entries) through wright-tree, so a linked directory is not entered nor a linked file
//! read. What detection needs to name a command, and to know that a run of no test
//! beside these files ran the wrong one.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use wright_tree::{Kind, Tree};

/// What the Python test files of a tree are written for, and where they are.
#[derive(Debug, Default)]
pub(crate) struct PythonTests {
    pub files: usize,
    /// Bare `def test_...` functions, pytest imports or fixtures: only pytest runs them.
    pub pytest_style: bool,
    /// `unittest.TestCase` classes: both runners run them.
    pub test_cases: bool,
    /// The directories holding them, from the root (`""` for the root itself).
    pub dirs: BTreeSet<PathBuf>,
}

/// The `_test.go` files of a tree.
#[derive(Debug, Default)]
pub(crate) struct GoTests {
    pub files: Vec<PathBuf>,
    /// Build tags the test files need (`//go:build integration`), platforms left out.
    pub tags: BTreeSet<String>,
    /// Directories below the root with a `go.mod` of their own: `go test ./...` skips them.
    pub modules: BTreeSet<PathBuf>,
}

#[derive(Debug, Default)]
pub(crate) struct Layout {
    pub python: PythonTests,
    pub go: GoTests,
    /// Files `node --test` runs: `*.test.js`, `*-test.js`, `*_test.js`, `test-*.js`,
    /// `test.js`, and scripts under a `test/` directory.
    pub js: usize,
    /// Rust files with tests: under a `tests/` directory, or holding a `#[test]`.
    pub rust: usize,
}

const MAX_ENTRIES: usize = 5_000;
const MAX_DEPTH: usize = 4;
const SKIPPED: [&str; 8] = ["node_modules", "venv", "site-packages", "build", "dist", "target", "vendor", "testdata"];

/// Walks the tree at `root`; an unreadable tree has no tests.
pub(crate) fn scan(root: &Path) -> Layout {
    let mut out = Layout::default();
    let Ok(tree) = Tree::open(root) else { return out };
    let mut dirs = vec![(PathBuf::new(), 0)];
    let mut seen = 0;
    while let Some((dir, depth)) = dirs.pop() {
        let Ok(entries) = tree.read_dir(&dir) else { continue };
        for entry in entries {
            seen += 1;
            if seen > MAX_ENTRIES {
                return out;
            }
            let name = entry.name.to_string_lossy().into_owned();
            let rel = dir.join(&entry.name);
            if entry.kind == Kind::Dir {
                let skip = name.starts_with('.') || SKIPPED.contains(&name.as_str());
                if !skip && depth < MAX_DEPTH {
                    dirs.push((rel, depth + 1));
                }
                continue;
            }
            if entry.kind == Kind::File {
                file(&tree, &dir, &name, &mut out);
            }
        }
    }
    out
}

fn file(tree: &Tree, dir: &Path, name: &str, out: &mut Layout) {
    let rel = dir.join(name);
    let read = |cap: usize| tree.read(&rel, cap).map(|r| r.text()).unwrap_or_default();
    let in_dir = |wanted: &str| dir.components().any(|c| c.as_os_str() == wanted);
    if name == "go.mod" && !dir.as_os_str().is_empty() {
        out.go.modules.insert(dir.to_path_buf());
    } else if name.ends_with(".py") && (name.starts_with("test_") || name.ends_with("_test.py")) {
        let text = read(256 * 1024);
        let p = &mut out.python;
        p.files += 1;
        p.dirs.insert(dir.to_path_buf());
        p.test_cases |= text.contains("TestCase");
        p.pytest_style |= text.lines().any(|l| {
            l.starts_with("def test")
                || l.starts_with("import pytest")
                || l.starts_with("from pytest")
                || l.starts_with("@pytest.")
        });
    } else if name.ends_with("_test.go") {
        // Build constraints come before the package clause.
        out.go.tags.extend(go_tags(&read(4096)));
        out.go.files.push(rel);
    } else if let Some(stem) = [".js", ".mjs", ".cjs"].iter().find_map(|ext| name.strip_suffix(ext)) {
        let named = stem == "test"
            || stem.starts_with("test-")
            || [".test", "-test", "_test"].iter().any(|end| stem.ends_with(end));
        if named || in_dir("test") {
            out.js += 1;
        }
    } else if name.ends_with(".rs") {
        // One file with tests is enough to know: the rest are not read.
        if out.rust == 0 && (in_dir("tests") || read(256 * 1024).contains("#[test]")) {
            out.rust += 1;
        }
    }
}

/// Platform names and tags no one passes with `-tags`.
const NOT_TAGS: [&str; 36] = [
    "linux",
    "darwin",
    "windows",
    "freebsd",
    "netbsd",
    "openbsd",
    "dragonfly",
    "solaris",
    "illumos",
    "aix",
    "android",
    "ios",
    "js",
    "wasip1",
    "plan9",
    "hurd",
    "zos",
    "unix",
    "amd64",
    "arm64",
    "386",
    "arm",
    "wasm",
    "ppc64",
    "ppc64le",
    "mips",
    "mipsle",
    "mips64",
    "mips64le",
    "riscv64",
    "s390x",
    "loong64",
    "cgo",
    "ignore",
    "gc",
    "gccgo",
];

/// The tags a Go file's build constraint asks for: the names not negated, not a
/// platform, not `goX.Y`. Only plain words, so they can go on a command line.
fn go_tags(head: &str) -> Vec<String> {
    let mut tags = Vec::new();
    for line in head.lines().map(str::trim) {
        let Some(expr) = line.strip_prefix("//go:build ").or_else(|| line.strip_prefix("// +build ")) else {
            continue;
        };
        let mut negated = false;
        let mut word = String::new();
        for c in expr.chars().chain([' ']) {
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' {
                word.push(c);
                continue;
            }
            if !word.is_empty() && !negated && !NOT_TAGS.contains(&word.as_str()) && !word.starts_with("go1.") {
                tags.push(std::mem::take(&mut word));
            }
            word.clear();
            negated = c == '!';
        }
    }
    tags
}

/// The first 256 KiB of the tree's regular file `name`, as text (empty for anything else).
pub(crate) fn head(root: &Path, name: &str) -> String {
    wright_tree::read_capped(root, Path::new(name), 256 * 1024).map(|r| r.text()).unwrap_or_default()
}

/// Whether the tree holds an entry `name` (a link counts, and is not followed).
pub(crate) fn has(root: &Path, name: &str) -> bool {
    Tree::open(root).is_ok_and(|t| t.kind(Path::new(name)).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_tags_leave_out_platforms_and_negations() {
        assert_eq!(go_tags("//go:build integration && !windows\n\npackage x\n"), ["integration"]);
        assert_eq!(go_tags("// +build linux,e2e\n"), ["e2e"]);
        assert_eq!(go_tags("//go:build (a || b) && go1.18\n"), ["a", "b"]);
        assert!(go_tags("//go:build ignore\n").is_empty());
        assert!(go_tags("package x // go:build y\n").is_empty());
    }

    #[test]
    fn finds_test_files_by_language() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for d in ["tests", "sub", "web/test", "node_modules/x", "src"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        std::fs::write(root.join("tests/test_calc.py"), "import unittest\nclass T(unittest.TestCase): pass\n").unwrap();
        std::fs::write(root.join("sub/go.mod"), "module sub\n").unwrap();
        std::fs::write(root.join("sub/a_test.go"), "//go:build slow\n\npackage sub\n").unwrap();
        std::fs::write(root.join("web/test/a.js"), "").unwrap();
        std::fs::write(root.join("calc.test.mjs"), "").unwrap();
        std::fs::write(root.join("node_modules/x/x.test.js"), "").unwrap();
        std::fs::write(root.join("src/lib.rs"), "#[test]\nfn t() {}\n").unwrap();
        let l = scan(root);
        assert_eq!((l.python.files, l.python.test_cases, l.python.pytest_style), (1, true, false));
        assert_eq!(l.python.dirs.iter().collect::<Vec<_>>(), [Path::new("tests")]);
        assert_eq!(l.go.files, [PathBuf::from("sub/a_test.go")]);
        assert_eq!(l.go.modules.iter().collect::<Vec<_>>(), [Path::new("sub")]);
        assert_eq!(l.go.tags.iter().collect::<Vec<_>>(), ["slow"]);
        assert_eq!((l.js, l.rust), (2, 1));
    }
}
