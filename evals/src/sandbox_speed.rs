//! `wright eval sandbox`: what the sandbox costs. Startup overhead over a bare `true`
//! (spawned directly, no sandbox) per backend, p50/p99 over repeated runs, and the
//! slowdown of a CPU-bound command; for the wasm backend, loading the cached compiled
//! `python.wasm` and a whole `python -c pass` through the sandbox.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde::Serialize;
use wright_sandbox::{Backend, Program, RunSpec, WasmSetup};

use crate::EvalError;

#[derive(Debug, Serialize)]
pub struct SandboxReport {
    pub runs: usize,
    pub bare_true_ms: Percentiles,
    /// Per backend: wall time of `true` through the sandbox, and the overhead over bare.
    pub backends: Vec<BackendFigures>,
    /// A CPU-bound Python loop: bare seconds, sandboxed seconds.
    pub cpu_bare_s: f64,
    pub cpu_sandboxed_s: f64,
    pub enforced: String,
    /// Absent when python.wasm is not installed.
    pub wasm: Option<WasmFigures>,
}

#[derive(Debug, Serialize)]
pub struct WasmFigures {
    /// Hashing python.wasm to find its cache entry, then loading the compiled module.
    pub module_load_ms: Percentiles,
    /// Loading the compiled module alone (the part the runner does).
    pub deserialize_ms: Percentiles,
    /// `python -c pass` through the wasm backend: bubblewrap, runner, CPython start.
    pub python_pass_ms: Percentiles,
    /// The CPU-bound loop in python.wasm.
    pub cpu_wasm_s: f64,
}

