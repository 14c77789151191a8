//! For any two texts a and b, the unified diff of (a, b) applied to a gives b, and so
//! does the same diff with its line numbers taken away when every hunk is unique.

#![allow(clippy::disallowed_methods)]

use proptest::prelude::*;
use wright_edit::{apply_patch, parse_unified, unified_diff};

/// Lines from a small alphabet, so texts repeat lines the way code does.
fn text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just(String::new()),
        Just("    pass".to_string()),
        Just("}".to_string()),
        "[a-e]{1,3}( = [0-9])?",
        "    (return|x =) [a-z]{1,6}",
    ];
    (proptest::collection::vec(line, 0..40), any::<bool>()).prop_map(|(lines, final_newline)| {
        let mut t = lines.join("\n");
        if final_newline && !lines.is_empty() {
            t.push('\n');
        }
        t
    })
}

fn apply(a: &str, diff: &str) -> Result<String, String> {
    let patch = parse_unified(diff).map_err(|e| e.to_string())?;
    let changes = apply_patch(&patch, |_| Ok(Some(a.to_string()))).map_err(|e| e.to_string())?;
    Ok(changes[0].after.clone().unwrap_or_default())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn diff_of_a_and_b_applied_to_a_gives_b(a in text(), b in text()) {
        prop_assume!(a != b);
        let diff = unified_diff("f.txt", &a, &b);
        prop_assert_eq!(apply(&a, &diff), Ok(b.clone()), "diff:\n{}", diff);
    }

    #[test]
    fn crlf_texts_round_trip(a in text(), b in text()) {
        let (a, b) = (a.replace('\n', "\r\n"), b.replace('\n', "\r\n"));
        prop_assume!(a != b && a.contains("\r\n") && b.contains("\r\n"));
        let diff = unified_diff("f.txt", &a, &b);
        prop_assert_eq!(apply(&a, &diff), Ok(b.clone()), "diff:\n{}", diff);
    }
}
