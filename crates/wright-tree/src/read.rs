//! Reading files of the tree: regular files only, never past a cap.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use rustix::fs::{FileType, Mode, OFlags, fstat};

use crate::{Tree, TreeError, resolve};

/// What a capped read found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capped {
    /// The first `limit` bytes.
    pub bytes: Vec<u8>,
    /// The file's whole size, in bytes.
    pub size: u64,
}

impl Capped {
    pub fn cut(&self) -> bool {
        self.size > self.bytes.len() as u64
    }

    /// The bytes as text, invalid UTF-8 replaced; a character cut in two at the cap dropped.
    pub fn text(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.bytes).into_owned();
        if self.cut() {
            while text.ends_with('\u{fffd}') {
                text.pop();
            }
        }
        text
    }
}

impl Tree {
    /// Opens `rel` for reading when it is a regular file reached without a link, with its
    /// size. `O_NONBLOCK` keeps a FIFO from blocking the open; the check refuses it after.
    pub fn open_file(&self, rel: &Path) -> Result<(File, u64), TreeError> {
        let shown = || rel.display().to_string();
        let parts = resolve::components(rel).ok_or_else(|| TreeError::Outside { path: shown() })?;
        let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY;
        let fd = resolve::open_beneath(self.root_fd(), &parts, flags, Mode::empty())
            .map_err(|e| TreeError::io(shown(), e))?;
        let stat = fstat(&fd).map_err(|e| TreeError::io(shown(), e.into()))?;
        match FileType::from_raw_mode(stat.st_mode) {
            FileType::RegularFile => Ok((File::from(fd), stat.st_size.max(0) as u64)),
            other => Err(TreeError::NotRegular { path: shown(), what: crate::dirs::describe(other) }),
        }
    }

    /// At most `limit` bytes of `rel`, with its whole size.
    pub fn read(&self, rel: &Path, limit: usize) -> Result<Capped, TreeError> {
        let (file, size) = self.open_file(rel)?;
        let mut bytes = Vec::with_capacity(limit.min(size as usize));
        // One byte past the cap tells a file that grew since fstat from one that fits.
        let want = (limit as u64).saturating_add(1);
        file.take(want).read_to_end(&mut bytes).map_err(|e| TreeError::io(rel.display().to_string(), e))?;
        let size = size.max(bytes.len() as u64);
        bytes.truncate(limit);
        Ok(Capped { size, bytes })
    }

    pub(crate) fn root_fd(&self) -> std::os::fd::BorrowedFd<'_> {
        use std::os::fd::AsFd;
        self.root.as_fd()
    }
}
