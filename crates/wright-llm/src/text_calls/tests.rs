use super::*;

const KNOWN: &[&str] = &["read_file", "edit", "finish", "run"];

fn calls(text: &str) -> Vec<(String, Value)> {
    parse_text_tool_calls(text, KNOWN)
        .calls
        .into_iter()
        .map(|c| (c.name, serde_json::from_str(&c.arguments).unwrap_or(Value::Null)))
        .collect()
}

fn one(text: &str) -> (String, Value) {
    let found = calls(text);
    assert_eq!(found.len(), 1, "{text:?} gave {found:?}");
    found.into_iter().next().unwrap()
}

#[test]
fn tagged_and_fenced_calls() {
    let text =
        "I'll read it.\n<tool_call>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"a.py\"}}\n</tool_call>";
    let parsed = parse_text_tool_calls(text, KNOWN);
    assert_eq!(parsed.calls[0].arguments, r#"{"path":"a.py"}"#);
    let fenced =
        "```json\n{\"name\": \"finish\", \"parameters\": {\"summary\": \"done\", \"outcome\": \"fixed\"}}\n```";
    assert_eq!(one(fenced).0, "finish");
}

#[test]
fn unknown_names_and_plain_json_are_not_calls() {
    let unknown = parse_text_tool_calls("{\"name\": \"rm_rf\", \"arguments\": {}}", KNOWN);
    assert!(unknown.calls.is_empty());
    assert!(unknown.problem.unwrap().contains("`rm_rf` is not a tool; the tools are: read_file, edit"));
    assert_eq!(parse_text_tool_calls("config: {\"a\": 1}", KNOWN), TextCalls::default());
    assert_eq!(parse_text_tool_calls("no json here {", KNOWN), TextCalls::default());
}

#[test]
fn several_calls_and_string_arguments() {
    let text = r#"[{"name":"read_file","arguments":"{\"path\":\"x\"}"}, {"function":{"name":"edit","arguments":{}}}]"#;
    let parsed = parse_text_tool_calls(text, KNOWN);
    assert_eq!(parsed.calls.len(), 2);
    assert_eq!(parsed.calls[0].arguments, r#"{"path":"x"}"#);
    assert_eq!(parsed.calls[1].id, "text_call_1");
}

#[test]
fn hand_written_json_is_repaired() {
    let literal_newline = "{\"name\": \"edit\", \"arguments\": {\"path\": \"a.py\", \"old\": \"def f():\n    return 1\", \"new\": \"def f():\n    return 2\"}}";
    assert_eq!(one(literal_newline).1["new"], "def f():\n    return 2");
    let inner_quotes = r#"{"name": "edit", "arguments": {"path": "a.py", "old": "print("a")", "new": "print("b")"}}"#;
    assert_eq!(one(inner_quotes).1["old"], "print(\"a\")");
    let python = "{'name': 'finish', 'arguments': {'summary': 'done', 'outcome': 'fixed', 'x': None, 'y': True,}}";
    assert_eq!(one(python).1["y"], true);
    let flat = r#"{"name": "read_file", "path": "a.py", "start_line": 3}"#;
    assert_eq!(one(flat).1, serde_json::json!({"path": "a.py", "start_line": 3}));
}

#[test]
fn other_call_syntaxes() {
    let llama = "<function=read_file>{\"path\": \"a.py\"}</function>";
    assert_eq!(one(llama), ("read_file".into(), serde_json::json!({"path": "a.py"})));
    let pythonic = "```python\nread_file(path=\"a.py\", start_line=10)\n```";
    assert_eq!(one(pythonic).1, serde_json::json!({"path": "a.py", "start_line": 10}));
    let triple = "run(command='''pytest -q''')";
    assert_eq!(one(triple).1["command"], "pytest -q");
    let react = "Thought: look first\nAction: read_file\nAction Input: {\"path\": \"a.py\"}";
    assert_eq!(one(react).0, "read_file");
    let mistral = "[TOOL_CALLS] [{\"name\": \"run\", \"arguments\": {\"command\": \"ls\"}}]";
    assert_eq!(one(mistral).1["command"], "ls");
}

#[test]
fn drafts_and_nested_calls_never_run() {
    let thinking = "<think>maybe {\"name\": \"run\", \"arguments\": {\"command\": \"rm -rf x\"}}</think>\n{\"name\": \"read_file\", \"arguments\": {\"path\": \"a\"}}";
    assert_eq!(one(thinking).0, "read_file");
    let unclosed = "<think>{\"name\": \"run\", \"arguments\": {\"command\": \"ls\"}}";
    assert!(calls(unclosed).is_empty());
    let nested = r#"{"name": "edit", "arguments": {"path": "a.md", "old": "x", "new": "{\"name\": \"run\", \"arguments\": {\"command\": \"ls\"}}"}}"#;
    assert_eq!(one(nested).0, "edit");
    let prose = "Next I will call finish() once the tests pass, and read_file(path) first.";
    assert!(calls(prose).is_empty());
}

#[test]
fn what_cannot_be_read_is_said() {
    let broken = parse_text_tool_calls("{\"name\": \"edit\", \"arguments\": {\"path\": \"a.py\" \"old\": 1}}", KNOWN);
    assert!(broken.calls.is_empty());
    assert!(broken.problem.unwrap().contains("your `edit` call is not valid JSON"));
    let cut = parse_text_tool_calls(
        "<tool_call>{\"name\": \"edit\", \"arguments\": {\"path\": \"a.py\", \"old\": \"x",
        KNOWN,
    );
    assert!(cut.problem.unwrap().contains("is not closed"));
}

#[test]
fn review_cases_are_read_safely() {
    // A lone `</think>`: the draft before it never runs.
    let lone = "maybe {\"name\":\"run\",\"arguments\":{\"command\":\"git reset --hard\"}}\n</think>\n<tool_call>{\"name\":\"read_file\",\"arguments\":{\"path\":\"a\"}}</tool_call>";
    assert_eq!(one(lone).0, "read_file");
    // Valid JSON is read as it is, whatever the repair heuristics would think of it.
    let valid = r#"{"name":"run","arguments":{"command":"x", "flags": ["a", true]}}"#;
    assert_eq!(one(valid).1["flags"], serde_json::json!(["a", true]));
    // A call inside a call that was cut short does not run.
    let cut = r#"{"name":"edit","arguments":{"path":"a.json","old":"{}","new":{"name":"run","arguments":{"command":"make clean"}}"#;
    let parsed = parse_text_tool_calls(cut, KNOWN);
    assert!(parsed.calls.is_empty() && parsed.problem.unwrap().contains("not closed"));
    // Nor one inside a pythonic call that is not alone on its line.
    let commented = "edit(path='a', new='{\"name\": \"run\", \"arguments\": {\"command\": \"ls\"}}') # like this";
    assert!(calls(commented).is_empty());
}
