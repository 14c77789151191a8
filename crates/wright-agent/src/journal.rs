//! The run's journal: every event appended as a JSON line next to the worktree, synced to
//! disk at commit boundaries and at the end, so a killed run leaves a readable record.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::{Event, EventKind, EventSink};

pub struct Journal {
    file: File,
}

impl Journal {
    pub fn open(path: &Path) -> std::io::Result<Self> {
        Ok(Journal { file: open_append(path)? })
    }
}

/// Opens `path` for appending, creating it and its directory when missing.
pub(crate) fn open_append(path: &Path) -> std::io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    OpenOptions::new().create(true).append(true).open(path)
}

impl EventSink for Journal {
    fn event(&mut self, event: &Event) {
        // A journal that cannot be written must not stop the run; the other views go on.
        let Ok(line) = serde_json::to_string(event) else { return };
        let _ = writeln!(self.file, "{line}");
        if matches!(event.kind, EventKind::Commit { .. } | EventKind::RunFinished { .. } | EventKind::RunStarted { .. })
        {
            let _ = self.file.sync_data();
        }
    }
}
