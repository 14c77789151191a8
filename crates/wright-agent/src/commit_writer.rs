//! Commit messages written by a model from the change itself: the request, and turning
//! whatever the model answers into a subject in conventional form and a short body.

use wright_llm::Message;

/// The system prompt of a commit-message request; its first words also mark such a request.
pub const COMMIT_WRITER_PROMPT: &str = include_str!("../prompts/commit_writer.md");

/// Who writes the commit messages of a run. The `Default` is for an empty
/// `SessionConfig`; the setting's own default is the caller's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CommitMessages {
    /// wright, from the tool's summary and the paths the change touched.
    #[default]
    Derived,
    /// The run's model, or the one named.
    Model(Option<String>),
}

/// The most of a diff a commit-message request carries.
pub(crate) const DIFF_LIMIT: usize = 12_000;
const SUBJECT_LIMIT: usize = 72;
const BODY_LINES: usize = 12;
const TYPES: &[&str] = &["feat", "fix", "docs", "test", "refactor", "perf", "build", "ci", "chore", "style", "revert"];

/// What the model is told about the change.
pub struct Change<'a> {
    pub task: &'a str,
    pub step: Option<&'a str>,
    /// What the tool said it did (`Update dates.py`).
    pub summary: &'a str,
    pub diff: &'a str,
}

pub fn request(change: &Change) -> Vec<Message> {
    let task: String = change.task.chars().take(1_500).collect();
    let mut user = format!("The task:\n{task}\n\n");
    if let Some(step) = change.step {
        user.push_str(&format!("The plan step this change serves: {step}\n\n"));
    }
    user.push_str(&format!("The tool's summary: {}\n\nThe diff:\n", change.summary));
    if change.diff.len() > DIFF_LIMIT {
        let cut = (0..=DIFF_LIMIT).rev().find(|i| change.diff.is_char_boundary(*i)).unwrap_or(0);
        user.push_str(change.diff.get(..cut).unwrap_or_default());
        user.push_str(&format!("\n[… {} more bytes of diff not shown]\n", change.diff.len() - cut));
    } else {
        user.push_str(change.diff);
    }
    vec![Message::System { content: COMMIT_WRITER_PROMPT.to_string() }, Message::User { content: user }]
}

/// The model's reply as `(subject, body)`: fences, labels and trailers dropped, the subject
/// cut to 72 characters. `None` when the reply holds no usable line. A subject that is not
/// in conventional form is returned as it is; the caller adds a type and scope.
pub fn parse(reply: &str) -> Option<(String, String)> {
    let reply = strip_thinking(reply);
    let lines: Vec<&str> = reply
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim_start().starts_with("```"))
        .filter(|l| !is_trailer(l))
        .collect();
    let first = lines.iter().position(|l| !l.trim().is_empty())?;
    let subject = clean_subject(lines[first]);
    if subject.is_empty() {
        return None;
    }
    let body: Vec<&str> = lines[first + 1..].iter().copied().skip_while(|l| l.trim().is_empty()).collect();
    let mut body: Vec<&str> = body.into_iter().take(BODY_LINES).collect();
    while body.last().is_some_and(|l| l.trim().is_empty()) {
        body.pop();
    }
    Some((subject, body.join("\n")))
}

/// Whether a subject already reads `type(scope): summary` with a known type.
pub fn is_conventional(subject: &str) -> bool {
    let Some((head, summary)) = subject.split_once(": ") else { return false };
    let head = head.trim_end_matches('!');
    let kind = match head.split_once('(') {
        Some((kind, scope)) if scope.ends_with(')') && scope.len() > 1 => kind,
        Some(_) => return false,
        None => head,
    };
    TYPES.contains(&kind) && !summary.trim().is_empty()
}

fn strip_thinking(reply: &str) -> &str {
    reply.split_once("</think>").map_or(reply, |(_, after)| after)
}

/// Lines the model must not forge: wright adds the trailers itself.
fn is_trailer(line: &str) -> bool {
    let lower = line.trim().to_ascii_lowercase();
    ["co-authored-by:", "signed-off-by:", "wright-session:", "wright-step:"].iter().any(|t| lower.starts_with(t))
}

