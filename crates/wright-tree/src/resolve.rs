//! Resolving a relative path beneath the root with no symlink followed: `openat2` with
//! `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS` where the kernel has it, otherwise one
//! `openat(O_NOFOLLOW)` per component. `..` and absolute paths are refused before either.

use std::ffi::OsStr;
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use rustix::fs::{CWD, Mode, OFlags, ResolveFlags, openat, openat2};
use rustix::io::Errno;

/// Set once `openat2` proved missing (an old kernel, a seccomp filter); the walk is used after.
static NO_OPENAT2: AtomicBool = AtomicBool::new(false);

pub(crate) fn open_root(root: &Path) -> io::Result<OwnedFd> {
    Ok(openat(CWD, root, OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC, Mode::empty())?)
}

/// The names along `rel`, when it is relative and never climbs (`.` is dropped).
pub(crate) fn components(rel: &Path) -> Option<Vec<&OsStr>> {
    let mut out = Vec::new();
    for c in rel.components() {
        match c {
            Component::Normal(name) => out.push(name),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// Opens `parts` beneath `root` with `flags`: every directory on the way and the last
/// entry itself reached without following a link. No parts opens the root again.
pub(crate) fn open_beneath(root: BorrowedFd, parts: &[&OsStr], flags: OFlags, mode: Mode) -> io::Result<OwnedFd> {
    let flags = flags | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    if parts.is_empty() {
        return Ok(openat(root, ".", flags, mode)?);
    }
    if !NO_OPENAT2.load(Ordering::Relaxed) {
        let path: PathBuf = parts.iter().collect();
        let resolve = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
        match openat2(root, &path, flags, mode, resolve) {
            Err(Errno::NOSYS) => NO_OPENAT2.store(true, Ordering::Relaxed),
            other => return Ok(other?),
        }
    }
    walk(root, parts, flags, mode)
}

/// The fallback: one component at a time, each directory opened with `O_NOFOLLOW`. A
/// single name cannot hold `/` and `..` was refused, so no step leaves the tree.
fn walk(root: BorrowedFd, parts: &[&OsStr], flags: OFlags, mode: Mode) -> io::Result<OwnedFd> {
    let Some((last, dirs)) = parts.split_last() else { return Ok(openat(root, ".", flags, mode)?) };
    let mut dir: Option<OwnedFd> = None;
    for part in dirs {
        let at = dir.as_ref().map_or(root, |d| d.as_fd());
        dir = Some(openat(at, *part, dir_flags(), Mode::empty())?);
    }
    let at = dir.as_ref().map_or(root, |d| d.as_fd());
    Ok(openat(at, *last, flags, mode)?)
}

pub(crate) fn dir_flags() -> OFlags {
    OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC
}

/// Forces the component walk, so tests cover it on kernels that have `openat2`.
#[cfg(test)]
pub(crate) fn force_walk(on: bool) {
    NO_OPENAT2.store(on, Ordering::Relaxed);
}
