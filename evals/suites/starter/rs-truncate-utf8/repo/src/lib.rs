//! Previews of messages for the notification list.

/// `text` cut to at most `max` characters, with `…` when it was cut.
pub fn preview(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    format!("{}…", &text[..max])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept() {
        assert_eq!(preview("hi", 10), "hi");
        assert_eq!(preview("hello world", 5), "hello…");
    }
}
