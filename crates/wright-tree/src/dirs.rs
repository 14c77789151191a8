//! What an entry of the tree is, and the entries of its directories, seen without
//! following links.

use std::ffi::OsString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use rustix::fs::{AtFlags, Dir, FileType, Mode, OFlags, fstat, mkdirat, openat, statat};
use rustix::io::Errno;

use crate::{Tree, TreeError, resolve};

/// An entry's kind, as `lstat` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Symlink,
    /// A FIFO, socket or device.
    Other,
}

/// One entry of a directory, or what [`Tree::stat`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: OsString,
    pub kind: Kind,
    /// Size in bytes (files), permission bits, and modification time in nanoseconds.
    pub size: u64,
    pub mode: u32,
    pub mtime_ns: u128,
}

pub(crate) fn describe(t: FileType) -> &'static str {
    match t {
        FileType::Directory => "a directory",
        FileType::Symlink => "a symbolic link",
        FileType::Fifo => "a FIFO",
        FileType::Socket => "a socket",
        FileType::CharacterDevice | FileType::BlockDevice => "a device",
        _ => "a special file",
    }
}

fn kind(t: FileType) -> Kind {
    match t {
        FileType::RegularFile => Kind::File,
        FileType::Directory => Kind::Dir,
        FileType::Symlink => Kind::Symlink,
        _ => Kind::Other,
    }
}

fn entry(name: OsString, st: &rustix::fs::Stat) -> Entry {
    let mtime_ns = (st.st_mtime.max(0) as u128) * 1_000_000_000 + st.st_mtime_nsec as u128;
    Entry {
        name,
        kind: kind(FileType::from_raw_mode(st.st_mode)),
        size: st.st_size.max(0) as u64,
        mode: st.st_mode & 0o7777,
        mtime_ns,
    }
}

impl Tree {
    /// What `rel` is, without following it if it is a link; `None` when nothing is there
    /// (or a link stands on the way to it).
    pub fn stat(&self, rel: &Path) -> Result<Option<Entry>, TreeError> {
        let shown = || rel.display().to_string();
        let parts = resolve::components(rel).ok_or_else(|| TreeError::Outside { path: shown() })?;
        let found = match parts.split_last() {
            None => fstat(self.root_fd()).map(|st| entry(OsString::new(), &st)),
            Some((name, dirs)) => {
                let dir = match resolve::open_beneath(
                    self.root_fd(),
                    dirs,
                    OFlags::RDONLY | OFlags::DIRECTORY,
                    Mode::empty(),
                ) {
                    Ok(dir) => dir,
                    Err(e) => return gone_or(TreeError::io(shown(), e)),
                };
                statat(&dir, *name, AtFlags::SYMLINK_NOFOLLOW).map(|st| entry(name.to_os_string(), &st))
            }
        };
        match found {
            Ok(e) => Ok(Some(e)),
            Err(e) => gone_or(TreeError::io(shown(), e.into())),
        }
    }

    /// The kind of `rel`, or `None` when nothing is there.
    pub fn kind(&self, rel: &Path) -> Option<Kind> {
        self.stat(rel).ok().flatten().map(|e| e.kind)
    }

    /// The entries of directory `rel` (not `.` and `..`), sorted by name.
    pub fn read_dir(&self, rel: &Path) -> Result<Vec<Entry>, TreeError> {
        let shown = || rel.display().to_string();
        let parts = resolve::components(rel).ok_or_else(|| TreeError::Outside { path: shown() })?;
        let fd = resolve::open_beneath(self.root_fd(), &parts, OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty())
            .map_err(|e| TreeError::io(shown(), e))?;
        let dir = Dir::read_from(&fd).map_err(|e| TreeError::io(shown(), e.into()))?;
        let mut out = Vec::new();
        for item in dir {
            let item = item.map_err(|e| TreeError::io(shown(), e.into()))?;
            let name = item.file_name().to_bytes();
            if name == b"." || name == b".." {
                continue;
            }
            let name = std::ffi::OsStr::from_bytes(name).to_os_string();
            // The entry may vanish between listing and stat; skip it then.
            if let Ok(st) = statat(&fd, name.as_os_str(), AtFlags::SYMLINK_NOFOLLOW) {
                out.push(entry(name, &st));
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Opens directory `rel` (the root for an empty path), reached without a link, to hand
    /// on as a descriptor: whoever uses it gets this directory, whatever the path says later.
    pub fn open_dir(&self, rel: &Path) -> Result<std::os::fd::OwnedFd, TreeError> {
        let shown = || rel.display().to_string();
        let parts = resolve::components(rel).ok_or_else(|| TreeError::Outside { path: shown() })?;
        resolve::open_beneath(self.root_fd(), &parts, OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty())
            .map_err(|e| TreeError::io(shown(), e))
    }

    /// Makes `rel` and the directories above it, refusing a link anywhere on the way.
    pub fn create_dir_all(&self, rel: &Path) -> Result<(), TreeError> {
        self.open_dir_creating(rel).map(drop)
    }

    /// Opens directory `rel`, making it and its parents as needed.
    pub(crate) fn open_dir_creating(&self, rel: &Path) -> Result<std::os::fd::OwnedFd, TreeError> {
        let shown = || rel.display().to_string();
        let parts = resolve::components(rel).ok_or_else(|| TreeError::Outside { path: shown() })?;
        let mut dir = openat(self.root_fd(), ".", resolve::dir_flags(), Mode::empty())
            .map_err(|e| TreeError::io(shown(), e.into()))?;
        for part in parts {
            let next = match openat(&dir, part, resolve::dir_flags(), Mode::empty()) {
                Err(Errno::NOENT) => match mkdirat(&dir, part, Mode::from_raw_mode(0o777)) {
                    Ok(()) | Err(Errno::EXIST) => openat(&dir, part, resolve::dir_flags(), Mode::empty()),
                    Err(e) => Err(e),
                },
                other => other,
            };
            dir = next.map_err(|e| TreeError::io(shown(), e.into()))?;
        }
        Ok(dir)
    }
}

fn gone_or(e: TreeError) -> Result<Option<Entry>, TreeError> {
    match e {
        TreeError::NotFound { .. } | TreeError::Symlink { .. } => Ok(None),
        other => Err(other),
    }
}

impl Tree {
    /// Where the link `rel` points, as written (for telling the model which path to use).
    pub fn read_link(&self, rel: &Path) -> Result<std::path::PathBuf, TreeError> {
        let shown = || rel.display().to_string();
        let parts = resolve::components(rel).ok_or_else(|| TreeError::Outside { path: shown() })?;
        let (name, dirs) = parts.split_last().ok_or_else(|| TreeError::Outside { path: shown() })?;
        let dir = resolve::open_beneath(self.root_fd(), dirs, OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty())
            .map_err(|e| TreeError::io(shown(), e))?;
        let target = rustix::fs::readlinkat(&dir, *name, Vec::new()).map_err(|e| TreeError::io(shown(), e.into()))?;
        Ok(std::path::PathBuf::from(std::ffi::OsStr::from_bytes(target.as_bytes())))
    }
}
