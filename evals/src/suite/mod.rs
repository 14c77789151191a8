//! Task suites for `wright eval run` and `wright eval validate`: a folder of tasks (one
//! `task.toml` each) and a `suite.toml` naming subsets.

mod agent;
mod check;
mod harness;
mod markdown;
mod mini;
mod placeholders;
mod report;
mod report_html;
mod report_languages;
mod sample;
mod shard;
mod shell;
mod swebench;
mod task;
mod tree;
mod trial;
mod validate;
mod watched;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use agent::Agent;
pub use check::{CheckResult, carry_change, run_check};
pub use harness::{Harness, Progress, Row, read_rows};
pub use report::{AgentSummary, report_md, summarize};
pub use report_html::report_html;
pub use shard::{Plan, PlanFormat, Shard, merge};
pub use shell::word as shell_word;
pub use swebench::SweBench;
pub use task::{Budgets, Check, Kind, RepoSource, Task};
pub use tree::{fresh_tree, set_up};
pub use trial::{AgentSettings, Trial};
pub use validate::{Validation, table, validate};

use crate::EvalError;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    #[serde(default)]
    subsets: BTreeMap<String, Vec<String>>,
    /// SWE-bench instances loaded as tasks.
    #[serde(default)]
    swebench: Option<SweBench>,
}

/// A suite: its tasks in id order, and its named subsets.
#[derive(Debug)]
pub struct Suite {
    pub dir: PathBuf,
    pub tasks: Vec<Task>,
    pub subsets: BTreeMap<String, Vec<String>>,
    /// SWE-bench instances that could not be scored, and why.
    pub skipped: Vec<(String, String)>,
    swebench: Option<SweBench>,
}

impl Suite {
    /// Loads every `*/task.toml` under `dir`, and `dir/suite.toml`.
    pub fn load(dir: &Path) -> Result<Suite, EvalError> {
        // Absolute: its files are read from inside the trees the checks run in.
        let dir = &std::path::absolute(dir).map_err(|e| EvalError::Io(format!("{}: {e}", dir.display())))?;
        let entries = std::fs::read_dir(dir).map_err(|e| EvalError::Io(format!("{}: {e}", dir.display())))?;
        let mut tasks = Vec::new();
        for entry in entries.flatten() {
            if entry.path().join("task.toml").is_file() {
                tasks.push(Task::load(&entry.path())?);
            }
        }
        let file = dir.join("suite.toml");
        let suite: SuiteFile = match wright_tree::read_capped(dir, Path::new("suite.toml"), 1 << 20) {
            Ok(read) => toml::from_str(&read.text()).map_err(|e| EvalError::Io(format!("{}: {e}", file.display())))?,
            Err(_) => SuiteFile::default(),
        };
        let mut skipped = Vec::new();
        if let Some(swebench) = &suite.swebench {
            let loaded = swebench::load(swebench, dir)?;
            tasks.extend(loaded.tasks);
            skipped = loaded.skipped;
        }
        tasks.sort_by(|a, b| a.id.cmp(&b.id));
        for (i, task) in tasks.iter_mut().enumerate() {
            task.number = i + 1;
        }
        if let Some(pair) = tasks.windows(2).find(|w| w[0].id == w[1].id) {
            return Err(EvalError::Io(format!("two tasks share the id `{}`", pair[0].id)));
        }
        for (name, ids) in &suite.subsets {
            if let Some(unknown) = ids.iter().find(|id| !tasks.iter().any(|t| &t.id == *id)) {
                return Err(EvalError::Io(format!("{}: subset `{name}` names no task `{unknown}`", file.display())));
            }
        }
        Ok(Suite { dir: dir.to_path_buf(), tasks, subsets: suite.subsets, skipped, swebench: suite.swebench })
    }

