//! One wasmtime engine configuration, and compiled modules cached on disk.
//!
//! The compiling side (wright, outside the sandbox) and the running side (the runner,
//! inside it) must build the engine the same way, or a cached module will not load.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use wasmtime::{Config, Engine, Module};

use crate::SandboxError;

/// How often the runner's clock advances the epoch; deadlines are counted in these.
pub const EPOCH_TICK_MS: u64 = 10;

/// The engine both sides use: epoch interruption on, everything else wasmtime's defaults.
pub fn engine() -> Result<&'static Engine, SandboxError> {
    static ENGINE: OnceLock<Result<Engine, String>> = OnceLock::new();
    let made = ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.epoch_interruption(true);
        Engine::new(&config).map_err(|e| e.to_string())
    });
    made.as_ref().map_err(|e| SandboxError::Wasm(format!("wasmtime engine: {e}")))
}

/// Where the compiled form of `module` lives: keyed by wasmtime's version and settings
/// and by the module's content hash, so a new wasmtime or a changed file never loads a
/// stale one.
pub fn cache_path(cache_dir: &Path, module: &Path) -> Result<PathBuf, SandboxError> {
    cache_entry(cache_dir, &content_hash(cache_dir, module)?)
}

fn cache_entry(cache_dir: &Path, content: &str) -> Result<PathBuf, SandboxError> {
    let mut engine_key = std::collections::hash_map::DefaultHasher::new();
    engine()?.precompile_compatibility_hash().hash(&mut engine_key);
    Ok(cache_dir.join(format!("{:016x}-{content}.cwasm", engine_key.finish())))
}

fn hash_of(bytes: &[u8]) -> String {
    let hex = blake3::hash(bytes).to_hex();
    hex.get(..32).unwrap_or(&hex).to_string()
}

/// The module's content hash. Hashing 25 MB costs more than loading the compiled module,
/// so the hash is remembered beside the cache under the file's identity (device, inode,
/// size, modification time in nanoseconds): any rewrite of the file changes that.
fn content_hash(cache_dir: &Path, module: &Path) -> Result<String, SandboxError> {
    use std::os::unix::fs::MetadataExt;
    let unreadable = |e: std::io::Error| SandboxError::Wasm(format!("cannot read {}: {e}", module.display()));
    let meta = std::fs::metadata(module).map_err(unreadable)?;
    let identity = format!(
        "{}|{}|{}|{}|{}.{}",
        module.display(),
        meta.dev(),
        meta.ino(),
        meta.size(),
        meta.mtime(),
        meta.mtime_nsec()
    );
    let memo = cache_dir.join("hashes").join(blake3::hash(identity.as_bytes()).to_hex().as_str());
    if let Ok(known) = std::fs::read_to_string(&memo)
        && known.len() == 32
        && known.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return Ok(known);
    }
    let content = hash_of(&std::fs::read(module).map_err(unreadable)?);
    // A memo that cannot be written only costs the next run a hash.
    if std::fs::create_dir_all(cache_dir.join("hashes")).is_ok() {
        let _ = write_atomically(&memo, content.as_bytes());
    }
    Ok(content)
}

/// The compiled module for `module`, compiled once and then read from `cache_dir`.
/// Returns the path of the compiled file.
pub fn compiled(cache_dir: &Path, module: &Path) -> Result<PathBuf, SandboxError> {
    let cached = cache_path(cache_dir, module)?;
    store(cache_dir, cached, |engine| Module::from_file(engine, module), &module.display().to_string())
}

/// As [`compiled`], for a module already read (through wright-tree, from a worktree)
/// and named `shown` in errors.
pub(crate) fn compiled_bytes(cache_dir: &Path, wasm: &[u8], shown: &str) -> Result<PathBuf, SandboxError> {
    let cached = cache_entry(cache_dir, &hash_of(wasm))?;
    store(cache_dir, cached, |engine| Module::new(engine, wasm), shown)
}

