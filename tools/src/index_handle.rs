//! The run's view of the code index: opened (seeded from the repository's base index)
//! in the background when the run starts, shared by the search tools, and brought up to
//! date right after each change lands.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use wright_index::{Index, IndexError};

use crate::ToolError;

#[derive(Clone)]
pub struct IndexHandle {
    state: Arc<Mutex<Option<Index>>>,
    root: PathBuf,
    dir: PathBuf,
    /// The repository's base index and the tree it indexes.
    seed_from: Option<(PathBuf, PathBuf)>,
}

impl std::fmt::Debug for IndexHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexHandle").field("root", &self.root).field("dir", &self.dir).finish()
    }
}

impl IndexHandle {
    /// An index of `root` kept in `dir`, first copied from the base index of
    /// `seed_from = (base_root, base_dir)`, which is built first when missing.
    pub fn new(root: PathBuf, dir: PathBuf, seed_from: Option<(PathBuf, PathBuf)>) -> Self {
        IndexHandle { state: Arc::new(Mutex::new(None)), root, dir, seed_from }
    }

    /// Opens and updates the index on a background thread, so the first search is quick.
    pub fn warm(&self) {
        let me = self.clone();
        std::thread::spawn(move || {
            let _ = me.with(|_| Ok(()));
        });
    }

    /// Runs `f` on the open, up-to-date index.
    pub fn with<T>(&self, f: impl FnOnce(&mut Index) -> Result<T, IndexError>) -> Result<T, ToolError> {
        let mut guard = self.state.lock().map_err(|_| ToolError::Failed("the index was poisoned by a crash".into()))?;
        if guard.is_none() {
            if let Some((base_root, base)) = &self.seed_from
                && !self.dir.join("meta.json").exists()
            {
                let mut base_index = Index::open(base_root, base)?;
                base_index.update(&mut |_, _| {})?;
                base_index.close()?;
                Index::seed(base, &self.dir)?;
            }
            let mut index = Index::open(&self.root, &self.dir)?;
            index.update(&mut |_, _| {})?;
            *guard = Some(index);
        }
        match guard.as_mut() {
            Some(index) => Ok(f(index)?),
            None => Err(ToolError::Failed("the index could not be opened".into())),
        }
    }

    /// Re-indexes what changed in the tree (after an edit or a command).
    pub fn refresh(&self) -> Result<(), ToolError> {
        self.with(|index| index.update(&mut |_, _| {}).map(|_| ()))
    }
}
