//! How many tokens a request holds: its bytes at a rate the server's own counts calibrate.
//! Each reply's usage gives the true size of the prompt that was sent, whatever the
//! tokenizer and chat template; until a server has said, the rate is a conservative one.

use wright_llm::{Message, Usage};

/// Tokens a message costs beyond its text: the chat template's role markers.
const PER_MESSAGE: u64 = 6;
/// Tokens a byte costs until the server reports usage: 3 bytes a token, more than most
/// tokenizers count for code and prose.
const FIRST_RATE: f64 = 1.0 / 3.0;
/// The rates calibration may set (1.5 to 6 bytes a token): a server whose usage is wrong,
/// a fixed figure or none, cannot make the gauge blind to a full window.
const RATES: (f64, f64) = (1.0 / 6.0, 1.0 / 1.5);

/// A request's size before tokenizing: its bytes and its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Size {
    pub bytes: usize,
    pub messages: usize,
}

impl Size {
    /// The size of `messages`, plus `extra` bytes sent beside them (the tools' schemas).
    pub fn of(messages: &[Message], extra: usize) -> Size {
        Size { bytes: messages.iter().map(bytes).sum::<usize>() + extra, messages: messages.len() }
    }

    /// Adds `other`: two parts of one request.
    pub fn add(&mut self, other: Size) {
        self.bytes += other.bytes;
        self.messages += other.messages;
    }
}

/// What a message sends: its text, and its calls' names, arguments and ids.
pub(crate) fn bytes(message: &Message) -> usize {
    let calls = match message {
        Message::Assistant { tool_calls, .. } => {
            tool_calls.iter().map(|c| c.name.len() + c.arguments.len() + c.id.len()).sum()
        }
        Message::Tool { tool_call_id, .. } => tool_call_id.len(),
        _ => 0,
    };
    message.text().len() + calls
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Gauge {
    /// Tokens per byte.
    rate: f64,
}

impl Default for Gauge {
    fn default() -> Self {
        Gauge { rate: FIRST_RATE }
    }
}

impl Gauge {
    /// The tokens a request of `size` holds, as far as the gauge knows.
    pub fn tokens(&self, size: Size) -> u64 {
        (size.bytes as f64 * self.rate).round() as u64 + PER_MESSAGE * size.messages as u64
    }

    /// The bytes that hold about `tokens`.
    pub fn bytes_for(&self, tokens: u64) -> usize {
        (tokens as f64 / self.rate).round() as usize
    }

    /// Learns the rate from a reply's usage for a request of `sent`; a guessed usage
    /// teaches nothing.
    pub fn observe(&mut self, sent: Size, usage: &Usage) {
        let overhead = PER_MESSAGE * sent.messages as u64;
        if usage.estimated || sent.bytes == 0 || usage.prompt_tokens <= overhead {
            return;
        }
        let rate = (usage.prompt_tokens - overhead) as f64 / sent.bytes as f64;
        self.rate = rate.clamp(RATES.0, RATES.1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usage(prompt_tokens: u64, estimated: bool) -> Usage {
        Usage { prompt_tokens, estimated, ..Usage::default() }
    }

    #[test]
    fn the_server_calibrates_the_rate_within_bounds() {
        let size = Size { bytes: 9_000, messages: 10 };
        let mut gauge = Gauge::default();
        assert_eq!(gauge.tokens(size), 3_000 + 60, "3 bytes a token before the server says");
        gauge.observe(size, &usage(2_310, false));
        assert_eq!(gauge.tokens(size), 2_310, "the server's count, exactly");
        assert_eq!(gauge.tokens(Size { bytes: 18_000, messages: 10 }), 4_560);
        gauge.observe(size, &usage(9_999, true));
        assert_eq!(gauge.tokens(size), 2_310, "a guessed usage teaches nothing");
        gauge.observe(size, &usage(100, false));
        assert_eq!(gauge.tokens(size), 1_500 + 60, "a fixed tiny figure: at most 6 bytes a token");
        gauge.observe(size, &usage(1_000_000, false));
        assert_eq!(gauge.tokens(size), 6_000 + 60, "at least 1.5 bytes a token");
        assert_eq!(gauge.bytes_for(1_000), 1_500);
    }

    #[test]
    fn calls_and_ids_count() {
        let call = wright_llm::ToolCall { id: "c1".into(), name: "edit".into(), arguments: "{\"a\":1}".into() };
        let said = Message::Assistant { content: "ok".into(), tool_calls: vec![call] };
        assert_eq!(bytes(&said), 2 + 2 + 4 + 7);
        let answer = Message::Tool { tool_call_id: "c1".into(), content: "done".into() };
        assert_eq!(Size::of(&[said, answer], 100), Size { bytes: 15 + 6 + 100, messages: 2 });
    }
}
