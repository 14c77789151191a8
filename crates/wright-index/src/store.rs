//! The persistent index of one tree: opened or created in a directory outside the tree,
//! brought up to date incrementally (only files whose content hash changed are
//! re-indexed), and seeded into per-run views by hard-linking its immutable segments.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tantivy::directory::{Directory, Lock, MmapDirectory};
use tantivy::indexer::IndexWriterOptions;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term};

use crate::manifest::{Entry, Manifest};
use crate::schema::{self, Fields};
use crate::tokenize::{CODE_TOKENIZER, CodeTokenizer};
use crate::walk::{self, Skipped};
use crate::{IndexError, docs};

/// How long to wait for another process that is writing the same index.
const LOCK_WAIT: Duration = Duration::from_secs(60);
/// Files modified this recently are hashed even when size and mtime look unchanged,
/// since a write within the same clock tick leaves the mtime as it was.
const RACY_WINDOW_NS: u128 = 3_000_000_000;
const WRITER_MEMORY: usize = 64 * 1024 * 1024;
/// Held while an index is opened or created.
const OPEN_LOCK: &str = ".wright-open.lock";

pub struct Index {
    root: PathBuf,
    /// Every read of the tree's files goes through it: no link followed, no FIFO opened.
    tree: wright_tree::Tree,
    dir: PathBuf,
    index: tantivy::Index,
    reader: IndexReader,
    writer: Option<IndexWriter<TantivyDocument>>,
    pub(crate) fields: Fields,
    manifest: Manifest,
    walk_skipped: Skipped,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("root", &self.root).field("dir", &self.dir).finish()
    }
}

/// What an update did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct UpdateStats {
    /// Files in the index after the update.
    pub files: usize,
    /// Bytes of the files in the index after the update.
    pub bytes: u64,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    /// Bytes read and indexed by this update.
    pub bytes_indexed: u64,
    pub skipped: Skipped,
    pub seconds: f64,
}

impl Index {
    /// Opens the index in `dir` for the tree at `root`, creating it when it is missing
    /// or of another format. Call [`Index::update`] to bring it up to date.
    #[allow(clippy::disallowed_methods)] // `dir` is the index in wright's cache; the tree is read through `tree`
    pub fn open(root: &Path, dir: &Path) -> Result<Index, IndexError> {
        let tree = wright_tree::Tree::open(root).map_err(|_| IndexError::NotADir(root.to_path_buf()))?;
        std::fs::create_dir_all(dir).map_err(|e| IndexError::io(dir, e))?;
        let (schema, _) = schema::build();
        // Two processes opening a missing index must not both create (and clear) it.
        let _opening =
            MmapDirectory::open(dir)?.acquire_lock(&Lock { filepath: PathBuf::from(OPEN_LOCK), is_blocking: true })?;
        let existing = open_existing(dir);
        let (index, manifest) = match existing {
            Some(found) => found,
            None => {
                clear_dir(dir)?;
                let directory = MmapDirectory::open(dir)?;
                (tantivy::Index::create(directory, schema, Default::default())?, Manifest::new())
            }
        };
        index.tokenizers().register(CODE_TOKENIZER, TextAnalyzer::from(CodeTokenizer::default()));
        let fields = Fields::from_schema(&index.schema()).ok_or(IndexError::Corrupt)?;
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(Index {
            root: root.to_path_buf(),
            tree,
            dir: dir.to_path_buf(),
            index,
            reader,
            writer: None,
            fields,
            manifest,
            walk_skipped: Skipped::default(),
        })
    }

