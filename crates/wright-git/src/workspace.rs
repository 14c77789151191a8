//! The task workspace: a branch `wright/<slug>` checked out in a worktree of its own.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use git2::{BranchType, DiffOptions, IndexAddOption, Oid, Repository, Signature, WorktreeAddOptions};
use wright_tree::{Kind, Tree, TreeError};

use crate::submodules::{self, Submodule};
use crate::{CommitInfo, CommitMessage, Context, GitError, lfs, patch_text};

/// The prefix of `protected` that `rel` (a path relative to the worktree) is under.
pub fn protected_by<'a>(protected: &'a [String], rel: &str) -> Option<&'a String> {
    let rel = rel.trim_start_matches("./");
    protected.iter().find(|prefix| {
        let dir = prefix.trim_end_matches('/');
        rel == dir || rel.strip_prefix(dir).is_some_and(|rest| rest.starts_with('/'))
    })
}

/// The largest uncommitted file `--include-dirty` copies from the checkout.
const MAX_DIRTY_BYTES: usize = 64 << 20;

/// Why a change under a protected path is not made or committed.
const PROTECTED: &str =
    "this run may not change it (workflow files under .github/ need github.allow_workflow_changes = true)";

/// A run's branch and worktree.
#[derive(Debug, Clone)]
pub struct TaskWorkspace {
    /// Root of the user's checkout.
    pub repo_root: PathBuf,
    pub branch: String,
    pub worktree: PathBuf,
    /// The commit the branch started from.
    pub base: String,
    /// Who commits are by and who commits them, when configured; otherwise the
    /// repository's `user.name`/`user.email`.
    pub identity: Identity,
    /// Path prefixes this run may not change (`.github/` for the PR bot): the tools refuse
    /// to write there and commits leave such changes out.
    pub protected: Vec<String>,
}

/// What `--include-dirty` copied from the checkout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirtyCopy {
    pub copied: Vec<String>,
    /// Changed files tracked by Git LFS, left out.
    pub skipped_lfs: Vec<String>,
}

/// Configured author and committer, as `Name <email>` pairs.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    pub author: Option<(String, String)>,
    pub committer: Option<(String, String)>,
}

/// `Name <email>` split into its parts.
pub fn parse_identity(text: &str) -> Option<(String, String)> {
    let (name, rest) = text.split_once('<')?;
    let email = rest.strip_suffix('>')?.trim();
    let name = name.trim();
    (!name.is_empty() && email.contains('@')).then(|| (name.to_string(), email.to_string()))
}

/// A branch-name-safe slug of a task: lowercase words joined by `-`, at most ~40 chars.
pub fn slugify(task: &str) -> String {
    let mut slug = String::new();
    for word in task.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()) {
        if slug.len() + word.len() > 40 {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(&word.to_ascii_lowercase());
    }
    if slug.is_empty() { "task".to_string() } else { slug }
}

impl TaskWorkspace {
    /// Creates branch `wright/<slug>` (suffixed when taken) at the user's HEAD and checks it
    /// out at `worktree`, which must not exist yet. The user's checkout is not touched.
    pub fn create(repo_dir: &Path, slug: &str, run_id: &str, worktree: &Path) -> Result<Self, GitError> {
        Self::create_from(repo_dir, slug, run_id, worktree, None)
    }

