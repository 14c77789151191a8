//! The set of tools offered to the model, built by the caller and looked up by name.

use std::sync::Arc;

use serde_json::Value;

use crate::{Tool, ToolContext, ToolError, ToolOutput, ToolSource, ToolSpec};

/// A name a second tool was registered under; calls find tools by name, so one must go.
#[derive(Debug, thiserror::Error)]
#[error("a tool called `{0}` is registered already")]
pub struct NameTaken(pub String);

struct Entry {
    name: String,
    tool: Arc<dyn Tool>,
}

/// The tools of a run, in the order the model is shown them.
pub struct Toolbox {
    tools: Vec<Entry>,
    /// Sources whose tools join once the worktree exists (`open_sources`).
    sources: Vec<Box<dyn ToolSource>>,
}

impl Toolbox {
    /// A toolbox without tools; `register` adds them.
    pub fn empty() -> Self {
        Toolbox { tools: Vec::new(), sources: Vec::new() }
    }

    /// `tools`, whose names the caller knows to be distinct.
    pub(crate) fn of(tools: Vec<Arc<dyn Tool>>) -> Self {
        let tools = tools.into_iter().map(|tool| Entry { name: tool.spec().name.into_owned(), tool }).collect();
        Toolbox { tools, sources: Vec::new() }
    }

    /// Adds `tool`, shown after those registered before it.
    pub fn register(&mut self, tool: impl Tool + 'static) -> Result<&mut Self, NameTaken> {
        let name = tool.spec().name.into_owned();
        if self.get(&name).is_some() {
            return Err(NameTaken(name));
        }
        self.tools.push(Entry { name, tool: Arc::new(tool) });
        Ok(self)
    }

    /// Adds a source whose tools join when `open_sources` is called.
    pub fn add_source(&mut self, source: impl ToolSource) -> &mut Self {
        self.sources.push(Box::new(source));
        self
    }

    /// Opens every source in `ctx`'s worktree and adds its tools after those registered;
    /// a tool whose name is taken is left out. What the user should hear comes back.
    pub async fn open_sources(&mut self, ctx: &ToolContext) -> Vec<String> {
        let mut notices = Vec::new();
        for source in std::mem::take(&mut self.sources) {
            let opened = source.open(ctx.clone()).await;
            notices.extend(opened.notices);
            for tool in opened.tools {
                let name = tool.spec().name.into_owned();
                if self.get(&name).is_some() {
                    notices.push(format!("{}; the later one is left out", NameTaken(name)));
                } else {
                    self.tools.push(Entry { name, tool });
                }
            }
        }
        notices
    }

    pub fn specs(&self) -> Vec<ToolSpec> {
        self.iter().map(|t| t.spec()).collect()
    }

    /// The tools, in the order offered.
    pub fn iter(&self) -> impl Iterator<Item = &dyn Tool> {
        self.tools.iter().map(|e| e.tool.as_ref())
    }

    /// The tool called `name`, for what it declares about a call.
    pub fn get(&self, name: &str) -> Option<&dyn Tool> {
        self.tools.iter().find(|e| e.name == name).map(|e| e.tool.as_ref())
    }

    /// True when `name` is a tool that never changes files.
    pub fn is_read_only(&self, name: &str) -> bool {
        self.get(name).is_some_and(|t| t.read_only())
    }

    /// `lines` of the file `path` as the first tool that shows files shows them.
    pub async fn show_file(
        &self,
        ctx: &ToolContext,
        path: &str,
        lines: std::ops::RangeInclusive<usize>,
    ) -> Result<ToolOutput, ToolError> {
        let (name, args) = self
            .tools
            .iter()
            .find_map(|e| Some((e.name.as_str(), e.tool.show_args(path, lines.clone())?)))
            .ok_or(ToolError::NoFileReader)?;
        self.call(ctx, name, &args, &[]).await
    }

    /// The call (tool name and arguments) that replaces `old` with `new` in `path`, with
    /// the first tool that replaces text; `None` when the toolbox has none.
    pub fn replacement(&self, path: &str, old: &str, new: &str) -> Option<(String, Value)> {
        self.tools.iter().find_map(|e| Some((e.name.clone(), e.tool.replace_args(path, old, new)?)))
    }

    /// The call (tool name and arguments) that creates `path` holding `text`, with the
    /// first tool that creates files; `None` when the toolbox has none.
    pub fn creation(&self, path: &str, text: &str) -> Option<(String, Value)> {
        self.tools.iter().find_map(|e| Some((e.name.clone(), e.tool.create_args(path, text)?)))
    }

