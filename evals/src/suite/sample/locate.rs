//! Where the sample agent looks: the file the task names, else the one wright's index
//! ranks first for the task's text. Test files are the evidence, not the place to fix.

use std::path::Path;

use wright_index::{Index, SearchKind};

use crate::EvalError;

/// The code the model is asked to rewrite: a whole file, or one definition in a long one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub path: String,
    /// 1-based inclusive lines of the definition; `None`: the whole file.
    pub lines: Option<(usize, usize)>,
}

/// Files up to this many lines are asked for whole; longer ones one definition at a time.
const WHOLE_FILE_LINES: usize = 300;

/// The target for `task_text` in the tree indexed by `index`.
pub fn target(index: &Index, tree: &Path, task_text: &str) -> Result<Option<Target>, EvalError> {
    let paths: Vec<String> = index.paths().filter(|p| !is_test(p)).map(str::to_string).collect();
    let hits = index.search(task_text, SearchKind::Text, 50)?.hits;
    let ranked: Vec<&str> = hits.iter().map(|h| h.path.as_str()).filter(|p| !is_test(p)).collect();
    let named = paths.iter().filter(|p| names(task_text, p)).min_by_key(|p| {
        // Of several named files, the best ranked; unranked ones last.
        ranked.iter().position(|r| r == p).unwrap_or(usize::MAX)
    });
    let Some(path) = named.cloned().or_else(|| ranked.first().map(|p| p.to_string())) else {
        return Ok(None);
    };
    let text = wright_tree::read_capped(tree, Path::new(&path), 4 << 20).map(|r| r.text()).unwrap_or_default();
    if text.lines().count() <= WHOLE_FILE_LINES {
        return Ok(Some(Target { path, lines: None }));
    }
    // The best-ranked definition in that file, else one the task names; none: nothing the
    // model could rewrite whole within a reply.
    let ranked = hits.iter().find(|h| h.path == path && h.symbol.is_some()).map(|h| (h.start_line, h.end_line));
    let named = || {
        let lang = wright_grammar::Lang::from_path(Path::new(&path))?;
        let defs = wright_grammar::definitions(lang, &text).ok()?;
        defs.iter().find(|d| as_identifier(task_text, &d.name)).map(|d| (d.start_line, d.end_line))
    };
    Ok(ranked.or_else(named).map(|lines| Target { path, lines: Some(lines) }))
}

/// Whether the text names the file: its path, or its file name, as a word.
fn names(text: &str, path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    as_word(text, path) || as_word(text, file)
}

fn as_word(text: &str, word: &str) -> bool {
    let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || matches!(c, '_' | '.' | '/')));
    text.match_indices(word).any(|(at, _)| {
        let before = text.get(..at).and_then(|s| s.chars().next_back());
        let after = text.get(at + word.len()..).and_then(|s| s.chars().next());
        boundary(before)
            && (boundary(after)
                || after == Some('.') && boundary(text.get(at + word.len() + 1..).and_then(|s| s.chars().next())))
    })
}

fn as_identifier(text: &str, name: &str) -> bool {
    let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
    text.match_indices(name).any(|(at, _)| {
        boundary(text.get(..at).and_then(|s| s.chars().next_back()))
            && boundary(text.get(at + name.len()..).and_then(|s| s.chars().next()))
    })
}

/// Test files and test folders, in the layouts the suites use.
pub fn is_test(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    path.split('/').any(|part| matches!(part, "test" | "tests" | "__tests__" | "spec"))
        || file.starts_with("test_")
        || file.contains("_test.")
        || file.contains(".test.")
        || file.contains(".spec.")
        || file == "conftest.py"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_as_words_and_tests_are_told_apart() {
        assert!(names("the bug is in `stats.py`, see", "stats.py"));
        assert!(names("see src/app/stats.py", "src/app/stats.py"));
        assert!(!names("mystats.py breaks", "stats.py"));
        assert!(!names("stats.pyc", "stats.py") && !names("lib/stats.py", "stats.py"));
        assert!(names("It breaks in stats.py.", "stats.py"));
        assert!(is_test("tests/test_stats.py") && is_test("due_test.go") && is_test("test/range.test.js"));
        assert!(!is_test("stats.py") && !is_test("src/latest.rs"));
    }

    #[test]
    fn the_named_file_wins_over_the_ranked_one() {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("tree");
        std::fs::create_dir_all(tree.join("tests")).unwrap();
        std::fs::write(tree.join("pages.py"), "def last_page(total, size):\n    return total // size\n").unwrap();
        std::fs::write(tree.join("stats.py"), "def average(xs):\n    return sum(xs) / len(xs)\n").unwrap();
        std::fs::write(tree.join("tests/test_stats.py"), "from stats import average\ndef test_average(): pass\n")
            .unwrap();
        let mut index = Index::open(&tree, &dir.path().join("index")).unwrap();
        index.update(&mut |_, _| {}).unwrap();
        let found = target(&index, &tree, "average divides by zero on an empty list").unwrap().unwrap();
        assert_eq!(found, Target { path: "stats.py".into(), lines: None });
        let found = target(&index, &tree, "average is wrong, the fix belongs in pages.py").unwrap().unwrap();
        assert_eq!(found.path, "pages.py");
    }

    #[test]
    fn a_long_file_gives_one_definition() {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("tree");
        std::fs::create_dir_all(&tree).unwrap();
        let filler: String = (0..400).map(|i| format!("# note {i}\n")).collect();
        let text = format!(
            "def first(x):\n    return x\n\n{filler}\ndef spread(values):\n    return max(values) - min(values)\n"
        );
        std::fs::write(tree.join("report.py"), &text).unwrap();
        let mut index = Index::open(&tree, &dir.path().join("index")).unwrap();
        index.update(&mut |_, _| {}).unwrap();
        let found = target(&index, &tree, "report.spread([]) raises ValueError").unwrap().unwrap();
        let (start, end) = found.lines.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[start - 1].starts_with("def spread") && lines[end - 1].contains("max(values)"), "{start}-{end}");
    }
}