/// `cached` when it loads; otherwise compiles with `compile` and writes it there.
fn store(
    cache_dir: &Path,
    cached: PathBuf,
    compile: impl FnOnce(&Engine) -> wasmtime::Result<Module>,
    shown: &str,
) -> Result<PathBuf, SandboxError> {
    if cached.is_file() && load(&cached).is_ok() {
        return Ok(cached);
    }
    let compiled = compile(engine()?).map_err(|e| SandboxError::Wasm(format!("cannot compile {shown}: {e}")))?;
    let bytes = compiled.serialize().map_err(|e| SandboxError::Wasm(format!("cannot serialize module: {e}")))?;
    std::fs::create_dir_all(cache_dir).map_err(|e| cache_error(cache_dir, e))?;
    write_atomically(&cached, &bytes).map_err(|e| cache_error(&cached, e))?;
    Ok(cached)
}

/// Written under a temporary name and renamed, so a reader never sees half a file.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".tmp{}", std::process::id()));
    let temp = PathBuf::from(name);
    std::fs::write(&temp, bytes)?;
    std::fs::rename(&temp, path)
}

/// Loads a compiled module written by [`compiled`].
pub fn load(cached: &Path) -> Result<Module, SandboxError> {
    let engine = engine()?;
    // SAFETY: the file was written by `compiled` into wright's own cache directory, which
    // sandboxed commands cannot see; wasmtime checks its version and engine settings.
    unsafe { Module::deserialize_file(engine, cached) }
        .map_err(|e| SandboxError::Wasm(format!("cannot load compiled module {}: {e}", cached.display())))
}

fn cache_error(path: &Path, e: std::io::Error) -> SandboxError {
    SandboxError::Wasm(format!("cannot write the module cache {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest WASI command: `_start` exits with code 7.
    const EXIT_7: &str = r#"(module
        (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
        (memory (export "memory") 1)
        (func (export "_start") (call $exit (i32.const 7))))"#;

    #[test]
    fn compiled_once_then_loaded_from_the_cache_and_recompiled_when_changed() {
        let dir = tempfile::tempdir().unwrap();
        let module = dir.path().join("exit.wasm");
        std::fs::write(&module, wat_bytes(EXIT_7)).unwrap();
        let cache = dir.path().join("cache");
        let first = compiled(&cache, &module).unwrap();
        assert!(first.is_file());
        assert_eq!(cache_path(&cache, &module).unwrap(), first);
        let modified = std::fs::metadata(&first).unwrap().modified().unwrap();
        assert_eq!(compiled(&cache, &module).unwrap(), first);
        assert_eq!(std::fs::metadata(&first).unwrap().modified().unwrap(), modified, "recompiled");
        load(&first).unwrap();

        // A rewritten module is a new entry, never the stale one.
        std::fs::write(&module, wat_bytes(&EXIT_7.replace("i32.const 7", "i32.const 8"))).unwrap();
        let second = compiled(&cache, &module).unwrap();
        assert_ne!(second, first);
    }

    #[test]
    fn a_corrupt_cache_entry_is_compiled_again() {
        let dir = tempfile::tempdir().unwrap();
        let module = dir.path().join("exit.wasm");
        std::fs::write(&module, wat_bytes(EXIT_7)).unwrap();
        let cache = dir.path().join("cache");
        let entry = compiled(&cache, &module).unwrap();
        std::fs::write(&entry, b"not a module").unwrap();
        assert_eq!(compiled(&cache, &module).unwrap(), entry);
        load(&entry).unwrap();
    }

    #[test]
    fn a_module_that_is_not_wasm_is_refused_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let module = dir.path().join("junk.wasm");
        std::fs::write(&module, b"#!/bin/sh\n").unwrap();
        let err = compiled(&dir.path().join("cache"), &module).unwrap_err().to_string();
        assert!(err.contains("cannot compile") && err.contains("junk.wasm"), "{err}");
    }

    fn wat_bytes(text: &str) -> Vec<u8> {
        wat::parse_str(text).unwrap()
    }
}
