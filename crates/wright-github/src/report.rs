//! What the bot writes: one progress comment, edited in place as the run goes (the plan
//! as checkboxes, a link to the Actions run, then the result), and the draft pull
//! request's body. Every text carries [`MARKER`] so wright never reads it as a request.

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
    let mut out = format!("- **Verdict:** `{}`: {}\n", o.verdict, one_line(&o.verdict_reason));
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
                out.push_str(&format!("  - `{}`\n", one_line(c).replace('`', "'")));
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

/// The draft pull request's title: the task's first line, kept short.
pub fn pull_title(task_line: &str, issue: u64) -> String {
    let line = one_line(task_line);
    let short: String = line.chars().take(72).collect();
    if short.trim().is_empty() { format!("wright: work on #{issue}") } else { format!("wright: {short}") }
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
    }
    out.push_str(&format!("\nCloses #{issue}\n"));
    out
}

/// Text the model wrote, as a quote: it cannot start headings or close the comment's
/// structure.
fn quote(text: &str) -> String {
    text.lines().take(40).map(|l| format!("> {}\n", defuse(l))).collect()
}

/// One line of someone else's words (the model's, a verdict's), made safe to post: no
/// mention, no hidden text, no issue link.
pub fn one_line(text: &str) -> String {
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = line.chars().take(300).collect();
    defuse(&cut)
}

/// The model's words and the verdict's may not ping people, hide text, or link an
/// issue (a `Fixes #12` in a merged pull request would close it).
fn defuse(text: &str) -> String {
    let text = text.replace("<!--", "&lt;!--").replace('@', "@\u{200B}");
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '#' && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('\u{200B}');
        }
    }
    out
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
        assert!(working.contains("- [x] Read parse()\n- [ ] Fix it ← now\n"), "{working}");
        p.outcome = Some(Outcome {
            verdict: "not_fixed".into(),
            verdict_reason: "test_parse still fails".into(),
            stopped: "the step budget ran out".into(),
            cap: Some("max_steps = 3".into()),
            ..Outcome::default()
        });
        let done = p.render();
        assert!(done.contains("`not_fixed`: test_parse still fails"), "{done}");
        assert!(done.contains("(budget cap hit: max_steps = 3)"), "{done}");
    }

    #[test]
    fn the_models_words_cannot_ping_or_hide() {
        let p = Progress { failure: Some("ask @admin <!-- x".into()), ..Progress::default() };
        let text = p.render();
        assert!(!text.contains("@admin") && !text.contains("<!-- x"), "{text}");
        let body = pull_body(&p, 4);
        assert!(body.ends_with("Closes #4\n"), "{body}");
        let said = Outcome { summary: "Fixes #12 as well".into(), ..Outcome::default() };
        let body = pull_body(&Progress { outcome: Some(said), ..Progress::default() }, 4);
        assert!(body.contains("Fixes #\u{200B}12") && !body.contains("Fixes #12"), "{body}");
        assert_eq!(pull_title("", 4), "wright: work on #4");
    }
}