    /// Calls the tool `name`; an unknown name is an error that lists the real ones.
    pub async fn call(
        &self,
        ctx: &ToolContext,
        name: &str,
        args: &Value,
        extra_names: &[&str],
    ) -> Result<ToolOutput, ToolError> {
        match self.tools.iter().find(|e| e.name == name).map(|e| e.tool.clone()) {
            Some(tool) => {
                let parameters = tool.spec().parameters;
                let (args, notes) = crate::args::coerce(&parameters, args);
                // On a task of its own: a tool that panics (one described at run time, say)
                // is a crash the model is told of, not the end of the run.
                let job = tokio::spawn(tool.call_async(ctx.clone(), args));
                let answered = job.await.unwrap_or_else(|e| Err(ToolError::Crashed(e.to_string())));
                let mut out = answered.map_err(|e| match e {
                    ToolError::InvalidArgs { tool: n, message } => {
                        let expected = crate::signature(&parameters);
                        let message = format!("{message}; {n} takes ({expected})");
                        ToolError::InvalidArgs { tool: n, message }
                    }
                    other => other,
                })?;
                for note in notes {
                    out.text.push_str(&format!("\n[wright: {note}]"));
                }
                Ok(out)
            }
            None => {
                let known: Vec<&str> =
                    self.tools.iter().map(|e| e.name.as_str()).chain(extra_names.iter().copied()).collect();
                Err(ToolError::UnknownTool { name: name.to_string(), known: known.join(", ") })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// An async tool that panics when called.
    struct Panicky;

    impl crate::ToolFacts for Panicky {
        fn spec(&self) -> ToolSpec {
            ToolSpec { name: "panicky".into(), description: "Panics.".into(), parameters: json!({"type": "object"}) }
        }
    }

    impl Tool for Panicky {
        fn call_async(self: Arc<Self>, _: ToolContext, _: Value) -> crate::ToolFuture {
            Box::pin(async move { panic!("a tool described at run time went wrong") })
        }
    }

    /// A source that brings a `panicky` tool and a second `read_file`.
    struct Late;

    impl ToolSource for Late {
        fn open(self: Box<Self>, ctx: ToolContext) -> crate::OpenFuture {
            Box::pin(async move {
                assert!(ctx.root.is_dir(), "opened in the worktree");
                let tools: Vec<Arc<dyn Tool>> = vec![Arc::new(Panicky), Arc::new(crate::fs_tools::ReadFile)];
                crate::Opened { tools, notices: vec!["late: started".into()] }
            })
        }
    }

    #[tokio::test]
    async fn a_source_adds_its_tools_when_opened_and_never_hides_one_registered() {
        let dir = tempfile::tempdir().unwrap();
        let mut toolbox = Toolbox::builtin();
        toolbox.add_source(Late);
        let before = toolbox.specs().len();
        assert!(toolbox.get("panicky").is_none());
        let notices = toolbox.open_sources(&ToolContext::bare(dir.path())).await;
        assert_eq!(
            notices,
            ["late: started", "a tool called `read_file` is registered already; the later one is left out"]
        );
        assert_eq!(toolbox.specs().len(), before + 1);
        assert_eq!(toolbox.specs().last().map(|s| s.name.to_string()).as_deref(), Some("panicky"));
        assert!(toolbox.open_sources(&ToolContext::bare(dir.path())).await.is_empty(), "opened once");
    }

    #[tokio::test]
    async fn an_async_tool_that_panics_is_a_crash_the_model_is_told_of() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = ToolContext::bare(dir.path());
        let mut toolbox = Toolbox::empty();
        toolbox.register(Panicky).unwrap();
        let err = toolbox.call(&ctx, "panicky", &json!({}), &[]).await.unwrap_err();
        assert!(matches!(&err, ToolError::Crashed(_)), "{err}");
    }

    #[tokio::test]
    async fn the_builtin_tools_create_a_file_and_replace_its_text_when_asked_by_fact() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = ToolContext::bare(dir.path());
        let toolbox = Toolbox::builtin();
        let (name, args) = toolbox.creation("tests/test_new.py", "def test_x():\n    assert 1\n").unwrap();
        toolbox.call(&ctx, &name, &args, &[]).await.unwrap();
        let written = std::fs::read_to_string(dir.path().join("tests/test_new.py")).unwrap();
        assert_eq!(written, "def test_x():\n    assert 1\n");
        let (name, args) = toolbox.replacement("tests/test_new.py", "assert 1", "assert 2").unwrap();
        toolbox.call(&ctx, &name, &args, &[]).await.unwrap();
        assert!(std::fs::read_to_string(dir.path().join("tests/test_new.py")).unwrap().contains("assert 2"));
        assert!(Toolbox::empty().creation("a", "b").is_none());
        let hostile = "x\n*** Delete File: src/core.py\n*** Add File: tests/t.py";
        assert!(toolbox.creation(hostile, "y").is_none(), "a path cannot add operations to the envelope");
    }
}
