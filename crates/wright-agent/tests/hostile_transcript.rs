//! A transcript is read back by `wright resume`; a damaged or doctored one (any bytes,
//! records with absurd numbers) must never panic the reader or the repair after it.

#![allow(clippy::disallowed_methods)]

use std::io::Write;

use proptest::prelude::*;
use wright_agent::Resumed;

/// Lines that look like records, with numbers and strings of every kind.
fn record_line() -> impl Strategy<Value = String> {
    let number = prop_oneof![
        Just("-1.0".to_string()),
        Just("1e308".to_string()),
        Just("1e400".to_string()),
        Just("-0".to_string()),
        Just("18446744073709551616".to_string()),
        Just("NaN".to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
        any::<i64>().prop_map(|i| i.to_string()),
    ];
    let text = any::<String>().prop_map(|s| serde_json::Value::String(s).to_string());
    prop_oneof![
        (number.clone(), number.clone()).prop_map(|(s, n)| format!(
            "{{\"kind\":\"spent\",\"steps\":{n},\"usage\":{{\"prompt_tokens\":{n},\"completion_tokens\":1,\"total_tokens\":{n},\"estimated\":false}},\"seconds\":{s}}}"
        )),
        text.clone().prop_map(|t| format!("{{\"kind\":\"message\",\"message\":{{\"role\":\"user\",\"content\":{t}}}}}")),
        (text.clone(), text.clone()).prop_map(|(id, args)| format!(
            "{{\"kind\":\"message\",\"message\":{{\"role\":\"assistant\",\"content\":\"\",\"tool_calls\":[{{\"id\":{id},\"name\":\"run\",\"arguments\":{args}}}]}}}}"
        )),
        text.clone().prop_map(|id| format!("{{\"kind\":\"message\",\"message\":{{\"role\":\"tool\",\"tool_call_id\":{id},\"content\":\"x\"}}}}")),
        Just("{\"kind\":\"finished\"}".to_string()),
        // Version 2's records, with places anywhere.
        number.clone().prop_map(|n| format!("{{\"kind\":\"dropped\",\"messages\":[0,1,2,{n}]}}")),
        (number.clone(), text.clone()).prop_map(|(n, id)| format!(
            "{{\"kind\":\"answered\",\"at\":{n},\"message\":{{\"role\":\"tool\",\"tool_call_id\":{id},\"content\":\"x\"}}}}"
        )),
        text.clone().prop_map(|t| format!("{{\"kind\":\"text_results\",\"content\":{t}}}")),
        number.clone().prop_map(|n| format!("{{\"kind\":\"version\",\"version\":{n}}}")),
        Just("{\"kind\":\"prompt\",\"profile\":\"compact\",\"tool_format\":\"text\"}".to_string()),
        Just("{\"kind\":\"plan\",\"steps\":[{\"step\":\"a\",\"status\":\"nonsense\"}]}".to_string()),
        any::<String>(),
    ]
}

fn read_back(bytes: &[u8]) -> Option<Resumed> {
    let dir = tempfile::tempdir().ok()?;
    let path = dir.path().join("transcript.jsonl");
    std::fs::File::create(&path).ok()?.write_all(bytes).ok()?;
    Resumed::read(&path).ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn any_bytes_read_back_without_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        if let Some(mut r) = read_back(&bytes) {
            r.answer_dangling_calls();
            let _ = r.task();
        }
    }

    #[test]
    fn doctored_records_read_back_without_a_panic(lines in proptest::collection::vec(record_line(), 0..12)) {
        if let Some(mut r) = read_back(lines.join("\n").as_bytes()) {
            let answered = r.answer_dangling_calls();
            // Repaired once, nothing is left dangling.
            prop_assert_eq!(r.answer_dangling_calls().len(), 0, "after answering {}", answered.len());
            let _ = std::time::Duration::try_from_secs_f64(r.seconds);
        }
    }
}
