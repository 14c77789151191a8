//! The system prompt: who the model is, the repository, its AGENTS.md files, the rules.

use std::path::{Path, PathBuf};

use wright_llm::ToolDef;

use crate::profile::{COMPACT_INTRO, EditFormat, PromptProfile, worked_example};

/// How tool calls travel: the API's native field, JSON in the text, or both. The
/// `Default` is for an empty `SessionConfig`; the setting's own default is the caller's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum ToolFormat {
    Native,
    Text,
    #[default]
    Auto,
}

impl ToolFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ToolFormat::Native => "native",
            ToolFormat::Text => "text",
            ToolFormat::Auto => "auto",
        }
    }
}

/// The most of one `AGENTS.md` the model sees.
const AGENTS_MD_LIMIT: usize = 16 * 1024;

/// The `AGENTS.md` files from the repository root down to `workdir`, root first, as
/// `(relative path, contents)`; each cut to 16 KiB, saying so.
pub fn agents_md(repo_root: &Path, workdir: &Path) -> Vec<(String, String)> {
    let Ok(tree) = wright_tree::Tree::open(repo_root) else { return Vec::new() };
    let mut dirs = vec![PathBuf::new()];
    if let Ok(rel) = workdir.strip_prefix(repo_root) {
        let mut dir = PathBuf::new();
        for part in rel.components() {
            dir.push(part);
            dirs.push(dir.clone());
        }
    }
    dirs.iter()
        .filter_map(|d| {
            let file = d.join("AGENTS.md");
            Some((file.to_string_lossy().into_owned(), read_capped(&tree, &file)?))
        })
        .collect()
}

/// At most `AGENTS_MD_LIMIT` bytes of `file`, with a note when cut. Only a regular file,
/// never through a symlink: one could point at `/proc/self/environ` or a key file.
fn read_capped(tree: &wright_tree::Tree, file: &Path) -> Option<String> {
    let read = tree.read(file, AGENTS_MD_LIMIT).ok()?;
    if !read.cut() {
        return Some(read.text());
    }
    Some(format!("{}\n[wright: this file is {} bytes; only its first 16 KiB are shown]", read.text(), read.size))
}

/// Text from the repository that stands outside a quote (a file name, the configured test
/// command) on one line: control characters become spaces, and it is cut to `max`.
pub(crate) fn one_line(text: &str, max: usize) -> String {
    let line: String = text.chars().map(|c| if c.is_control() { ' ' } else { c }).take(max).collect();
    line.trim().to_string()
}

pub(crate) struct PromptFacts<'a> {
    pub root_listing: Vec<String>,
    pub workdir: Option<String>,
    pub test_command: Option<&'a str>,
    pub agents: &'a [(String, String)],
    /// Facts about the repository the model must know (submodules, LFS).
    pub repository_notes: Vec<String>,
    pub profile: PromptProfile,
}

/// The full profile's opening: what wright is and how a task goes.
const FULL_INTRO: &str = include_str!("../prompts/full_intro.md");

pub(crate) fn system_prompt(f: &PromptFacts) -> String {
    let mut p = String::from(if f.profile == PromptProfile::Compact { COMPACT_INTRO } else { FULL_INTRO });
    p.push_str("\nRepository root contains: ");
    let names: Vec<String> = f.root_listing.iter().map(|n| one_line(n, 80)).collect();
    p.push_str(&names.join(", "));
    p.push('\n');
    if let Some(dir) = &f.workdir {
        p.push_str(&format!("The task concerns the directory {dir}/.\n"));
    }
    match f.test_command {
        Some(cmd) => p.push_str(&format!("Test command: {} (wright runs it after you finish).\n", one_line(cmd, 200))),
        None => p.push_str("No test command was detected.\n"),
    }
    for note in &f.repository_notes {
        p.push_str(note);
        p.push('\n');
    }
    p.push_str(crate::quote::RULE);
    for (path, text) in f.agents {
        p.push_str(&format!(
            "\nThe repository's {path} (its conventions, within the rules above):\n{}\n",
            crate::quote::quote(path, text.trim())
        ));
    }
    p
}

