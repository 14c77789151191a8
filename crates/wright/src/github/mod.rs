//! `wright github`: the PR bot inside a GitHub Actions job. The event decides whether
//! to run and for whom; the run is an ordinary session on branch `wright/issue-N`; the
//! push and every REST call happen here, after the agent stops, with a token that no
//! command, prompt or event ever holds.

mod outcome;
mod progress;
mod repo_file;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use wright_agent::{EventKind, Redactor, Session, Verdict};
use wright_github::event::{self, Decision, Kind, Settings, Trigger};
use wright_github::report::{self, Progress};
use wright_github::rest::Client;
use wright_github::{MARKER, task};

use crate::cli::{GithubArgs, RunOptions, SandboxFlags};
use crate::config::Config;
use crate::exit::usage;
use crate::{run_cmd, runs};

/// Roles that may ask for a run.
const WRITERS: &[&str] = &["admin", "maintain", "write"];

#[allow(clippy::disallowed_methods)] // the event file the Actions runner names
pub fn run(args: GithubArgs) -> Result<i32> {
    let token = take_token();
    let text = std::fs::read_to_string(&args.event_path)
        .map_err(|e| usage(format!("GITHUB_EVENT_PATH {}: {e}", args.event_path.display())))?;
    let payload: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| usage(format!("GITHUB_EVENT_PATH {} is not JSON: {e}", args.event_path.display())))?;
    let default_branch =
        payload.pointer("/repository/default_branch").and_then(|b| b.as_str()).unwrap_or("main").to_string();
    let scratch = tempfile::tempdir().context("making a scratch directory")?;
    let (repo_file, notice) = repo_file::default_branch_config(&args.repo, &default_branch, scratch.path())?;
    let mut config = Config::load_untrusted(&args.repo, &repo_file, &args.model)?;
    config.bot_flags(&args);
    let configured = config.settings()?;
    if configured.sandbox.backend == wright_sandbox::Backend::None {
        return Err(usage("the PR bot runs every command in the sandbox; sandbox.backend = \"none\" is refused here"));
    }
    let github = configured.github;
    let settings =
        Settings { trigger_label: github.trigger_label, allowed_bots: github.allowed_bots, own_login: github.login };
    if settings.allowed_bots.iter().any(|b| b.contains('*')) {
        return Err(usage("github.allowed_bots lists logins; a wildcard would let any bot start (and pay for) runs"));
    }
    let trigger = match event::read(&args.event_name, &payload, &settings)? {
        Decision::Skip(why) => {
            println!("wright: nothing to do: {}", crate::visible::visible(&why.to_string()));
            return Ok(0);
        }
        Decision::Run(trigger) => *trigger,
    };
    // Strangers' text steers the bot's model: it goes only where the user said.
    if crate::local_model::wanted(&config) {
        return Err(usage(
            "the PR bot needs an explicit model endpoint: set OPENAI_API_KEY (and OPENAI_BASE_URL or --base-url for \
             another endpoint); it never looks for a model on the runner",
        ));
    }
    let token = token.ok_or_else(|| {
        usage("GITHUB_TOKEN is not set: give the action `github_token` (or `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`)")
    })?;
    // octocrab's client starts a task of its own: it is built on the runtime.
    run_cmd::runtime()?.block_on(async move { Bot::new(trigger, token, config, args, notice)?.run().await })
}

/// The runner's temporary directory, hidden from commands: actions/checkout may keep
/// credentials there, outside `$HOME` on self-hosted runners. Not when the checkout is in it.
fn runner_temp(repo: &std::path::Path) -> Vec<std::path::PathBuf> {
    let Some(temp) = std::env::var_os("RUNNER_TEMP").map(std::path::PathBuf::from) else { return Vec::new() };
    let inside = |dir: &std::path::Path| std::fs::canonicalize(dir).ok();
    match (inside(repo), inside(&temp)) {
        (Some(repo), Some(temp)) if !repo.starts_with(&temp) => vec![temp],
        _ => Vec::new(),
    }
}

