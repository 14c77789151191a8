//! The git data a command sees: the directories wright named (never what the worktree's
//! `.git` file says: a command may have written it), the worktree's own `.git`, and a
//! credential-free copy of every git config in them, submodules' included.

use std::fs::{DirBuilder, File, OpenOptions};
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::{SandboxError, gitconfig};

/// Config files larger than this are cut (the copy hides the rest).
const CONFIG_BYTES: usize = 1 << 20;
/// Directories looked at below `modules/`: an untrusted `.git` could hold many.
const WALK_BUDGET: usize = 10_000;
/// System-wide configs, which `/` shows.
const SYSTEM_CONFIGS: &[&str] = &["/etc/gitconfig", "/usr/local/etc/gitconfig"];

/// What of git is bound into the sandbox; the copies go when it is dropped.
#[derive(Default)]
pub(crate) struct GitView {
    /// Bound read-only, each at its own path.
    pub binds: Vec<PathBuf>,
    /// (credential-free copy, the config it replaces).
    pub configs: Vec<(PathBuf, PathBuf)>,
    scratch: Option<PathBuf>,
}

impl Drop for GitView {
    fn drop(&mut self) {
        if let Some(dir) = &self.scratch {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl GitView {
    /// The git dirs `given` by wright, and the worktree's `.git` when it is a directory or
    /// a file of its own (bound so that a command cannot rewrite it); a symlink there is
    /// left alone.
    pub(crate) fn new(worktree: &Path, given: &[PathBuf]) -> Result<GitView, SandboxError> {
        let mut view = GitView::default();
        let dot_git = worktree.join(".git");
        let own = std::fs::symlink_metadata(&dot_git).ok().filter(|m| m.is_dir() || m.is_file());
        let mut dirs: Vec<PathBuf> = given.iter().filter(|d| d.is_dir()).cloned().collect();
        if own.as_ref().is_some_and(|m| m.is_dir()) {
            dirs.push(dot_git.clone());
        }
        let mut seen: Vec<PathBuf> = Vec::new();
        dirs.retain(|d| {
            let real = d.canonicalize().unwrap_or_else(|_| d.clone());
            let new = !seen.contains(&real);
            seen.push(real);
            new
        });
        if own.is_some() && !dirs.contains(&dot_git) {
            view.binds.push(dot_git);
        }
        let mut configs: Vec<PathBuf> = SYSTEM_CONFIGS.iter().map(PathBuf::from).collect();
        let mut budget = WALK_BUDGET;
        for dir in &dirs {
            configs_in(dir, true, &mut configs, &mut budget);
        }
        view.binds.extend(dirs);
        for config in configs {
            let Some((text, cut)) = read_config(&config) else { continue };
            let clean = gitconfig::strip_credentials(&text);
            if clean != text || cut {
                let copy = view.write_copy(&clean)?;
                view.configs.push((copy, config));
            }
        }
        Ok(view)
    }

    /// `text` in a new file of a private directory (0700, files 0600).
    fn write_copy(&mut self, text: &str) -> Result<PathBuf, SandboxError> {
        let dir = match &self.scratch {
            Some(dir) => dir.clone(),
            None => {
                let dir = scratch_dir()?;
                self.scratch = Some(dir.clone());
                dir
            }
        };
        let path = dir.join(self.configs.len().to_string());
        let mut file =
            OpenOptions::new().write(true).create_new(true).mode(0o600).open(&path).map_err(SandboxError::Spawn)?;
        file.write_all(text.as_bytes()).map_err(SandboxError::Spawn)?;
        Ok(path)
    }
}

/// Names tried for a scratch directory before giving up.
const SCRATCH_TRIES: u32 = 1000;
static SCRATCH_N: AtomicU64 = AtomicU64::new(0);

/// A new private directory (0700) for the copies. A killed process leaves its own
/// behind, and pids are reused: a name that is taken is passed over, never entered.
fn scratch_dir() -> Result<PathBuf, SandboxError> {
    let mut tries = 0;
    loop {
        let n = SCRATCH_N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("wright-gitconfig-{}-{n}", std::process::id()));
        match DirBuilder::new().mode(0o700).create(&dir) {
            Ok(()) => return Ok(dir),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && tries < SCRATCH_TRIES => tries += 1,
            Err(e) => return Err(SandboxError::Spawn(e)),
        }
    }
}

/// A config's text and whether it was cut: a regular file only, not through a symlink, and
/// never more than the cap (a `.git` a command made may hold a FIFO or a huge file).
fn read_config(path: &Path) -> Option<(String, bool)> {
    let file = OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(path).ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    File::take(file, CONFIG_BYTES as u64).read_to_end(&mut bytes).ok()?;
    Some((String::from_utf8_lossy(&bytes).into_owned(), meta.len() > CONFIG_BYTES as u64))
}

/// The config files git reads in the git dir `dir`: its `config` (and `config.worktree`),
/// those of linked worktrees when `linked`, and of every submodule below `modules/`.
fn configs_in(dir: &Path, linked: bool, out: &mut Vec<PathBuf>, budget: &mut usize) {
    out.extend(["config", "config.worktree"].map(|name| dir.join(name)));
    if linked {
        for worktree in subdirs(&dir.join("worktrees"), budget) {
            out.push(worktree.join("config.worktree"));
            modules(&worktree.join("modules"), out, budget);
        }
    }
    modules(&dir.join("modules"), out, budget);
}

/// A submodule's git dir sits at `modules/<name>`, and a name may hold slashes: a
/// directory with `HEAD` or `config` is one, any other is a step of a longer name.
fn modules(dir: &Path, out: &mut Vec<PathBuf>, budget: &mut usize) {
    for sub in subdirs(dir, budget) {
        if sub.join("HEAD").exists() || sub.join("config").exists() {
            configs_in(&sub, false, out, budget);
        } else {
            modules(&sub, out, budget);
        }
    }
}

/// Real directories (not symlinks) in `dir`, itself no symlink, while the budget lasts.
fn subdirs(dir: &Path, budget: &mut usize) -> Vec<PathBuf> {
    if !std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return Vec::new();
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out = Vec::new();
    for entry in entries.flatten() {
        if *budget == 0 {
            break;
        }
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            *budget -= 1;
            out.push(entry.path());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN_URL: &str = "[remote \"origin\"]\n\turl = https://x-access-token:SECRET@github.com/o/r.git\n";

    #[test]
    fn module_configs_and_linked_worktrees_are_stripped_and_the_copies_removed() {
        let dir = tempfile::tempdir().unwrap();
        let git = dir.path().join("repo/.git");
        let configs = [
            "config",
            "modules/lib/config",
            "modules/nested/name/config",
            "modules/lib/modules/inner/config",
            "worktrees/wt/config.worktree",
        ];
        for config in configs {
            std::fs::create_dir_all(git.join(config).parent().unwrap()).unwrap();
            std::fs::write(git.join(config), TOKEN_URL).unwrap();
        }
        std::fs::write(git.join("modules/lib/HEAD"), "ref: refs/heads/main\n").unwrap();
        // A `modules` that is a link leads elsewhere: not read.
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(elsewhere.join("modules/x")).unwrap();
        std::fs::write(elsewhere.join("modules/x/config"), TOKEN_URL).unwrap();
        std::fs::create_dir_all(git.join("worktrees/wt")).unwrap();
        std::os::unix::fs::symlink(elsewhere.join("modules"), git.join("worktrees/wt/modules")).unwrap();
        let view = GitView::new(&dir.path().join("repo"), &[]).unwrap();
        assert_eq!(view.binds, vec![git.clone()]);
        let replaced: Vec<&PathBuf> = view.configs.iter().map(|(_, original)| original).collect();
        for config in configs {
            assert!(replaced.contains(&&git.join(config)), "{config} not replaced: {replaced:?}");
        }
        assert!(
            replaced.iter().all(|c| !c.starts_with(&elsewhere) && !c.starts_with(git.join("worktrees/wt/modules")))
        );
        let scratch = view.configs[0].0.parent().unwrap().to_path_buf();
        for (copy, _) in view.configs.iter().filter(|(_, original)| original.starts_with(&git)) {
            let text = std::fs::read_to_string(copy).unwrap();
            assert!(!text.contains("SECRET") && text.contains("url = https://github.com/o/r.git"), "{text}");
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(copy).unwrap().permissions().mode() & 0o777, 0o600);
        }
        drop(view);
        assert!(!scratch.exists());
    }

    #[test]
    fn a_scratch_name_left_by_a_killed_process_is_passed_over() {
        // The next names, as a dead process with this pid left them.
        let next = SCRATCH_N.load(Ordering::Relaxed);
        let name = |n: u64| std::env::temp_dir().join(format!("wright-gitconfig-{}-{n}", std::process::id()));
        let left: Vec<PathBuf> = (next..next + 3).map(name).collect();
        for dir in &left {
            std::fs::create_dir_all(dir).unwrap();
        }
        let mut view = GitView::default();
        let copy = view.write_copy("[core]\n").unwrap();
        assert!(!left.iter().any(|dir| copy.starts_with(dir)), "{copy:?} is in a folder it did not make");
        assert_eq!(std::fs::read_to_string(&copy).unwrap(), "[core]\n");
        for dir in &left {
            std::fs::remove_dir_all(dir).unwrap();
        }
    }

    #[test]
    fn a_dot_git_file_is_bound_as_itself_and_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let named = dir.path().join("named");
        std::fs::create_dir_all(&named).unwrap();
        std::fs::write(named.join("config"), TOKEN_URL).unwrap();
        let worktree = dir.path().join("wt");
        std::fs::create_dir_all(&worktree).unwrap();
        std::fs::write(worktree.join(".git"), format!("gitdir: {}\n", named.display())).unwrap();
        let view = GitView::new(&worktree, &[]).unwrap();
        assert_eq!(view.binds, vec![worktree.join(".git")]);
        assert!(view.configs.iter().all(|(_, c)| !c.starts_with(&named)), "{:?}", view.configs);

        let given = GitView::new(&worktree, std::slice::from_ref(&named)).unwrap();
        assert_eq!(given.binds, vec![worktree.join(".git"), named.clone()]);
        assert!(given.configs.iter().any(|(_, c)| c == &named.join("config")));
    }
}
