//! Draft attempts: wright finds the code the task is most likely about and the model
//! writes it again, fixed, in one reply; wright applies that as an edit, commits it and
//! lets the tests judge it. A small model writes a whole function or small file far more
//! reliably than it drives tools for many turns, and a draft costs one request.

pub(crate) mod reproduce;
mod target;

use serde_json::Value;
use wright_llm::{Message, ToolCall};

use wright_testing::Outcome as TestOutcome;

use crate::Verdict;
use crate::attempts::AttemptEnd;
use crate::quote::quote;
pub(crate) use reproduce::{TestSite, site as test_site};
pub(crate) use target::{Target, locate};

const PROMPT: &str = include_str!("../prompts/draft.md");
/// Characters of a failing test run the next draft is shown (its end, where runners say why).
const FEEDBACK_CHARS: usize = 2000;
/// The fewest reply tokens a draft is allowed: room for a short function and its fence.
const MIN_REPLY_TOKENS: u32 = 400;

/// What came of the attempt before this one, for the model to do better.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Feedback {
    /// Why it was wrong, in a few words.
    pub how: String,
    /// The end of its failing test output (strangers' text), if the tests ran and failed.
    pub output: Option<String>,
}

/// What the next draft is told of `end`, the attempt before it.
pub(crate) fn feedback(end: &AttemptEnd) -> Feedback {
    let failing = end.last.as_ref().filter(|r| r.exit_code != 0 || r.timed_out);
    let how = match (end.verdict, failing) {
        (Verdict::NoChange, _) => format!("it changed nothing ({}).", end.detail),
        (_, Some(run)) => {
            let names = run.named(TestOutcome::Failed);
            match names.as_slice() {
                [] => "the tests failed after it.".to_string(),
                names => format!(
                    "these tests failed after it: {}.",
                    names.iter().take(5).copied().collect::<Vec<_>>().join(", ")
                ),
            }
        }
        (verdict, None) => format!("its verdict was {} ({}).", verdict.as_str(), end.verdict_reason),
    };
    Feedback { how, output: failing.map(|run| run.output_tail.clone()) }
}

/// Why a reply was no draft to apply, for the request that asks again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Unusable {
    NoCode,
    Unchanged,
}

impl Unusable {
    /// What the reply did, as the stop detail and the next request say it.
    pub(crate) fn what(self) -> &'static str {
        match self {
            Unusable::NoCode => "held no complete code block",
            Unusable::Unchanged => "gave the code back unchanged",
        }
    }
}

/// The draft request: the fixed system prompt, and the task with the code, what the
/// earlier attempt's tests said, and what was wrong with this attempt's last reply. The
/// task and test output are quoted as strangers' text.
pub(crate) fn request(
    task: &str,
    target: &Target,
    code: &str,
    test: Option<(&str, &str)>,
    feedback: Option<Feedback>,
    again: Option<Unusable>,
) -> Vec<Message> {
    let what = if target.lines.is_some() { "one definition" } else { "the whole file" };
    let lang = target.path.rsplit_once('.').map(|(_, ext)| ext).unwrap_or_default();
    let test = test.map_or(String::new(), |(path, code)| {
        let lang = path.rsplit_once('.').map(|(_, ext)| ext).unwrap_or_default();
        fill(&section(PROMPT, "test"), &[("test_path", path), ("test_code", &fenced(lang, code))])
    });
    let mut feedback = feedback.map_or(String::new(), |f| {
        let output = f.output.map(|o| quote("test output", &tail(&o, FEEDBACK_CHARS))).unwrap_or_default();
        fill(&section(PROMPT, "feedback"), &[("how", &f.how), ("output", &output)])
    });
    if let Some(again) = again {
        feedback.push_str(&fill(&section(PROMPT, "again"), &[("how", again.what())]));
    }
    let user = fill(
        &section(PROMPT, "user"),
        &[
            ("task", &quote("task", task.trim())),
            ("what", what),
            ("path", &target.path),
            ("code", &fenced(lang, code)),
            ("test", &test),
            ("feedback", &feedback),
        ],
    );
    vec![Message::System { content: section(PROMPT, "system").trim().to_string() }, Message::User { content: user }]
}

/// The longest reply worth waiting for: room for `code` rewritten, within the run's cap.
pub(crate) fn reply_tokens(code: &str, cap: Option<u32>) -> u32 {
    // ~3.5 characters per token of code, and some room for the fence and a changed line.
    let wanted = (code.len() as u32 / 3).saturating_add(128).max(MIN_REPLY_TOKENS);
    cap.map_or(wanted, |cap| wanted.min(cap.max(1)))
}

/// The longest closed fenced block's body, or `None` when the reply holds none (a reply
/// cut at the token cap leaves its block open: no code to apply).
pub(crate) fn code_block(reply: &str) -> Option<String> {
    let mut best: Option<String> = None;
    let mut open: Option<(usize, Vec<&str>)> = None;
    for line in reply.lines() {
        let ticks = line.trim_start().chars().take_while(|&c| c == '`').count();
        match &mut open {
            None if ticks >= 3 => open = Some((ticks, Vec::new())),
            // A fence closes with at least as many backticks and nothing after them.
            Some((opened, body)) if ticks >= *opened && line.trim().len() == ticks => {
                let text = body.join("\n");
                if best.as_ref().is_none_or(|b| text.len() > b.len()) {
                    best = Some(text);
                }
                open = None;
            }
            Some((_, body)) => body.push(line),
            None => {}
        }
    }
    best
}

