use std::fs;

use crate::{Index, SearchKind, location, open_updated};

fn tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("src")).unwrap();
    fs::create_dir_all(dir.path().join("tests")).unwrap();
    fs::write(
        dir.path().join("src/dates.py"),
        "import re\n\n\nclass Parser:\n    def parse_date(self, text):\n        return re.match(r'x', text)\n",
    )
    .unwrap();
    fs::write(dir.path().join("src/other.py"), "def unrelated():\n    pass\n").unwrap();
    fs::write(
        dir.path().join("tests/test_dates.py"),
        "from src.dates import Parser\n\ndef test_parse_date():\n    Parser().parse_date('2020')\n",
    )
    .unwrap();
    fs::write(dir.path().join("README.md"), "A project about many things.\n").unwrap();
    fs::write(dir.path().join("blob.bin"), b"\x00\x01\x02binary").unwrap();
    fs::write(dir.path().join("latin1.txt"), b"caf\xe9\n").unwrap();
    dir
}

#[test]
fn text_search_finds_the_defining_symbol() {
    let dir = tree();
    let cache = tempfile::tempdir().unwrap();
    let (index, stats) = open_updated(dir.path(), cache.path()).unwrap();
    assert_eq!(stats.files, 4);
    assert_eq!(stats.skipped.binary, 1);
    assert_eq!(stats.skipped.not_utf8, 1);
    let r = index.search("parse_date rejects ISO dates", SearchKind::Text, 10).unwrap();
    assert_eq!(r.hits[0].path, "src/dates.py");
    assert_eq!(r.hits[0].symbol.as_deref(), Some("Parser.parse_date"));
    assert_eq!((r.hits[0].start_line, r.hits[0].end_line), (5, 6));
    assert_eq!(r.skipped_files, 2);
    assert!(cache.path().join("index").read_dir().unwrap().next().is_some());
    assert!(!dir.path().join(".tantivy-meta.lock").exists());
}

#[test]
fn symbols_regex_and_repo_map() {
    let dir = tree();
    let cache = tempfile::tempdir().unwrap();
    let (index, _) = open_updated(dir.path(), cache.path()).unwrap();
    let r = index.search("parse_date", SearchKind::Symbol, 10).unwrap();
    assert_eq!(r.hits[0].symbol.as_deref(), Some("Parser.parse_date"));
    assert_eq!(r.hits[0].snippet, "def parse_date(self, text):");
    let r = index.search("Parser.parse_date", SearchKind::Symbol, 10).unwrap();
    assert_eq!(r.hits[0].path, "src/dates.py");
    let r = index.search(r"def \w+\(", SearchKind::Regex, 1).unwrap();
    assert_eq!((r.hits.len(), r.more), (1, 2));
    assert!(index.search("(", SearchKind::Regex, 1).is_err());
    // A query without words is looked for as it is written.
    let literal = index.search("('2020')", SearchKind::Text, 10).unwrap();
    assert_eq!(literal.hits.len(), 1, "{:?}", literal.hits);
    assert_eq!((literal.hits[0].path.as_str(), literal.hits[0].start_line), ("tests/test_dates.py", 4));
    let map = index.repo_map(Some("dates"), 200).unwrap();
    assert!(map.starts_with("src/dates.py\n"), "{map}");
    assert!(map.contains("method Parser.parse_date"), "{map}");
}

