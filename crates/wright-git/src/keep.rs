//! What a commit may hold. Build output and caches are never committed, with or without a
//! `.gitignore`; of the rest, only UTF-8 text of at most 1 MiB per file, at most 200 files
//! per change. What is left out stays in the worktree and is reported.

use std::collections::BTreeSet;
use std::path::Path;

use wright_tree::{Kind, Tree, TreeError};

/// Ignore rules every task worktree gets (in memory: no file of the user's is touched).
pub(crate) const NEVER_COMMITTED: &str =
    "target/\nnode_modules/\n__pycache__/\n.pytest_cache/\n.venv/\ndist/\nbuild/\n*.pyc\n";
pub const MAX_FILE_BYTES: u64 = 1 << 20;
pub const MAX_FILES: usize = 200;

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
pub(crate) fn sort(worktree: &Path, changed: impl IntoIterator<Item = (String, bool)>) -> Sorted {
    let mut sorted = Sorted::default();
    let tree = Tree::open(worktree);
    for (path, deleted) in changed {
        // A deletion is always taken: it adds nothing.
        let why = match &tree {
            _ if deleted => None,
            Ok(tree) => refusal(tree, Path::new(&path)),
            Err(_) => Some("unreadable"),
        };
        let why = why.or((sorted.taken.len() >= MAX_FILES).then_some("more than 200 files in one change"));
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

/// What to tell the model: the left-out paths grouped by folder, capped.
pub fn describe(left_out: &[LeftOut]) -> String {
    let mut groups: Vec<(String, &str, usize)> = Vec::new();
    for item in left_out {
        // Many files of one folder read as the folder.
        let key = match item.path.split_once('/') {
            Some((dir, _)) if left_out.iter().filter(|o| o.path.starts_with(&format!("{dir}/"))).count() > 3 => {
                format!("{dir}/")
            }
            _ => item.path.clone(),
        };
        match groups.iter_mut().find(|g| g.0 == key && g.1 == item.why) {
            Some(g) => g.2 += 1,
            None => groups.push((key, item.why, 1)),
        }
    }
    let mut parts: Vec<String> = groups
        .iter()
        .take(10)
        .map(|(key, why, n)| if *n > 1 { format!("{key} ({n} files, {why})") } else { format!("{key} ({why})") })
        .collect();
    if groups.len() > 10 {
        parts.push(format!("and {} more", groups.len() - 10));
    }
    format!("not committed, left in the worktree: {}", parts.join(", "))
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
}
