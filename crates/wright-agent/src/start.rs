//! Setting a run up: a new one (branch, worktree, the first prompt) or one taken over from
//! its transcript; both end in the parts the loop works with.

use std::path::Path;

use wright_git::{TaskWorkspace, slugify};
use wright_llm::{LlmClient, Message, Usage};
use wright_tools::{IndexHandle, ToolContext, Toolbox};

use crate::committing::Committer;
use crate::context_keeper::ContextKeeper;
use crate::conversation::Conversation;
use crate::dispatch::Dispatcher;
use crate::model::Model;
use crate::parts::Parts;
use crate::profile::EditFormat;
use crate::prompt::{PromptFacts, Style, root_listing, system_prompt};
use crate::resumed::Resumed;
use crate::session::Session;
use crate::test_runs::TestRunner;
use crate::transcript::{Record, TRANSCRIPT_VERSION, Transcript};
use crate::verdict::test_limits;
use crate::{AgentError, EventKind, Events, SessionConfig};

impl Session {
    /// Creates the task branch and worktree and announces the run; `tools` are the tools
    /// the model is offered.
    pub async fn start(
        config: SessionConfig,
        tools: Toolbox,
        llm: LlmClient,
        events: Events,
    ) -> Result<Self, AgentError> {
        let slug = match &config.branch_slug {
            Some(slug) => slugify(slug),
            None => slugify(config.task.lines().next().unwrap_or("task")),
        };
        let c = config.clone();
        let (workspace, submodules, dirty) = blocking(move || {
            if let Some(parent) = c.worktree.parent() {
                #[allow(clippy::disallowed_methods)] // the run's directory under wright's data
                std::fs::create_dir_all(parent)?;
            }
            let mut workspace =
                TaskWorkspace::create_from(&c.workdir, &slug, &c.run_id, &c.worktree, c.base.as_deref())?;
            workspace.identity = c.identity.clone();
            workspace.protected = c.protected_paths.clone();
            let submodules = workspace.check_out_submodules()?;
            let dirty = if c.include_dirty { workspace.copy_dirty_from_checkout()? } else { Default::default() };
            Ok((workspace, submodules, dirty))
        })
        .await?;
        let mut parts = assemble(config, tools, llm, events, workspace).await?;
        for module in &submodules {
            if let Some(why) = &module.missing {
                parts.events.emit(EventKind::Notice { message: format!("submodule {}: {why}", module.path) });
            }
        }
        if !dirty.skipped_lfs.is_empty() {
            parts.events.emit(EventKind::Notice {
                message: format!(
                    "--include-dirty left out files tracked by Git LFS (wright cannot store their content): {}",
                    dirty.skipped_lfs.join(", ")
                ),
            });
        }
        if !dirty.copied.is_empty() {
            parts.committer.commit_users_work(&dirty.copied, &mut parts.events).await?;
        }
        let root = parts.committer.workspace().worktree.clone();
        let repo_root = canonical(&parts.committer.workspace().repo_root);
        let workdir = canonical(&parts.config.workdir);
        let agents = crate::agents_md(&repo_root, &workdir);
        let rel_workdir =
            workdir.strip_prefix(&repo_root).ok().map(|p| p.to_string_lossy().into_owned()).filter(|p| !p.is_empty());
        let system = system_prompt(&PromptFacts {
            root_listing: root_listing(&root),
            workdir: rel_workdir,
            test_command: parts.tests.command(),
            agents: &agents,
            repository_notes: repository_notes(&submodules, &root),
            profile: parts.config.prompt_profile,
        });
        let mut task = crate::quote::quote("task", &parts.config.task);
        let budget = parts.config.prompt_profile.briefing_tokens(parts.config.briefing_tokens);
        if let Some(briefing) = parts.dispatcher.brief(&parts.config.task, budget).await {
            task.push_str("\n\n");
            task.push_str(&briefing);
        }
        parts.model.set_system_prompt(&system);
        let system = parts.model.system_prompt().to_string();
        record_prompt(&mut parts);
        parts.conversation.remember(Message::System { content: system }, &mut parts.events);
        parts.conversation.remember(Message::User { content: task }, &mut parts.events);
        Ok(Session::new(parts))
    }

