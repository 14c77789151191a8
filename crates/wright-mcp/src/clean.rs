//! What a server says of its tools reaches the model as wright's tool definitions, so it
//! is cleaned first: names that fit every endpoint, descriptions without control or
//! invisible characters and of bounded length, schemas of bounded size.

use serde_json::{Value, json};

/// Longest description offered for one tool, in characters.
pub const DESCRIPTION_CHARS: usize = 1000;
/// Largest argument schema offered for one tool, in bytes of JSON.
pub const SCHEMA_BYTES: usize = 8000;
/// Longest text of a server's own shown in a notice or an error (its messages).
pub const NOTE_CHARS: usize = 500;
/// Longest tool name endpoints accept (`^[a-zA-Z0-9_-]{1,64}$`).
const LONGEST_TOOL_NAME: usize = 64;

/// The name the model calls `tool` of `server` by: `server__tool`, with characters outside
/// `[a-zA-Z0-9_-]` made `_`, cut to 64 with a hash of the whole when longer.
pub fn tool_name(server: &str, tool: &str) -> String {
    let fit = |c: char| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' };
    let whole: String = format!("{server}__{tool}").chars().map(fit).collect();
    if whole.len() <= LONGEST_TOOL_NAME {
        return whole;
    }
    let hash = blake3::hash(format!("{server}__{tool}").as_bytes()).to_hex();
    let tag = hash.get(..8).unwrap_or_default();
    format!("{}_{tag}", whole.get(..LONGEST_TOOL_NAME - tag.len() - 1).unwrap_or_default())
}

/// True for a character that must not reach the model from a stranger: control characters
/// (escape sequences begin with one), and those that hide or reorder text.
fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{00ad}' | '\u{061c}' | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}')
        || matches!(c, '\u{2060}'..='\u{2069}' | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}')
        || matches!(c, '\u{e0000}'..='\u{e007f}' | '\u{e0100}'..='\u{e01ef}')
}

/// `text` without escape sequences or hidden characters, at most `max_chars` long (a cut
/// says how much was dropped).
pub fn clean_text(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // An escape sequence: CSI (ESC [ … final byte), OSC (ESC ] … BEL or ESC \\), or
            // ESC and one more.
            if chars.next_if_eq(&'[').is_some() {
                while chars.next().is_some_and(|c| !('@'..='~').contains(&c)) {}
            } else if chars.next_if_eq(&']').is_some() {
                while chars.next().is_some_and(|c| c != '\u{7}' && c != '\u{1b}') {}
                chars.next_if_eq(&'\\');
            } else {
                chars.next();
            }
        } else if !is_hidden(c) {
            out.push(c);
        }
    }
    let total = out.chars().count();
    if total <= max_chars {
        return out;
    }
    let mut cut: String = out.chars().take(max_chars).collect();
    cut.push_str(&format!(" […{} characters cut]", total - max_chars));
    cut
}

/// A tool's argument schema as offered: its strings cleaned, and when larger than
/// `SCHEMA_BYTES`, an open object the model fills from the description.
pub fn clean_schema(schema: &Value) -> Value {
    let cleaned = clean_strings(schema);
    let fits = serde_json::to_string(&cleaned).is_ok_and(|s| s.len() <= SCHEMA_BYTES);
    if fits && cleaned.get("type").and_then(Value::as_str) == Some("object") {
        return cleaned;
    }
    json!({"type": "object", "description": "the server's schema was too large or not an object; send the arguments its description names"})
}

fn clean_strings(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(clean_text(s, DESCRIPTION_CHARS)),
        Value::Array(items) => Value::Array(items.iter().map(clean_strings).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (clean_text(k, DESCRIPTION_CHARS), clean_strings(v))).collect())
        }
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_names_fit_every_endpoint_and_stay_apart() {
        let fits = |n: &str| n.len() <= 64 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        assert_eq!(tool_name("docs", "search"), "docs__search");
        assert_eq!(tool_name("docs", "read.file/v2 ü"), "docs__read_file_v2__");
        let long_a = tool_name("docs", &"a".repeat(80));
        let long_b = tool_name("docs", &format!("{}b", "a".repeat(79)));
        assert!(fits(&long_a) && fits(&long_b) && long_a.len() == 64, "{long_a}");
        assert_ne!(long_a, long_b);
    }

    #[test]
    fn escapes_and_hidden_characters_go_and_length_is_capped() {
        let hostile = "\u{1b}[31mred\u{1b}[0m ok\u{7}\u{202e}evil\u{200b}\u{e0041}\u{fe0f}\u{e0100}\u{2028}\u{ad}\ttab\nline\u{1b}]0;title\u{7}\u{1b}]8;;x\u{1b}\\.";
        assert_eq!(clean_text(hostile, 100), "red okevil\ttab\nline.");
        let long = format!("{}\u{1b}[2J", "d".repeat(10_000));
        let cleaned = clean_text(&long, DESCRIPTION_CHARS);
        assert!(cleaned.starts_with(&"d".repeat(DESCRIPTION_CHARS)) && cleaned.ends_with("[…9000 characters cut]"));
        assert!(!cleaned.contains('\u{1b}'));
    }

    #[test]
    fn a_schema_is_cleaned_and_a_huge_or_odd_one_replaced() {
        let schema =
            json!({"type": "object", "properties": {"q": {"type": "string", "description": "the \u{1b}[1mquery"}}});
        assert_eq!(clean_schema(&schema)["properties"]["q"]["description"], "the query");
        let huge = json!({"type": "object", "properties": {"q": {"type": "string", "description": "x".repeat(900)}, "r": {"enum": vec!["y".repeat(100); 90]}}});
        assert_eq!(clean_schema(&huge)["properties"], Value::Null);
        assert_eq!(clean_schema(&json!("nonsense"))["type"], "object");
    }
}
