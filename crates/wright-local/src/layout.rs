//! Where installed things live under `$XDG_DATA_HOME/wright/models`. A file reaches its
//! final name only after its checksum (or its build) succeeded, so what is there is whole.

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::catalog::{Catalog, CatalogModel};
use crate::{LocalError, ServerSpec};

#[derive(Debug, Clone)]
pub struct Layout {
    pub root: PathBuf,
}

/// A model that is installed: its catalog entry and its file.
#[derive(Debug, Clone)]
pub struct Installed {
    pub model: CatalogModel,
    pub path: PathBuf,
    pub size: u64,
}

impl Layout {
    pub fn new(root: impl Into<PathBuf>) -> Layout {
        Layout { root: root.into() }
    }

    /// The installed `llama-server`.
    pub fn server(&self) -> PathBuf {
        self.root.join("bin").join("llama-server")
    }

    pub fn model_file(&self, model: &CatalogModel) -> PathBuf {
        self.root.join(&model.name).join(&model.file)
    }

    /// Downloads in progress and finished parts, kept until their model is assembled.
    pub fn downloads(&self) -> PathBuf {
        self.root.join("downloads")
    }

    /// The server's own output, for when it fails to start.
    pub fn logs(&self) -> PathBuf {
        self.root.join("logs")
    }

    pub(crate) fn lock_file(&self) -> PathBuf {
        self.root.join(".install.lock")
    }

    /// Whether `model` and the server are both installed.
    pub fn is_installed(&self, model: &CatalogModel) -> bool {
        self.model_file(model).is_file() && self.server().is_file()
    }

    /// How to start the installed server for `model`: on `port`, or a free one with a key.
    pub fn server_spec(&self, model: &CatalogModel, ready_wait: Duration, port: Option<u16>) -> ServerSpec {
        ServerSpec {
            program: self.server(),
            model: self.model_file(model),
            alias: model.name.clone(),
            context: model.context,
            log_dir: self.logs(),
            ready_wait,
            port,
        }
    }

    /// The catalog's models that are installed.
    pub fn installed(&self, catalog: &Catalog) -> Vec<Installed> {
        catalog
            .models
            .iter()
            .filter_map(|m| {
                let path = self.model_file(m);
                let meta = std::fs::metadata(&path).ok().filter(|m| m.is_file())?;
                Some(Installed { model: m.clone(), size: meta.len(), path })
            })
            .collect()
    }

    /// Removes a model's file and folder; `Ok(false)` when it was not installed.
    pub fn remove(&self, model: &CatalogModel) -> Result<bool, LocalError> {
        let dir = self.root.join(&model.name);
        if !dir.exists() {
            return Ok(false);
        }
        std::fs::remove_dir_all(&dir).map_err(|e| LocalError::io(&dir, e))?;
        Ok(true)
    }
}

pub(crate) fn create_dir(dir: &Path) -> Result<(), LocalError> {
    std::fs::create_dir_all(dir).map_err(|e| LocalError::io(dir, e))
}
