//! `wright undo`, `wright clean`, `wright push`: acting on a run's branch and worktree.

use anyhow::Result;
use serde_json::json;

use crate::cli::{CleanArgs, PushArgs, UndoArgs};
use crate::exit::usage;
use crate::runs;

pub fn undo(args: UndoArgs) -> Result<i32> {
    let run = runs::find(&args.run)?;
    if run.status == "running" {
        return Err(usage(format!("run {} is still running; undo its commits once it has stopped", run.id)));
    }
    let _lock = runs::lock(&run.dir)?;
    let worktree = run.worktree.is_dir().then_some(run.worktree.as_path());
    let dropped = wright_git::undo(&run.repo, &run.branch, &run.base, worktree, args.commits).map_err(refusal)?;
    if args.json {
        println!("{}", json!({"run": run.id, "branch": run.branch, "dropped": dropped}));
    } else {
        for sha in &dropped {
            println!("dropped {}", &sha[..sha.len().min(10)]);
        }
        println!("{} now has {} fewer commit(s)", run.branch, dropped.len());
    }
    Ok(0)
}

pub fn clean(args: CleanArgs) -> Result<i32> {
    let mut removed = Vec::new();
    for run in runs::list().into_iter().filter(|r| r.status == "finished" && r.worktree.is_dir()) {
        // A run that another process took over since listing is left alone.
        let Ok(_lock) = runs::lock(&run.dir) else { continue };
        wright_git::remove_worktree(&run.repo, &run.worktree)?;
        removed.push(json!({"run": run.id, "worktree": run.worktree, "branch": run.branch}));
        if !args.json {
            println!("removed {} (branch {} kept)", run.worktree.display(), run.branch);
        }
    }
    // `--all`: every index but the views of runs that may resume (they are rebuilt when needed).
    let cap = if args.all {
        0
    } else {
        // wright's own folder: no repository's wright.toml is read.
        let config = crate::config::Config::load(&crate::dirs::cache_dir(), &Default::default(), false)?;
        crate::index_cache::cap(&config.settings()?)
    };
    let pruned = crate::index_cache::prune(cap, None)?;
    if args.json {
        println!("{}", json!({"removed": removed, "index_cache": pruned}));
        return Ok(0);
    }
    if removed.is_empty() {
        println!("no finished run has a worktree left");
    }
    for r in &pruned.removed {
        println!("removed {} ({})", r.path.display(), r.why);
    }
    println!("{}", crate::index_cache::summary(&pruned));
    Ok(0)
}

pub fn push(args: PushArgs) -> Result<i32> {
    let run = runs::find(&args.run)?;
    let git = crate::config::Config::load(&run.repo, &Default::default(), false)?.settings()?.git;
    let timeout = std::time::Duration::from_secs(git.timeout_secs);
    // Where WRIGHT_GIT_TOKEN may go: the user's own config says (a repository's never does).
    let token_hosts = wright_git::TokenHosts::parse(&git.token_hosts).map_err(refusal)?;
    let report = wright_git::push(&run.repo, &run.branch, &args.remote, &token_hosts, timeout).map_err(refusal)?;
    if args.json {
        println!("{}", json!({"run": run.id, "pushed": report}));
    } else {
        println!("pushed {} at {} to {} ({})", report.branch, &report.sha[..10], report.remote, report.url);
    }
    Ok(0)
}

/// Refusals the user can act on are usage errors (exit 2); git failures stay errors (1).
fn refusal(e: wright_git::GitError) -> anyhow::Error {
    match e {
        wright_git::GitError::Refused(_) | wright_git::GitError::Moved(_) => usage(e.to_string()),
        other => other.into(),
    }
}