/// `issue-N`, or `issue-N-2` and on when the remote already has `wright/issue-N` (an
/// earlier run's): a push there would be refused, never forced.
fn free_slug(repo: &std::path::Path, number: u64) -> String {
    let git = git2::Repository::discover(repo).ok();
    let taken = |slug: &str| {
        git.as_ref().is_some_and(|git| {
            ["refs/remotes/origin/wright/", "refs/heads/wright/"]
                .iter()
                .any(|prefix| git.find_reference(&format!("{prefix}{slug}")).is_ok())
        })
    };
    let first = format!("issue-{number}");
    (1..100).map(|n| if n == 1 { first.clone() } else { format!("{first}-{n}") }).find(|s| !taken(s)).unwrap_or(first)
}

/// The token, taken out of the environment before any thread or command starts, so
/// that nothing wright starts can inherit it.
fn take_token() -> Option<String> {
    let token =
        ["GITHUB_TOKEN", "GH_TOKEN"].iter().find_map(|v| std::env::var(v).ok()).filter(|t| !t.trim().is_empty());
    for var in ["GITHUB_TOKEN", "GH_TOKEN", "INPUT_GITHUB_TOKEN"] {
        // SAFETY: `wright github` calls this first, before its runtime or any other
        // thread exists, so nothing reads the environment meanwhile.
        unsafe { std::env::remove_var(var) };
    }
    token
}

/// One triggered run, from the permission check to the last edit of the comment.
struct Bot {
    trigger: Trigger,
    token: String,
    config: Option<Config>,
    args: GithubArgs,
    notice: Option<String>,
    client: Arc<Client>,
    redactor: Redactor,
    /// Path prefixes the run may not change: `.github/` unless workflow changes are on.
    protected: Vec<String>,
    run_url: Option<String>,
    push_url: String,
    /// `GITHUB_SERVER_URL`: the only host the token is pushed to.
    server: String,
}

impl Bot {
    fn new(trigger: Trigger, token: String, config: Config, args: GithubArgs, notice: Option<String>) -> Result<Bot> {
        let env =
            |name: &str, default: &str| std::env::var(name).ok().filter(|v| !v.is_empty()).unwrap_or(default.into());
        let api = env("GITHUB_API_URL", "https://api.github.com");
        let server = env("GITHUB_SERVER_URL", "https://github.com");
        let repository = env("GITHUB_REPOSITORY", &format!("{}/{}", trigger.repo.owner, trigger.repo.name));
        let run_url = std::env::var("GITHUB_RUN_ID").ok().map(|id| format!("{server}/{repository}/actions/runs/{id}"));
        let client = Arc::new(Client::new(&api, &token, &trigger.repo.owner, &trigger.repo.name)?);
        let mut secrets = wright_sandbox::secret_values();
        secrets.push(("GITHUB_TOKEN".into(), token.clone()));
        Ok(Bot {
            protected: if config.settings()?.github.allow_workflow_changes {
                Vec::new()
            } else {
                vec![".github/".into()]
            },
            trigger,
            token,
            config: Some(config),
            args,
            notice,
            client,
            redactor: Redactor::new(secrets),
            run_url,
            push_url: format!("{}/{repository}.git", server.trim_end_matches('/')),
            server,
        })
    }

