//! Changing the tree: whole-file replacement through a temporary that cannot be a link,
//! removal and renames, each inside a directory opened without following links.

use std::ffi::{OsStr, OsString};
use std::io::Write;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};

use rustix::fs::{AtFlags, FileType, Mode, OFlags, fchmod, openat, renameat, statat, symlinkat, unlinkat};
use rustix::io::Errno;

use crate::{Kind, Tree, TreeError, resolve};

/// Permission bits for a file wright creates (no existing file to keep them from).
const NEW_FILE_MODE: u32 = 0o644;

/// Where [`Tree::write`] stages `rel` before renaming it into place.
pub fn temp_path(rel: &Path) -> Option<PathBuf> {
    let name = rel.file_name()?;
    let mut tmp = OsString::from(".");
    tmp.push(name);
    tmp.push(".wright-tmp");
    Some(rel.with_file_name(tmp))
}

impl Tree {
    /// Replaces `rel` with `bytes`, or creates it (and its directories). A regular file
    /// keeps its permission bits; anything else at `rel` (a link included) is replaced by
    /// a regular file with `mode`, or 0644.
    pub fn write(&self, rel: &Path, bytes: &[u8], mode: Option<u32>) -> Result<(), TreeError> {
        let shown = || rel.display().to_string();
        let (dir, name) = self.parent_creating(rel)?;
        let kept = match statat(&dir, name, AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) if FileType::from_raw_mode(st.st_mode) == FileType::RegularFile => Some(st.st_mode & 0o7777),
            _ => None,
        };
        let mode = kept.or(mode).unwrap_or(NEW_FILE_MODE);
        let tmp = temp_path(Path::new(name)).ok_or_else(|| TreeError::Outside { path: shown() })?;
        let (fd, tmp) = create_exclusive(&dir, tmp.as_os_str()).map_err(|e| TreeError::io(shown(), e.into()))?;
        let staged = fchmod(&fd, Mode::from_raw_mode(mode))
            .map_err(std::io::Error::from)
            .and_then(|()| std::fs::File::from(fd).write_all(bytes))
            .and_then(|()| renameat(&dir, tmp.as_os_str(), &dir, name).map_err(Into::into));
        staged.map_err(|e| {
            let _ = unlinkat(&dir, tmp.as_os_str(), AtFlags::empty());
            TreeError::io(shown(), e)
        })
    }

    /// Removes the file (or link) `rel`; never what a link points at, never a directory.
    pub fn remove_file(&self, rel: &Path) -> Result<(), TreeError> {
        let (dir, name) = self.parent(rel)?;
        unlinkat(&dir, name, AtFlags::empty()).map_err(|e| TreeError::io(rel.display().to_string(), e.into()))
    }

    /// Removes the empty directory `rel`.
    pub fn remove_dir(&self, rel: &Path) -> Result<(), TreeError> {
        let (dir, name) = self.parent(rel)?;
        unlinkat(&dir, name, AtFlags::REMOVEDIR).map_err(|e| TreeError::io(rel.display().to_string(), e.into()))
    }

    /// Removes `rel` whatever it is: a file or link, or a directory with all it holds.
    /// Links inside are removed as links, never entered. Iterative, so depth cannot
    /// exhaust the stack.
    pub fn remove_all(&self, rel: &Path) -> Result<(), TreeError> {
        let mut stack = vec![(rel.to_path_buf(), false)];
        while let Some((path, listed)) = stack.pop() {
            match self.stat(&path)? {
                None => {}
                Some(e) if e.kind == Kind::Dir && !listed => {
                    stack.push((path.clone(), true));
                    stack.extend(self.read_dir(&path)?.into_iter().map(|c| (path.join(c.name), false)));
                }
                Some(e) if e.kind == Kind::Dir => self.remove_dir(&path)?,
                Some(_) => self.remove_file(&path)?,
            }
        }
        Ok(())
    }

    /// Makes `rel` a symbolic link to `target` (written as given, never resolved here),
    /// replacing what was there.
    pub fn write_link(&self, rel: &Path, target: &Path) -> Result<(), TreeError> {
        let shown = || rel.display().to_string();
        let (dir, name) = self.parent_creating(rel)?;
        let tmp = temp_path(Path::new(name)).ok_or_else(|| TreeError::Outside { path: shown() })?;
        fresh(tmp.as_os_str(), |tmp| symlinkat(target, &dir, tmp))
            .and_then(|((), tmp)| renameat(&dir, tmp.as_os_str(), &dir, name))
            .map_err(|e| TreeError::io(shown(), e.into()))
    }

    /// Moves `from` to `to` (its directories made as needed), replacing what was there.
    pub fn rename(&self, from: &Path, to: &Path) -> Result<(), TreeError> {
        let (from_dir, from_name) = self.parent(from)?;
        let (to_dir, to_name) = self.parent_creating(to)?;
        renameat(&from_dir, from_name, &to_dir, to_name)
            .map_err(|e| TreeError::io(from.display().to_string(), e.into()))
    }

    /// The directory holding `rel`, opened beneath the root, and `rel`'s last name.
    fn parent<'a>(&self, rel: &'a Path) -> Result<(OwnedFd, &'a OsStr), TreeError> {
        let shown = || rel.display().to_string();
        let parts = resolve::components(rel).ok_or_else(|| TreeError::Outside { path: shown() })?;
        let (name, dirs) = parts.split_last().ok_or_else(|| TreeError::Outside { path: shown() })?;
        let dir = resolve::open_beneath(self.root_fd(), dirs, OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty())
            .map_err(|e| TreeError::io(shown(), e))?;
        Ok((dir, name))
    }

    fn parent_creating<'a>(&self, rel: &'a Path) -> Result<(OwnedFd, &'a OsStr), TreeError> {
        let shown = || rel.display().to_string();
        let name = rel.file_name().ok_or_else(|| TreeError::Outside { path: shown() })?;
        resolve::components(rel).ok_or_else(|| TreeError::Outside { path: shown() })?;
        let dir = self.open_dir_creating(rel.parent().unwrap_or(Path::new("")))?;
        Ok((dir, name))
    }
}

/// A new file beside `name` that is certainly ours: `O_EXCL` fails on anything already
/// there, a planted link included.
fn create_exclusive(dir: &OwnedFd, name: &OsStr) -> Result<(OwnedFd, OsString), Errno> {
    let flags = OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    fresh(name, |tmp| openat(dir, tmp, flags, Mode::from_raw_mode(0o600)))
}

/// Runs `create` at `name`, and at other names beside it while something already stands
/// there: an entry of the tree's at the temporary name is left alone, never removed.
fn fresh<T>(name: &OsStr, create: impl Fn(&OsStr) -> Result<T, Errno>) -> Result<(T, OsString), Errno> {
    for attempt in 0..8u32 {
        let mut tmp = name.to_os_string();
        if attempt > 0 {
            tmp.push(format!("-{}-{attempt}", std::process::id()));
        }
        match create(&tmp) {
            Ok(made) => return Ok((made, tmp)),
            Err(Errno::EXIST) => {}
            Err(e) => return Err(e),
        }
    }
    Err(Errno::EXIST)
}
