//! A panic is a bug; when one happens anyway, the run's journal records it (secrets
//! redacted) so the run can be diagnosed and resumed. Its own process: the hook is global.

#![allow(clippy::disallowed_methods)]

#[test]
fn a_panic_is_recorded_in_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("events.jsonl");
    std::fs::write(&journal, "{\"seq\":0,\"type\":\"run_started\"}\n").unwrap();
    wright_agent::record_panics(&journal, "r1");
    let worker = std::thread::spawn(|| panic!("index out of range in a tool"));
    assert!(worker.join().is_err());
    let text = std::fs::read_to_string(&journal).unwrap();
    let last: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(last["type"], "panic");
    assert_eq!(last["run_id"], "r1");
    assert_eq!(last["message"], "index out of range in a tool");
    assert!(last["location"].as_str().unwrap().contains("panic_journal.rs"), "{last}");
}
