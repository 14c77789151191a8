//! Hostile commands in tests run inside a cgroup of the test's own, with a process and
//! memory limit, so a containment bug in the sandbox under test cannot take the machine
//! down.

use std::path::{Path, PathBuf};

/// Moves this test process (and so everything it starts) into a fresh limited cgroup.
/// Panics when none can be made: the attack tests must not run uncontained.
pub fn contain() {
    let own = std::fs::read_to_string("/proc/self/cgroup").unwrap();
    let name = format!("wright-test-{}", std::process::id());
    let group_of = |controller: &str| {
        own.lines()
            .find_map(|l| {
                let mut p = l.splitn(3, ':');
                let (_, c, path) = (p.next()?, p.next()?, p.next()?);
                c.split(',').any(|x| x == controller).then(|| path.trim_start_matches('/').to_string())
            })
            .unwrap_or_default()
    };
    let v2 = Path::new("/sys/fs/cgroup/cgroup.controllers").exists();
    let dirs: Vec<(PathBuf, &str, &str)> = if v2 {
        let dir = Path::new("/sys/fs/cgroup").join(group_of("")).join(&name);
        vec![(dir.clone(), "pids.max", "2048"), (dir, "memory.max", "8589934592")]
    } else {
        vec![
            (Path::new("/sys/fs/cgroup/pids").join(group_of("pids")).join(&name), "pids.max", "2048"),
            (
                Path::new("/sys/fs/cgroup/memory").join(group_of("memory")).join(&name),
                "memory.limit_in_bytes",
                "8589934592",
            ),
        ]
    };
    for (dir, file, value) in &dirs {
        // Groups of earlier tests whose process has ended are empty now: remove them (not
        // those of tests still running, which may not have joined theirs yet).
        if let Some(Ok(entries)) = dir.parent().map(std::fs::read_dir) {
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                let ended = name.strip_prefix("wright-test-").is_some_and(|pid| !Path::new("/proc").join(pid).exists());
                if ended {
                    let _ = std::fs::remove_dir(e.path());
                }
            }
        }
        if !dir.exists() {
            std::fs::create_dir(dir)
                .unwrap_or_else(|e| panic!("cannot contain the attack tests: {}: {e}", dir.display()));
        }
        std::fs::write(dir.join(file), value).unwrap();
    }
    for (dir, _, _) in &dirs {
        std::fs::write(dir.join("cgroup.procs"), std::process::id().to_string()).unwrap();
    }
}