#[derive(Debug, Serialize)]
pub struct BackendFigures {
    pub backend: &'static str,
    pub true_ms: Percentiles,
    pub overhead_p50_ms: f64,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Percentiles {
    pub p50: f64,
    pub p99: f64,
}

const CPU_CODE: &str = "sum(i*i for i in range(3_000_000))";
const CPU_LOOP: &str = "python3 -c 'sum(i*i for i in range(3_000_000))'";

/// `wasm`: where python.wasm and its cache are, when it is installed.
pub fn run(dir: &Path, runs: usize, wasm: Option<&WasmSetup>) -> Result<SandboxReport, EvalError> {
    let bare_true = percentiles(&time_n(runs, || bare("true"))?);
    let mut backends = Vec::new();
    let mut enforced = String::new();
    for backend in [Backend::Process, Backend::None] {
        let times = time_n(runs, || {
            let out = sandboxed(dir, "true", backend)?;
            if backend == Backend::Process {
                enforced = out.enforced.clone();
            }
            Ok(())
        })?;
        let p = percentiles(&times);
        backends.push(BackendFigures { backend: backend.name(), true_ms: p, overhead_p50_ms: p.p50 - bare_true.p50 });
    }
    let cpu_bare = time_n(3, || bare(CPU_LOOP))?;
    let cpu_boxed = time_n(3, || sandboxed(dir, CPU_LOOP, Backend::Process).map(|_| ()))?;
    Ok(SandboxReport {
        runs,
        bare_true_ms: bare_true,
        backends,
        cpu_bare_s: percentiles(&cpu_bare).p50 / 1000.0,
        cpu_sandboxed_s: percentiles(&cpu_boxed).p50 / 1000.0,
        enforced,
        wasm: wasm.map(|w| wasm_figures(dir, runs, w)).transpose()?,
    })
}

fn wasm_figures(dir: &Path, runs: usize, setup: &WasmSetup) -> Result<WasmFigures, EvalError> {
    let module = setup.programs.join("python.wasm");
    let failed = |e: wright_sandbox::SandboxError| EvalError::Io(e.to_string());
    let cached = wright_sandbox::compiled(&setup.cache, &module).map_err(failed)?;
    let module_load = time_n(runs, || {
        let path = wright_sandbox::cache_path(&setup.cache, &module).map_err(failed)?;
        wright_sandbox::load(&path).map(|_| ()).map_err(failed)
    })?;
    let deserialize = time_n(runs, || wright_sandbox::load(&cached).map(|_| ()).map_err(failed))?;
    let wasm_run = |argv: &[&str]| {
        let mut spec = spec(dir, "");
        spec.program = Program::Argv(argv.iter().map(|a| a.to_string()).collect());
        spec.isolation.backend = Backend::Wasm;
        spec.isolation.wasm = setup.clone();
        checked(&spec)
    };
    let python_pass = time_n(runs, || wasm_run(&["python", "-c", "pass"]).map(|_| ()))?;
    let cpu = time_n(3, || wasm_run(&["python", "-c", CPU_CODE]).map(|_| ()))?;
    Ok(WasmFigures {
        module_load_ms: percentiles(&module_load),
        deserialize_ms: percentiles(&deserialize),
        python_pass_ms: percentiles(&python_pass),
        cpu_wasm_s: percentiles(&cpu).p50 / 1000.0,
    })
}

pub fn table(r: &SandboxReport) -> String {
    let mut out = format!(
        "sandbox: {}\n\n| `true`, {} runs | p50 ms | p99 ms | overhead p50 ms |\n|---|---|---|---|\n",
        r.enforced, r.runs
    );
    out.push_str(&format!("| bare (spawned directly) | {:.2} | {:.2} | |\n", r.bare_true_ms.p50, r.bare_true_ms.p99));
    for b in &r.backends {
        out.push_str(&format!(
            "| {} | {:.2} | {:.2} | {:.2} |\n",
            b.backend, b.true_ms.p50, b.true_ms.p99, b.overhead_p50_ms
        ));
    }
    out.push_str(&format!(
        "\nCPU-bound ({CPU_LOOP}): bare {:.3} s, process sandbox {:.3} s ({:+.1}%)\n",
        r.cpu_bare_s,
        r.cpu_sandboxed_s,
        100.0 * (r.cpu_sandboxed_s / r.cpu_bare_s - 1.0)
    ));
    match &r.wasm {
        None => out.push_str("\nwasm: python.wasm is not installed (`wright sandbox install-python`); no figures\n"),
        Some(w) => {
            out.push_str(&format!("\n| wasm backend, {} runs | p50 ms | p99 ms |\n|---|---|---|\n", r.runs));
            for (what, p) in [
                ("module load with the cache (hash + load)", w.module_load_ms),
                ("load of the compiled module alone", w.deserialize_ms),
                ("`python -c pass` through the sandbox", w.python_pass_ms),
            ] {
                out.push_str(&format!("| {what} | {:.2} | {:.2} |\n", p.p50, p.p99));
            }
            out.push_str(&format!(
                "\nCPU-bound in python.wasm: {:.3} s ({:.1}x native)\n",
                w.cpu_wasm_s,
                w.cpu_wasm_s / r.cpu_bare_s
            ));
        }
    }
    out
}

fn bare(cmd: &str) -> Result<(), EvalError> {
    let status = Command::new("sh").args(["-c", cmd]).status().map_err(|e| EvalError::Io(e.to_string()))?;
    if !status.success() {
        return Err(EvalError::Io(format!("`{cmd}` failed")));
    }
    Ok(())
}

fn spec(dir: &Path, cmd: &str) -> RunSpec {
    let mut spec = RunSpec::new(Program::Shell(cmd.to_string()), dir);
    spec.timeout = Duration::from_secs(60);
    spec.output_limit = 4096;
    spec
}

fn sandboxed(dir: &Path, cmd: &str, backend: Backend) -> Result<wright_sandbox::RunOutput, EvalError> {
    let mut spec = spec(dir, cmd);
    spec.isolation.backend = backend;
    checked(&spec)
}

fn checked(spec: &RunSpec) -> Result<wright_sandbox::RunOutput, EvalError> {
    let out = wright_sandbox::run(spec).map_err(|e| EvalError::Io(e.to_string()))?;
    if !out.success() {
        return Err(EvalError::Io(format!("{:?} failed in the sandbox: {}", spec.program, out.stderr.text)));
    }
    Ok(out)
}

fn time_n(n: usize, mut f: impl FnMut() -> Result<(), EvalError>) -> Result<Vec<f64>, EvalError> {
    // One run first so caches are warm for all.
    f()?;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f()?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(times)
}

fn percentiles(times: &[f64]) -> Percentiles {
    let mut v = times.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    Percentiles { p50: at(0.5), p99: at(0.99) }
}
