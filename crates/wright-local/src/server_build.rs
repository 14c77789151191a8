//! llama.cpp's `llama-server`, built from the sources the catalog pins. A native build
//! (`-march=native`) is not used: a VM's CPU may advertise instructions it then traps
//! on, so the x86-64 features are chosen from `/proc/cpuinfo`, AVX-512 and AMX left out.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use indicatif::{ProgressBar, ProgressStyle};

use crate::LocalError;
use crate::catalog::ServerSources;
use crate::download::{fetch, name_of};
use crate::layout::{Layout, create_dir};

/// What the build needs on the machine, for error messages.
pub const BUILD_NEEDS: &str = "apt-get install -y cmake g++";

/// Builds and installs `llama-server` unless it is installed. A build cut short goes on
/// from where it stopped.
pub(crate) async fn build(http: &reqwest::Client, layout: &Layout, sources: &ServerSources) -> Result<(), LocalError> {
    let installed = layout.server();
    if installed.is_file() {
        return Ok(());
    }
    for tool in ["cmake", "c++"] {
        let found = Command::new(tool).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
        if !found.is_ok_and(|s| s.success()) {
            return Err(LocalError::Build(format!(
                "`{tool}` is not installed; install the build tools: {BUILD_NEEDS}"
            )));
        }
    }
    let downloads = layout.downloads();
    create_dir(&downloads)?;
    let archive = downloads.join(name_of(&sources.url));
    eprintln!("wright: llama.cpp's sources: {}", name_of(&sources.url));
    fetch(http, &sources.url, &archive, &sources.sha256).await?;
    // Named after the sources: a build cut short goes on only with the same ones.
    let work = layout.root.join(format!("build-{}", sources.sha256.get(..12).unwrap_or("sources")));
    let src = work.join("src");
    if !src.is_dir() {
        unpack(&archive, &work)?;
    }
    let out = work.join("out");
    let log = work.join("build.log");
    configure(&src.join(&sources.sources_dir), &out, &log)?;
    compile(&out, &log)?;
    let built = out.join("bin").join("llama-server");
    let bin = installed.parent().map(Path::to_path_buf).unwrap_or_default();
    create_dir(&bin)?;
    let part = crate::download::partial(&installed);
    std::fs::copy(&built, &part).map_err(|e| LocalError::io(&built, e))?;
    std::fs::rename(&part, &installed).map_err(|e| LocalError::io(&installed, e))?;
    let _ = std::fs::remove_dir_all(&work);
    let _ = std::fs::remove_file(&archive);
    Ok(())
}

/// Unpacks into `work/src`, whole or not at all.
fn unpack(archive: &Path, work: &Path) -> Result<(), LocalError> {
    let staging = work.join("src.part");
    let _ = std::fs::remove_dir_all(&staging);
    create_dir(&staging)?;
    let file = std::fs::File::open(archive).map_err(|e| LocalError::io(archive, e))?;
    // `unpack` keeps every entry inside `staging` (no `..`, no absolute paths).
    tar::Archive::new(flate2::read::GzDecoder::new(file))
        .unpack(&staging)
        .map_err(|e| LocalError::Build(format!("unpacking {}: {e}", archive.display())))?;
    let src = work.join("src");
    std::fs::rename(&staging, &src).map_err(|e| LocalError::io(&src, e))
}

/// The CMake flags for this machine's CPU.
pub(crate) fn cpu_flags(arch: &str, cpuinfo: &str) -> Vec<String> {
    let mut flags = vec!["-DGGML_NATIVE=OFF".to_string()];
    if arch == "x86_64" {
        let has: Vec<&str> = cpuinfo
            .lines()
            .find(|l| l.starts_with("flags"))
            .and_then(|l| l.split_once(':'))
            .map(|(_, f)| f.split_whitespace().collect())
            .unwrap_or_default();
        for (flag, option) in [("avx", "GGML_AVX"), ("avx2", "GGML_AVX2"), ("fma", "GGML_FMA"), ("f16c", "GGML_F16C")] {
            let on = if has.contains(&flag) { "ON" } else { "OFF" };
            flags.push(format!("-D{option}={on}"));
        }
        flags.extend(["-DGGML_AVX512=OFF".to_string(), "-DGGML_AMX_INT8=OFF".to_string()]);
    }
    flags
}

