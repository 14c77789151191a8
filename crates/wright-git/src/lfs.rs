//! Git LFS: wright's worktrees hold LFS pointers, never the large content (git2 runs no
//! LFS filter), so wright commits a pointer or nothing at an LFS-tracked path.

use std::path::Path;

use git2::{AttrCheckFlags, Repository};

const POINTER_START: &[u8] = b"version https://git-lfs.github.com/spec/v1\n";

/// Whether `.gitattributes` routes `rel` through the LFS filter.
pub(crate) fn tracked(repo: &Repository, rel: &str) -> bool {
    repo.get_attr(Path::new(rel), "filter", AttrCheckFlags::FILE_THEN_INDEX).ok().flatten() == Some("lfs")
}

/// Whether `bytes` are an LFS pointer rather than content.
pub fn is_pointer(bytes: &[u8]) -> bool {
    bytes.starts_with(POINTER_START) && bytes.len() < 1024
}

/// Why a file at an LFS-tracked path cannot be written or committed by wright.
pub(crate) fn refusal(rel: &str) -> String {
    format!(
        "{rel} is tracked by Git LFS (filter=lfs in .gitattributes): its content lives outside git and wright \
cannot store it, so wright does not change it; leave it as it is or ask a person to update it"
    )
}