    /// The tasks `spec` picks: a subset's name, `odd` or `even` (by position in id order,
    /// from 1: even ones for tuning, odd ones held out), or ids separated by commas.
    pub fn select(&self, spec: Option<&str>) -> Result<Vec<&Task>, EvalError> {
        let Some(spec) = spec else { return Ok(self.tasks.iter().collect()) };
        match spec {
            "odd" => return Ok(self.tasks.iter().filter(|t| t.number % 2 == 1).collect()),
            "even" => return Ok(self.tasks.iter().filter(|t| t.number % 2 == 0).collect()),
            _ => {}
        }
        let ids: Vec<&str> = match self.subsets.get(spec) {
            Some(ids) => ids.iter().map(String::as_str).collect(),
            None => spec.split(',').map(str::trim).filter(|s| !s.is_empty()).collect(),
        };
        ids.iter()
            .map(|id| {
                self.tasks.iter().find(|t| t.id == *id).ok_or_else(|| {
                    EvalError::Io(format!(
                        "no task or subset `{id}` in {}; subsets: odd, even{}",
                        self.dir.display(),
                        self.subset_names()
                    ))
                })
            })
            .collect()
    }

    /// Folders outside the suite that hold what an agent must not read: SWE-bench's data
    /// file (the gold patches) and a local folder of clones (the fixes in their history).
    pub fn private_paths(&self) -> Vec<PathBuf> {
        let Some(swebench) = &self.swebench else { return Vec::new() };
        let mut paths: Vec<PathBuf> =
            self.dir.join(&swebench.data).parent().map(Path::to_path_buf).into_iter().collect();
        let literal = swebench.repos.split('{').next().unwrap_or_default();
        if literal.starts_with('/') {
            let prefix = Path::new(literal);
            // `/mirror/{owner}+{name}` names clones in `/mirror`; `/clones/` is the folder itself.
            paths.extend(if literal.ends_with('/') { Some(prefix) } else { prefix.parent() }.map(Path::to_path_buf));
        }
        paths
    }

    fn subset_names(&self) -> String {
        self.subsets.keys().map(|k| format!(", {k}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn task(dir: &Path, id: &str) {
        let t = dir.join(id);
        std::fs::create_dir_all(t.join("repo")).unwrap();
        std::fs::create_dir_all(t.join("check")).unwrap();
        for f in ["task.md", "fix.patch", "check/test_x.py"] {
            std::fs::write(t.join(f), "x").unwrap();
        }
        std::fs::write(
            t.join("task.toml"),
            format!("id = \"{id}\"\nlanguage = \"python\"\nkind = \"bug\"\nrepo = {{ path = \"repo\" }}\ntask_file = \"task.md\"\nfix = \"fix.patch\"\n[check]\nfiles = [\"test_x.py\"]\ncommand = \"pytest\"\nfail_to_pass = [\"test_x.py::t\"]\n"),
        )
        .unwrap();
    }

    #[test]
    fn tasks_are_picked_by_subset_parity_or_id() {
        let dir = tempfile::tempdir().unwrap();
        for id in ["a", "b", "c"] {
            task(dir.path(), id);
        }
        std::fs::write(dir.path().join("suite.toml"), "[subsets]\nsmoke = [\"c\", \"a\"]\n").unwrap();
        let suite = Suite::load(dir.path()).unwrap();
        let ids = |spec: Option<&str>| suite.select(spec).unwrap().iter().map(|t| t.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(None), ["a", "b", "c"]);
        assert_eq!(ids(Some("smoke")), ["c", "a"]);
        assert_eq!(ids(Some("odd")), ["a", "c"]);
        assert_eq!(ids(Some("even")), ["b"]);
        assert_eq!(ids(Some("b, c")), ["b", "c"]);
        assert!(suite.select(Some("nope")).unwrap_err().to_string().contains("no task or subset `nope`"));
    }

    #[test]
    fn a_bad_task_is_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        task(dir.path(), "a");
        let toml = dir.path().join("a/task.toml");
        let text = std::fs::read_to_string(&toml).unwrap();
        std::fs::write(&toml, text.replace("fix.patch", "../outside.patch")).unwrap();
        assert!(Suite::load(dir.path()).unwrap_err().to_string().contains("not inside the task's folder"));
        std::fs::write(&toml, text.replace("kind = \"bug\"", "kind = \"bug\"\ncolour = \"red\"")).unwrap();
        assert!(Suite::load(dir.path()).unwrap_err().to_string().contains("colour"));
        std::fs::write(dir.path().join("suite.toml"), "[subsets]\nsmoke = [\"zz\"]\n").unwrap();
        std::fs::write(&toml, &text).unwrap();
        assert!(Suite::load(dir.path()).unwrap_err().to_string().contains("names no task `zz`"));
    }
}
