//! One run: workspace, conversation, budgets, the loop, and the verdict.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use wright_git::{TaskWorkspace, slugify};
use wright_llm::{LlmClient, LlmError, LlmEvent, Message, Reply, ToolCall, ToolDef, Usage};
use wright_tools::{IndexHandle, RunLimits, ToolContext, Toolbox};

use crate::context::drop_oldest_outputs;
use crate::plan::{self, FinishArgs};
use crate::prompt::{PromptFacts, ToolFormat, example_call, root_listing, system_prompt, text_tool_instructions};
use crate::repeats::RepeatGuard;
use crate::transcript::{Record, Resumed, Transcript};
use crate::verdict::{Evidence, judge, test_limits};
use crate::{
    AgentError, Budgets, Event, EventKind, Events, PlanStep, Progress, StopReason, TestPhase, TestSummary, Verdict,
};

/// Replies without a tool call in a row before the run stops.
const MAX_IDLE_TURNS: u32 = 3;

pub struct SessionConfig {
    pub task: String,
    pub run_id: String,
    /// The directory the user pointed at (the repository root or a directory in it).
    pub workdir: PathBuf,
    /// Where the task worktree goes; must not exist yet.
    pub worktree: PathBuf,
    pub budgets: Budgets,
    pub tool_format: ToolFormat,
    /// Characters of a tool's output the model sees.
    pub tool_output_limit: usize,
    /// Configured test command; detected when `None`.
    pub test_command: Option<String>,
    pub test_timeout: Duration,
    /// Skip the test run at the base (`--no-baseline`); the verdict then says so.
    pub no_baseline: bool,
    /// Time limit of the test run at the base.
    pub baseline_timeout: Duration,
    pub run_limits: RunLimits,
    pub base_url: String,
    /// wright's cache directory (code indexes).
    pub cache_dir: PathBuf,
    /// The run's transcript (full conversation, plan, budgets spent), for `wright resume`.
    pub transcript: PathBuf,
    /// Branch from this revision instead of HEAD.
    pub base: Option<String>,
    /// Copy the checkout's uncommitted changes in as the branch's first commit.
    pub include_dirty: bool,
    /// Configured commit author and committer.
    pub identity: wright_git::Identity,
    /// Who writes commit messages.
    pub commit_messages: crate::CommitMessages,
    /// Notices to show once the run has started (configuration the repository was refused).
    pub notices: Vec<String>,
}

/// How a run ended: its last event and the process exit code.
pub struct RunReport {
    pub exit_code: i32,
    pub finished: Event,
}

pub struct Session {
    pub(crate) run_id: String,
    pub(crate) config: SessionConfig,
    pub(crate) llm: LlmClient,
    /// The client that writes commit messages, when the model writes them.
    pub(crate) commit_llm: Option<LlmClient>,
    pub(crate) toolbox: Arc<Toolbox>,
    pub(crate) tool_ctx: ToolContext,
    pub(crate) workspace: TaskWorkspace,
    pub(crate) events: Events,
    pub(crate) messages: Vec<Message>,
    pub(crate) plan: Vec<PlanStep>,
    tools: Vec<ToolDef>,
    /// The tool format in force: `auto` turns into `text` when the model shows it needs it.
    format: ToolFormat,
    pub(crate) test_command: Option<String>,
    /// The test run at the base: made before the model's first turn, or read back on resume.
    baseline: Option<wright_testing::TestRun>,
    pub(crate) usage: Usage,
    steps: u32,
    transcript: Option<Transcript>,
    /// Time spent before this process took the run over (a resumed run).
    spent_before: Duration,
    /// When the run's clock started (earlier than now for a resumed run).
    pub(crate) started: Instant,
}

enum Asked {
    Reply(Reply),
    Stopped(StopReason, String),
}

