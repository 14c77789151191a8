//! Whatever a model sends as a patch or an edit, and whatever a file holds, parsing and
//! matching never panic: they apply or they say why not.

#![allow(clippy::disallowed_methods)]

use proptest::prelude::*;
use wright_edit::{apply_patch, parse_any, replace_once};

/// Patch-shaped text: the lines patches are made of, in any order, with any Unicode.
fn patch_shaped() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("*** Begin Patch".to_string()),
        Just("*** End Patch".to_string()),
        Just("*** Update File: a.py".to_string()),
        Just("*** Add File: b.py".to_string()),
        Just("*** Delete File: a.py".to_string()),
        Just("*** Move to: c.py".to_string()),
        Just("--- a/a.py".to_string()),
        Just("+++ b/a.py".to_string()),
        Just("@@ -1,2 +1,3 @@".to_string()),
        Just("@@ -99999999999999999999,1 +0,0 @@".to_string()),
        Just("@@".to_string()),
        Just("@@ def f".to_string()),
        Just("...".to_string()),
        Just("\\ No newline at end of file".to_string()),
        "[-+ ]\\PC{0,12}",
        "[-+ ]    (return|x =) [a-zé€]{0,6}",
        any::<String>(),
    ];
    proptest::collection::vec(line, 0..30).prop_map(|l| l.join("\n"))
}

fn file_text() -> impl Strategy<Value = String> {
    let line =
        prop_oneof![Just("def f():".to_string()), Just("    return x".to_string()), "\\PC{0,10}", any::<String>()];
    proptest::collection::vec(line, 0..20).prop_map(|l| l.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn any_patch_text_parses_or_is_refused(text in any::<String>()) {
        let _ = parse_any(&text);
    }

    #[test]
    fn patch_shaped_text_applies_or_is_refused(patch in patch_shaped(), file in file_text()) {
        if let Ok(parsed) = parse_any(&patch) {
            let _ = apply_patch(&parsed, |_| Ok(Some(file.clone())));
            let _ = apply_patch(&parsed, |_| Ok(None));
        }
    }

    #[test]
    fn an_edit_of_any_text_applies_or_is_refused(file in file_text(), old in file_text(), new in any::<String>()) {
        let _ = replace_once(&file, &old, &new);
    }
}
