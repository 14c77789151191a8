//! `wright eval sandbox`: what the sandbox costs. Startup overhead over a bare `true`
//! (spawned directly, no sandbox) per backend, p50/p99 over repeated runs, and the
//! slowdown of a CPU-bound command.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde::Serialize;
use wright_sandbox::{Backend, EnvPolicy, Isolation, Program, RunSpec};

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

const CPU_LOOP: &str = "python3 -c 'sum(i*i for i in range(3_000_000))'";

pub fn run(dir: &Path, runs: usize) -> Result<SandboxReport, EvalError> {
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
    out
}

fn bare(cmd: &str) -> Result<(), EvalError> {
    let status = Command::new("sh").args(["-c", cmd]).status().map_err(|e| EvalError::Io(e.to_string()))?;
    if !status.success() {
        return Err(EvalError::Io(format!("`{cmd}` failed")));
    }
    Ok(())
}

fn sandboxed(dir: &Path, cmd: &str, backend: Backend) -> Result<wright_sandbox::RunOutput, EvalError> {
    let out = wright_sandbox::run(&RunSpec {
        program: Program::Shell(cmd.to_string()),
        worktree: dir.to_path_buf(),
        cwd: dir.to_path_buf(),
        timeout: Duration::from_secs(60),
        env: EnvPolicy::default(),
        output_limit: 4096,
        isolation: Isolation { backend, ..Isolation::default() },
    })
    .map_err(|e| EvalError::Io(e.to_string()))?;
    if !out.success() {
        return Err(EvalError::Io(format!("`{cmd}` failed in the sandbox: {}", out.stderr.text)));
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
