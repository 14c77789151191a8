use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

use super::*;

fn fixture() -> (tempfile::TempDir, tempfile::TempDir) {
    let tree = tempfile::tempdir().unwrap();
    let host = tempfile::tempdir().unwrap();
    std::fs::write(host.path().join("secret"), "host secret\n").unwrap();
    std::fs::create_dir(tree.path().join("src")).unwrap();
    std::fs::write(tree.path().join("src/a.txt"), "a\n").unwrap();
    (tree, host)
}

/// Every check, run once through `openat2` and once through the component walk.
fn both_ways(check: impl Fn()) {
    for walk in [false, true] {
        resolve::force_walk(walk);
        check();
    }
    resolve::force_walk(false);
}

#[test]
fn reads_stop_at_links_fifos_and_the_cap() {
    both_ways(|| {
        let (tree, host) = fixture();
        let root = tree.path();
        symlink(host.path().join("secret"), root.join("src/key")).unwrap();
        symlink(host.path(), root.join("hostdir")).unwrap();
        symlink("/dev/zero", root.join("zero")).unwrap();
        rustix::fs::mknodat(rustix::fs::CWD, root.join("fifo"), rustix::fs::FileType::Fifo, 0o644.into(), 0).unwrap();
        let t = Tree::open(root).unwrap();
        assert_eq!(t.read(Path::new("src/a.txt"), 100).unwrap().text(), "a\n");
        assert!(matches!(t.read(Path::new("src/key"), 100), Err(TreeError::Symlink { .. })));
        assert!(matches!(t.read(Path::new("hostdir/secret"), 100), Err(TreeError::Symlink { .. })));
        assert!(t.read(Path::new("zero"), 100).is_err());
        assert!(matches!(t.read(Path::new("fifo"), 100), Err(TreeError::NotRegular { what: "a FIFO", .. })));
        assert!(matches!(t.read(Path::new("../x"), 100), Err(TreeError::Outside { .. })));
        assert!(matches!(t.read(Path::new("/etc/passwd"), 100), Err(TreeError::Outside { .. })));
        assert!(t.read(Path::new("src"), 100).is_err());
        assert!(t.read(Path::new("nope"), 100).unwrap_err().is_not_found());
        std::fs::write(root.join("big"), "€".repeat(10)).unwrap();
        let big = t.read(Path::new("big"), 7).unwrap();
        assert_eq!((big.text().as_str(), big.size, big.cut()), ("€€", 30, true));
    });
}

#[test]
fn writes_never_go_through_a_link() {
    both_ways(|| {
        let (tree, host) = fixture();
        let root = tree.path();
        let target = host.path().join("secret");
        // A planted temporary, a link at the file itself, and a linked directory.
        symlink(&target, root.join("src/.a.txt.wright-tmp")).unwrap();
        symlink(&target, root.join("b.txt")).unwrap();
        symlink(host.path(), root.join("out")).unwrap();
        let t = Tree::open(root).unwrap();
        t.write(Path::new("src/a.txt"), b"edited\n", None).unwrap();
        t.write(Path::new("b.txt"), b"b\n", None).unwrap();
        assert!(matches!(t.write(Path::new("out/new.txt"), b"x", None), Err(TreeError::Symlink { .. })));
        assert!(matches!(t.write(Path::new("../escape.txt"), b"x", None), Err(TreeError::Outside { .. })));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "host secret\n");
        assert_eq!(std::fs::read_dir(host.path()).unwrap().count(), 1);
        for file in ["src/a.txt", "b.txt"] {
            assert!(std::fs::symlink_metadata(root.join(file)).unwrap().file_type().is_file(), "{file}");
        }
        assert_eq!(std::fs::read_to_string(root.join("src/a.txt")).unwrap(), "edited\n");
        // The planted link is left as it was: nothing of the tree's is removed.
        assert!(std::fs::symlink_metadata(root.join("src/.a.txt.wright-tmp")).unwrap().file_type().is_symlink());
    });
}

#[test]
fn a_write_keeps_the_mode_and_makes_directories() {
    let (tree, _host) = fixture();
    let root = tree.path();
    std::fs::write(root.join("run.sh"), "echo\n").unwrap();
    std::fs::set_permissions(root.join("run.sh"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let t = Tree::open(root).unwrap();
    t.write(Path::new("run.sh"), b"echo hi\n", None).unwrap();
    t.write(Path::new("new/deep/x.py"), b"x = 1\n", None).unwrap();
    let mode = |p: &str| std::fs::metadata(root.join(p)).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode("run.sh"), mode("new/deep/x.py")), (0o755, 0o644));
    assert_eq!(t.kind(Path::new("new/deep")), Some(Kind::Dir));
    t.rename(Path::new("new/deep/x.py"), Path::new("moved/y.py")).unwrap();
    t.remove_file(Path::new("moved/y.py")).unwrap();
    t.remove_dir(Path::new("moved")).unwrap();
    assert_eq!(t.kind(Path::new("moved")), None);
}

#[test]
fn listing_and_stat_see_links_as_links() {
    let (tree, host) = fixture();
    let root = tree.path();
    symlink(host.path(), root.join("src/link")).unwrap();
    let t = Tree::open(root).unwrap();
    let names: Vec<(String, Kind)> = t
        .read_dir(Path::new("src"))
        .unwrap()
        .into_iter()
        .map(|e| (e.name.to_string_lossy().into_owned(), e.kind))
        .collect();
    assert_eq!(names, vec![("a.txt".into(), Kind::File), ("link".into(), Kind::Symlink)]);
    assert_eq!(t.kind(Path::new("src/link/secret")), None);
    assert!(t.read_dir(Path::new("src/link")).is_err());
    assert_eq!(t.stat(Path::new("src/a.txt")).unwrap().map(|e| e.size), Some(2));
}

#[test]
fn remove_all_removes_links_not_what_they_point_at() {
    let (tree, host) = fixture();
    let root = tree.path();
    std::fs::create_dir_all(root.join("gone/deep")).unwrap();
    std::fs::write(root.join("gone/deep/f"), "x").unwrap();
    symlink(host.path(), root.join("gone/link")).unwrap();
    let t = Tree::open(root).unwrap();
    t.remove_all(Path::new("gone")).unwrap();
    assert_eq!(t.kind(Path::new("gone")), None);
    assert!(host.path().join("secret").exists());
    t.write_link(Path::new("l/ink"), Path::new("../src/a.txt")).unwrap();
    assert_eq!(t.read_link(Path::new("l/ink")).unwrap(), Path::new("../src/a.txt"));
}

#[test]
fn directories_open_beneath_the_root_only() {
    both_ways(|| {
        let (tree, host) = fixture();
        let root = tree.path();
        symlink(host.path(), root.join("hostdir")).unwrap();
        let t = Tree::open(root).unwrap();
        let fd = t.open_dir(Path::new("src")).unwrap();
        let seen = std::fs::read_link(format!("/proc/self/fd/{}", std::os::fd::AsRawFd::as_raw_fd(&fd))).unwrap();
        assert_eq!(seen, root.join("src").canonicalize().unwrap());
        assert!(t.open_dir(Path::new("")).is_ok());
        assert!(matches!(t.open_dir(Path::new("hostdir")), Err(TreeError::Symlink { .. })));
        assert!(matches!(t.open_dir(Path::new("..")), Err(TreeError::Outside { .. })));
        assert!(matches!(t.open_dir(Path::new("/etc")), Err(TreeError::Outside { .. })));
        assert!(t.open_dir(Path::new("src/a.txt")).is_err());
    });
}