impl Session {
    /// Creates the task branch and worktree and announces the run.
    pub fn start(config: SessionConfig, llm: LlmClient, events: Events) -> Result<Self, AgentError> {
        let slug = slugify(config.task.lines().next().unwrap_or("task"));
        if let Some(parent) = config.worktree.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let mut workspace = TaskWorkspace::create_from(
            &config.workdir,
            &slug,
            &config.run_id,
            &config.worktree,
            config.base.as_deref(),
        )?;
        workspace.identity = config.identity.clone();
        let submodules = workspace.check_out_submodules()?;
        let dirty = if config.include_dirty { workspace.copy_dirty_from_checkout()? } else { Default::default() };
        let mut session = Session::assemble(config, llm, events, workspace)?;
        for module in &submodules {
            if let Some(why) = &module.missing {
                session.events.emit(EventKind::Notice { message: format!("submodule {}: {why}", module.path) });
            }
        }
        if !dirty.skipped_lfs.is_empty() {
            session.events.emit(EventKind::Notice {
                message: format!(
                    "--include-dirty left out files tracked by Git LFS (wright cannot store their content): {}",
                    dirty.skipped_lfs.join(", ")
                ),
            });
        }
        if !dirty.copied.is_empty() {
            session.commit_users_work(&dirty.copied)?;
        }
        let facts_root = session.workspace.worktree.clone();
        let workdir = session.config.workdir.canonicalize().unwrap_or_else(|_| session.config.workdir.clone());
        let repo_root =
            session.workspace.repo_root.canonicalize().unwrap_or_else(|_| session.workspace.repo_root.clone());
        let agents = crate::agents_md(&repo_root, &workdir);
        let rel_workdir =
            workdir.strip_prefix(&repo_root).ok().map(|p| p.to_string_lossy().into_owned()).filter(|p| !p.is_empty());
        let system = system_prompt(&PromptFacts {
            root_listing: root_listing(&facts_root),
            workdir: rel_workdir,
            test_command: session.test_command.as_deref(),
            agents: &agents,
            repository_notes: repository_notes(&submodules, &facts_root),
            tool_format: session.config.tool_format,
            tools: &session.tools,
            example: example_call(&session.config.task),
        });
        session.remember(Message::System { content: system });
        session.remember(Message::User { content: crate::quote::quote("task", &session.config.task) });
        Ok(session)
    }

    /// Takes over a run that was killed or stopped: the same worktree and branch, the
    /// conversation, plan and budgets spent from its transcript. Whatever was not committed
    /// is discarded (and the model told so), as is a patch that was half applied.
    pub fn resume(
        config: SessionConfig,
        llm: LlmClient,
        events: Events,
        mut workspace: TaskWorkspace,
        mut earlier: Resumed,
    ) -> Result<Self, AgentError> {
        workspace.identity = config.identity.clone();
        let restored = wright_tools::recover_interrupted_patch(&workspace.worktree)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let discarded = workspace.discard_uncommitted()?;
        let answered = earlier.answer_dangling_calls();
        let mut session = Session::assemble(config, llm, events, workspace)?;
        session.steps = earlier.steps;
        session.usage = earlier.usage;
        // A damaged transcript may hold any float; `from_secs_f64` would panic on it.
        session.spent_before = Duration::try_from_secs_f64(earlier.seconds).unwrap_or_default();
        session.plan = earlier.plan;
        session.baseline = earlier.baseline;
        session.messages = earlier.messages;
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
        if answered > 0 {
            note.push_str(&format!(" {answered} tool call(s) had no recorded result."));
        }
        let commits = session.workspace.commits().unwrap_or_default();
        if commits.is_empty() {
            note.push_str(" The branch has no commits yet.");
        } else {
            let list: Vec<String> = commits.iter().map(|c| format!("{} ({})", c.subject, c.files.join(", "))).collect();
            note.push_str(&format!(" The branch keeps its commits: {}.", list.join("; ")));
        }
        note.push_str(" Continue the task from where you left off.]");
        session.events.emit(EventKind::Notice {
            message: format!(
                "resumed after {} steps and {} tokens; {}",
                session.steps,
                session.usage.total_tokens,
                note.trim_start_matches("[wright: ").trim_end_matches(']')
            ),
        });
        // The rebuilt conversation is in the transcript already; only the note is new.
        session.remember(Message::User { content: note });
        Ok(session)
    }

