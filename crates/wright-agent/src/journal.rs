//! The run's journal: every event appended as a JSON line next to the worktree, synced to
//! disk at commit boundaries and at the end, so a killed run leaves a readable record.

// The journal lives in the run's directory under wright's data, beside the worktree.
#![allow(clippy::disallowed_methods)]

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::{Event, EventKind, EventSink, Redactor, SCHEMA_VERSION};

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
            sync_soon(&self.file);
        }
    }
}

/// Syncs `file` to disk on a blocking thread when a runtime is at hand, else here. The
/// lines are written already (a killed process keeps them); only surviving a power cut
/// waits for the sync, and the run's turns need not.
pub(crate) fn sync_soon(file: &File) {
    match (tokio::runtime::Handle::try_current(), file.try_clone()) {
        (Ok(runtime), Ok(copy)) => {
            runtime.spawn_blocking(move || copy.sync_data());
        }
        _ => {
            let _ = file.sync_data();
        }
    }
}

/// From now on, a panic anywhere in the process (a bug: no input may cause one) is
/// appended to the run's journal, secrets redacted, before the usual report on stderr.
pub fn record_panics(path: &Path, run_id: &str) {
    let (path, run_id, redactor) = (path.to_path_buf(), run_id.to_string(), Redactor::from_env());
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "(no message)".to_string());
        let line = serde_json::json!({
            "schema": SCHEMA_VERSION,
            "run_id": run_id,
            "ts": humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
            "type": "panic",
            "message": redactor.text(&message),
            "location": info.location().map(|l| format!("{}:{}", l.file(), l.line())),
        });
        if let Ok(mut file) = open_append(&path) {
            let _ = writeln!(file, "{line}");
            let _ = file.sync_data();
        }
        previous(info);
    }));
}