    /// Takes over a run that was killed or stopped: the same worktree and branch, the
    /// conversation, plan and budgets spent from its transcript. Whatever was not committed
    /// is discarded (and the model told so), as is a patch that was half applied.
    pub async fn resume(
        mut config: SessionConfig,
        tools: Toolbox,
        llm: LlmClient,
        events: Events,
        mut workspace: TaskWorkspace,
        mut earlier: Resumed,
    ) -> Result<Self, AgentError> {
        workspace.identity = config.identity.clone();
        workspace.protected = config.protected_paths.clone();
        let ws = workspace.clone();
        let (restored, discarded, commits) = blocking(move || {
            let restored = wright_tools::recover_interrupted_patch(&ws.worktree)
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            let discarded = ws.discard_uncommitted()?;
            Ok((restored, discarded, ws.commits().unwrap_or_default()))
        })
        .await?;
        let answered = earlier.answer_dangling_calls();
        // The run goes on with the prompt it had, whatever the endpoint says now: as its
        // transcript recorded it, or for one of version 1, as its first words tell.
        let system = match earlier.messages.first() {
            Some(Message::System { content }) => Some(content.clone()),
            _ => None,
        };
        // A transcript from before attempts is one attempt, begun at the first turn.
        let mut attempts = std::mem::take(&mut earlier.attempts);
        if attempts.current == 0 {
            let first_turn = earlier.messages.iter().position(|m| matches!(m, Message::Assistant { .. }));
            attempts.current = 1;
            attempts.keep = first_turn.unwrap_or(earlier.messages.len());
            attempts.from = Some(workspace.base.clone());
        }
        let conversation = earlier.take_conversation();
        match (earlier.prompt, &system) {
            (Some(recorded), _) => config.prompt_profile = recorded.profile,
            (None, Some(content)) => config.prompt_profile = crate::legacy::profile_of_prompt(content),
            (None, None) => {}
        }
        let mut parts = assemble(config, tools, llm, events, workspace).await?;
        if earlier.prompt.is_none() {
            parts.events.emit(EventKind::Notice {
                message: format!(
                    "the transcript is of version {} (before version {TRANSCRIPT_VERSION}): its prompt profile, tool format and text results are read from the messages' wording",
                    earlier.version
                ),
            });
        }
        parts.steps = earlier.steps;
        parts.usage = earlier.usage;
        // A damaged transcript may hold any float; `from_secs_f64` would panic on it.
        parts.spent_before = std::time::Duration::try_from_secs_f64(earlier.seconds).unwrap_or_default();
        parts.plan = earlier.plan;
        parts.baseline = earlier.baseline;
        // The command the earlier process settled on at the base, not the first detected.
        if let Some(command) = parts.baseline.as_ref().map(|b| b.command.clone()) {
            parts.tests.adopt(&command);
            parts.dispatcher.set_test_command(parts.tests.command().map(str::to_string));
        }
        if let Some(content) = &system {
            parts.model.resume_system_prompt(content, earlier.prompt.map(|p| p.tool_format));
        }
        for (at, message) in &answered {
            let record = Record::Answered { at: *at, message: message.clone() };
            parts.conversation.record(&record, false, &mut parts.events);
        }
        parts.conversation.restore(conversation, earlier.rewrites);
        record_prompt(&mut parts);
        let mut note = String::from("[wright: this run was stopped and has been resumed.");
        if !discarded.is_empty() || !restored.is_empty() {
            let mut files = discarded;
            files.extend(restored);
            files.sort();
            files.dedup();
            note.push_str(&format!(
                " Changes that were not committed when it stopped were discarded, in: {}. Redo them if they are still needed.",
                files.join(", ")
            ));
        }
        if !answered.is_empty() {
            note.push_str(&format!(" {} tool call(s) had no recorded result.", answered.len()));
        }
        if commits.is_empty() {
            note.push_str(" The branch has no commits yet.");
        } else {
            let list: Vec<String> = commits.iter().map(|c| format!("{} ({})", c.subject, c.files.join(", "))).collect();
            note.push_str(&format!(" The branch keeps its commits: {}.", list.join("; ")));
        }
        note.push_str(" Continue the task from where you left off.]");
        parts.events.emit(EventKind::Notice {
            message: format!(
                "resumed after {} steps and {} tokens; {}",
                parts.steps,
                parts.usage.total_tokens,
                note.trim_start_matches("[wright: ").trim_end_matches(']')
            ),
        });
        // The rebuilt conversation is in the transcript already; only the note is new.
        parts.conversation.remember(Message::User { content: note }, &mut parts.events);
        parts.model.sample_attempt(attempts.current, parts.config.attempt_temperature);
        let mut session = Session::new(parts);
        session.attempts = attempts;
        Ok(session)
    }
}

/// Records the profile and the form the run's tools are in, as this process starts it.
fn record_prompt(parts: &mut Parts) {
    let record = Record::Prompt { profile: parts.config.prompt_profile, tool_format: parts.model.format() };
    parts.conversation.record(&record, false, &mut parts.events);
}

