//! SWE-bench instances as suite tasks. A suite's `suite.toml` names the JSONL file and
//! where repositories come from; each scorable instance becomes a task (written out under
//! the suite's `.swebench/` folder, so it goes through the same checks as any other).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use crate::EvalError;
use crate::suite::shell::word;
use crate::suite::{Budgets, Check, Kind, RepoSource, Task};

/// The `[swebench]` table of a `suite.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweBench {
    /// The JSONL file, relative to the suite.
    pub data: PathBuf,
    /// Where a repository is fetched from: `{repo}` (`owner/name`), `{owner}` and `{name}`
    /// are filled in, e.g. `https://github.com/{repo}.git` or a folder of clones.
    pub repos: String,
    /// Per repository (`owner/name`): the setup command (run in the sandbox, network on).
    #[serde(default)]
    pub setup: BTreeMap<String, String>,
    /// Per repository: the test command; the test patch's files are appended to it.
    #[serde(default)]
    pub command: BTreeMap<String, String>,
    #[serde(default)]
    pub budgets: Option<Budgets>,
}

/// The tasks, and the instances that could not be scored, with the reason.
#[derive(Debug, Default)]
pub struct Loaded {
    pub tasks: Vec<Task>,
    pub skipped: Vec<(String, String)>,
}

#[derive(Debug, Deserialize)]
struct Instance {
    instance_id: String,
    repo: String,
    base_commit: String,
    problem_statement: String,
    #[serde(default, alias = "golden_patch")]
    patch: Option<String>,
    #[serde(default)]
    test_patch: Option<String>,
    #[serde(default, rename = "FAIL_TO_PASS")]
    fail_to_pass: Option<Value>,
    #[serde(default, rename = "PASS_TO_PASS")]
    pass_to_pass: Option<Value>,
}

pub fn load(config: &SweBench, suite: &Path) -> Result<Loaded, EvalError> {
    let data = suite.join(&config.data);
    let text = std::fs::read_to_string(&data).map_err(|e| EvalError::Io(format!("{}: {e}", data.display())))?;
    let mut loaded = Loaded::default();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let instance: Instance = serde_json::from_str(line)
            .map_err(|e| EvalError::Io(format!("{}:{}: not a SWE-bench instance: {e}", data.display(), n + 1)))?;
        let id = instance.instance_id.clone();
        match task(instance, config, &suite.join(".swebench")) {
            Ok(task) => loaded.tasks.push(task),
            Err(Unscorable(why)) => loaded.skipped.push((id, why)),
        }
    }
    Ok(loaded)
}

struct Unscorable(String);

fn task(instance: Instance, config: &SweBench, root: &Path) -> Result<Task, Unscorable> {
    let fail_to_pass = tests(instance.fail_to_pass.as_ref());
    if fail_to_pass.is_empty() {
        return Err(Unscorable("no FAIL_TO_PASS tests".into()));
    }
    let (Some(fix), Some(test_patch)) = (instance.patch, instance.test_patch) else {
        return Err(Unscorable("no patch or test_patch".into()));
    };
    let (owner, name) = instance.repo.split_once('/').ok_or_else(|| Unscorable("repo is not owner/name".into()))?;
    let mut task = Task {
        id: instance.instance_id,
        language: "python".into(),
        kind: Kind::Bug,
        repo: RepoSource::Git {
            git: config.repos.replace("{repo}", &instance.repo).replace("{owner}", owner).replace("{name}", name),
            commit: instance.base_commit,
        },
        task_file: "task.md".into(),
        setup: config.setup.get(&instance.repo).cloned(),
        check: Check {
            files: Vec::new(),
            patch: Some("tests.patch".into()),
            command: String::new(),
            fail_to_pass,
            pass_to_pass: tests(instance.pass_to_pass.as_ref()),
        },
        fix: "fix.patch".into(),
        budgets: config.budgets.clone().unwrap_or_default(),
        dir: PathBuf::new(),
        number: 0,
    };
    // Checked before the id names a folder.
    task.check_names().map_err(Unscorable)?;
    let dir = root.join(&task.id);
    let write = |file: &str, text: &str| -> Result<(), Unscorable> {
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(dir.join(file), text))
            .map_err(|e| Unscorable(format!("writing {}: {e}", dir.join(file).display())))
    };
    write("task.md", &instance.problem_statement)?;
    write("fix.patch", &fix)?;
    write("tests.patch", &test_patch)?;
    let command = config.command.get(&instance.repo).map_or("python3 -m pytest -q", String::as_str);
    // `./` keeps a file named like an option from reading as one.
    let files: Vec<String> = patched_files(&test_patch)
        .iter()
        .map(|f| word(&if f.starts_with('-') { format!("./{f}") } else { f.clone() }))
        .collect();
    task.check.command = format!("{command} {}", files.join(" ")).trim_end().to_string();
    task.dir = dir;
    Ok(task)
}

