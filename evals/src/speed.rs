//! `wright eval search-speed`: on one working tree, the cold index build rate (MB per
//! CPU-second, one indexing thread), the incremental update after a one-file edit,
//! query latency per query class, and `rg` on the same queries side by side.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::Serialize;
use wright_index::{Index, SearchKind, analyze};

use crate::EvalError;

/// Queries per class, at most.
const PER_CLASS: usize = 60;

#[derive(Debug, Serialize)]
pub struct SpeedReport {
    pub repo: String,
    pub files: usize,
    pub corpus_mb: f64,
    pub index_mb: f64,
    pub build_wall_s: f64,
    pub build_cpu_s: f64,
    pub build_mb_per_cpu_s: f64,
    pub update_one_file_ms: f64,
    pub update_full_walk_ms: f64,
    pub classes: Vec<ClassReport>,
}

#[derive(Debug, Serialize)]
pub struct ClassReport {
    pub class: String,
    pub queries: usize,
    pub wright_p50_ms: f64,
    pub wright_p99_ms: f64,
    /// `rg` run as a process per query, as a user or agent would; `None` where rg does not apply.
    pub rg_p50_ms: Option<f64>,
    pub rg_p99_ms: Option<f64>,
}

pub fn run(repo: &Path, issues: &[String], work: &Path) -> Result<SpeedReport, EvalError> {
    let dir = work.join(format!("speed-index-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let cpu0 = cpu_seconds();
    let started = Instant::now();
    let mut index = Index::open(repo, &dir)?;
    let stats = index.update(&mut |_, _| {})?;
    let build_wall_s = started.elapsed().as_secs_f64();
    let build_cpu_s = cpu_seconds() - cpu0;
    let corpus_mb = stats.bytes as f64 / 1e6;

    let (update_one_file_ms, update_full_walk_ms) = edit_timings(&mut index, repo)?;
    let classes = query_classes(&index, repo, issues)?;
    let index_mb = index.disk_bytes() as f64 / 1e6;
    index.close()?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(SpeedReport {
        repo: repo.display().to_string(),
        files: stats.files,
        corpus_mb,
        index_mb,
        build_wall_s,
        build_cpu_s,
        build_mb_per_cpu_s: corpus_mb / build_cpu_s.max(1e-9),
        update_one_file_ms,
        update_full_walk_ms,
        classes,
    })
}

/// Median times of re-indexing one edited file: by path (as after the agent's edit), and
/// by a full walk of the tree (as after a command that may have changed anything).
fn edit_timings(index: &mut Index, repo: &Path) -> Result<(f64, f64), EvalError> {
    let target = index
        .paths()
        .filter(|p| wright_grammar::Lang::from_path(Path::new(p)).is_some())
        .max_by_key(|p| std::fs::metadata(repo.join(p)).map(|m| m.len().min(40_000)).unwrap_or(0))
        .map(str::to_string);
    let Some(target) = target else { return Ok((0.0, 0.0)) };
    let path = repo.join(&target);
    let original = std::fs::read(&path).map_err(|e| EvalError::Io(format!("{}: {e}", path.display())))?;
    let mut by_path = Vec::new();
    let mut by_walk = Vec::new();
    let result = (|| {
        for round in 0..7 {
            let mut edited = original.clone();
            edited.extend_from_slice(format!("\n# wright speed edit {round}\n").as_bytes());
            std::fs::write(&path, &edited).map_err(|e| EvalError::Io(e.to_string()))?;
            let t = Instant::now();
            index.update_paths(std::slice::from_ref(&target))?;
            by_path.push(t.elapsed().as_secs_f64() * 1000.0);
            std::fs::write(&path, &original).map_err(|e| EvalError::Io(e.to_string()))?;
            let t = Instant::now();
            index.update(&mut |_, _| {})?;
            by_walk.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        Ok::<(), EvalError>(())
    })();
    // The tree is the user's: put the file back whatever happened.
    let _ = std::fs::write(&path, &original);
    result?;
    Ok((percentile(&mut by_path, 0.5), percentile(&mut by_walk, 0.5)))
}

struct Class {
    name: &'static str,
    kind: SearchKind,
    queries: Vec<String>,
    rg: Option<fn(&str) -> Vec<String>>,
}

fn query_classes(index: &Index, repo: &Path, issues: &[String]) -> Result<Vec<ClassReport>, EvalError> {
    let mut idents = Vec::new();
    let mut words = Vec::new();
    for issue in issues {
        let a = analyze(issue);
        if let Some(id) = a.idents.iter().find(|i| i.contains('_') && !i.contains('.') && i.len() > 4) {
            idents.push(id.clone());
        }
        let plain: Vec<&str> = a
            .terms
            .iter()
            .map(|(t, _)| t.as_str())
            .filter(|t| t.chars().all(|c| c.is_ascii_lowercase()))
            .take(3)
            .collect();
        if plain.len() == 3 {
            words.push(plain.join(" "));
        }
    }
    idents.truncate(PER_CLASS);
    words.truncate(PER_CLASS);
    let regexes: Vec<String> =
        idents.iter().map(|i| format!(r"def {}\w*\(|{}\s*=", regex_escape(i), regex_escape(i))).collect();
    let whole: Vec<String> = issues.iter().take(PER_CLASS).cloned().collect();
    let classes = [
        Class {
            name: "identifier",
            kind: SearchKind::Text,
            queries: idents,
            rg: Some(|q| vec!["-F".into(), q.into()]),
        },
        Class {
            name: "words",
            kind: SearchKind::Text,
            queries: words,
            rg: Some(|q| {
                let mut a = vec!["-i".to_string()];
                for w in q.split(' ') {
                    a.push("-e".into());
                    a.push(w.into());
                }
                a
            }),
        },
        Class { name: "regex", kind: SearchKind::Regex, queries: regexes, rg: Some(|q| vec![q.into()]) },
        Class { name: "whole issue", kind: SearchKind::Text, queries: whole, rg: None },
    ];
    let mut out = Vec::new();
    for class in classes {
        if class.queries.is_empty() {
            continue;
        }
        let mut ours = Vec::new();
        for q in &class.queries {
            let t = Instant::now();
            let _ = index.search(q, class.kind, 20);
            ours.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        let mut theirs = Vec::new();
        if let Some(args) = class.rg {
            for q in &class.queries {
                if let Some(ms) = rg_ms(repo, &args(q)) {
                    theirs.push(ms);
                }
            }
        }
        let (rg_p50_ms, rg_p99_ms) = if theirs.is_empty() {
            (None, None)
        } else {
            (Some(percentile(&mut theirs.clone(), 0.5)), Some(percentile(&mut theirs, 0.99)))
        };
        out.push(ClassReport {
            class: class.name.to_string(),
            queries: class.queries.len(),
            wright_p50_ms: percentile(&mut ours.clone(), 0.5),
            wright_p99_ms: percentile(&mut ours, 0.99),
            rg_p50_ms,
            rg_p99_ms,
        });
    }
    Ok(out)
}

/// Wall time of one `rg -n` run over the tree, or `None` when rg cannot run.
fn rg_ms(repo: &Path, args: &[String]) -> Option<f64> {
    let t = Instant::now();
    let status = Command::new("rg")
        .arg("-n")
        .args(args)
        .current_dir(repo)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .ok()?;
    // rg exits 1 when nothing matched; only 2 is an error.
    (status.code() != Some(2)).then(|| t.elapsed().as_secs_f64() * 1000.0)
}

fn regex_escape(s: &str) -> String {
    s.chars().flat_map(|c| if c.is_ascii_alphanumeric() || c == '_' { vec![c] } else { vec!['\\', c] }).collect()
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i.min(v.len() - 1)]
}

/// User plus system CPU time of this process, all threads.
fn cpu_seconds() -> f64 {
    let mut u = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given; RUSAGE_SELF is always valid.
    let ok = unsafe { libc::getrusage(libc::RUSAGE_SELF, u.as_mut_ptr()) } == 0;
    if !ok {
        return 0.0;
    }
    // SAFETY: initialised by the successful call above.
    let u = unsafe { u.assume_init() };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// The report as a table.
pub fn table(r: &SpeedReport) -> String {
    let mut out = format!(
        "search speed on {}\n  corpus: {} files, {:.1} MB; index {:.1} MB ({:.2}x the corpus)\n  cold build: {:.2} s wall, {:.2} CPU-s -> {:.2} MB per CPU-second (one indexing thread)\n  one-file edit: {:.1} ms re-indexing by path, {:.1} ms by a full incremental walk\n\n",
        r.repo,
        r.files,
        r.corpus_mb,
        r.index_mb,
        r.index_mb / r.corpus_mb.max(1e-9),
        r.build_wall_s,
        r.build_cpu_s,
        r.build_mb_per_cpu_s,
        r.update_one_file_ms,
        r.update_full_walk_ms
    );
    out.push_str("class         queries  wright p50  p99 ms   rg p50  p99 ms   rg/wright (p50)\n");
    for c in &r.classes {
        let rg = match (c.rg_p50_ms, c.rg_p99_ms) {
            (Some(a), Some(b)) => format!("{a:>7.2}  {b:>6.2}   {:>6.1}x", a / c.wright_p50_ms.max(1e-9)),
            _ => "    n/a".to_string(),
        };
        out.push_str(&format!(
            "{:<13} {:>7}  {:>10.2}  {:>6.2}   {rg}\n",
            c.class, c.queries, c.wright_p50_ms, c.wright_p99_ms
        ));
    }
    out
}

/// The problem statements of a JSONL file, for use as queries.
pub fn issues_from(data: &Path) -> Result<Vec<String>, EvalError> {
    let text = std::fs::read_to_string(data).map_err(|e| EvalError::Io(format!("{}: {e}", data.display())))?;
    Ok(text
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v.get("problem_statement").and_then(|s| s.as_str()).map(str::to_string))
        .collect())
}

pub fn default_work() -> PathBuf {
    std::env::temp_dir()
}
