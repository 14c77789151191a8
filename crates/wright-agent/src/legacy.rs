//! Transcripts of version 1, written before the records said what they now say: what a
//! resumed run needs of them is inferred from the messages' text, as wright did then.
//! Nothing else reads text this way; a transcript of version 2 or later never comes here.

use crate::profile::{COMPACT_INTRO, PromptProfile};

// How version 1 began the user message that answered a turn's text tool calls, as later
// versions still do.
use crate::transcript::TEXT_RESULT_PREFIX;

/// The profile a system prompt was written in, from its first words.
pub(crate) fn profile_of_prompt(system: &str) -> PromptProfile {
    if system.starts_with(COMPACT_INTRO) { PromptProfile::Compact } else { PromptProfile::Full }
}

/// Whether a user message held the answers to tool calls written as text.
pub(crate) fn is_text_results(content: &str) -> bool {
    content.starts_with(TEXT_RESULT_PREFIX)
}

/// Whether a system prompt was in the text form, from how it ends.
pub(crate) fn in_text_form(system: &str, text_list: &str) -> bool {
    system.ends_with(text_list)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_one_is_read_from_its_wording() {
        assert_eq!(profile_of_prompt(COMPACT_INTRO), PromptProfile::Compact);
        assert_eq!(profile_of_prompt("You are wright, an autonomous coding agent."), PromptProfile::Full);
        assert!(is_text_results("[tool result: read_file]\n..."));
        assert!(!is_text_results("You did not call a tool."));
        assert!(in_text_form("intro\nTools: ...", "\nTools: ..."));
    }
}