    /// The parts of a session that a new and a resumed run share; announces the run.
    fn assemble(
        config: SessionConfig,
        llm: LlmClient,
        mut events: Events,
        workspace: TaskWorkspace,
    ) -> Result<Self, AgentError> {
        let root = workspace.worktree.clone();
        let (test_command, test_command_reason) = match &config.test_command {
            Some(command) => (Some(command.clone()), Some("configured (test_command or --test-command)".to_string())),
            None => match wright_testing::detect(&root, &test_limits(&config.run_limits)) {
                Some(found) => (Some(found.command), Some(format!("detected: {}", found.why))),
                None => (None, None),
            },
        };
        let toolbox = Arc::new(Toolbox::default());
        let mut tools: Vec<ToolDef> = toolbox
            .specs()
            .into_iter()
            .map(|s| ToolDef { name: s.name.into(), description: s.description.into(), parameters: s.parameters })
            .collect();
        tools.extend(plan::specs());
        let repo_root = workspace.repo_root.canonicalize().unwrap_or_else(|_| workspace.repo_root.clone());
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
        let tool_ctx = ToolContext { root, workspace: Some(workspace.clone()), index, run: config.run_limits.clone() };
        let format = config.tool_format;
        // A client of its own, without streaming: nobody watches a commit message arrive,
        // and a failure there must not change how the run talks to its model.
        let commit_llm = match &config.commit_messages {
            crate::CommitMessages::Model(model) => {
                Some(llm.with_model(model.as_deref().unwrap_or(llm.model()), false)?)
            }
            crate::CommitMessages::Derived => None,
        };
        Ok(Session {
            run_id: config.run_id.clone(),
            config,
            llm,
            commit_llm,
            toolbox,
            tool_ctx,
            workspace,
            events,
            messages: Vec::new(),
            plan: Vec::new(),
            tools,
            format,
            test_command,
            baseline: None,
            usage: Usage::default(),
            steps: 0,
            transcript,
            spent_before: Duration::ZERO,
            started: Instant::now(),
        })
    }

    /// Adds a message to the conversation and to the transcript.
    pub(crate) fn remember(&mut self, message: Message) {
        self.record(&Record::Message { message: message.clone() }, false);
        self.messages.push(message);
    }

    /// Appends to the transcript; `durable` at commit boundaries and at the end.
    pub(crate) fn record(&mut self, record: &Record, durable: bool) {
        if let Some(t) = &mut self.transcript
            && let Err(e) = t.append(record, durable)
        {
            self.transcript = None;
            self.events.emit(EventKind::Notice {
                message: format!("cannot write the transcript ({e}); this run cannot be resumed past this point"),
            });
        }
    }

    /// Records the budgets spent so far.
    pub(crate) fn record_spent(&mut self, started: Instant, durable: bool) {
        let seconds = (self.spent_before + started.elapsed()).as_secs_f64();
        self.record(&Record::Spent { steps: self.steps, usage: self.usage, seconds }, durable);
    }

    /// Runs until the model finishes, a budget is spent, or `interrupt` turns true.
    pub async fn run(mut self, mut interrupt: watch::Receiver<bool>) -> RunReport {
        // A resumed run's clock starts where the earlier process left it.
        let started = Instant::now().checked_sub(self.spent_before).unwrap_or_else(Instant::now);
        self.started = started;
        self.spent_before = Duration::ZERO;
        let mut finish: Option<FinishArgs> = None;
        let mut repeats = RepeatGuard::default();
        let mut idle = 0;
        if !self.baseline(&mut interrupt).await {
            let stop = (StopReason::Interrupted, "interrupted while the tests ran at the base".to_string());
            return self.conclude(stop, None);
        }
        let stop: (StopReason, String) = loop {
            if *interrupt.borrow() {
                break (StopReason::Interrupted, "interrupted; stopped after the last complete step".into());
            }
            if let Some(spent) = self.config.budgets.exceeded(self.steps, &self.usage, started.elapsed()) {
                break spent;
            }
            self.steps += 1;
            // A step counts once it is asked for, even if the run dies waiting for the answer.
            self.record_spent(started, false);
            let reply = match self.ask(&mut interrupt, started).await {
                Asked::Reply(r) => r,
                Asked::Stopped(reason, detail) => break (reason, detail),
            };
            self.usage += reply.usage;
            self.record_spent(started, false);
            let (mut calls, as_text) = self.tool_calls_of(&reply);
            self.events.emit(EventKind::ModelMessage {
                text: reply.content.clone(),
                tool_calls: calls.len(),
                usage: reply.usage,
            });
            if calls.is_empty() {
                idle += 1;
                self.remember(Message::Assistant { content: reply.content.clone(), tool_calls: Vec::new() });
                if idle >= MAX_IDLE_TURNS {
                    break (
                        StopReason::NoToolCalls,
                        format!("the model answered {MAX_IDLE_TURNS} times without calling a tool"),
                    );
                }
                let switched = self.switch_to_text("the model answered without a tool call");
                let nudge = self.nudge(switched);
                self.remember(Message::User { content: nudge });
                continue;
            }
            idle = 0;
            if as_text {
                self.switch_to_text("the model writes its tool calls as text");
            }
            // Small models list every tool as a "call"; run the first, as the prompt asks.
            let skipped = if self.format == ToolFormat::Text { calls.len().saturating_sub(1) } else { 0 };
            calls.truncate(calls.len() - skipped);
            self.remember(Message::Assistant {
                content: reply.content.clone(),
                tool_calls: if as_text { Vec::new() } else { calls.clone() },
            });
            let turn = self.run_calls(&calls, as_text, skipped, &mut repeats).await;
            finish = turn.finish;
            if let Some(stop) = turn.stop {
                break stop;
            }
        };
        self.conclude(stop, finish)
    }

