//! `wright eval validate`: a task counts only when its check tells a fix from no fix. The
//! reference fix must pass the check twice, and the base as it is (a no-op) fail it twice.

use std::path::Path;
use std::time::Duration;

use serde::Serialize;
use wright_testing::Limits;

use crate::EvalError;
use crate::suite::tree::git;
use crate::suite::{Task, fresh_tree, run_check, set_up};

/// One task's validation.
#[derive(Debug, Clone, Serialize)]
pub struct Validation {
    pub id: String,
    pub language: String,
    pub valid: bool,
    /// What each trial gave: the fix twice, then the no-op twice.
    pub trials: Vec<(String, bool, String)>,
    pub seconds: f64,
}

/// Validates `task` in fresh trees under `work`.
pub fn validate(task: &Task, work: &Path, limits: &Limits) -> Result<Validation, EvalError> {
    let started = std::time::Instant::now();
    let timeout = task.check_timeout();
    let mut trials = Vec::new();
    for (n, with_fix) in [(1, true), (2, true), (1, false), (2, false)] {
        let label = if with_fix { format!("fix #{n}") } else { format!("no-op #{n}") };
        let tree = work.join(format!("{}-{}", task.id, label.replace([' ', '#'], "")));
        let outcome = trial(task, &tree, with_fix, timeout, limits);
        let _ = std::fs::remove_dir_all(&tree);
        let (passed, why) = match outcome {
            Ok(check) if !with_fix => no_op_verdict(task, &check),
            Ok(check) => (check.passed, check.why),
            Err(e) => (false, e.to_string()),
        };
        trials.push((label, passed, why));
    }
    let valid = trials.iter().all(|(label, passed, _)| *passed == label.starts_with("fix"));
    Ok(Validation {
        id: task.id.clone(),
        language: task.language.clone(),
        valid,
        trials,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn trial(
    task: &Task,
    tree: &Path,
    with_fix: bool,
    timeout: Duration,
    limits: &Limits,
) -> Result<crate::suite::CheckResult, EvalError> {
    let base = fresh_tree(task, tree)?;
    set_up(task, tree, limits)?;
    if with_fix {
        let fix = task.dir.join(&task.fix);
        git(tree, &["apply", "--whitespace=nowarn", &fix.to_string_lossy()])?;
    }
    run_check(task, tree, &base, timeout, limits)
}

/// At the base, every fail-to-pass test must fail (else it shows no fix) and every
/// pass-to-pass test must pass (else it guards nothing); "passed" means the no-op got by.
fn no_op_verdict(task: &Task, check: &crate::suite::CheckResult) -> (bool, String) {
    use wright_testing::Outcome;
    let at = |t: &String| check.run.tests.get(t).copied();
    let passing: Vec<&str> =
        task.check.fail_to_pass.iter().filter(|t| at(t) == Some(Outcome::Passed)).map(String::as_str).collect();
    let broken: Vec<&str> =
        task.check.pass_to_pass.iter().filter(|t| at(t) != Some(Outcome::Passed)).map(String::as_str).collect();
    match (passing.is_empty(), broken.is_empty()) {
        (true, true) => (false, check.why.clone()),
        (false, _) => (true, format!("fail-to-pass tests pass without the fix: {}", passing.join(", "))),
        (true, false) => (true, format!("pass-to-pass tests do not pass at the base: {}", broken.join(", "))),
    }
}

/// The validation table: one row a task, then the count.
pub fn table(rows: &[Validation]) -> String {
    let mut out = String::from("task                           lang        valid  fix      no-op    s\n");
    for r in rows {
        let mark = |prefix: &str| {
            r.trials
                .iter()
                .filter(|(l, _, _)| l.starts_with(prefix))
                .map(|(_, p, _)| if *p { "P" } else { "F" })
                .collect::<String>()
        };
        out.push_str(&format!(
            "{:<30} {:<11} {:<6} {:<8} {:<8} {:.1}\n",
            r.id,
            r.language,
            if r.valid { "yes" } else { "NO" },
            mark("fix"),
            mark("no-op"),
            r.seconds
        ));
        if !r.valid {
            for (label, passed, why) in &r.trials {
                if *passed != label.starts_with("fix") {
                    out.push_str(&format!("    {label}: {why}\n"));
                }
            }
        }
    }
    let valid = rows.iter().filter(|r| r.valid).count();
    out.push_str(&format!("{valid} of {} tasks validate (a fix passes twice, a no-op fails twice)\n", rows.len()));
    out
}