fn clean_subject(line: &str) -> String {
    let mut text = line.trim();
    for label in ["commit message:", "subject:", "message:"] {
        // `get`: the reply may hold any text, and a byte count can end inside a character.
        if let Some(rest) = text.get(label.len()..)
            && text.get(..label.len()).is_some_and(|head| head.eq_ignore_ascii_case(label))
        {
            text = rest.trim();
        }
    }
    let text = text.trim_matches(|c| matches!(c, '"' | '\'' | '`' | '*' | '#')).trim();
    let text = text.trim_end_matches('.');
    if text.chars().count() <= SUBJECT_LIMIT {
        return text.to_string();
    }
    // Cut at a word boundary.
    let head: String = text.chars().take(SUBJECT_LIMIT).collect();
    match head.rfind(' ') {
        Some(space) if space > SUBJECT_LIMIT / 2 => {
            head.get(..space).unwrap_or(&head).trim_end_matches([',', ';', ':']).to_string()
        }
        _ => head,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clean_reply_is_kept() {
        let (subject, body) = parse("fix(dates): accept a trailing Z\n\nISO 8601 allows it.\n").unwrap();
        assert_eq!(subject, "fix(dates): accept a trailing Z");
        assert_eq!(body, "ISO 8601 allows it.");
        assert!(is_conventional(&subject));
    }

    #[test]
    fn fences_labels_quotes_and_trailers_go() {
        let reply = "<think>hmm</think>\n```\nCommit message: \"feat: add a cache.\"\n\nFaster lookups.\nSigned-off-by: X <x@y>\n```";
        let (subject, body) = parse(reply).unwrap();
        assert_eq!(subject, "feat: add a cache");
        assert_eq!(body, "Faster lookups.");
    }

    #[test]
    fn long_subjects_are_cut_at_a_word() {
        let long = format!("fix: {}", "word ".repeat(30));
        let (subject, _) = parse(&long).unwrap();
        assert!(subject.chars().count() <= SUBJECT_LIMIT, "{subject}");
        assert!(subject.ends_with("word"), "{subject}");
    }

    #[test]
    fn subjects_in_any_script_are_kept_whole() {
        let (subject, _) = parse("修复日期解析：接受结尾的 Z").unwrap();
        assert_eq!(subject, "修复日期解析：接受结尾的 Z");
        let long = "修复".repeat(60);
        let (subject, _) = parse(&long).unwrap();
        assert_eq!(subject.chars().count(), SUBJECT_LIMIT);
    }

    #[test]
    fn empty_replies_give_nothing() {
        assert!(parse("").is_none());
        assert!(parse("```\n```").is_none());
        assert!(parse("\"\"").is_none());
    }

    #[test]
    fn conventional_form_is_recognised() {
        assert!(is_conventional("feat(api)!: drop v1"));
        assert!(is_conventional("docs: explain setup"));
        assert!(!is_conventional("Update dates.py"));
        assert!(!is_conventional("fixed: it"));
        assert!(!is_conventional("fix(): it"));
    }

    #[test]
    fn the_request_carries_the_change() {
        let diff = "x".repeat(DIFF_LIMIT + 10);
        let messages = request(&Change {
            task: "Fix the parser",
            step: Some("Edit dates.py"),
            summary: "Update dates.py",
            diff: &diff,
        });
        let user = messages[1].text();
        assert!(user.contains("Fix the parser") && user.contains("Edit dates.py") && user.contains("Update dates.py"));
        assert!(user.contains("[… 10 more bytes of diff not shown]"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        #[test]
        fn any_reply_gives_a_short_clean_subject_or_nothing(reply in proptest::prelude::any::<String>()) {
            if let Some((subject, body)) = parse(&reply) {
                proptest::prop_assert!(subject.chars().count() <= SUBJECT_LIMIT);
                proptest::prop_assert!(!subject.is_empty() && !subject.contains('\n'));
                proptest::prop_assert!(!body.lines().any(is_trailer));
            }
            let _ = is_conventional(&reply);
        }

        #[test]
        fn labelled_replies_in_any_script_are_cleaned(label in "(commit message|subject|message|Subject):", text in "\\PC{0,90}") {
            let _ = parse(&format!("{label}{text}"));
            let _ = parse(&format!("{text}{label}"));
        }
    }
}
