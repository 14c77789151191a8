//! Running one tool call: the plan and finish tools, and the toolbox's tools (a blocking
//! one on a blocking thread). What a call means for the run (a plan, a change to commit, the end) comes
//! back as its [`Effect`]; the loop acts on it.

use std::sync::Arc;

use serde_json::Value;
use wright_llm::{ToolCall, ToolDef};
use wright_tools::{ToolContext, ToolError, Toolbox};

use crate::offer::Offered;
use crate::plan::{self, FinishArgs};
use crate::seen::SeenFiles;
use crate::tool_names::{FINISH, UPDATE_PLAN};
use crate::{PlanStep, StepStatus};

/// What a call asks of the run beyond its answer.
pub(crate) enum Effect {
    None,
    /// The model's new plan.
    Plan(Vec<PlanStep>),
    /// The model is done.
    Finish(FinishArgs),
    /// The worktree changed: commit it, with this summary.
    Change(String),
}

/// The longest the first message waits for the briefing (the index, on a first run).
const BRIEFING_WAIT: std::time::Duration = std::time::Duration::from_secs(20);

pub(crate) struct Dispatched {
    pub ok: bool,
    pub output: String,
    pub effect: Effect,
}

impl Dispatched {
    fn ok(output: impl Into<String>) -> Self {
        Dispatched { ok: true, output: output.into(), effect: Effect::None }
    }

    fn error(output: impl Into<String>) -> Self {
        Dispatched { ok: false, output: format!("error: {}", output.into()), effect: Effect::None }
    }
}

pub(crate) struct Dispatcher {
    toolbox: Arc<Toolbox>,
    ctx: ToolContext,
    /// The project's test command, named when a command ran no test.
    test_command: Option<String>,
    seen: SeenFiles,
}

impl Dispatcher {
    /// `toolbox` is the caller's: the tools it offers are the run's tools.
    pub fn new(toolbox: Toolbox, ctx: ToolContext, test_command: Option<String>) -> Self {
        Dispatcher { toolbox: Arc::new(toolbox), ctx, test_command, seen: Default::default() }
    }

    /// The command the project's tests settled on, when it is not the detected one.
    pub fn set_test_command(&mut self, test_command: Option<String>) {
        self.test_command = test_command;
    }

    /// What the index ranks highest for the task, for the first message; the files it
    /// shows count as seen.
    pub async fn brief(&self, task: &str, budget_tokens: usize) -> Option<String> {
        let (toolbox, ctx, task) = (self.toolbox.clone(), self.ctx.clone(), task.to_string());
        let job = tokio::spawn(async move { crate::briefing::brief(&toolbox, &ctx, &task, budget_tokens).await });
        // A large repository's first index takes a while; the run does not wait for it.
        let found = tokio::time::timeout(BRIEFING_WAIT, job).await.ok()?.ok().flatten()?;
        for path in &found.shown {
            self.seen.saw(path);
        }
        Some(found.text)
    }

    /// The code a draft rewrites for `task` (see `draft::locate`), counted as seen.
    pub async fn draft_target(&self, task: &str, whole_chars: usize) -> Option<crate::draft::Target> {
        let (index, root, task) = (self.ctx.index.clone(), self.ctx.root.clone(), task.to_string());
        let find = move || index.with(|index| Ok(crate::draft::locate(index, &root, &task, whole_chars)));
        let target = tokio::task::spawn_blocking(find).await.ok()?.ok().flatten()?;
        self.seen.saw(&target.path);
        Some(target)
    }

    /// The call that replaces `old` with `new` in `path` (a draft), made as draft `attempt`;
    /// `None` when no tool replaces text.
    pub fn replacement(&self, attempt: u32, path: &str, old: &str, new: &str) -> Option<ToolCall> {
        self.toolbox.replacement(path, old, new).map(|r| crate::draft::call(format!("draft{attempt}"), r))
    }

    /// The call that creates `path` holding `text` (a drafted test); `None` when no tool
    /// creates files.
    pub fn creation(&self, path: &str, text: &str) -> Option<ToolCall> {
        self.toolbox.creation(path, text).map(|r| crate::draft::call("reproduce".into(), r))
    }

    /// Where a drafted test of `target` goes (see `draft::test_site`).
    pub async fn test_site(&self, task: &str, target: &crate::draft::Target) -> Option<crate::draft::TestSite> {
        let (index, root, task, target) =
            (self.ctx.index.clone(), self.ctx.root.clone(), task.to_string(), target.clone());
        let find = move || index.with(|index| Ok(crate::draft::test_site(index, &root, &task, &target)));
        tokio::task::spawn_blocking(find).await.ok()?.ok().flatten()
    }