    /// As [`TaskWorkspace::create`], from `base` (any revision git understands) instead of
    /// HEAD when given.
    pub fn create_from(
        repo_dir: &Path,
        slug: &str,
        run_id: &str,
        worktree: &Path,
        base: Option<&str>,
    ) -> Result<Self, GitError> {
        let repo = Repository::discover(repo_dir).map_err(|_| GitError::NotARepo(repo_dir.to_path_buf()))?;
        let repo_root = repo.workdir().ok_or_else(|| GitError::Bare(repo_dir.to_path_buf()))?.to_path_buf();
        let base = match base {
            Some(rev) => repo
                .revparse_single(rev)
                .and_then(|o| o.peel_to_commit())
                .map_err(|_| GitError::Refused(format!("--base {rev}: no such commit in {}", repo_root.display())))?,
            None => match repo.head() {
                Ok(h) => h.peel_to_commit().context("resolving HEAD to a commit")?,
                Err(e) if e.code() == git2::ErrorCode::UnbornBranch => return Err(GitError::Unborn),
                Err(e) => return Err(GitError::Git { context: "reading HEAD".into(), source: e }),
            },
        };
        if worktree.exists() {
            return Err(GitError::WorktreeExists(worktree.to_path_buf()));
        }
        // Another run may take the same name between the check and the creation; creating
        // a branch that exists (or is being created) fails atomically, so the next free
        // name is tried.
        let mut attempt = 0;
        let (branch, reference) = loop {
            let name = unique_branch(&repo, slug);
            match repo.branch(&name, &base, false) {
                Ok(reference) => break (name, reference),
                Err(e) if e.code() == git2::ErrorCode::Exists && attempt < 20 => attempt += 1,
                // Another process holds the ref's lock file for a moment.
                Err(e) if e.code() == git2::ErrorCode::Locked && attempt < 20 => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(GitError::Git { context: "creating the task branch".into(), source: e }),
            }
        };
        let mut opts = WorktreeAddOptions::new();
        opts.reference(Some(reference.get()));
        repo.worktree(&format!("wright-{run_id}"), worktree, Some(&opts)).context("creating the task worktree")?;
        Ok(TaskWorkspace {
            repo_root,
            branch,
            worktree: worktree.to_path_buf(),
            base: base.id().to_string(),
            identity: Identity::default(),
            protected: Vec::new(),
        })
    }

    /// The workspace of an earlier run, from what its journal recorded.
    pub fn open(worktree: &Path, branch: &str, base: &str) -> Result<Self, GitError> {
        let repo = Repository::open(worktree).map_err(|_| GitError::NotARepo(worktree.to_path_buf()))?;
        let common = repo.commondir().to_path_buf();
        let repo_root = Repository::open(&common)
            .ok()
            .and_then(|main| main.workdir().map(Path::to_path_buf))
            .unwrap_or_else(|| common.parent().map(Path::to_path_buf).unwrap_or(common));
        let head = repo.head().context("reading the worktree's HEAD")?;
        if head.shorthand().ok() != Some(branch) {
            return Err(GitError::Moved(format!(
                "the worktree {} has {} checked out, not {branch}",
                worktree.display(),
                head.shorthand().unwrap_or("a detached HEAD")
            )));
        }
        Ok(TaskWorkspace {
            repo_root,
            branch: branch.to_string(),
            worktree: worktree.to_path_buf(),
            base: base.to_string(),
            identity: Identity::default(),
            protected: Vec::new(),
        })
    }