    /// Copies the index in `base` into `view` (hard links for the immutable segment
    /// files, copies for the rest) unless `view` already holds an index. A run's view
    /// starts from the repository's index instead of being rebuilt.
    #[allow(clippy::disallowed_methods)] // both are indexes in wright's cache
    pub fn seed(base: &Path, view: &Path) -> Result<bool, IndexError> {
        if view.join("meta.json").is_file() || !base.join("meta.json").is_file() {
            return Ok(false);
        }
        let directory = MmapDirectory::open(base)?;
        // Holding the writer lock keeps the base still while its files are linked.
        let _lock =
            directory.acquire_lock(&Lock { filepath: PathBuf::from(".tantivy-writer.lock"), is_blocking: true })?;
        let tmp = view.with_extension(format!("seeding-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        std::fs::create_dir_all(&tmp).map_err(|e| IndexError::io(&tmp, e))?;
        for entry in std::fs::read_dir(base).map_err(|e| IndexError::io(base, e))? {
            let entry = entry.map_err(|e| IndexError::io(base, e))?;
            let name = entry.file_name();
            let name_str = name.to_string_lossy();
            if name_str.ends_with(".lock") || !entry.file_type().is_ok_and(|t| t.is_file()) {
                continue;
            }
            let (from, to) = (entry.path(), tmp.join(&name));
            let mutable = name_str == "meta.json" || name_str == ".managed.json";
            if mutable || std::fs::hard_link(&from, &to).is_err() {
                std::fs::copy(&from, &to).map_err(|e| IndexError::io(&from, e))?;
            }
        }
        match std::fs::rename(&tmp, view) {
            Ok(()) => Ok(true),
            // Another process seeded it first; theirs is as good as ours.
            Err(_) if view.join("meta.json").is_file() => {
                let _ = std::fs::remove_dir_all(&tmp);
                Ok(false)
            }
            Err(e) => Err(IndexError::io(view, e)),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// The paths in the index, sorted.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.manifest.indexed_paths()
    }

    /// Files skipped by the last walk and by reading.
    pub fn skipped(&self) -> Skipped {
        let mut s = self.walk_skipped;
        for e in self.manifest.files.values() {
            if let Some(reason) = e.skipped {
                s.count(reason);
            }
        }
        s
    }

    /// Brings the index up to date with the tree: walks it and re-indexes the files
    /// whose content changed. `progress(done, total)` is called as files are checked.
    pub fn update(&mut self, progress: &mut dyn FnMut(usize, usize)) -> Result<UpdateStats, IndexError> {
        let started = Instant::now();
        self.sync()?;
        let (found, walk_skipped) = walk::walk(&self.root)?;
        self.walk_skipped = walk_skipped;
        let now_ns = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let mut next = Manifest::new();
        let mut work = Work::default();
        let total = found.len();
        for (i, f) in found.into_iter().enumerate() {
            if i % 256 == 0 {
                progress(i, total);
            }
            let old = self.manifest.files.get(&f.path);
            let racy = now_ns.saturating_sub(f.mtime_ns) < RACY_WINDOW_NS;
            if let Some(e) = old.filter(|e| e.size == f.size && e.mtime_ns == f.mtime_ns && !racy) {
                next.files.insert(f.path, e.clone());
                continue;
            }
            let old = old.cloned();
            self.check_file(f.path, f.size, f.mtime_ns, old, &mut next, &mut work);
        }
        progress(total, total);
        for path in self.manifest.files.keys() {
            if !next.files.contains_key(path) {
                work.delete.push(path.clone());
                work.removed += 1;
            }
        }
        self.apply(next, work, started)
    }

    /// Re-indexes just `paths` (relative to the root), as after an edit the agent made.
    pub fn update_paths(&mut self, paths: &[String]) -> Result<UpdateStats, IndexError> {
        let started = Instant::now();
        self.sync()?;
        let mut next = self.manifest.clone();
        let mut work = Work::default();
        for path in paths {
            let old = next.files.remove(path);
            match self.tree.stat(Path::new(path)) {
                Ok(Some(e)) if e.kind == wright_tree::Kind::File && e.size <= walk::MAX_FILE_BYTES => {
                    self.check_file(path.clone(), e.size, e.mtime_ns, old, &mut next, &mut work);
                }
                _ => {
                    if old.is_some() {
                        work.delete.push(path.clone());
                        work.removed += 1;
                    }
                }
            }
        }
        self.apply(next, work, started)
    }

    /// Takes the writer lock and catches up with what another process committed since
    /// this index was opened, so work is never done twice.
    fn sync(&mut self) -> Result<(), IndexError> {
        self.writer()?;
        let metas = self.index.load_metas()?;
        if let Some(m) = Manifest::from_payload(metas.payload.as_deref()) {
            if m.files != self.manifest.files {
                self.reader.reload()?;
            }
            self.manifest = m;
        }
        Ok(())
    }

    /// Reads one changed-looking file and decides whether it needs re-indexing.
    fn check_file(
        &self,
        path: String,
        size: u64,
        mtime_ns: u128,
        old: Option<Entry>,
        next: &mut Manifest,
        work: &mut Work,
    ) {
        // The walk saw a regular file; by now it may be a link or a FIFO, which are not read.
        let read = self.tree.read(Path::new(&path), walk::MAX_FILE_BYTES as usize);
        let bytes = match read {
            Ok(r) if !r.cut() => r.bytes,
            _ => {
                let skipped = Some(crate::manifest::SkipReason::Unreadable);
                next.files.insert(path, Entry { size, mtime_ns, hash: String::new(), skipped });
                return;
            }
        };
        let hash = blake3::hash(&bytes).to_hex().to_string();
        if let Some(old) = &old
            && old.hash == hash
        {
            next.files.insert(path, Entry { size, mtime_ns, ..old.clone() });
            return;
        }
        let was_indexed = old.as_ref().is_some_and(|e| e.skipped.is_none());
        if was_indexed {
            work.delete.push(path.clone());
        }
        if old.is_some() {
            work.changed += 1
        } else {
            work.added += 1
        }
        let len = bytes.len() as u64;
        match walk::as_text(bytes) {
            Ok(text) => {
                work.bytes += len;
                work.add.push((path.clone(), text));
                next.files.insert(path, Entry { size, mtime_ns, hash, skipped: None });
            }
            Err(reason) => {
                next.files.insert(path, Entry { size, mtime_ns, hash, skipped: Some(reason) });
            }
        }
    }

    fn apply(&mut self, next: Manifest, work: Work, started: Instant) -> Result<UpdateStats, IndexError> {
        let mut stats = UpdateStats {
            added: work.added,
            changed: work.changed,
            removed: work.removed,
            bytes_indexed: work.bytes,
            ..UpdateStats::default()
        };
        let unchanged = work.delete.is_empty() && work.add.is_empty() && next.files == self.manifest.files;
        if !unchanged {
            let fields = self.fields;
            let writer = self.writer()?;
            for path in &work.delete {
                writer.delete_term(Term::from_field_text(fields.path, path));
            }
            for (path, text) in &work.add {
                for doc in docs::for_file(&fields, path, text) {
                    writer.add_document(doc)?;
                }
            }
            let mut commit = writer.prepare_commit()?;
            commit.set_payload(&next.to_payload());
            commit.commit()?;
            self.reader.reload()?;
            self.manifest = next;
        }
        stats.files = self.manifest.indexed_paths().count();
        stats.bytes = self.manifest.files.values().filter(|e| e.skipped.is_none()).map(|e| e.size).sum();
        stats.skipped = self.skipped();
        stats.seconds = started.elapsed().as_secs_f64();
        Ok(stats)
    }

    /// The writer, opened on first use and kept so later updates are quick; waits for
    /// another process that holds the index's writer lock.
    fn writer(&mut self) -> Result<&mut IndexWriter<TantivyDocument>, IndexError> {
        if self.writer.is_none() {
            let deadline = Instant::now() + LOCK_WAIT;
            let options =
                IndexWriterOptions::builder().num_worker_threads(1).memory_budget_per_thread(WRITER_MEMORY).build();
            let writer = loop {
                match self.index.writer_with_options(options.clone()) {
                    Ok(w) => break w,
                    Err(tantivy::TantivyError::LockFailure(..)) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(50));
                    }
                    Err(tantivy::TantivyError::LockFailure(..)) => return Err(IndexError::Busy(self.dir.clone())),
                    Err(e) => return Err(e.into()),
                }
            };
            self.writer = Some(writer);
        }
        self.writer.as_mut().ok_or(IndexError::Corrupt)
    }

    /// Lets background merges finish and releases the writer lock.
    pub fn close(mut self) -> Result<(), IndexError> {
        if let Some(w) = self.writer.take() {
            w.wait_merging_threads()?;
        }
        Ok(())
    }

    /// How much disk the index uses, in bytes.
    #[allow(clippy::disallowed_methods)] // the index directory in wright's cache
    pub fn disk_bytes(&self) -> u64 {
        std::fs::read_dir(&self.dir)
            .map(|rd| rd.flatten().filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum())
            .unwrap_or(0)
    }

    /// The indexed text of `path`, read from the tree; `None` once it has grown past what
    /// the index takes (it is read no further).
    pub(crate) fn read_text(&self, path: &str) -> Option<String> {
        let read = self.tree.read(Path::new(path), walk::MAX_FILE_BYTES as usize).ok()?;
        if read.cut() {
            return None;
        }
        String::from_utf8(read.bytes).ok()
    }

    /// Number of documents (files and chunks) whose content holds `term`.
    pub(crate) fn doc_freqs(&self, terms: &[String]) -> HashMap<String, u64> {
        let searcher = self.searcher();
        terms
            .iter()
            .map(|t| {
                let n = searcher.doc_freq(&Term::from_field_text(self.fields.content, t)).unwrap_or(0);
                (t.clone(), n)
            })
            .collect()
    }
}

#[derive(Default)]
struct Work {
    delete: Vec<String>,
    add: Vec<(String, String)>,
    added: usize,
    changed: usize,
    removed: usize,
    bytes: u64,
}

/// The index in `dir` when it exists with this version's schema and manifest. One with
/// no manifest yet was just created (every commit carries one), so it is empty and kept:
/// clearing it could pull the files from under another process that is building it.
fn open_existing(dir: &Path) -> Option<(tantivy::Index, Manifest)> {
    if !dir.join("meta.json").is_file() {
        return None;
    }
    let directory = MmapDirectory::open(dir).ok()?;
    let index = tantivy::Index::open(directory).ok()?;
    Fields::from_schema(&index.schema())?;
    let metas = index.load_metas().ok()?;
    let manifest = match metas.payload.as_deref() {
        None => Manifest::new(),
        Some(_) => Manifest::from_payload(metas.payload.as_deref())?,
    };
    Some((index, manifest))
}

#[allow(clippy::disallowed_methods)] // an index directory in wright's cache
fn clear_dir(dir: &Path) -> Result<(), IndexError> {
    for entry in std::fs::read_dir(dir).map_err(|e| IndexError::io(dir, e))?.flatten() {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "lock") {
            continue;
        }
        let r = if p.is_dir() { std::fs::remove_dir_all(&p) } else { std::fs::remove_file(&p) };
        r.map_err(|e| IndexError::io(&p, e))?;
    }
    Ok(())
}