    /// The text of `path` in the worktree, when it is UTF-8 (what a draft replaces).
    pub async fn text_of(&self, path: &str) -> Option<String> {
        let (root, path) = (self.ctx.root.clone(), path.to_string());
        let read = move || wright_tree::read_capped(&root, std::path::Path::new(&path), 4 << 20).ok();
        let read = tokio::task::spawn_blocking(read).await.ok()??;
        if read.cut() {
            return None;
        }
        String::from_utf8(read.bytes).ok()
    }

    /// Every tool the model may call.
    pub fn tools(&self) -> Vec<Offered> {
        let mut tools: Vec<Offered> = self
            .toolbox
            .iter()
            .map(|t| {
                let s = t.spec();
                let def = ToolDef { name: s.name.into(), description: s.description.into(), parameters: s.parameters };
                Offered {
                    def,
                    compact: t.in_compact_prompt(),
                    callable: t.callable_when_hidden(),
                    nudged: t.in_nudge(),
                }
            })
            .collect();
        tools.extend(plan::specs());
        tools
    }

    /// Whether every call only reads, so they may run side by side.
    pub fn all_read_only(&self, calls: &[ToolCall]) -> bool {
        calls.iter().all(|c| self.toolbox.is_read_only(&c.name))
    }

    /// Whether a call changes files by itself, not through a command it runs: an edit.
    pub fn is_edit(&self, call: &ToolCall) -> bool {
        let Some(tool) = self.toolbox.get(&call.name) else { return false };
        let args = serde_json::from_str(&call.arguments).unwrap_or(Value::Null);
        tool.edits_by_itself() && tool.command(&args).is_none()
    }

    /// Brings the index up to date with the worktree (after it was reset).
    pub async fn refresh_index(&self) {
        let index = self.ctx.index.clone();
        let _ = tokio::task::spawn_blocking(move || index.refresh()).await;
    }

    pub fn cancel(&self) -> wright_sandbox::Cancel {
        self.ctx.run.cancel.clone()
    }

    pub async fn dispatch(&self, call: &ToolCall) -> Dispatched {
        let args = match parse_args(call) {
            Ok(args) => args,
            Err(done) => return done,
        };
        match call.name.as_str() {
            UPDATE_PLAN => match plan::parse_plan(&args) {
                Ok(steps) => {
                    let done = steps.iter().filter(|s| s.status == StepStatus::Completed).count();
                    let next = match steps.iter().find(|s| s.status != StepStatus::Completed) {
                        Some(step) => format!(" Next: {} (use search, read_file, edit or run).", step.step),
                        None => " All steps are completed: call finish.".to_string(),
                    };
                    let output = format!("Plan updated ({done}/{} steps completed).{next}", steps.len());
                    Dispatched { ok: true, output, effect: Effect::Plan(steps) }
                }
                Err(e) => Dispatched::error(e),
            },
            FINISH => match plan::parse_finish(&args) {
                Ok(finish) => Dispatched {
                    ok: true,
                    output: "Finishing; wright runs the tests next.".into(),
                    effect: Effect::Finish(finish),
                },
                Err(e) => Dispatched::error(e),
            },
            name => self.call_tool(name, args).await,
        }
    }

    /// Runs calls of read-only tools side by side; the answers come back in call order.
    pub async fn dispatch_read_only(&self, calls: &[ToolCall]) -> Vec<Dispatched> {
        let started: Vec<Result<_, Dispatched>> = calls
            .iter()
            .map(|call| {
                let args = parse_args(call)?;
                self.note_read(&call.name, &args);
                let (toolbox, ctx, name) = (self.toolbox.clone(), self.ctx.clone(), call.name.clone());
                Ok(tokio::spawn(async move { toolbox.call(&ctx, &name, &args, &[UPDATE_PLAN, FINISH]).await }))
            })
            .collect();
        let mut answers = Vec::new();
        for job in started {
            answers.push(match job {
                Err(done) => done,
                Ok(handle) => match handle.await {
                    Ok(Ok(out)) => Dispatched::ok(out.text),
                    Ok(Err(e)) => Dispatched::error(e.to_string()),
                    Err(e) => Dispatched::error(format!("the tool crashed: {e}")),
                },
            });
        }
        answers
    }

    /// Marks the file a call shows the model as seen.
    fn note_read(&self, name: &str, args: &Value) {
        if let Some(path) = self.toolbox.get(name).and_then(|t| t.reads(args)) {
            self.seen.saw(&path);
        }
    }

