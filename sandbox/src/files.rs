//! Reading a file a stranger's tree holds, on the host, without being led astray: only a
//! regular file (not a FIFO that blocks forever, not `/dev/zero`), never more than a cap,
//! and, where asked, not through a symlink (which could point at `/proc/self/environ`).

use std::io::Read;
use std::path::Path;

/// What a capped read found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capped {
    /// The first `limit` bytes, as text (invalid UTF-8 replaced).
    pub text: String,
    /// The file's whole size, in bytes.
    pub size: u64,
}

impl Capped {
    pub fn cut(&self) -> bool {
        self.size > self.text.len() as u64
    }
}

/// At most `limit` bytes of `path`, when it is a regular file; `None` otherwise. With
/// `follow` false, a symlink counts as not a regular file.
pub fn read_capped(path: &Path, limit: usize, follow: bool) -> Option<Capped> {
    let meta = if follow { std::fs::metadata(path) } else { std::fs::symlink_metadata(path) }.ok()?;
    if !meta.file_type().is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path).ok()?.take(limit as u64).read_to_end(&mut bytes).ok()?;
    let mut text = String::from_utf8_lossy(&bytes).into_owned();
    if meta.len() > limit as u64 {
        // A character cut in two at the limit reads as U+FFFD; drop it.
        while text.ends_with('\u{fffd}') {
            text.pop();
        }
    }
    Some(Capped { text, size: meta.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_and_only_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.txt");
        std::fs::write(&file, "€".repeat(10)).unwrap();
        let r = read_capped(&file, 7, true).unwrap();
        assert_eq!((r.text.as_str(), r.size, r.cut()), ("€€", 30, true));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&file, &link).unwrap();
        assert!(read_capped(&link, 100, false).is_none());
        assert_eq!(read_capped(&link, 100, true).unwrap().size, 30);
        assert!(read_capped(Path::new("/dev/zero"), 100, true).is_none());
        assert!(read_capped(dir.path(), 100, true).is_none());
    }
}
