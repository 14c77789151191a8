//! Reading one config file, the user's or a repository's, into its keys.

use std::path::{Path, PathBuf};

use anyhow::Result;
use toml::Value;

use super::known;
use crate::exit::usage;

/// How a config file is reached: the user's own may be a link (dotfile managers make
/// them); a repository's is a file of a stranger's tree, reached without following one.
#[derive(Clone, Copy)]
pub enum Reach {
    Follow,
    Tree,
}

/// A repository's config that is a link, a FIFO or the like: skipped with a notice.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unreachable(String);

/// A config file's keys, the settings' tables flattened one level: `[sandbox] env = [...]`
/// becomes `sandbox.env`, `[prices.MODEL]` becomes `prices.MODEL`. A missing file has none.
pub fn read_file(path: &Path, reach: Reach) -> Result<Vec<(String, Value)>> {
    // A config is small; a repository's may be a FIFO or a link to /dev/zero.
    const LIMIT: usize = 1 << 20;
    let (dir, name) = match (reach, path.parent(), path.file_name()) {
        (Reach::Tree, Some(dir), Some(name)) => (dir.to_path_buf(), PathBuf::from(name)),
        // The user's file: its own directory is opened following links, the file is not.
        _ => match std::fs::canonicalize(path) {
            Ok(real) => (
                real.parent().map(Path::to_path_buf).unwrap_or_default(),
                real.file_name().map(PathBuf::from).unwrap_or_default(),
            ),
            Err(_) => return Ok(Vec::new()),
        },
    };
    let read = match wright_tree::read_capped(&dir, &name, LIMIT) {
        Ok(read) => read,
        Err(e) if e.is_not_found() => return Ok(Vec::new()),
        Err(e @ (wright_tree::TreeError::Symlink { .. } | wright_tree::TreeError::NotRegular { .. })) => {
            return Err(Unreachable(format!("{}: {}", path.display(), e.reason())).into());
        }
        Err(e) => return Err(usage(format!("{}: {}", path.display(), e.reason()))),
    };
    if read.cut() {
        return Err(usage(format!("{} is over 1 MiB; a config is a few lines", path.display())));
    }
    let text = read.text();
    let table: toml::Table = toml::from_str(&text).map_err(|e| usage(format!("{}: {e}", path.display())))?;
    let mut out = Vec::new();
    for (key, value) in table {
        match value {
            Value::Table(section) if known::is_table(&key) => {
                out.extend(section.into_iter().map(|(sub, v)| (format!("{key}.{sub}"), v)));
            }
            v => out.push((key, v)),
        }
    }
    Ok(out)
}