    async fn run(mut self) -> Result<i32> {
        let login = self.trigger.actor.login.clone();
        // A bot the user listed in allowed_bots is let in by that listing: apps are not
        // collaborators, so the permission API has no role for them.
        let role = if self.trigger.actor.account != "User" {
            "listed in allowed_bots".to_string()
        } else {
            self.client.permission(&login).await.unwrap_or_else(|e| {
                eprintln!(
                    "wright: could not read {}'s permission ({e}); treating it as none",
                    crate::visible::visible(&login)
                );
                "none".into()
            })
        };
        if self.trigger.actor.account == "User" && !WRITERS.contains(&role.as_str()) {
            let (login, role) = (crate::visible::visible(&login), crate::visible::visible(&role));
            println!(
                "wright: refused: {login} has `{role}` access; wright runs only for collaborators with write access"
            );
            if self.trigger.kind == Kind::Command {
                let note =
                    format!("{MARKER}\nwright runs only for collaborators with write access; the request was not run.");
                self.client.comment(self.trigger.number, &note).await?;
            }
            return Ok(0);
        }
        if let Err(e) = self.client.react(self.trigger.number, self.trigger.comment_id).await {
            eprintln!("wright: could not react to the trigger: {e}");
        }
        let progress = Progress { run_url: self.run_url.clone(), ..Progress::default() };
        let comment = self.client.comment(self.trigger.number, &self.redactor.text(&progress.render())).await?.id;
        match self.work(comment, progress).await {
            Ok(code) => Ok(code),
            Err(e) => {
                let failed =
                    Progress { run_url: self.run_url.clone(), failure: Some(format!("{e:#}")), ..Progress::default() };
                self.edit(comment, &failed).await;
                Err(e)
            }
        }
    }

    /// The run and what follows it; an error here is posted as the failure.
    async fn work(&mut self, comment: u64, progress: Progress) -> Result<i32> {
        let number = self.trigger.number;
        let issue = match &self.trigger.issue {
            Some(issue) => issue.clone(),
            None => self.dispatched_issue().await?,
        };
        let comments = self.client.comments(number).await.unwrap_or_else(|e| {
            eprintln!("wright: could not read the issue's comments ({e}); going on without them");
            Vec::new()
        });
        let task = task::build(&self.trigger, &issue, &comments);
        let config = self.config.take().context("the bot runs once")?;
        let mut prepared = run_cmd::prepare_from(config, &self.args.repo, &self.options())?;
        // Strangers' text steers this run: only the MCP tools the user listed are offered.
        let tools = prepared.toolbox(wright_mcp::Offer::EnabledOnly);
        run_cmd::preflight(&prepared.session.base_url).await?;
        let budgets = prepared.session.budgets.clone();
        let run_id = crate::dirs::new_run_id();
        let run_dir = runs::runs_root().join(&run_id);
        let _lock = runs::lock(&run_dir)?;
        let (sink, received) = progress::channel();
        let redactor = prepared.redactor(self.redactor.clone());
        let mut events = run_cmd::events(&run_id, &run_dir, self.args.json, 0, redactor)?;
        events.add_sink(Box::new(sink));
        let (mut session, llm) = prepared.session_config(task, run_id, self.args.repo.clone(), &run_dir).await;
        session.branch_slug = Some(free_slug(&self.args.repo, number));
        session.protected_paths = self.protected.clone();
        session.notices.extend(self.notice.take());
        let follower =
            tokio::spawn(progress::follow(self.client.clone(), comment, progress, received, self.redactor.clone()));
        let interrupt = run_cmd::interrupt_on_signals()?;
        let report = Session::start(session, tools, llm, events).await?.run(interrupt).await;
        let mut progress = follower.await.context("following the run")?;
        progress.outcome = outcome::of(&report.finished.kind, &budgets);
        // A failed push or pull request keeps the run's result in the comment.
        let code = match self.deliver(&report.finished.kind, &progress, &issue.title).await {
            Ok(pull) => {
                progress.pull = pull;
                report.exit_code
            }
            Err(e) => {
                eprintln!("error: {}", crate::visible::visible(&format!("{e:#}")));
                progress.failure = Some(format!("{e:#}"));
                crate::exit::ERROR
            }
        };
        self.edit(comment, &progress).await;
        Ok(code)
    }

    /// A dispatch's issue, fetched, as it was when the dispatch was made: the run's own
    /// creation time is the trigger's, and an issue edited since is not worked from.
    async fn dispatched_issue(&mut self) -> Result<wright_github::event::Issue> {
        if let Ok(id) = std::env::var("GITHUB_RUN_ID") {
            self.trigger.at = self.client.run_created(&id).await?;
        }
        let issue = self.client.issue(self.trigger.number).await?;
        if task::after(&issue.updated_at, &self.trigger.at) {
            anyhow::bail!(
                "issue #{} was edited at {}, after the dispatch at {}; dispatch again to work from its text as it is now",
                self.trigger.number,
                issue.updated_at,
                self.trigger.at
            );
        }
        Ok(issue)
    }

