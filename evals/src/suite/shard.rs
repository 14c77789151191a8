//! Past one machine: the selected tasks split into shards (every agent of a task in the
//! same shard), a plan that starts one worker per shard (a GitHub Actions matrix or a
//! Kubernetes Indexed Job), and the shards' results merged into one.

use std::path::Path;

use serde_json::{Value, json};

use crate::EvalError;
use crate::suite::shell::word;
use crate::suite::{Row, Task, read_rows};

/// `I/N`: the I-th of N shards, from 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub fn parse(spec: &str) -> Result<Shard, EvalError> {
        let bad = || EvalError::Io(format!("--shard `{spec}`: write INDEX/COUNT with 0 <= INDEX < COUNT, e.g. 0/4"));
        let (i, n) = spec.split_once('/').ok_or_else(bad)?;
        let (index, count) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// This shard's tasks: every `count`-th, from position `index`.
    pub fn pick<'a>(&self, tasks: Vec<&'a Task>) -> Vec<&'a Task> {
        tasks.into_iter().enumerate().filter(|(i, _)| i % self.count == self.index).map(|(_, t)| t).collect()
    }
}

/// How the workers are started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFormat {
    GithubMatrix,
    K8s,
}

/// What every worker runs, but the shard and its output folder.
#[derive(Debug, Clone)]
pub struct Plan {
    pub shards: usize,
    /// `wright eval run` and its arguments (suite, tasks, agents, model), shell-quoted.
    pub command: String,
    /// Where each worker writes (`{index}` is filled in).
    pub out: String,
    /// The container image (Kubernetes).
    pub image: String,
}

impl Plan {
    /// `index` is shell text (a number, or `"$JOB_COMPLETION_INDEX"`); the rest is quoted.
    fn worker(&self, index: &str) -> String {
        let out: Vec<String> =
            self.out.split("{index}").map(|piece| if piece.is_empty() { String::new() } else { word(piece) }).collect();
        format!("{} --shard {index}/{} --out {}", self.command, self.shards, out.join(index))
    }

    pub fn render(&self, format: PlanFormat) -> Value {
        match format {
            PlanFormat::GithubMatrix => json!({
                "include": (0..self.shards)
                    .map(|i| json!({ "shard": format!("{i}/{}", self.shards), "command": self.worker(&i.to_string()) }))
                    .collect::<Vec<_>>()
            }),
            // An Indexed Job: Kubernetes gives each pod its index in JOB_COMPLETION_INDEX.
            PlanFormat::K8s => json!({
                "apiVersion": "batch/v1",
                "kind": "Job",
                "metadata": { "name": "wright-eval" },
                "spec": {
                    "completionMode": "Indexed",
                    "completions": self.shards,
                    "parallelism": self.shards,
                    "backoffLimit": 0,
                    "template": { "spec": {
                        "restartPolicy": "Never",
                        "containers": [{
                            "name": "wright-eval",
                            "image": self.image,
                            "command": ["sh", "-c", self.worker("\"$JOB_COMPLETION_INDEX\"")],
                        }],
                    }},
                },
            }),
        }
    }
}

/// Every shard's rows in one list; where two shards hold the same task, agent and model
/// (a shard run twice), the later folder's row wins.
pub fn merge(shards: &[&Path]) -> Result<Vec<Row>, EvalError> {
    let mut rows: Vec<Row> = Vec::new();
    for dir in shards {
        let file = dir.join("results.jsonl");
        if !file.is_file() {
            return Err(EvalError::Io(format!("{} has no results.jsonl", dir.display())));
        }
        for row in read_rows(&file) {
            rows.retain(|r| (&r.task, &r.agent, &r.model) != (&row.task, &row.agent, &row.model));
            rows.push(row);
        }
    }
    rows.sort_by(|a, b| (&a.agent, &a.task).cmp(&(&b.agent, &b.task)));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_parse_and_split_the_tasks_between_them() {
        assert_eq!(Shard::parse("1/3").unwrap(), Shard { index: 1, count: 3 });
        for bad in ["3/3", "1", "a/2", "0/0"] {
            assert!(Shard::parse(bad).unwrap_err().to_string().contains("INDEX/COUNT"), "{bad}");
        }
        let plan = Plan {
            shards: 2,
            command: "wright eval run --suite s --agent wright".into(),
            out: "results/shard-{index}".into(),
            image: "img".into(),
        };
        let matrix = plan.render(PlanFormat::GithubMatrix);
        assert_eq!(matrix["include"][1]["shard"], "1/2");
        assert_eq!(
            matrix["include"][1]["command"],
            "wright eval run --suite s --agent wright --shard 1/2 --out results/shard-1"
        );
        let job = plan.render(PlanFormat::K8s);
        assert_eq!(
            (job["spec"]["completionMode"].as_str(), job["spec"]["completions"].as_u64()),
            (Some("Indexed"), Some(2))
        );
        let script = job["spec"]["template"]["spec"]["containers"][0]["command"][2].as_str().unwrap();
        assert!(
            script.ends_with("--shard \"$JOB_COMPLETION_INDEX\"/2 --out results/shard-\"$JOB_COMPLETION_INDEX\""),
            "{script}"
        );
        let odd = Plan { out: "my results/$(x)-{index}".into(), ..plan };
        assert_eq!(odd.worker("3"), "wright eval run --suite s --agent wright --shard 3/2 --out 'my results/$(x)-'3");
    }
}