    /// One model turn, with one retry after dropping old outputs if the context is full.
    async fn ask(&mut self, interrupt: &mut watch::Receiver<bool>, started: Instant) -> Asked {
        let mut dropped = false;
        loop {
            self.events.progress(Progress::Thinking);
            let tools: &[ToolDef] = if self.format == ToolFormat::Text { &[] } else { &self.tools };
            let events = &mut self.events;
            let mut on_event = |e: LlmEvent| match e {
                LlmEvent::TextDelta(t) => events.progress(Progress::TextDelta(t)),
                LlmEvent::ToolCallStarted(name) => events.progress(Progress::ToolCallStarted(name)),
                LlmEvent::Retrying { attempt, delay, reason } => {
                    events.emit(EventKind::Notice {
                        message: format!(
                            "model request failed ({reason}); retry {attempt} in {:.1} s",
                            delay.as_secs_f32()
                        ),
                    });
                }
                LlmEvent::StreamingDisabled { reason } => {
                    events.emit(EventKind::Notice {
                        message: format!("{reason}; using non-streaming requests for the rest of the run"),
                    });
                }
            };
            // The wall-clock budget also bounds a model call that takes too long.
            let left = self.config.budgets.timeout.map(|t| t.saturating_sub(started.elapsed()));
            let deadline = async {
                match left {
                    Some(d) => tokio::time::sleep(d).await,
                    None => std::future::pending().await,
                }
            };
            let result = tokio::select! {
                r = self.llm.chat(&self.messages, tools, &mut on_event) => r,
                _ = interrupted(interrupt) => {
                    return Asked::Stopped(StopReason::Interrupted, "interrupted while waiting for the model".into());
                }
                _ = deadline => {
                    let secs = self.config.budgets.timeout.map(|t| t.as_secs()).unwrap_or(0);
                    return Asked::Stopped(StopReason::Timeout, format!("the {secs} s timeout passed while waiting for the model"));
                }
            };
            match result {
                Ok(reply) => return Asked::Reply(reply),
                Err(LlmError::ContextLength(msg)) if !dropped => {
                    let count = drop_oldest_outputs(&mut self.messages);
                    if count == 0 {
                        return Asked::Stopped(StopReason::ContextLength, msg);
                    }
                    dropped = true;
                    self.events.emit(EventKind::Notice {
                        message: format!("context window full; dropped the {count} oldest tool outputs and retrying"),
                    });
                }
                Err(LlmError::ContextLength(msg)) => return Asked::Stopped(StopReason::ContextLength, msg),
                Err(e) => return Asked::Stopped(StopReason::ModelError, e.to_string()),
            }
        }
    }

    /// Native tool calls, or (outside `native` mode) calls written in the text.
    fn tool_calls_of(&self, reply: &Reply) -> (Vec<ToolCall>, bool) {
        if !reply.tool_calls.is_empty() {
            return (reply.tool_calls.clone(), false);
        }
        if self.format == ToolFormat::Native {
            return (Vec::new(), false);
        }
        let names: Vec<&str> = self.tools.iter().map(|t| t.name.as_str()).collect();
        let calls = wright_llm::parse_text_tool_calls(&reply.content, &names);
        let step = self.steps;
        let calls = calls.into_iter().map(|mut c| {
            c.id = format!("s{step}_{}", c.id);
            c
        });
        (calls.collect(), true)
    }

    /// In `auto` mode, moves the rest of the run to tool calls written as text.
    fn switch_to_text(&mut self, why: &str) -> bool {
        if self.format != ToolFormat::Auto {
            return false;
        }
        self.format = ToolFormat::Text;
        self.events.emit(EventKind::Notice { message: format!("{why}; using tool calls written as text from now on") });
        true
    }

    fn nudge(&self, with_instructions: bool) -> String {
        let mut text = String::from(
            "You did not call a tool. Do not describe or list the tools: call one now (update_plan, search, read_file, edit, apply_patch, run), \
or call finish with a summary and an outcome (fixed, partial or gave_up) if you are done.",
        );
        let example = example_call(&self.config.task);
        if with_instructions {
            text.push_str(&text_tool_instructions(&self.tools, &example));
        } else if self.format == ToolFormat::Text {
            text.push_str(&format!("\nReply with one call and nothing else, for example:\n{example}"));
        }
        text
    }