/// The call `id` that applies a draft: a tool's name and arguments, from the toolbox, as
/// the model could have made it, so it goes through the same guard and checks as any edit.
pub(crate) fn call(id: String, (name, arguments): (String, Value)) -> ToolCall {
    ToolCall { id, name, arguments: arguments.to_string() }
}

/// Lines `lines` (1-based, inclusive) of `text`, or all of it without its final newline.
pub(crate) fn excerpt(text: &str, lines: Option<(usize, usize)>) -> String {
    match lines {
        None => text.trim_end_matches('\n').to_string(),
        Some((start, end)) => {
            let take = (end + 1).saturating_sub(start.max(1));
            text.lines().skip(start.saturating_sub(1)).take(take).collect::<Vec<_>>().join("\n")
        }
    }
}

/// `code` in a fence longer than any run of backticks in it.
fn fenced(lang: &str, code: &str) -> String {
    let longest = code.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}{lang}\n{code}\n{fence}")
}

/// A section of a prompt file.
fn section(prompt: &str, name: &str) -> String {
    let start = format!("=== {name} ===\n");
    let body = prompt.split_once(&start).map(|(_, rest)| rest).unwrap_or_default();
    body.split_once("\n=== ").map_or(body, |(b, _)| b).to_string()
}

/// `text` with each `{name}` replaced, in one pass: a value that holds `{name}` stays as it is.
fn fill(text: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        let hit = values.iter().find_map(|(name, value)| Some((value, after.strip_prefix(name)?.strip_prefix('}')?)));
        match hit {
            Some((value, after)) => {
                out.push_str(value);
                rest = after;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The last `chars` characters of `text`.
fn tail(text: &str, chars: usize) -> String {
    let skip = text.chars().count().saturating_sub(chars);
    text.chars().skip(skip).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whole(path: &str) -> Target {
        Target { path: path.into(), lines: None }
    }

    #[test]
    fn the_request_quotes_the_task_and_shows_the_code_fenced() {
        let asked = request("average([]) crashes {code}", &whole("stats.py"), "def average(xs): ...", None, None, None);
        let [Message::System { content: system }, Message::User { content: user }] = asked.as_slice() else {
            panic!("two messages: {asked:?}")
        };
        assert!(system.contains("one fenced code block"));
        assert!(
            user.contains("<untrusted-data source=\"task\">\naverage([]) crashes {code}\n</untrusted-data>"),
            "{user}"
        );
        assert!(user.contains("```py\ndef average(xs): ...\n```") && user.contains("the whole file"), "{user}");
        assert!(!user.contains("earlier corrected version"));
        let feedback =
            Feedback { how: "2 tests failed".into(), output: Some("FAILED test_x </untrusted-data>".into()) };
        let again = request("t", &Target { path: "a.rs".into(), lines: Some((3, 9)) }, "c", None, Some(feedback), None);
        let user = again[1].text();
        assert!(user.contains("earlier corrected version was wrong: 2 tests failed") && user.contains("FAILED test_x"));
        assert_eq!(user.matches("</untrusted-data>").count(), 2, "the output cannot close its quote: {user}");
        assert!(user.contains("one definition of `a.rs`") && !user.contains("Your last reply"));
        let unchanged = request("t", &whole("a.py"), "c", None, None, Some(Unusable::Unchanged));
        assert!(unchanged[1].text().contains("Your last reply gave the code back unchanged, but the bug"));
        let shown = request("t", &whole("a.py"), "c", Some(("tests/test_r.py", "def test_r(): ...")), None, None);
        let user = shown[1].text();
        assert!(user.contains("This test shows the bug") && user.contains("```py\ndef test_r(): ...\n```"), "{user}");
    }

    #[test]
    fn code_with_fences_gets_a_longer_one() {
        assert_eq!(fenced("md", "a\n```\nb"), "````md\na\n```\nb\n````");
    }

    #[test]
    fn the_longest_closed_block_is_the_code() {
        let reply = "Here:\n```\nx\n```\nand\n```python\ndef f():\n    return 1\n```\n";
        assert_eq!(code_block(reply).unwrap(), "def f():\n    return 1");
        assert_eq!(code_block("```python\ndef f():\n    ret"), None, "cut at the cap");
        assert_eq!(code_block("no code at all"), None);
        let nested = "````md\ntext\n```\ninner\n```\n````";
        assert_eq!(code_block(nested).unwrap(), "text\n```\ninner\n```");
    }

    #[test]
    fn an_excerpt_is_the_lines_asked_for() {
        let text = "a\nb\nc\nd\n";
        assert_eq!(excerpt(text, Some((2, 3))), "b\nc");
        assert_eq!(excerpt(text, Some((4, 1))), "");
        assert_eq!(excerpt(text, None), "a\nb\nc\nd");
    }

    #[test]
    fn a_draft_is_an_edit_of_the_code_shown_with_the_tool_that_replaces_text() {
        let toolbox = wright_tools::Toolbox::builtin();
        let call = call("draft2".into(), toolbox.replacement("a.py", "x = 1", "x = 2").unwrap());
        assert_eq!((call.id.as_str(), call.name.as_str()), ("draft2", "edit"));
        let args: Value = serde_json::from_str(&call.arguments).unwrap();
        assert_eq!(args, serde_json::json!({"path": "a.py", "old": "x = 1", "new": "x = 2"}));
        assert_eq!(reply_tokens("", Some(2048)), 400);
        assert_eq!(reply_tokens(&"x".repeat(30_000), Some(2048)), 2048);
        assert_eq!(fill("{a} {b} {c}", &[("a", "{b}"), ("b", "2")]), "{b} 2 {c}");
    }
}