    /// Puts the worktree back to its last commit: changes to tracked files are reverted and
    /// new files that are not ignored are removed. Returns the paths that were discarded.
    pub fn discard_uncommitted(&self) -> Result<Vec<String>, GitError> {
        let dirty = self.dirty_paths()?;
        if dirty.is_empty() {
            return Ok(dirty);
        }
        let tree = self.tree()?;
        clear_the_way(&tree, &dirty)?;
        let repo = self.repo()?;
        let head = repo.head().and_then(|h| h.peel_to_commit()).context("reading the branch head")?;
        repo.reset(head.as_object(), git2::ResetType::Hard, None).context("resetting the worktree")?;
        for path in self.dirty_paths()? {
            let rel = Path::new(&path);
            tree.remove_all(rel).map_err(|e| GitError::Moved(format!("cannot remove {path}: {}", e.reason())))?;
            // Directories that held only new files go too.
            let mut dir = rel.parent();
            while let Some(d) = dir.filter(|d| !d.as_os_str().is_empty()) {
                if tree.remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
        Ok(dirty)
    }

    /// The worktree for host-side reads and writes: no link followed, no FIFO opened.
    fn tree(&self) -> Result<Tree, GitError> {
        Tree::open(&self.worktree).map_err(|e| GitError::Moved(format!("the worktree is unavailable: {e}")))
    }

    pub(crate) fn repo(&self) -> Result<Repository, GitError> {
        let repo = Repository::open(&self.worktree).context("opening the task worktree")?;
        // Build output and caches are never committed, whatever the repository ignores.
        repo.add_ignore_rule(crate::keep::NEVER_COMMITTED).context("adding ignore rules")?;
        Ok(repo)
    }

    /// The changes a commit takes and those it leaves (binary, too big, too many).
    fn sorted(&self, repo: &Repository) -> Result<crate::keep::Sorted, GitError> {
        let statuses = changes(repo)?;
        let gone = git2::Status::WT_DELETED | git2::Status::INDEX_DELETED;
        let changed =
            statuses.iter().filter_map(|e| e.path().ok().map(|p| (p.to_string(), e.status().intersects(gone))));
        let mut sorted = crate::keep::sort(&self.worktree, changed.collect::<Vec<_>>());
        let (kept, refused): (Vec<String>, Vec<String>) =
            std::mem::take(&mut sorted.taken).into_iter().partition(|p| self.refusal(p).is_none());
        sorted.taken = kept.into_iter().collect();
        sorted.left_out.extend(refused.into_iter().map(|path| crate::keep::LeftOut { path, why: PROTECTED }));
        Ok(sorted)
    }

    /// Why this run may not change `rel` (a path relative to the worktree); `None` when
    /// it may.
    pub fn refusal(&self, rel: &str) -> Option<String> {
        protected_by(&self.protected, rel)
            .map(|p| format!("{} is under {p}: {PROTECTED}", rel.trim_start_matches("./")))
    }

    /// Changed files the next commit will leave in the worktree, and why.
    pub fn left_out(&self) -> Result<Vec<crate::keep::LeftOut>, GitError> {
        Ok(self.sorted(&self.repo()?)?.left_out)
    }

    /// Stages every non-ignored change in the worktree and commits it; `None` when the
    /// worktree has nothing to commit.
    pub fn commit_all(&self, message: &CommitMessage) -> Result<Option<CommitInfo>, GitError> {
        let repo = self.repo()?;
        let taken = self.sorted(&repo)?.taken;
        // 0 stages a path, 1 skips it.
        let mut only_taken = |path: &Path, _: &[u8]| i32::from(!taken.contains(&path.to_string_lossy().to_string()));
        let mut index = repo.index().context("reading the worktree index")?;
        index.add_all(["*"], IndexAddOption::DEFAULT, Some(&mut only_taken)).context("staging changes")?;
        index.update_all(["*"], Some(&mut only_taken)).context("staging deletions")?;
        index.write().context("writing the index")?;
        let tree_id = index.write_tree().context("writing the tree")?;
        let parent = repo.head().and_then(|h| h.peel_to_commit()).context("reading the branch head")?;
        if tree_id == parent.tree_id() {
            return Ok(None);
        }
        let tree = repo.find_tree(tree_id).context("finding the new tree")?;
        let user = signature(&repo)?;
        let make = |who: &Option<(String, String)>| match who {
            Some((name, email)) => Signature::now(name, email).context("building a signature"),
            None => Ok(user.clone()),
        };
        let (author, committer) = (make(&self.identity.author)?, make(&self.identity.committer)?);
        let oid = crate::signing::commit(&repo, &author, &committer, &message.render(), &tree, &parent)?;
        let files = changed_paths(&repo, Some(parent.tree_id()), tree_id)?;
        Ok(Some(CommitInfo { sha: oid.to_string(), subject: message.subject.clone(), files }))
    }

    /// Copies the uncommitted changes of the user's checkout (tracked edits, deletions and
    /// new files that are not ignored) into the worktree. The checkout itself is only read.
    /// Files tracked by Git LFS are not copied (the checkout holds their content, which
    /// git2 cannot turn back into pointers), nor are submodules (other repositories).
    pub fn copy_dirty_from_checkout(&self) -> Result<DirtyCopy, GitError> {
        let user = Repository::open(&self.repo_root).context("opening the checkout")?;
        let head_tree = user.head().and_then(|h| h.peel_to_tree()).context("reading the checkout's HEAD")?;
        let mut opts = DiffOptions::new();
        opts.include_untracked(true).recurse_untracked_dirs(true).ignore_submodules(true);
        let diff =
            user.diff_tree_to_workdir_with_index(Some(&head_tree), Some(&mut opts)).context("diffing the checkout")?;
        let (skipped, paths): (Vec<String>, Vec<String>) =
            patch_text::paths(&diff).into_iter().partition(|p| lfs::tracked(&user, p));
        // Each path gets the checkout's current content (or goes, when deleted there). Both
        // trees are reached without following links: a link is copied as a link.
        let (from, to) = (Tree::open(&self.repo_root), self.tree()?);
        let from = from.map_err(|e| GitError::Refused(format!("reading the checkout: {e}")))?;
        for path in &paths {
            let rel = Path::new(path);
            let copied = match from.stat(rel) {
                Ok(Some(e)) if e.kind == Kind::File => from.read(rel, MAX_DIRTY_BYTES).and_then(|r| match r.cut() {
                    true => Err(TreeError::NotRegular { path: path.clone(), what: "larger than 64 MiB" }),
                    false => to.write(rel, &r.bytes, Some(e.mode)),
                }),
                Ok(Some(e)) if e.kind == Kind::Symlink => from.read_link(rel).and_then(|t| to.write_link(rel, &t)),
                Ok(_) => match to.kind(rel) {
                    Some(Kind::Dir) | None => Ok(()),
                    Some(_) => to.remove_file(rel),
                },
                Err(e) => Err(e),
            };
            copied.map_err(|e| GitError::Refused(format!("copying {path} from the checkout: {}", e.reason())))?;
        }
        Ok(DirtyCopy { copied: paths, skipped_lfs: skipped })
    }

    /// Checks out the worktree's submodules from the user's checkout of them.
    pub fn check_out_submodules(&self) -> Result<Vec<Submodule>, GitError> {
        submodules::check_out(&self.repo_root, &self.worktree)
    }

    /// Submodules whose files a command changed: wright cannot commit those changes.
    pub fn dirty_submodules(&self) -> Result<Vec<String>, GitError> {
        Ok(submodules::dirty(&self.repo()?))
    }

    /// Puts back files at LFS-tracked paths whose new content is not an LFS pointer (a
    /// command wrote them): committed, they would put large content straight into git.
    /// Returns the paths put back.
    pub fn revert_lfs_content(&self) -> Result<Vec<String>, GitError> {
        let repo = self.repo()?;
        let (paths, added) = self.pending()?;
        let added: HashSet<String> = added.into_iter().collect();
        let tree = self.tree()?;
        let mut reverted = Vec::new();
        for path in paths.into_iter().filter(|p| lfs::tracked(&repo, p)) {
            let rel = Path::new(&path);
            // A pointer is under 1 KiB: no more is read, whatever stands there now.
            let head = match tree.read(rel, 1024) {
                Ok(read) => read.bytes,
                Err(e) if e.is_not_found() => continue,
                Err(_) => Vec::new(),
            };
            if lfs::is_pointer(&head) {
                continue;
            }
            if added.contains(&path) {
                tree.remove_all(rel).map_err(|e| GitError::Moved(format!("cannot remove {path}: {}", e.reason())))?;
            } else {
                let mut opts = git2::build::CheckoutBuilder::new();
                opts.force().path(&path);
                repo.checkout_head(Some(&mut opts)).context("restoring an LFS pointer")?;
            }
            reverted.push(path);
        }
        Ok(reverted)
    }

    /// Paths a commit now would touch, and which of them are new files.
    pub fn pending(&self) -> Result<(Vec<String>, Vec<String>), GitError> {
        let repo = self.repo()?;
        let statuses = changes(&repo)?;
        let mut all = Vec::new();
        let mut added = Vec::new();
        for entry in statuses.iter() {
            let Ok(path) = entry.path() else { continue };
            if entry.status().intersects(git2::Status::WT_NEW | git2::Status::INDEX_NEW) {
                added.push(path.to_string());
            }
            all.push(path.to_string());
        }
        Ok((all, added))
    }

    /// Paths that differ between the worktree's HEAD and its files (staged or not).
    pub fn dirty_paths(&self) -> Result<Vec<String>, GitError> {
        let repo = self.repo()?;
        let statuses = changes(&repo)?;
        Ok(statuses.iter().filter_map(|s| s.path().ok().map(str::to_string)).collect())
    }

    /// The diff from the base commit to the worktree's files, new files included, cut at
    /// `limit` bytes (saying what it leaves out).
    pub fn diff(&self, limit: usize) -> Result<String, GitError> {
        let repo = self.repo()?;
        let base = repo.find_commit(oid(&self.base)?).context("finding the base commit")?;
        diff_from(&repo, &base, limit)
    }

    /// What a commit now would record: the diff from the branch head to the worktree, cut
    /// at `limit` bytes.
    pub fn pending_diff(&self, limit: usize) -> Result<String, GitError> {
        let repo = self.repo()?;
        let head = repo.head().and_then(|h| h.peel_to_commit()).context("reading the branch head")?;
        diff_from(&repo, &head, limit)
    }

    /// Commits on the task branch since the base, oldest first.
    pub fn commits(&self) -> Result<Vec<CommitInfo>, GitError> {
        let repo = self.repo()?;
        let mut walk = repo.revwalk().context("walking history")?;
        walk.push_head().context("walking history")?;
        walk.hide(oid(&self.base)?).context("walking history")?;
        let mut out = Vec::new();
        for id in walk {
            let id = id.context("walking history")?;
            let commit = repo.find_commit(id).context("reading a commit")?;
            let parent_tree = commit.parent(0).ok().map(|p| p.tree_id());
            out.push(CommitInfo {
                sha: id.to_string(),
                subject: commit.summary().ok().flatten().unwrap_or_default().to_string(),
                files: changed_paths(&repo, parent_tree, commit.tree_id())?,
            });
        }
        out.reverse();
        Ok(out)
    }

    /// Files that differ between the base and the branch head.
    pub fn changed_files(&self) -> Result<Vec<String>, GitError> {
        let repo = self.repo()?;
        let base = repo.find_commit(oid(&self.base)?).context("finding the base commit")?;
        let head = repo.head().and_then(|h| h.peel_to_commit()).context("reading the branch head")?;
        changed_paths(&repo, Some(base.tree_id()), head.tree_id())
    }
}

/// Removes what a checkout must not meet where it writes the dirty paths back: a link or
/// a FIFO, socket or device at one of them or at a folder above it. libgit2 skips such
/// entries when it reads the worktree, then opens the path to write it: a FIFO blocks
/// that open for good, and a linked folder would take the write outside the tree.
fn clear_the_way(tree: &Tree, dirty: &[String]) -> Result<(), GitError> {
    for path in dirty {
        let mut at = Some(Path::new(path));
        while let Some(rel) = at.filter(|p| !p.as_os_str().is_empty()) {
            if matches!(tree.kind(rel), Some(Kind::Symlink | Kind::Other)) {
                tree.remove_all(rel).map_err(|e| GitError::Moved(format!("cannot remove {path}: {}", e.reason())))?;
            }
            at = rel.parent();
        }
    }
    Ok(())
}

/// The diff from a commit to the worktree's files, new files included.
fn diff_from(repo: &Repository, commit: &git2::Commit, limit: usize) -> Result<String, GitError> {
    let tree = commit.tree().context("reading a commit's tree")?;
    let mut opts = DiffOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true).show_untracked_content(true);
    // Files past what a commit may hold are never loaded: they show as binary.
    opts.max_size(i64::try_from(crate::keep::MAX_FILE_BYTES).unwrap_or(i64::MAX));
    let diff = repo.diff_tree_to_workdir_with_index(Some(&tree), Some(&mut opts)).context("diffing the worktree")?;
    patch_text::render(&diff, limit)
}

/// What differs between HEAD and the files, untracked files included; submodules are
/// other repositories and not part of it.
pub(crate) fn changes(repo: &Repository) -> Result<git2::Statuses<'_>, GitError> {
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true).include_ignored(false).exclude_submodules(true);
    repo.statuses(Some(&mut opts)).context("reading status")
}

