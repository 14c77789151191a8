//! What the model is shown of the tools, pinned byte for byte: the tools offered natively,
//! the text list, the system prompt in both forms, the nudges and the unknown-tool error,
//! in each profile and edit format. Issue 29 reworks where tools and their facts live
//! with "behaviour unchanged"; `testdata/tool_prompts.txt` is what unchanged means.
//!
//! After a deliberate change to what the model sees, rewrite the golden file with
//!
//!     WRIGHT_BLESS=1 cargo test -p wright-agent tool_prompts
//!
//! and review the diff before committing it.

use std::fmt::Write;

use wright_llm::{ClientConfig, LlmClient, Sampling, ToolCall};
use wright_tools::{IndexHandle, RunLimits, ToolContext};

use super::*;
use crate::dispatch::Dispatcher;
use crate::profile::EditFormat;

const GOLDEN: &str = "testdata/tool_prompts.txt";

fn dispatcher(root: &std::path::Path) -> Dispatcher {
    let index = IndexHandle::new(root.to_path_buf(), root.join(".index"), None);
    let ctx = ToolContext { root: root.to_path_buf(), workspace: None, index, run: RunLimits::default() };
    Dispatcher::new(wright_tools::Toolbox::builtin(), ctx, Some("pytest -q".into()))
}

fn llm() -> LlmClient {
    LlmClient::new(ClientConfig {
        base_url: "http://127.0.0.1:9".into(),
        api_key: None,
        model: "test-model".into(),
        stream: false,
        sampling: Sampling::default(),
        connect_timeout: Duration::from_secs(1),
        read_timeout: Duration::from_secs(1),
        retry: Default::default(),
    })
    .unwrap()
}

fn section(out: &mut String, title: &str, body: &str) {
    writeln!(out, "=== {title} ===\n{body}\n=== end ===\n").unwrap();
}

/// Everything the model may be shown of the tools, as one text.
async fn rendered() -> String {
    let dir = tempfile::tempdir().unwrap();
    let d = dispatcher(dir.path());
    let mut out = String::new();
    let cases = [
        (PromptProfile::Full, EditFormat::SearchReplace, None, "fix parse_date in dates.py"),
        (PromptProfile::Full, EditFormat::Patch, Some("go test ./..."), "make it faster"),
        (PromptProfile::Compact, EditFormat::SearchReplace, Some("npm test"), "make it faster"),
        (PromptProfile::Compact, EditFormat::Patch, None, "Parser.parse fails on empty input"),
    ];
    for (profile, edits, test, task) in cases {
        let name = format!("{} profile, {edits:?}, test {test:?}, task {task:?}", profile.as_str());
        let style = Style { profile, edits };
        let mut model = Model::new(llm(), d.tools(), ToolFormat::Auto, task, style, test.map(str::to_string));
        let defs: Vec<serde_json::Value> = model
            .tools
            .iter()
            .map(|t| serde_json::json!({"name": t.name, "description": t.description, "parameters": t.parameters}))
            .collect();
        section(&mut out, &format!("{name}: tools offered natively"), &serde_json::to_string_pretty(&defs).unwrap());
        let names: Vec<&str> = model.tools.iter().map(|t| t.name.as_str()).collect();
        section(&mut out, &format!("{name}: tool names read from text"), &names.join(", "));
        model.set_system_prompt("BASE PROMPT\n");
        section(&mut out, &format!("{name}: system prompt, text form"), &model.prompts.text);
        section(&mut out, &format!("{name}: system prompt, native form"), &model.prompts.native);
        section(&mut out, &format!("{name}: first format"), model.format().as_str());
        for format in [ToolFormat::Native, ToolFormat::Text] {
            model.format = format;
            let f = format.as_str();
            section(&mut out, &format!("{name}: {f}: nudge"), &model.nudge(false, false, None));
            section(&mut out, &format!("{name}: {f}: nudge with instructions"), &model.nudge(true, false, None));
            section(&mut out, &format!("{name}: {f}: nudge after a cut reply"), &model.nudge(false, true, None));
            let problem = model.nudge(false, false, Some("the arguments are not JSON"));
            section(&mut out, &format!("{name}: {f}: nudge after an unreadable call"), &problem);
        }
    }
    let unknown = ToolCall { id: "c".into(), name: "frobnicate".into(), arguments: "{}".into() };
    section(&mut out, "unknown tool", &d.dispatch(&unknown).await.output);
    out
}

#[tokio::test]
async fn tool_prompts_are_unchanged() {
    let got = rendered().await;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(GOLDEN);
    if std::env::var_os("WRIGHT_BLESS").is_some() {
        std::fs::write(&path, &got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap();
    if got != want {
        let first = got.lines().zip(want.lines()).position(|(g, w)| g != w);
        panic!("the tool prompts changed (first differing line: {first:?}); {GOLDEN} holds the expected text\n{got}");
    }
}

#[test]
fn a_resumed_prompt_takes_its_form_from_the_record_not_its_wording() {
    let dir = tempfile::tempdir().unwrap();
    let d = dispatcher(dir.path());
    let style = Style { profile: PromptProfile::Full, edits: EditFormat::SearchReplace };
    let model = || Model::new(llm(), d.tools(), ToolFormat::Auto, "fix it", style, None);
    let mut m = model();
    m.set_system_prompt("BASE\n");
    let (text, native) = (m.prompts.text.clone(), m.prompts.native.clone());

    // The record rules: a text-form prompt the record calls native stays native, and one
    // the record calls text is text even where its end reads otherwise.
    let mut m = model();
    m.resume_system_prompt(&text, Some(ToolFormat::Native));
    assert_eq!(m.format(), ToolFormat::Native);
    let mut m = model();
    m.resume_system_prompt(&native, Some(ToolFormat::Text));
    assert_eq!(m.format(), ToolFormat::Text);
    let mut m = model();
    m.resume_system_prompt(&text, Some(ToolFormat::Text));
    assert_eq!((m.format(), m.system_prompt()), (ToolFormat::Text, text.as_str()));
    assert_eq!(m.prompts.native, native, "the other form is built from the same base");

    // A transcript of version 1 has no record: the prompt's end tells, as it did then.
    let mut m = model();
    m.resume_system_prompt(&text, None);
    assert_eq!(m.format(), ToolFormat::Text);
    let mut m = model();
    m.resume_system_prompt(&native, None);
    assert_eq!(m.format(), ToolFormat::Native);

    // A configured format is kept whatever the record says.
    let mut m = Model::new(llm(), d.tools(), ToolFormat::Native, "fix it", style, None);
    m.resume_system_prompt(&text, Some(ToolFormat::Text));
    assert_eq!((m.format(), m.prompts.native.as_str()), (ToolFormat::Native, native.as_str()));

    // A run resumed before with another format recorded that one, not its prompt's form:
    // the instructions still come off once, whichever form they are in.
    let mut m = model();
    m.resume_system_prompt(&native, Some(ToolFormat::Text));
    assert_eq!((m.prompts.text.as_str(), m.prompts.native.as_str()), (text.as_str(), native.as_str()));
    let mut m = model();
    m.resume_system_prompt(&text, Some(ToolFormat::Native));
    assert_eq!((m.prompts.text.as_str(), m.prompts.native.as_str()), (text.as_str(), native.as_str()));
}
