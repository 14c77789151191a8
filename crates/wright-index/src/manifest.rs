//! What the index holds: each file's size, mtime and content hash. It is stored as the
//! payload of the tantivy commit, so it can never disagree with the documents it
//! describes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::schema::FORMAT;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    Binary,
    NotUtf8,
    Generated,
    Unreadable,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub size: u64,
    pub mtime_ns: u128,
    /// blake3 of the content, hex.
    pub hash: String,
    /// Set when the file was read but not indexed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub skipped: Option<SkipReason>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub files: BTreeMap<String, Entry>,
}

impl Manifest {
    pub fn new() -> Self {
        Manifest { format: FORMAT, files: BTreeMap::new() }
    }

    /// Reads a commit payload; `None` for a missing payload or another format.
    pub fn from_payload(payload: Option<&str>) -> Option<Manifest> {
        let m: Manifest = serde_json::from_str(payload?).ok()?;
        (m.format == FORMAT).then_some(m)
    }

    pub fn to_payload(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The paths whose documents are in the index, sorted.
    pub fn indexed_paths(&self) -> impl Iterator<Item = &str> {
        self.files.iter().filter(|(_, e)| e.skipped.is_none()).map(|(p, _)| p.as_str())
    }
}