/// The parts a new and a resumed run share; announces the run.
async fn assemble(
    mut config: SessionConfig,
    mut tools: Toolbox,
    llm: LlmClient,
    mut events: Events,
    workspace: TaskWorkspace,
) -> Result<Parts, AgentError> {
    let root = workspace.worktree.clone();
    // Every command of the run sees the git dirs git2 knows, not what `.git` says.
    config.run_limits.isolation.git_dirs = workspace.git_dirs();
    let limits = test_limits(&config.run_limits);
    let (test_command, test_command_reason, candidates) = match &config.test_command {
        Some(command) => (Some(command.clone()), Some("configured (test_command or --test-command)".to_string()), None),
        None => {
            let (root, limits) = (root.clone(), limits.clone());
            match blocking(move || Ok(wright_testing::detect(&root, &limits))).await? {
                Some(found) => (Some(found.first.command.clone()), Some(detected_reason(&found)), Some(found)),
                None => (None, None, None),
            }
        }
    };
    let repo_root = canonical(&workspace.repo_root);
    events.emit(EventKind::RunStarted {
        task: config.task.clone(),
        repo: repo_root.display().to_string(),
        worktree: root.display().to_string(),
        branch: workspace.branch.clone(),
        base: workspace.base.clone(),
        model: llm.model().to_string(),
        base_url: config.base_url.clone(),
        streaming: llm.is_streaming(),
        tool_format: config.tool_format.as_str().to_string(),
        prompt_profile: config.prompt_profile.as_str().to_string(),
        sandbox: config.run_limits.isolation.describe(),
        test_command: test_command.clone(),
        test_command_reason,
    });
    for message in &config.notices {
        events.emit(EventKind::Notice { message: message.clone() });
    }
    let transcript = match Transcript::open(&config.transcript) {
        Ok(t) => Some(t),
        Err(e) => {
            events.emit(EventKind::Notice {
                message: format!(
                    "cannot write the transcript {} ({e}); this run cannot be resumed",
                    config.transcript.display()
                ),
            });
            None
        }
    };
    let index = IndexHandle::new(
        root.clone(),
        wright_index::location::view_dir(&config.cache_dir, &repo_root, &config.run_id),
        Some((repo_root.clone(), wright_index::location::base_dir(&config.cache_dir, &repo_root))),
    );
    index.warm();
    let tool_ctx =
        ToolContext { root: root.clone(), workspace: Some(workspace.clone()), index, run: config.run_limits.clone() };
    // Tools started in the worktree (the user's MCP servers) join now that it exists.
    for message in tools.open_sources(&tool_ctx).await {
        events.emit(EventKind::Notice { message });
    }
    // A client of its own, without streaming: nobody watches a commit message arrive,
    // and a failure there must not change how the run talks to its model.
    let commit_llm = match &config.commit_messages {
        crate::CommitMessages::Model(model) => Some(llm.with_model(model.as_deref().unwrap_or(llm.model()), false)?),
        crate::CommitMessages::Derived => None,
    };
    // Summaries too are not watched as they arrive.
    let summarizer = llm.with_model(config.context.compact_model.as_deref().unwrap_or(llm.model()), false)?;
    let dispatcher = Dispatcher::new(tools, tool_ctx, test_command.clone());
    let style = Style { profile: config.prompt_profile, edits: EditFormat::for_model(llm.model()) };
    let model = Model::new(llm, dispatcher.tools(), config.tool_format, &config.task, style, test_command.clone());
    Ok(Parts {
        committer: Committer::new(workspace, commit_llm, config.run_id.clone(), config.task.clone()),
        conversation: Conversation::new(transcript, config.tool_output_limit),
        context: ContextKeeper::new(config.context.clone(), Some(summarizer)),
        tests: TestRunner::new(test_command, candidates, root, limits),
        dispatcher,
        model,
        events,
        plan: Vec::new(),
        baseline: None,
        steps: 0,
        usage: Usage::default(),
        spent_before: std::time::Duration::ZERO,
        config,
    })
}

/// Why the detected command was chosen, and what the first run tries when it runs no test.
fn detected_reason(found: &wright_testing::Detected) -> String {
    let mut reason = format!("detected: {}", found.first.why);
    if !found.fallbacks.is_empty() {
        let next: Vec<String> = found.fallbacks.iter().map(|c| format!("`{}`", c.command)).collect();
        reason.push_str(&format!("; if it runs no test, the first run tries {}", next.join(", ")));
    }
    reason
}

/// Setup work (git2, the sandboxed test detection) on a blocking thread.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, AgentError> + Send + 'static,
) -> Result<T, AgentError> {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| Err(std::io::Error::other(e.to_string()).into()))
}

fn canonical(path: &Path) -> std::path::PathBuf {
    path.canonicalize().unwrap_or_else(|_| path.to_path_buf())
}

/// What the model must know about submodules and Git LFS before it changes anything.
fn repository_notes(submodules: &[wright_git::Submodule], root: &Path) -> Vec<String> {
    let mut notes = Vec::new();
    if !submodules.is_empty() {
        let list: Vec<String> = submodules
            .iter()
            .map(|m| {
                // A path from .gitmodules stands outside any quote: one line of it.
                let path = m.path.replace(|c: char| c.is_control(), " ");
                if m.missing.is_some() { format!("{path} (empty here)") } else { path }
            })
            .collect();
        notes.push(format!(
            "Submodules are other repositories: read them, but changes inside them cannot be committed: {}.",
            list.join(", ")
        ));
    }
    let attributes =
        wright_tree::read_capped(root, Path::new(".gitattributes"), 1 << 20).map(|r| r.text()).unwrap_or_default();
    if attributes.contains("filter=lfs") {
        notes.push(
            "Files tracked by Git LFS (see .gitattributes) hold LFS pointers here, not their content; they cannot be changed."
                .to_string(),
        );
    }
    notes
}