    async fn call_tool(&self, name: &str, args: Value) -> Dispatched {
        let (name, args) = match self.toolbox.get(name).and_then(|t| t.reroute(&args)) {
            Some(rerouted) => (rerouted.tool, rerouted.args),
            None => (name.to_string(), args),
        };
        self.note_read(&name, &args);
        let tool = self.toolbox.get(&name);
        let unseen = self.seen.unseen(tool.map(|t| t.edits(&args)).unwrap_or_default());
        let command = tool.and_then(|t| t.command(&args));
        let result = self.toolbox.call(&self.ctx, &name, &args, &[UPDATE_PLAN, FINISH]).await;
        // A change is searchable as soon as it lands.
        if result.is_ok() && !self.toolbox.is_read_only(&name) {
            let index = self.ctx.index.clone();
            let _ = tokio::task::spawn_blocking(move || index.refresh()).await;
        }
        let out = match result {
            Ok(out) => out,
            // A crash says nothing of the files: no lines follow it.
            Err(e @ ToolError::Crashed(_)) => return Dispatched::error(e.to_string()),
            Err(e) => return self.unseen_lines(Dispatched::error(e.to_string()), &unseen).await,
        };
        if out.cut_short {
            // What a killed command left half done is not a change to keep.
            let output = format!("{}\n[wright: the run was interrupted; its changes are not committed]", out.text);
            return Dispatched { ok: false, output, effect: Effect::None };
        }
        let mut done = Dispatched::ok(out.text);
        if command.is_some() && wright_testing::says_no_test_ran(&done.output) {
            let project = self.test_command.as_deref().unwrap_or("none was found");
            done.output.push_str(&format!(
                "\n[wright: this ran no test, so its success shows nothing. The tests may be written for another runner; the project's test command is `{project}`.]"
            ));
        }
        done.effect = match (out.change, command) {
            (Some(change), _) => Effect::Change(change),
            (None, Some(cmd)) => Effect::Change(format!("Apply changes made by `{}`", short(&cmd))),
            _ => Effect::None,
        };
        done
    }

    /// A failed edit of files the model never read: their lines follow the error, so the
    /// next try copies real text. Each file is shown this way once.
    async fn unseen_lines(&self, mut failed: Dispatched, unseen: &[String]) -> Dispatched {
        for path in unseen {
            self.seen.saw(path);
            if let Ok(out) = self.toolbox.show_file(&self.ctx, path, 1..=crate::briefing::WHOLE_LINES).await {
                failed.output.push_str(&format!(
                    "\n[wright: you had not read {path} yet; edit it with text copied from these lines]\n{}",
                    out.text.trim_end()
                ));
            }
        }
        failed
    }
}

/// The call's arguments as JSON, or the error the model gets when they are not JSON.
fn parse_args(call: &ToolCall) -> Result<Value, Dispatched> {
    if call.arguments.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_str(&call.arguments).map_err(|e| {
        Dispatched::error(format!(
            "the arguments of {} are not valid JSON ({e}); send one JSON object matching the tool's schema",
            call.name
        ))
    })
}