fn configure(src: &Path, out: &Path, log: &Path) -> Result<(), LocalError> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let mut cmd = Command::new("cmake");
    cmd.arg("-S").arg(src).arg("-B").arg(out);
    cmd.args([
        "-DCMAKE_BUILD_TYPE=Release",
        "-DLLAMA_CURL=OFF",
        "-DLLAMA_BUILD_TESTS=OFF",
        "-DLLAMA_BUILD_EXAMPLES=OFF",
        "-DLLAMA_BUILD_SERVER=ON",
        "-DBUILD_SHARED_LIBS=OFF",
    ]);
    cmd.args(cpu_flags(std::env::consts::ARCH, &cpuinfo));
    eprintln!("wright: configuring llama.cpp (log: {})", log.display());
    run_logged(cmd, log, None)
}

fn compile(out: &Path, log: &Path) -> Result<(), LocalError> {
    let jobs = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let mut cmd = Command::new("cmake");
    cmd.arg("--build").arg(out).args(["--target", "llama-server", "-j", &jobs.to_string()]);
    let bar = ProgressBar::new(100);
    let style = ProgressStyle::with_template("{msg:40!} {bar:30} {pos}% {elapsed}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(format!("building llama-server on {jobs} cores"));
    eprintln!("wright: building llama-server (about 4 minutes on 2 cores)");
    let result = run_logged(cmd, log, Some(&bar));
    bar.finish_and_clear();
    result
}

/// Runs `cmd` with its output appended to `log`, moving `bar` by the build's `[ NN%]` or
/// `[n/m]` lines; a failure quotes the log's last lines.
fn run_logged(mut cmd: Command, log: &Path, bar: Option<&ProgressBar>) -> Result<(), LocalError> {
    use std::io::Write;
    let mut sink =
        std::fs::OpenOptions::new().create(true).append(true).open(log).map_err(|e| LocalError::io(log, e))?;
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| LocalError::Build(format!("starting cmake: {e}")))?;
    let stderr = child.stderr.take();
    let copier = std::thread::spawn({
        let log = log.to_path_buf();
        move || {
            let mut sink = std::fs::OpenOptions::new().append(true).open(log).ok();
            for line in stderr.map(|e| BufReader::new(e).lines()).into_iter().flatten().map_while(Result::ok) {
                if let Some(s) = sink.as_mut() {
                    let _ = writeln!(s, "{line}");
                }
            }
        }
    });
    for line in child.stdout.take().map(|o| BufReader::new(o).lines()).into_iter().flatten().map_while(Result::ok) {
        let _ = writeln!(sink, "{line}");
        if let (Some(bar), Some(p)) = (bar, percent(&line)) {
            bar.set_position(p);
        }
    }
    let _ = copier.join();
    let status = child.wait().map_err(|e| LocalError::Build(e.to_string()))?;
    if status.success() {
        return Ok(());
    }
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let tail: Vec<&str> = text.lines().rev().take(15).collect::<Vec<_>>().into_iter().rev().collect();
    Err(LocalError::Build(format!("{status}; the last lines of {}:\n{}", log.display(), tail.join("\n"))))
}

/// How far a build line says the build is: make's `[ 42%]`, ninja's `[12/300]`.
pub(crate) fn percent(line: &str) -> Option<u64> {
    let inside = line.strip_prefix('[')?.split_once(']')?.0.trim();
    if let Some(p) = inside.strip_suffix('%') {
        return p.trim().parse().ok();
    }
    let (done, all) = inside.split_once('/')?;
    let (done, all) = (done.trim().parse::<u64>().ok()?, all.trim().parse::<u64>().ok()?);
    (all > 0).then(|| done * 100 / all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_lines_move_the_bar() {
        assert_eq!(percent("[ 42%] Building CXX object"), Some(42));
        assert_eq!(percent("[100%] Linking"), Some(100));
        assert_eq!(percent("[12/300] Building"), Some(4));
        assert_eq!(percent("-- Configuring done"), None);
        assert_eq!(percent("[0/0]"), None);
    }

    #[test]
    fn cpu_features_come_from_cpuinfo_never_avx512() {
        let info = "processor : 0\nflags\t\t: fpu sse avx avx2 fma avx512f amx_tile\n";
        let flags = cpu_flags("x86_64", info);
        for on in ["-DGGML_AVX=ON", "-DGGML_AVX2=ON", "-DGGML_FMA=ON", "-DGGML_F16C=OFF", "-DGGML_AVX512=OFF"] {
            assert!(flags.contains(&on.to_string()), "{on} in {flags:?}");
        }
        assert_eq!(cpu_flags("aarch64", info), ["-DGGML_NATIVE=OFF"]);
    }
}