/// A test list: a JSON array, or (as SWE-bench ships it) a string holding one.
fn tests(value: Option<&Value>) -> Vec<String> {
    let list = match value {
        Some(Value::String(s)) => serde_json::from_str::<Value>(s).unwrap_or(Value::Null),
        Some(v) => v.clone(),
        None => Value::Null,
    };
    list.as_array().into_iter().flatten().filter_map(|t| t.as_str().map(String::from)).collect()
}

/// The files a unified diff writes (its `+++ b/...` lines).
fn patched_files(patch: &str) -> Vec<String> {
    patch
        .lines()
        .filter_map(|l| l.strip_prefix("+++ b/"))
        .map(|p| p.split('\t').next().unwrap_or(p).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_become_tasks_and_unscorable_ones_are_counted() {
        let dir = tempfile::tempdir().unwrap();
        let test_patch = "diff --git a/tests/test_a.py b/tests/test_a.py\n--- a/tests/test_a.py\n+++ b/tests/test_a.py\n@@ -1 +1,2 @@\n x\n+y\n";
        let lines = [
            serde_json::json!({
                "instance_id": "psf__requests-1", "repo": "psf/requests", "base_commit": "abc",
                "problem_statement": "hooks take lists", "patch": "diff --git a/r.py b/r.py\n",
                "test_patch": test_patch,
                "FAIL_TO_PASS": "[\"tests/test_a.py::test_hooks\"]", "PASS_TO_PASS": ["tests/test_a.py::test_ok"],
            }),
            // The localization data: a gold patch, but no tests to score by.
            serde_json::json!({
                "instance_id": "psf__requests-2", "repo": "psf/requests", "base_commit": "def",
                "problem_statement": "x", "golden_patch": "diff", "gold_files": ["r.py"],
            }),
        ];
        let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
        std::fs::write(dir.path().join("lite.jsonl"), text).unwrap();
        let config: SweBench = toml::from_str(
            "data = \"lite.jsonl\"\nrepos = \"/mirror/{owner}+{name}\"\n[setup]\n\"psf/requests\" = \"pip install -e .\"\n[command]\n\"psf/requests\" = \"python3 -m pytest -rA\"\n",
        )
        .unwrap();
        let loaded = load(&config, dir.path()).unwrap();
        assert_eq!(loaded.skipped, [("psf__requests-2".to_string(), "no FAIL_TO_PASS tests".to_string())]);
        let [task] = loaded.tasks.as_slice() else { panic!("one task") };
        assert!(
            matches!(&task.repo, RepoSource::Git { git, commit } if git == "/mirror/psf+requests" && commit == "abc")
        );
        assert_eq!(task.check.command, "python3 -m pytest -rA tests/test_a.py");
        assert_eq!(task.check.fail_to_pass, ["tests/test_a.py::test_hooks"]);
        assert_eq!(task.check.pass_to_pass, ["tests/test_a.py::test_ok"]);
        assert_eq!(task.setup.as_deref(), Some("pip install -e ."));
        assert_eq!(task.ticket().unwrap(), "hooks take lists");
        assert_eq!(std::fs::read_to_string(task.dir.join("tests.patch")).unwrap(), test_patch);
        let bad = dir.path().join("bad.jsonl");
        std::fs::write(&bad, "{\"instance_id\": 1}\n").unwrap();
        let config = SweBench { data: bad, ..config };
        assert!(load(&config, dir.path()).unwrap_err().to_string().contains("bad.jsonl:1: not a SWE-bench instance"));
    }
}