/// A first call that fits the task: a search for the first identifier it names, else a
/// look at the repository root.
pub(crate) fn example_call(task: &str) -> String {
    let identifier =
        task.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.')).map(|w| w.trim_matches('.')).find(|w| {
            let code_like = w.contains('_') || w.contains('.') || w.chars().skip(1).any(char::is_uppercase);
            code_like && w.chars().next().is_some_and(char::is_alphabetic)
        });
    match identifier {
        Some(name) => {
            format!("<tool_call>{{\"name\": \"search\", \"arguments\": {{\"query\": \"{name}\"}}}}</tool_call>")
        }
        None => "<tool_call>{\"name\": \"read_file\", \"arguments\": {\"path\": \".\"}}</tool_call>".to_string(),
    }
}

/// How this run's prompt is written: its profile and the edit format it teaches.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    pub profile: PromptProfile,
    pub edits: EditFormat,
}

/// For models without native tool calls: a compact tool list, an example call, the edit
/// format; in the compact profile, a worked example of a whole task instead of one call.
pub(crate) fn text_tool_instructions(tools: &[ToolDef], example: &str, style: Style, test: Option<&str>) -> String {
    let compact = style.profile == PromptProfile::Compact;
    let mut p = if compact {
        include_str!("../prompts/text_tools_compact.md").to_string()
    } else {
        include_str!("../prompts/text_tools_full.md").replace("{example}", example)
    };
    for t in tools {
        let args = wright_tools::signature(&t.parameters);
        let first_sentence =
            t.description.split(". ").next().unwrap_or(&t.description).split('\n').next().unwrap_or("");
        p.push_str(&format!("- {}({}): {}\n", t.name, args, first_sentence.trim_end_matches('.')));
    }
    p.push_str(style.edits.teach());
    if compact {
        p.push_str(&worked_example(Some(style.edits), test.map(|t| one_line(t, 200)).as_deref()));
    }
    p
}

/// What the system prompt adds for native tool calls: in the compact profile, the worked
/// example.
pub(crate) fn native_tool_instructions(style: Style, test: Option<&str>) -> String {
    match style.profile {
        PromptProfile::Compact => worked_example(None, test.map(|t| one_line(t, 200)).as_deref()),
        PromptProfile::Full => String::new(),
    }
}

pub(crate) fn root_listing(root: &Path) -> Vec<String> {
    let entries = wright_tree::Tree::open(root).and_then(|t| t.read_dir(Path::new(""))).unwrap_or_default();
    let mut names: Vec<String> = entries
        .into_iter()
        .filter(|e| e.name != ".git")
        .map(|e| {
            let mut n = e.name.to_string_lossy().into_owned();
            if e.kind == wright_tree::Kind::Dir {
                n.push('/');
            }
            n
        })
        .collect();
    names.truncate(60);
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agents_files_from_root_down() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("pkg/sub")).unwrap();
        std::fs::write(root.join("AGENTS.md"), "root rules").unwrap();
        std::fs::write(root.join("pkg/sub/AGENTS.md"), "sub rules").unwrap();
        std::fs::write(root.join("other.md"), "x").unwrap();
        let found = agents_md(root, &root.join("pkg/sub"));
        assert_eq!(
            found,
            vec![("AGENTS.md".into(), "root rules".into()), ("pkg/sub/AGENTS.md".into(), "sub rules".into())]
        );
        assert_eq!(agents_md(root, root).len(), 1);
    }

    #[test]
    fn a_huge_agents_file_is_cut_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("AGENTS.md"), "€".repeat(20_000)).unwrap();
        let found = agents_md(dir.path(), dir.path());
        let text = &found[0].1;
        assert!(text.len() < AGENTS_MD_LIMIT + 100, "{}", text.len());
        assert!(text.ends_with("[wright: this file is 60000 bytes; only its first 16 KiB are shown]"));
        assert!(!text.contains('\u{fffd}'));
    }

    #[test]
    fn text_instructions_list_arguments() {
        let tools = vec![ToolDef {
            name: "read_file".into(),
            description: "Read a file. More.".into(),
            parameters: serde_json::json!({"type": "object", "properties": {"path": {}, "start_line": {}}, "required": ["path"]}),
        }];
        let style = Style { profile: PromptProfile::Full, edits: EditFormat::SearchReplace };
        let text = text_tool_instructions(&tools, &example_call("fix parse_date please"), style, None);
        assert!(text.contains("- read_file(path, start_line?): Read a file\n"), "{text}");
        assert!(
            text.contains("<tool_call>{\"name\": \"search\", \"arguments\": {\"query\": \"parse_date\"}}</tool_call>")
        );
        assert!(example_call("make it faster").contains("read_file"));
    }
}
