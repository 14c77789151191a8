//! What a commit may hold. Build output and caches are never committed, with or without a
//! `.gitignore`; of the rest, only UTF-8 text of at most 1 MiB per file, at most 200 files
//! per change. What is left out stays in the worktree and is reported.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use wright_tree::{Kind, Tree, TreeError};

/// Ignore rules every task worktree gets (in memory: no file of the user's is touched).
pub(crate) const NEVER_COMMITTED: &str =
    "target/\nnode_modules/\n__pycache__/\n.pytest_cache/\n.venv/\ndist/\nbuild/\n*.pyc\n";
pub const MAX_FILE_BYTES: u64 = 1 << 20;
pub const MAX_FILES: usize = 200;
const FLOOD: &str = "more than 200 files in one change";
/// How many groups of left-out files the description names.
const SHOWN_GROUPS: usize = 10;

/// A changed file that was not committed, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LeftOut {
    pub path: String,
    pub why: &'static str,
}

/// The changed paths sorted into those a commit takes and those it leaves.
#[derive(Debug, Default)]
pub(crate) struct Sorted {
    pub taken: BTreeSet<String>,
    pub left_out: Vec<LeftOut>,
}

/// Sorts `changed` (paths of the worktree, in status order, with whether each is gone).
/// Once a change is full, what follows is left out without being read.
pub(crate) fn sort(worktree: &Path, changed: impl IntoIterator<Item = (String, bool)>) -> Sorted {
    let mut sorted = Sorted::default();
    let tree = Tree::open(worktree);
    for (path, deleted) in changed {
        let why = match &tree {
            _ if sorted.taken.len() >= MAX_FILES => Some(FLOOD),
            // A deletion is always taken: it adds nothing.
            _ if deleted => None,
            Ok(tree) => refusal(tree, Path::new(&path)),
            Err(_) => Some("unreadable"),
        };
        match why {
            Some(why) => sorted.left_out.push(LeftOut { path, why }),
            None => {
                sorted.taken.insert(path);
            }
        }
    }
    sorted
}

/// Why the file at `rel` is not committed, if it is not. A link is committed as a link
/// (git stores where it points, never what it points at); a FIFO or socket is never taken.
fn refusal(tree: &Tree, rel: &Path) -> Option<&'static str> {
    match tree.kind(rel) {
        None | Some(Kind::Dir | Kind::Symlink) => return None,
        Some(Kind::Other) => return Some("not a regular file"),
        Some(Kind::File) => {}
    }
    match tree.read(rel, MAX_FILE_BYTES as usize) {
        Ok(read) if read.cut() => Some("larger than 1 MiB"),
        Ok(read) if read.bytes.contains(&0) || std::str::from_utf8(&read.bytes).is_err() => {
            Some("binary (not UTF-8 text)")
        }
        Ok(_) => None,
        // Swapped for a link or a FIFO since the status was taken.
        Err(TreeError::Symlink { .. } | TreeError::NotRegular { .. }) => Some("not a regular file"),
        Err(_) => Some("unreadable"),
    }
}

