//! The conversation as wright keeps it, independent of any wire format.

use serde::{Deserialize, Serialize};

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "lowercase")]
pub enum Message {
    System {
        content: String,
    },
    User {
        content: String,
    },
    Assistant {
        content: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<ToolCall>,
    },
    Tool {
        tool_call_id: String,
        content: String,
    },
}

impl Message {
    pub fn text(&self) -> &str {
        match self {
            Message::System { content }
            | Message::User { content }
            | Message::Assistant { content, .. }
            | Message::Tool { content, .. } => content,
        }
    }

    /// A rough size for budgeting when the server reports no usage.
    pub fn estimated_tokens(&self) -> u64 {
        let calls: usize = match self {
            Message::Assistant { tool_calls, .. } => tool_calls.iter().map(|c| c.name.len() + c.arguments.len()).sum(),
            _ => 0,
        };
        estimate_tokens(self.text().len() + calls) + 4
    }
}

pub(crate) fn estimate_tokens(chars: usize) -> u64 {
    (chars as u64).div_ceil(4)
}

/// A call the model asked for. `arguments` is the raw JSON text the model wrote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

/// A tool offered to the model.
#[derive(Debug, Clone)]
pub struct ToolDef {
    pub name: String,
    pub description: String,
    pub parameters: serde_json::Value,
}

/// Token usage; `estimated` when any part was guessed because the server did not say.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub total_tokens: u64,
    pub estimated: bool,
    /// Prompt tokens the server evaluated; null when it did not say. A processed token
    /// costs time on a local server, a cached one does not.
    pub processed_prompt_tokens: Option<u64>,
    /// Prompt tokens the server reused from its cache; null when it did not say (never a
    /// guessed 0).
    pub cached_prompt_tokens: Option<u64>,
}

impl std::ops::AddAssign for Usage {
    /// The cache figures sum over the turns whose server reported them; unknown while none did.
    fn add_assign(&mut self, other: Usage) {
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
        self.total_tokens += other.total_tokens;
        self.estimated |= other.estimated;
        self.processed_prompt_tokens = add_known(self.processed_prompt_tokens, other.processed_prompt_tokens);
        self.cached_prompt_tokens = add_known(self.cached_prompt_tokens, other.cached_prompt_tokens);
    }
}

fn add_known(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.saturating_add(b)),
        (a, b) => a.or(b),
    }
}

/// The model's answer to one request.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub content: String,
    pub tool_calls: Vec<ToolCall>,
    pub usage: Usage,
    pub finish_reason: Option<String>,
}

/// How the model samples: unset fields are left to the server. A fixed temperature and seed
/// make runs repeatable where the server honours them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Sampling {
    pub temperature: Option<f32>,
    pub seed: Option<u64>,
    /// The longest reply the model may write; a reply cut there ends with `finish_reason:
    /// length`.
    pub max_tokens: Option<u32>,
}