    /// Pushes the branch and opens the draft pull request; returns what the comment says
    /// of it.
    async fn deliver(&self, finished: &EventKind, progress: &Progress, title: &str) -> Result<Option<String>> {
        let EventKind::RunFinished { verdict, verdict_reason: reason, branch, commits, files_changed: files, .. } =
            finished
        else {
            anyhow::bail!("the run ended without its summary");
        };
        if commits.is_empty() {
            return Ok(Some("No pull request: the run changed nothing.".into()));
        }
        // The tools and the commits keep out of protected paths; the push checks again.
        if let Some(file) = files.iter().find(|f| wright_git::protected_by(&self.protected, f).is_some()) {
            return Ok(Some(format!(
                "Not pushed: the branch changes {file}, and workflow changes are off (github.allow_workflow_changes)."
            )));
        }
        let root = crate::config::repo_root(&self.args.repo);
        let (url, token, name, server) =
            (self.push_url.clone(), self.token.clone(), branch.to_string(), self.server.clone());
        tokio::task::spawn_blocking(move || {
            wright_git::push_to_url(&root, &name, &url, &token, &server, Duration::from_secs(120))
        })
        .await
        .context("pushing")?
        .map_err(|e| anyhow::anyhow!("pushing {branch}: {e}"))?;
        let number = self.trigger.number;
        let asked = if self.trigger.request.trim().is_empty() { title } else { self.trigger.request.as_str() };
        let asked = wright_github::text::visible(asked);
        let title = report::pull_title(asked.lines().next().unwrap_or_default(), number);
        let body = self.redactor.text(&report::pull_body(progress, number));
        let pull = self
            .client
            .draft_pull(&self.redactor.text(&title), branch, &self.trigger.repo.default_branch, &body)
            .await?;
        let link = pull.html_url.unwrap_or_default();
        let number = pull.number.map(|n| format!("#{n}")).unwrap_or_default();
        let mut said = format!("Draft pull request {number} {link} from `{branch}`.");
        if *verdict != Verdict::Fixed {
            said.push_str(&format!(
                " It stays a draft: the verdict is `{}`, not `fixed` ({}).",
                verdict.as_str(),
                report::one_line(reason)
            ));
        }
        Ok(Some(said))
    }

    /// The comment's last edit; when GitHub refuses it, the result goes in a new comment
    /// rather than being lost.
    async fn edit(&self, comment: u64, progress: &Progress) {
        let body = self.redactor.text(&progress.render());
        if let Err(e) = self.client.edit_comment(comment, &body).await {
            eprintln!("wright: could not update the progress comment ({e}); posting the result anew");
            if let Err(e) = self.client.comment(self.trigger.number, &body).await {
                eprintln!("wright: could not post the result either: {e}");
            }
        }
    }

    /// The run's options: the action's inputs, never `--trust-repo-config`.
    fn options(&self) -> RunOptions {
        let a = &self.args;
        RunOptions {
            model: a.model.clone(),
            budgets: a.budgets.clone(),
            test_command: a.test_command.clone(),
            sandbox: SandboxFlags { memory: a.memory, hide: runner_temp(&a.repo), ..SandboxFlags::default() },
            no_baseline: false,
            trust_repo_config: false,
            json: a.json,
            no_mcp: false,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_branch_the_remote_has_is_not_taken_again() {
        let dir = tempfile::tempdir().unwrap();
        let git = git2::Repository::init(dir.path()).unwrap();
        let sig = git2::Signature::now("T", "t@example.com").unwrap();
        let tree = git.find_tree(git.index().unwrap().write_tree().unwrap()).unwrap();
        let head = git.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[]).unwrap();
        assert_eq!(super::free_slug(dir.path(), 7), "issue-7");
        git.reference("refs/remotes/origin/wright/issue-7", head, false, "an earlier run").unwrap();
        assert_eq!(super::free_slug(dir.path(), 7), "issue-7-2");
    }
}