#[test]
fn updates_are_incremental_and_views_are_separate() {
    let dir = tree();
    let cache = tempfile::tempdir().unwrap();
    let (index, first) = open_updated(dir.path(), cache.path()).unwrap();
    assert_eq!(first.added, 6);
    index.close().unwrap();
    let (index, again) = open_updated(dir.path(), cache.path()).unwrap();
    assert_eq!((again.added, again.changed, again.removed, again.bytes_indexed), (0, 0, 0, 0));
    index.close().unwrap();

    // A run's view starts from the base and sees only its own tree's edits.
    let run_tree = tempfile::tempdir().unwrap();
    copy_tree(dir.path(), run_tree.path());
    let base = location::base_dir(cache.path(), dir.path());
    let view = location::view_dir(cache.path(), dir.path(), "run1");
    assert!(Index::seed(&base, &view).unwrap());
    let mut v = Index::open(run_tree.path(), &view).unwrap();
    fs::write(run_tree.path().join("src/other.py"), "def frobnicate_widgets():\n    pass\n").unwrap();
    let s = v.update_paths(&["src/other.py".to_string()]).unwrap();
    assert_eq!(s.changed, 1);
    assert_eq!(v.search("frobnicate_widgets", SearchKind::Symbol, 5).unwrap().hits.len(), 1);
    let (base_index, _) = open_updated(dir.path(), cache.path()).unwrap();
    assert!(base_index.search("frobnicate_widgets", SearchKind::Symbol, 5).unwrap().hits.is_empty());

    // A full update notices deletions.
    fs::remove_file(run_tree.path().join("src/other.py")).unwrap();
    let s = v.update(&mut |_, _| {}).unwrap();
    assert_eq!(s.removed, 1);
    assert!(v.search("frobnicate_widgets", SearchKind::Symbol, 5).unwrap().hits.is_empty());
}

#[test]
fn bad_input_is_a_clear_error_or_a_counted_skip() {
    let cache = tempfile::tempdir().unwrap();
    let err = open_updated(std::path::Path::new("/no/such/dir"), cache.path()).unwrap_err();
    assert!(err.to_string().contains("not a directory"));
    let dir = tree();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("src/loop")).unwrap();
    let (index, stats) = open_updated(dir.path(), cache.path()).unwrap();
    assert_eq!(stats.files, 4);
    // Only stop words: looked for literally, found nowhere, and no error.
    assert!(index.search("the of", SearchKind::Text, 5).unwrap().hits.is_empty());
    assert!(index.search("  ", SearchKind::Text, 5).is_err(), "an empty query is still an error");
}

#[test]
fn concurrent_openers_and_writers_of_one_index_all_succeed() {
    let dir = tree();
    let cache = tempfile::tempdir().unwrap();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (root, cache) = (dir.path().to_path_buf(), cache.path().to_path_buf());
            std::thread::spawn(move || {
                let (index, _) = open_updated(&root, &cache).unwrap();
                let hits = index.search("parse_date", SearchKind::Symbol, 5).unwrap().hits;
                index.close().unwrap();
                hits.iter().filter(|h| h.symbol.as_deref() == Some("Parser.parse_date")).count()
            })
        })
        .collect();
    for w in workers {
        assert_eq!(w.join().unwrap(), 1);
    }
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            fs::create_dir_all(&dest).unwrap();
            copy_tree(&e.path(), &dest);
        } else {
            fs::copy(e.path(), dest).unwrap();
        }
    }
}

#[test]
fn the_walk_keeps_ignore_rules_and_never_leaves_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(outside.path().join("key.py"), "HOST = 1\n").unwrap();
    std::fs::write(root.join(".gitignore"), "*.log\nbuild/\n").unwrap();
    std::fs::create_dir_all(root.join("build")).unwrap();
    std::fs::write(root.join("build/out.py"), "x = 1\n").unwrap();
    std::fs::create_dir_all(root.join("src/keep")).unwrap();
    std::fs::write(root.join("src/a.py"), "a = 1\n").unwrap();
    std::fs::write(root.join("src/debug.log"), "noise\n").unwrap();
    std::fs::write(root.join("src/keep/.gitignore"), "!*.log\n").unwrap();
    std::fs::write(root.join("src/keep/wanted.log"), "kept\n").unwrap();
    std::os::unix::fs::symlink(outside.path().join("key.py"), root.join("src/key.py")).unwrap();
    std::os::unix::fs::symlink(outside.path(), root.join("linked")).unwrap();
    // A FIFO where an ignore file is read: the walk must not block on it.
    mkfifo(&root.join("src/keep/.ignore"));
    let (found, _) = crate::walk::walk(root).unwrap();
    let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, vec!["src/a.py", "src/keep/wanted.log"]);
}

fn mkfifo(path: &std::path::Path) {
    let status = std::process::Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}
