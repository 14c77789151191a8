//! Keeping the conversation within bounds: tool outputs cut to a budget, and the oldest
//! outputs dropped when the server says the context is full.

use wright_llm::Message;

const DROPPED: &str = "[output dropped to fit the context window; run the tool again if you need it]";

/// Cuts `text` to at most `limit` characters, keeping head and tail, with a note.
pub(crate) fn truncate(text: &str, limit: usize) -> String {
    let count = text.chars().count();
    if count <= limit {
        return text.to_string();
    }
    let head_len = limit * 2 / 3;
    let tail_len = limit - head_len;
    let head: String = text.chars().take(head_len).collect();
    let tail: String = text.chars().skip(count - tail_len).collect();
    format!(
        "{head}\n[... {} characters cut to fit the output budget; ask for a narrower window or command ...]\n{tail}",
        count - head_len - tail_len
    )
}

/// Replaces the older half of tool outputs (at least one) with a short note. The system
/// prompt, the task and the model's own calls (which carry the plan) are never dropped.
/// Returns how many outputs were dropped.
pub(crate) fn drop_oldest_outputs(messages: &mut [Message]) -> usize {
    let outputs: Vec<usize> =
        messages.iter().enumerate().filter(|(i, m)| *i > 1 && is_tool_output(m)).map(|(i, _)| i).collect();
    let count = outputs.len().div_ceil(2);
    for &i in outputs.iter().take(count) {
        match &mut messages[i] {
            Message::Tool { content, .. } | Message::User { content } => *content = DROPPED.to_string(),
            _ => {}
        }
    }
    count
}

fn is_tool_output(m: &Message) -> bool {
    match m {
        Message::Tool { content, .. } => content != DROPPED,
        // Results of tool calls the model wrote as text come back as user messages.
        Message::User { content } => content.starts_with(crate::dispatch::TEXT_RESULT_PREFIX),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_both_ends() {
        let text: String = (0..1000).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        let out = truncate(&text, 90);
        assert!(out.starts_with(&text[..60]));
        assert!(out.ends_with(&text[970..]));
        assert!(out.contains("910 characters cut"));
        assert_eq!(truncate("short", 90), "short");
    }

    #[test]
    fn oldest_outputs_go_first_and_task_stays() {
        let mut m = vec![
            Message::System { content: "sys".into() },
            Message::User { content: "task".into() },
            Message::Tool { tool_call_id: "1".into(), content: "old".into() },
            Message::Tool { tool_call_id: "2".into(), content: "mid".into() },
            Message::Tool { tool_call_id: "3".into(), content: "new".into() },
        ];
        assert_eq!(drop_oldest_outputs(&mut m), 2);
        assert_eq!(m[1].text(), "task");
        assert_eq!(m[2].text(), DROPPED);
        assert_eq!(m[3].text(), DROPPED);
        assert_eq!(m[4].text(), "new");
    }
}
