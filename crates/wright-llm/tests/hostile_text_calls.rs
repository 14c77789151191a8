//! Whatever a model writes, reading tool calls out of it never panics, and every call
//! read names a known tool.

#![allow(clippy::disallowed_methods)]

use proptest::prelude::*;
use wright_llm::parse_text_tool_calls;

const KNOWN: &[&str] = &["read_file", "edit", "run", "finish"];

/// Text built from the pieces tool calls are made of, in any order, with any Unicode.
fn call_shaped() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("<tool_call>".to_string()),
        Just("</tool_call>".to_string()),
        Just("```json\n".to_string()),
        Just("```".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("\"name\": \"read_file\", ".to_string()),
        Just("\"arguments\": ".to_string()),
        Just("\"path\": \"a.py\"".to_string()),
        Just("\\\"".to_string()),
        Just("\\u00e9".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(",".to_string()),
        Just("<think>".to_string()),
        Just("</think>".to_string()),
        any::<String>(),
        "\\PC{0,8}",
    ];
    proptest::collection::vec(piece, 0..24).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn any_text_is_read_without_a_panic(text in any::<String>()) {
        for call in parse_text_tool_calls(&text, KNOWN).calls {
            prop_assert!(KNOWN.contains(&call.name.as_str()));
        }
    }

    #[test]
    fn call_shaped_text_is_read_without_a_panic(text in call_shaped()) {
        for call in parse_text_tool_calls(&text, KNOWN).calls {
            prop_assert!(KNOWN.contains(&call.name.as_str()));
            prop_assert!(serde_json::from_str::<serde_json::Value>(&call.arguments).is_ok() || call.arguments.is_empty());
        }
    }
}
