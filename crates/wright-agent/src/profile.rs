//! How much the prompt says, and which edit format it teaches. A model with a small
//! window gets the compact profile: a shorter prompt and tool list, and one worked example
//! of a whole task. In text mode an edit is taught as the format the model likely knows:
//! SEARCH/REPLACE blocks (Aider's format, known to many fine-tuned models) or the patch
//! envelope (known to models trained on Codex).

/// The prompt profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "lowercase")]
pub enum PromptProfile {
    #[default]
    Full,
    Compact,
}

impl PromptProfile {
    pub fn as_str(self) -> &'static str {
        match self {
            PromptProfile::Full => "full",
            PromptProfile::Compact => "compact",
        }
    }

    /// The profile for a model whose context holds `tokens`: compact up to 32K.
    pub fn for_context(tokens: u64) -> Self {
        if tokens <= 32 * 1024 { PromptProfile::Compact } else { PromptProfile::Full }
    }

    /// The briefing's budget: the configured one, and at most 1000 tokens in a small window.
    pub(crate) fn briefing_tokens(self, configured: usize) -> usize {
        match self {
            PromptProfile::Full => configured,
            PromptProfile::Compact => configured.min(COMPACT_BRIEFING),
        }
    }
}

const COMPACT_BRIEFING: usize = 1000;

/// What a text-mode prompt shows for changing a file without JSON escaping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EditFormat {
    SearchReplace,
    Patch,
}

impl EditFormat {
    /// The envelope for models trained on it (OpenAI's newer and Codex models), else blocks.
    pub fn for_model(model: &str) -> Self {
        let name = model.to_ascii_lowercase();
        // The last part of `provider/model`, and each of its `-` parts for `o3`, `o4-mini`.
        let base = name.rsplit('/').next().unwrap_or(&name);
        let family = ["codex", "gpt-4.1", "gpt-5"].iter().any(|m| base.contains(m));
        let reasoning = base.split(['-', ':']).next().is_some_and(|first| first == "o3" || first == "o4");
        if family || reasoning { EditFormat::Patch } else { EditFormat::SearchReplace }
    }

    /// How the text-mode prompt teaches it.
    pub fn teach(self) -> &'static str {
        match self {
            EditFormat::SearchReplace => include_str!("../prompts/edits_search_replace.md"),
            EditFormat::Patch => include_str!("../prompts/edits_patch.md"),
        }
    }

    /// The edit step of the worked example, fixing `return a * b` in `calc.py`.
    fn example_edit(self) -> &'static str {
        match self {
            EditFormat::SearchReplace => include_str!("../prompts/example_edit_search_replace.md"),
            EditFormat::Patch => include_str!("../prompts/example_edit_patch.md"),
        }
    }
}

/// The compact profile's opening: what wright is and how a task goes, in few words.
pub(crate) const COMPACT_INTRO: &str = include_str!("../prompts/compact_intro.md");

/// One whole task, read → edit → run → finish, as text calls (`edits` in text mode) or
/// as the native calls it stands for. `test` is the project's test command, if known.
pub(crate) fn worked_example(text_calls: Option<EditFormat>, test: Option<&str>) -> String {
    let test = test.unwrap_or("python3 -m pytest -q");
    // The command JSON-escaped; its call is written as serde_json wrote it when the
    // example was first shown, keys sorted, so the prompt stays the same.
    let args = serde_json::json!({ "command": test });
    // `{edit}` first: the command is the repository's text and may hold anything.
    match text_calls {
        Some(edits) => include_str!("../prompts/worked_example_text.md")
            .replace("{edit}", edits.example_edit())
            .replace("{args}", &args.to_string()),
        None => include_str!("../prompts/worked_example_native.md").replace("{args}", &args.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profile_and_edit_format_follow_the_model() {
        assert_eq!(PromptProfile::for_context(16_384), PromptProfile::Compact);
        assert_eq!(PromptProfile::for_context(128_000), PromptProfile::Full);
        assert_eq!(EditFormat::for_model("gpt-5-codex"), EditFormat::Patch);
        assert_eq!(EditFormat::for_model("qwen2.5-coder-1.5b"), EditFormat::SearchReplace);
        assert_eq!(EditFormat::for_model("openai/o4-mini"), EditFormat::Patch);
        assert_eq!(EditFormat::for_model("deepseek-coder-v2:16b-o3x"), EditFormat::SearchReplace);
        assert_eq!(PromptProfile::Compact.briefing_tokens(1500), 1000);
        assert_eq!(PromptProfile::Full.briefing_tokens(1500), 1500);
    }

    #[test]
    fn the_worked_example_parses_as_the_calls_it_shows() {
        let names = ["read_file", "edit", "apply_patch", "run", "finish"];
        for format in [EditFormat::SearchReplace, EditFormat::Patch] {
            let example = worked_example(Some(format), Some("go test ./..."));
            // One call per reply: each part of the example, alone, is one call.
            let parts: Vec<&str> = example.lines().skip(2).collect();
            let read = wright_llm::parse_text_tool_calls(parts[0], &names);
            assert_eq!(read.calls[0].name, "read_file");
            let edit_lines = example.lines().skip(3).take_while(|l| !l.starts_with("<tool_call>")).collect::<Vec<_>>();
            let edit = wright_llm::parse_text_tool_calls(&edit_lines.join("\n"), &names);
            assert_eq!(edit.calls.len(), 1, "{example}");
            assert_eq!(edit.calls[0].name, "apply_patch");
            assert!(example.contains("\"command\":\"go test ./...\""), "{example}");
        }
        assert!(worked_example(None, None).contains("run {\"command\":\"python3 -m pytest -q\"}"));
    }
}