fn unique_branch(repo: &Repository, slug: &str) -> String {
    let taken = |name: &str| repo.find_branch(name, BranchType::Local).is_ok();
    let first = format!("wright/{slug}");
    if !taken(&first) {
        return first;
    }
    (2..).map(|n| format!("wright/{slug}-{n}")).find(|name| !taken(name)).unwrap_or(first)
}

fn signature(repo: &Repository) -> Result<Signature<'static>, GitError> {
    match repo.signature() {
        Ok(sig) => Ok(sig.to_owned()),
        Err(_) => Signature::now("wright", "wright@localhost").context("building a signature"),
    }
}

fn oid(sha: &str) -> Result<Oid, GitError> {
    Oid::from_str(sha).context("parsing a commit id")
}

fn changed_paths(repo: &Repository, old: Option<Oid>, new: Oid) -> Result<Vec<String>, GitError> {
    let old_tree = match old {
        Some(id) => Some(repo.find_tree(id).context("reading a tree")?),
        None => None,
    };
    let new_tree = repo.find_tree(new).context("reading a tree")?;
    let diff = repo.diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), None).context("diffing trees")?;
    Ok(patch_text::paths(&diff))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) {
        let ok = Command::new("git").args(args).current_dir(dir).status().unwrap().success();
        assert!(ok, "git {args:?}");
    }

    fn fixture() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir(&repo).unwrap();
        git(&repo, &["init", "-q", "-b", "main"]);
        git(&repo, &["config", "user.name", "Tess"]);
        git(&repo, &["config", "user.email", "tess@example.com"]);
        std::fs::write(repo.join("a.txt"), "one\n").unwrap();
        std::fs::write(repo.join(".gitignore"), "*.log\n").unwrap();
        git(&repo, &["add", "."]);
        git(&repo, &["commit", "-q", "-m", "init"]);
        dir
    }

    #[test]
    fn protected_prefixes_cover_their_tree_only() {
        let protected = vec![".github/".to_string()];
        for rel in [".github", ".github/workflows/ci.yml", "./.github/x"] {
            assert!(protected_by(&protected, rel).is_some(), "{rel}");
        }
        for rel in [".githubx/a", "src/.github/a", "github/a"] {
            assert!(protected_by(&protected, rel).is_none(), "{rel}");
        }
    }

    #[test]
    fn slugs_are_branch_safe() {
        assert_eq!(slugify("Fix parse_date: ISO dates with a Z!"), "fix-parse-date-iso-dates-with-a-z");
        assert_eq!(slugify("???"), "task");
    }

    #[test]
    fn commits_land_on_the_task_branch_only() {
        let dir = fixture();
        let repo = dir.path().join("repo");
        std::fs::write(repo.join("a.txt"), "user's uncommitted work\n").unwrap();
        let ws = TaskWorkspace::create(&repo, "fix-a", "r1", &dir.path().join("wt")).unwrap();
        assert_eq!(ws.branch, "wright/fix-a");
        assert_eq!(std::fs::read_to_string(ws.worktree.join("a.txt")).unwrap(), "one\n");

        std::fs::write(ws.worktree.join("a.txt"), "two\n").unwrap();
        std::fs::write(ws.worktree.join("debug.log"), "ignored\n").unwrap();
        let msg = CommitMessage {
            subject: "Update a.txt".into(),
            body: String::new(),
            trailers: vec![("Wright-Session".into(), "r1".into())],
        };
        let info = ws.commit_all(&msg).unwrap().unwrap();
        assert_eq!(info.files, vec!["a.txt"]);
        let who = |fmt: &str| {
            let out = Command::new("git").args(["log", "-1", fmt, &ws.branch]).current_dir(&repo).output().unwrap();
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        };
        assert_eq!(who("--format=%an <%ae> / %cn <%ce>"), "Tess <tess@example.com> / Tess <tess@example.com>");
        assert!(ws.commit_all(&msg).unwrap().is_none(), "nothing left to commit");
        assert_eq!(ws.commits().unwrap().len(), 1);
        assert_eq!(ws.changed_files().unwrap(), vec!["a.txt"]);
        assert_eq!(std::fs::read_to_string(repo.join("a.txt")).unwrap(), "user's uncommitted work\n");

        let mut second = TaskWorkspace::create(&repo, "fix-a", "r2", &dir.path().join("wt2")).unwrap();
        assert_eq!(second.branch, "wright/fix-a-2");
        second.identity.author = parse_identity("Bot Author <bot@example.com>");
        std::fs::write(second.worktree.join("a.txt"), "three\n").unwrap();
        second.commit_all(&msg).unwrap().unwrap();
        let out = Command::new("git")
            .args(["log", "-1", "--format=%an <%ae> / %cn", &second.branch])
            .current_dir(&repo)
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Bot Author <bot@example.com> / Tess");
        assert_eq!(parse_identity("no email"), None);
    }

    #[test]
    fn diff_shows_new_files() {
        let dir = fixture();
        let ws = TaskWorkspace::create(&dir.path().join("repo"), "d", "r1", &dir.path().join("wt")).unwrap();
        std::fs::write(ws.worktree.join("new.txt"), "hello\n").unwrap();
        let diff = ws.diff(1 << 20).unwrap();
        assert!(diff.contains("+hello"), "{diff}");
    }

    #[test]
    fn diffs_are_cut_at_their_limit_and_say_what_they_leave_out() {
        let dir = fixture();
        let ws = TaskWorkspace::create(&dir.path().join("repo"), "d", "r1", &dir.path().join("wt")).unwrap();
        for name in ["a.txt", "b.txt", "c.txt"] {
            std::fs::write(ws.worktree.join(name), "line\n".repeat(200)).unwrap();
        }
        // Over what a commit may hold: never loaded, shown as binary.
        std::fs::write(ws.worktree.join("huge.txt"), "y\n".repeat(1 << 20)).unwrap();
        let whole = ws.diff(usize::MAX).unwrap();
        assert!(whole.contains("huge.txt") && !whole.contains("+y\n"), "the huge file's lines are not rendered");
        let cut = ws.pending_diff(1500).unwrap();
        assert!(cut.len() <= 1500, "{} bytes", cut.len());
        assert!(cut.contains("+line"));
        assert!(cut.ends_with("changed files shown whole, the rest left out]\n"), "{cut}");
        assert!(cut.contains("of 4 changed files"), "{cut}");
    }

    #[test]
    fn a_hundred_thousand_new_files_are_committed_in_part_and_told_in_a_line() {
        let dir = fixture();
        let ws = TaskWorkspace::create(&dir.path().join("repo"), "flood", "r1", &dir.path().join("wt")).unwrap();
        for d in 0..500 {
            let sub = ws.worktree.join(format!("gen{d:03}"));
            std::fs::create_dir(&sub).unwrap();
            for i in 0..200 {
                std::fs::write(sub.join(format!("f{i:03}.txt")), "x\n").unwrap();
            }
        }
        let left_out = ws.left_out().unwrap();
        assert_eq!(left_out.len(), 100_000 - crate::keep::MAX_FILES);
        let told = crate::keep::describe(&left_out);
        assert!(told.len() < 1000, "{} bytes: {told}", told.len());
        assert!(told.contains("(200 files, more than 200 files in one change)"), "{told}");
        let info = ws.commit_all(&CommitMessage { subject: "flood".into(), ..Default::default() }).unwrap().unwrap();
        assert_eq!(info.files.len(), crate::keep::MAX_FILES);
        assert_eq!(ws.pending().unwrap().1.len(), 100_000 - crate::keep::MAX_FILES);
    }

    #[test]
    fn a_reopened_workspace_discards_what_was_not_committed() {
        let dir = fixture();
        let ws = TaskWorkspace::create(&dir.path().join("repo"), "r", "r1", &dir.path().join("wt")).unwrap();
        std::fs::write(ws.worktree.join("a.txt"), "committed\n").unwrap();
        ws.commit_all(&CommitMessage { subject: "one".into(), ..Default::default() }).unwrap().unwrap();
        std::fs::write(ws.worktree.join("a.txt"), "half-done\n").unwrap();
        std::fs::create_dir(ws.worktree.join("new")).unwrap();
        std::fs::write(ws.worktree.join("new/file.txt"), "x\n").unwrap();
        std::fs::write(ws.worktree.join("keep.log"), "ignored\n").unwrap();

        let again = TaskWorkspace::open(&ws.worktree, &ws.branch, &ws.base).unwrap();
        assert_eq!(again.repo_root.canonicalize().unwrap(), dir.path().join("repo").canonicalize().unwrap());
        let mut discarded = again.discard_uncommitted().unwrap();
        discarded.sort();
        assert_eq!(discarded, ["a.txt", "new/file.txt"]);
        assert_eq!(std::fs::read_to_string(ws.worktree.join("a.txt")).unwrap(), "committed\n");
        assert!(!ws.worktree.join("new").exists());
        assert!(ws.worktree.join("keep.log").exists(), "ignored files stay");
        assert!(again.discard_uncommitted().unwrap().is_empty());
        assert!(matches!(TaskWorkspace::open(&ws.worktree, "wright/other", &ws.base), Err(GitError::Moved(_))));
    }

    #[test]
    fn a_base_revision_and_the_users_dirty_work_can_seed_the_branch() {
        let dir = fixture();
        let repo = dir.path().join("repo");
        std::fs::write(repo.join("a.txt"), "later\n").unwrap();
        git(&repo, &["commit", "-q", "-am", "later"]);
        std::fs::write(repo.join("a.txt"), "user's edit\n").unwrap();
        std::fs::write(repo.join("new.txt"), "user's new file\n").unwrap();

        let ws = TaskWorkspace::create_from(&repo, "b", "r1", &dir.path().join("wt"), Some("HEAD~1")).unwrap();
        assert_eq!(std::fs::read_to_string(ws.worktree.join("a.txt")).unwrap(), "one\n");
        let err = TaskWorkspace::create_from(&repo, "c", "r2", &dir.path().join("wt2"), Some("nope")).unwrap_err();
        assert!(err.to_string().contains("--base nope"), "{err}");

        let ws = TaskWorkspace::create(&repo, "d", "r3", &dir.path().join("wt3")).unwrap();
        let mut copied = ws.copy_dirty_from_checkout().unwrap().copied;
        copied.sort();
        assert_eq!(copied, ["a.txt", "new.txt"]);
        assert_eq!(std::fs::read_to_string(ws.worktree.join("a.txt")).unwrap(), "user's edit\n");
        assert_eq!(std::fs::read_to_string(ws.worktree.join("new.txt")).unwrap(), "user's new file\n");
        assert_eq!(std::fs::read_to_string(repo.join("a.txt")).unwrap(), "user's edit\n", "the checkout is untouched");
        assert!(git_status(&repo).contains("?? new.txt"));
    }

    fn git_status(dir: &Path) -> String {
        let out = Command::new("git").args(["status", "--porcelain"]).current_dir(dir).output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    #[test]
    fn a_detached_head_is_a_fine_base() {
        let dir = fixture();
        let repo = dir.path().join("repo");
        git(&repo, &["checkout", "-q", "--detach"]);
        let ws = TaskWorkspace::create(&repo, "detached", "r1", &dir.path().join("wt")).unwrap();
        assert_eq!(ws.branch, "wright/detached");
        std::fs::write(ws.worktree.join("a.txt"), "two\n").unwrap();
        assert!(ws.commit_all(&CommitMessage { subject: "x".into(), ..Default::default() }).unwrap().is_some());
        assert_eq!(git_status(&repo), "", "the user's detached checkout is untouched");
    }

    #[test]
    fn unborn_repositories_are_refused_clearly() {
        let dir = tempfile::tempdir().unwrap();
        git(dir.path(), &["init", "-q"]);
        let err = TaskWorkspace::create(dir.path(), "x", "r", &dir.path().join("../wt-unborn")).unwrap_err();
        assert!(matches!(err, GitError::Unborn));
    }
}