    /// Runs the tests at the base before the model's first turn, unless a resumed run
    /// has them already or the user said `--no-baseline`. False when interrupted.
    async fn baseline(&mut self, interrupt: &mut watch::Receiver<bool>) -> bool {
        let Some(command) = self.test_command.clone() else { return true };
        if self.baseline.is_some() || self.config.no_baseline {
            return true;
        }
        self.events.progress(Progress::ToolRunning(format!("tests at the base: {command}")));
        let (root, timeout) = (self.workspace.worktree.clone(), self.config.baseline_timeout);
        let limits = test_limits(&self.config.run_limits);
        let job = tokio::task::spawn_blocking(move || wright_testing::run(&root, &command, timeout, &limits));
        let run = tokio::select! {
            joined = job => joined,
            _ = interrupted(interrupt) => return false,
        };
        match run {
            Ok(run) => {
                self.events.emit(EventKind::TestResult(TestSummary::of(TestPhase::Baseline, &run)));
                self.record(&Record::Baseline { run: run.clone() }, true);
                self.baseline = Some(run);
            }
            Err(e) => {
                self.events.emit(EventKind::Notice {
                    message: format!("the tests at the base could not run ({e}); judging without them"),
                });
            }
        }
        true
    }

    /// Runs the tests (unless interrupted), judges from the evidence, and emits the last event.
    fn conclude(mut self, stop: (StopReason, String), finish: Option<FinishArgs>) -> RunReport {
        let (reason, detail) = stop;
        let last = match (&self.test_command, reason) {
            (_, StopReason::Interrupted | StopReason::ModelError) | (None, _) => None,
            (Some(cmd), _) => {
                self.events.progress(Progress::ToolRunning(format!("tests: {cmd}")));
                let limits = test_limits(&self.config.run_limits);
                let run = wright_testing::run(&self.workspace.worktree, cmd, self.config.test_timeout, &limits);
                self.events.emit(EventKind::TestResult(TestSummary::of(TestPhase::Final, &run)));
                Some(run)
            }
        };
        let commits = self.workspace.commits().unwrap_or_default();
        let files_changed = self.workspace.changed_files().unwrap_or_default();
        let (verdict, verdict_reason, tests_changed) = judge(&Evidence {
            commits: commits.len(),
            changed: &files_changed,
            has_command: self.test_command.is_some(),
            baseline: self.baseline.as_ref(),
            last: last.as_ref(),
        });
        let exit_code = match reason {
            StopReason::Interrupted => 130,
            StopReason::ModelError => 1,
            r if r.is_budget() => 3,
            _ if verdict == Verdict::Fixed => 0,
            _ => 4,
        };
        self.record(&Record::Finished, true);
        let outcome = finish.as_ref().and_then(|f| f.outcome);
        let summary = finish.map(|f| f.summary).unwrap_or_else(|| detail.clone());
        let finished = self.events.emit(EventKind::RunFinished {
            outcome,
            verdict,
            verdict_reason,
            stop_reason: reason,
            detail,
            summary,
            branch: self.workspace.branch.clone(),
            worktree: self.workspace.worktree.display().to_string(),
            commits: commits.iter().map(|c| format!("{} {}", c.sha.get(..10).unwrap_or(&c.sha), c.subject)).collect(),
            files_changed,
            baseline: self.baseline.as_ref().map(|b| TestSummary::of(TestPhase::Baseline, b)),
            final_tests: last.as_ref().map(|l| TestSummary::of(TestPhase::Final, l)),
            tests_changed,
            usage: self.usage,
            cost_usd: self.config.budgets.cost(&self.usage),
            steps: self.steps,
            exit_code,
        });
        RunReport { exit_code, finished }
    }
}

/// What the model must know about submodules and Git LFS before it changes anything.
fn repository_notes(submodules: &[wright_git::Submodule], root: &std::path::Path) -> Vec<String> {
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
        wright_sandbox::read_capped(&root.join(".gitattributes"), 1 << 20, false).map(|r| r.text).unwrap_or_default();
    if attributes.contains("filter=lfs") {
        notes.push(
            "Files tracked by Git LFS (see .gitattributes) hold LFS pointers here, not their content; they cannot be changed."
                .to_string(),
        );
    }
    notes
}

async fn interrupted(rx: &mut watch::Receiver<bool>) {
    loop {
        if *rx.borrow() {
            return;
        }
        if rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
