//! Where a draft looks: the file the task names, else the one wright's index ranks first
//! for the task's text; the whole file when it is small, else its best-ranked definition.
//! Test files are the evidence, not the place to fix.

use std::path::Path;

use wright_index::{Index, SearchHit, SearchKind};

use crate::verdict::is_test_file;

/// The code a draft rewrites.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub path: String,
    /// 1-based inclusive lines of one definition; `None`: the whole file.
    pub lines: Option<(usize, usize)>,
}

/// A file of at most this many lines (and `whole_chars` characters) is drafted whole.
const WHOLE_LINES: usize = 150;
/// Hits looked at.
const HITS: usize = 50;
/// The largest file a draft reads.
const READ_CAP: usize = 4 << 20;

/// The target for `task` in the tree at `root`, indexed by `index`; `None` when nothing
/// ranks, or a long file has no ranked definition. `whole_chars`: the largest file drafted
/// whole (a reply must hold it).
pub(crate) fn locate(index: &mut Index, root: &Path, task: &str, whole_chars: usize) -> Option<Target> {
    let hits = index.search(task, SearchKind::Text, HITS).ok()?.hits;
    let ranked: Vec<&str> = hits.iter().map(|h| h.path.as_str()).filter(|p| !is_test_file(p)).collect();
    // Of the files the task names, the best ranked; unranked ones after.
    let named = index
        .paths()
        .filter(|p| !is_test_file(p) && names(task, p))
        .min_by_key(|p| ranked.iter().position(|r| r == p).unwrap_or(usize::MAX))
        .map(str::to_string);
    let path = named.or_else(|| ranked.first().map(|p| p.to_string()))?;
    let text = wright_tree::read_capped(root, Path::new(&path), READ_CAP).ok()?;
    let text = String::from_utf8(text.bytes).ok()?;
    if text.lines().count() <= WHOLE_LINES && text.len() <= whole_chars {
        return Some(Target { path, lines: None });
    }
    // The best-ranked definition a reply can hold whole.
    let lines: Vec<&str> = text.lines().collect();
    let size =
        |a: usize, b: usize| lines.get(a.saturating_sub(1)..b.min(lines.len())).map_or(0, |l| l.join("\n").len());
    let fits = |h: &&SearchHit| h.path == path && h.symbol.is_some() && size(h.start_line, h.end_line) <= whole_chars;
    let hit = hits.iter().find(fits)?;
    Some(Target { path, lines: Some((hit.start_line, hit.end_line)) })
}

/// Whether `task` names the file at `path`: the path, or the file's name, as a word.
fn names(task: &str, path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    as_word(task, path) || as_word(task, file)
}

/// Whether `word` stands in `text` with no path or name character on either side (a
/// sentence's full stop after it is fine).
fn as_word(text: &str, word: &str) -> bool {
    let part_of_name = |c: char| c.is_alphanumeric() || matches!(c, '_' | '/' | '-');
    text.match_indices(word).any(|(at, _)| {
        let before = text.get(..at).and_then(|t| t.chars().next_back());
        let mut after = text.get(at + word.len()..).unwrap_or_default().chars();
        let first = after.next();
        let ends = match first {
            Some('.') => after.next().is_none_or(|c| !part_of_name(c) && c != '.'),
            Some(c) => !part_of_name(c),
            None => true,
        };
        before.is_none_or(|c| !part_of_name(c) && c != '.') && ends
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An index of a tree of `files` (path, text), in a temp dir that holds both.
    pub(crate) fn indexed(files: &[(&str, &str)]) -> (tempfile::TempDir, Index) {
        let dir = tempfile::tempdir().unwrap();
        let tree = dir.path().join("tree");
        for (path, text) in files {
            let at = tree.join(path);
            std::fs::create_dir_all(at.parent().unwrap()).unwrap();
            std::fs::write(at, text).unwrap();
        }
        let mut index = Index::open(&tree, &dir.path().join("index")).unwrap();
        index.update(&mut |_, _| {}).unwrap();
        (dir, index)
    }

    #[test]
    fn files_are_named_as_words() {
        assert!(names("the bug is in `stats.py`, see", "stats.py"));
        assert!(names("see src/app/stats.py", "src/app/stats.py"));
        assert!(names("It breaks in stats.py.", "stats.py"));
        assert!(!names("mystats.py breaks", "stats.py"));
        assert!(!names("stats.pyc", "stats.py") && !names("lib/stats.py", "lib/stats.pyi"));
    }

    #[test]
    fn the_named_file_wins_and_tests_are_never_the_target() {
        let (dir, mut index) = indexed(&[
            ("pages.py", "def last_page(total, size):\n    return total // size\n"),
            ("stats.py", "def average(xs):\n    return sum(xs) / len(xs)\n"),
            ("tests/test_stats.py", "from stats import average\ndef test_average_of_xs(): average([1])\n"),
        ]);
        let root = dir.path().join("tree");
        let found = locate(&mut index, &root, "average of xs divides by zero on an empty list", 5000).unwrap();
        assert_eq!(found, Target { path: "stats.py".into(), lines: None });
        let found = locate(&mut index, &root, "average is wrong, the fix belongs in pages.py", 5000).unwrap();
        assert_eq!(found.path, "pages.py");
        assert_eq!(locate(&mut index, &root, "zzqx", 5000), None, "nothing ranks");
    }

    #[test]
    fn a_long_file_gives_its_best_ranked_definition() {
        let filler: String = (0..200).map(|i| format!("# note {i}\n")).collect();
        let text = format!(
            "def first(x):\n    return x\n\n{filler}\ndef spread(values):\n    return max(values) - min(values)\n"
        );
        let (dir, mut index) = indexed(&[("report.py", &text)]);
        let found = locate(&mut index, &dir.path().join("tree"), "report.spread([]) raises ValueError", 100_000);
        let (start, end) = found.unwrap().lines.unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[start - 1].starts_with("def spread") && lines[end - 1].contains("max(values)"), "{start}-{end}");
        let two =
            "def spread(values):\n    return max(values) - min(values)\n\n\ndef first(values):\n    return values[0]\n";
        let (dir, mut index) = indexed(&[("report.py", two)]);
        let found = locate(&mut index, &dir.path().join("tree"), "spread of values", 60).unwrap();
        assert_eq!(found.lines, Some((1, 2)), "a file longer than a reply holds is drafted by definition");
        let none = locate(&mut index, &dir.path().join("tree"), "spread of values", 20);
        assert_eq!(none, None, "a definition longer than a reply holds is not drafted");
    }
}