fn short(command: &str) -> String {
    let line = command.lines().next().unwrap_or("");
    if line.chars().count() > 60 {
        format!("{}…", line.chars().take(60).collect::<String>())
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wright_tools::{IndexHandle, RunLimits};

    fn dispatcher(root: &std::path::Path) -> Dispatcher {
        let index = IndexHandle::new(root.to_path_buf(), root.join(".index"), None);
        let mut run = RunLimits::default();
        run.isolation.backend = wright_sandbox::Backend::None;
        let ctx = ToolContext { root: root.to_path_buf(), workspace: None, index, run };
        Dispatcher::new(wright_tools::Toolbox::builtin(), ctx, Some("pytest -q".into()))
    }

    fn call(name: &str, arguments: &str) -> ToolCall {
        ToolCall { id: "c".into(), name: name.into(), arguments: arguments.into() }
    }

    #[tokio::test]
    async fn each_call_says_what_it_means_for_the_run() {
        let dir = tempfile::tempdir().unwrap();
        let d = dispatcher(dir.path());
        let plan =
            d.dispatch(&call("update_plan", r#"{"steps": [{"step": "look", "status": "completed"}, "fix"]}"#)).await;
        assert!(matches!(&plan.effect, Effect::Plan(steps) if steps.len() == 2));
        assert_eq!(plan.output, "Plan updated (1/2 steps completed). Next: fix (use search, read_file, edit or run).");
        let finish = d.dispatch(&call("finish", r#"{"summary": "done", "outcome": "fixed"}"#)).await;
        assert!(finish.ok && matches!(finish.effect, Effect::Finish(_)));
        let wrote = d.dispatch(&call("run", r#"{"command": "echo hi > a.txt"}"#)).await;
        assert!(matches!(&wrote.effect, Effect::Change(s) if s == "Apply changes made by `echo hi > a.txt`"));
        let read = d.dispatch(&call("read_file", r#"{"path": "a.txt"}"#)).await;
        assert!(read.ok && matches!(read.effect, Effect::None) && read.output.contains("hi"));
        let broken = d.dispatch(&call("read_file", "{path: a.txt}")).await;
        assert!(!broken.ok && broken.output.contains("not valid JSON"), "{}", broken.output);
        let unknown = d.dispatch(&call("frobnicate", "{}")).await;
        assert!(!unknown.ok && matches!(unknown.effect, Effect::None));
    }

    /// A tool described at run time that answers asynchronously, as an MCP server's
    /// would, with no fact of its own declared.
    struct Echo;

    impl wright_tools::ToolFacts for Echo {
        fn spec(&self) -> wright_tools::ToolSpec {
            let parameters = serde_json::json!({"type": "object", "properties": {"text": {"type": "string"}}});
            wright_tools::ToolSpec { name: format!("echo_{}", 1).into(), description: "Echo.".into(), parameters }
        }
    }

    impl wright_tools::Tool for Echo {
        fn call_async(self: Arc<Self>, _: ToolContext, args: Value) -> wright_tools::ToolFuture {
            Box::pin(async move {
                tokio::task::yield_now().await;
                Ok(wright_tools::ToolOutput { text: args["text"].to_string(), ..Default::default() })
            })
        }
    }

    #[tokio::test]
    async fn a_tool_the_caller_registers_is_offered_and_called() {
        let dir = tempfile::tempdir().unwrap();
        let mut toolbox = wright_tools::Toolbox::builtin();
        toolbox.register(Echo).unwrap();
        let ctx = dispatcher(dir.path()).ctx;
        let d = Dispatcher::new(toolbox, ctx, None);
        let offered: Vec<(String, bool, bool)> =
            d.tools().into_iter().map(|t| (t.def.name, t.compact, t.nudged)).collect();
        let builtin = wright_tools::Toolbox::builtin().specs().len();
        assert_eq!(offered[builtin], ("echo_1".to_string(), true, true), "after the built-in tools: {offered:?}");
        assert_eq!(offered.len(), builtin + 3, "and before update_plan and finish: {offered:?}");
        let echoed = d.dispatch(&call("echo_1", r#"{"text": "hi"}"#)).await;
        assert!(echoed.ok && echoed.output == "\"hi\"" && matches!(echoed.effect, Effect::None), "{}", echoed.output);
        assert!(!d.all_read_only(&[call("echo_1", "{}")]), "a tool that says nothing may change files");
    }

    #[tokio::test]
    async fn apply_patch_through_run_is_a_patch() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "old\n").unwrap();
        let d = dispatcher(dir.path());
        let command =
            "apply_patch <<'EOF'\n*** Begin Patch\n*** Update File: a.txt\n@@\n-old\n+new\n*** End Patch\nEOF\n";
        let done = d.dispatch(&call("run", &serde_json::json!({ "command": command }).to_string())).await;
        assert!(done.ok, "{}", done.output);
        assert!(matches!(&done.effect, Effect::Change(s) if s.starts_with("Update a.txt")), "{}", done.output);
        assert_eq!(std::fs::read_to_string(dir.path().join("a.txt")).unwrap(), "new\n");
        // A command after the patch would be lost: then it runs as the command it is.
        let then_tests = command.replace("EOF\n", "EOF\ntrue\n");
        let ran = d.dispatch(&call("run", &serde_json::json!({ "command": then_tests }).to_string())).await;
        assert!(matches!(&ran.effect, Effect::Change(s) if s.starts_with("Apply changes made by")), "{}", ran.output);
    }

    #[tokio::test]
    async fn an_interrupted_command_is_no_change() {
        let dir = tempfile::tempdir().unwrap();
        let d = dispatcher(dir.path());
        d.cancel().cancel();
        let killed = d.dispatch(&call("run", r#"{"command": "touch half; sleep 30"}"#)).await;
        assert!(!killed.ok && matches!(killed.effect, Effect::None));
        assert!(killed.output.contains("interrupted; its changes are not committed"), "{}", killed.output);
    }

    #[tokio::test]
    async fn read_only_calls_run_side_by_side_and_answer_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("one.txt"), "first\n").unwrap();
        std::fs::write(dir.path().join("two.txt"), "second\n").unwrap();
        let d = dispatcher(dir.path());
        let calls = [call("read_file", r#"{"path": "two.txt"}"#), call("read_file", r#"{"path": "one.txt"}"#)];
        assert!(d.all_read_only(&calls) && !d.all_read_only(&[call("run", "{}")]));
        let answers = d.dispatch_read_only(&calls).await;
        assert!(answers[0].output.contains("second") && answers[1].output.contains("first"));
    }
}