/// What to tell the model: the left-out paths grouped by folder, capped. Linear in the
/// paths, and at most [`SHOWN_GROUPS`] groups long however many there are.
pub fn describe(left_out: &[LeftOut]) -> String {
    let mut per_dir: HashMap<&str, usize> = HashMap::new();
    for dir in left_out.iter().filter_map(|o| top(&o.path)) {
        *per_dir.entry(dir).or_default() += 1;
    }
    // (name, whether it names a folder, why), in the order first met, with their counts.
    let mut groups: Vec<((&str, bool, &str), usize)> = Vec::new();
    let mut seen: HashMap<(&str, bool, &str), usize> = HashMap::new();
    for item in left_out {
        // Many files of one folder read as the folder.
        let key = match top(&item.path) {
            Some(dir) if per_dir.get(dir).is_some_and(|n| *n > 3) => (dir, true, item.why),
            _ => (item.path.as_str(), false, item.why),
        };
        match seen.get(&key) {
            Some(&at) => groups[at].1 += 1,
            None => {
                seen.insert(key, groups.len());
                groups.push((key, 1));
            }
        }
    }
    let mut parts: Vec<String> = groups
        .iter()
        .take(SHOWN_GROUPS)
        .map(|((name, folder, why), n)| {
            let name = if *folder { format!("{name}/") } else { name.to_string() };
            if *n > 1 { format!("{name} ({n} files, {why})") } else { format!("{name} ({why})") }
        })
        .collect();
    if groups.len() > SHOWN_GROUPS {
        parts.push(format!("and {} more", groups.len() - SHOWN_GROUPS));
    }
    format!("not committed, left in the worktree: {}", parts.join(", "))
}

/// The top folder of `path`, when it is in one.
fn top(path: &str) -> Option<&str> {
    path.split_once('/').map(|(dir, _)| dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binaries_big_files_and_a_flood_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "text\n").unwrap();
        std::fs::write(dir.path().join("blob.bin"), [0u8, 1, 2]).unwrap();
        std::fs::write(dir.path().join("big.txt"), "x".repeat(MAX_FILE_BYTES as usize + 1)).unwrap();
        let mut changed = vec![
            ("a.txt".to_string(), false),
            ("blob.bin".into(), false),
            ("big.txt".into(), false),
            ("gone.txt".into(), true),
        ];
        for i in 0..MAX_FILES + 5 {
            let name = format!("gen/{i:03}.txt");
            std::fs::create_dir_all(dir.path().join("gen")).unwrap();
            std::fs::write(dir.path().join(&name), "x").unwrap();
            changed.push((name, false));
        }
        let sorted = sort(dir.path(), changed);
        assert!(sorted.taken.contains("a.txt") && sorted.taken.contains("gone.txt"));
        assert_eq!(sorted.taken.len(), MAX_FILES);
        let why = |p: &str| sorted.left_out.iter().find(|o| o.path == p).map(|o| o.why);
        assert_eq!(why("blob.bin"), Some("binary (not UTF-8 text)"));
        assert_eq!(why("big.txt"), Some("larger than 1 MiB"));
        assert_eq!(sorted.left_out.len(), 2 + 7, "two refused, and what passed the 200th file");
        let told = describe(&sorted.left_out);
        assert!(
            told.contains("blob.bin (binary") && told.contains("gen/ (7 files, more than 200 files in one change)"),
            "{told}"
        );
    }

    #[test]
    fn a_flood_of_new_files_is_sorted_unread_and_described_in_a_line() {
        // None of these exist: past the 200th, nothing is read.
        let changed = (0..100_000).map(|i| (format!("d{:03}/f{i}.txt", i % 1000), false));
        let dir = tempfile::tempdir().unwrap();
        let sorted = sort(dir.path(), changed.chain([("lone.txt".to_string(), false)]));
        assert_eq!(sorted.left_out.len(), 100_001 - MAX_FILES);
        let told = describe(&sorted.left_out);
        assert!(told.len() < 1000, "{} bytes: {told}", told.len());
        assert!(told.starts_with("not committed, left in the worktree: d"), "{told}");
        assert!(told.ends_with(&format!("and {} more", 1000 + 1 - SHOWN_GROUPS)), "{told}");
        // A folder is named once per reason, a file once.
        let mixed = [("a/1", "x"), ("a/2", "y"), ("a/3", "x"), ("a/4", "x"), ("b/1", "x"), ("b/1", "x")];
        let mixed: Vec<LeftOut> = mixed.iter().map(|(p, why)| LeftOut { path: p.to_string(), why }).collect();
        assert_eq!(describe(&mixed), "not committed, left in the worktree: a/ (3 files, x), a/ (y), b/1 (2 files, x)");
    }
}
