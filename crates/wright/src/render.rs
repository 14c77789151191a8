//! Views of the event stream: JSON lines on stdout, or a readable log on stderr. The log
//! passes every string an event carries through `visible`: they come from the model, the
//! repository, commands and git, and only wright's own escapes may reach the terminal.

use std::io::{IsTerminal, Write};

use wright_agent::{Event, EventKind, EventSink, Progress, StepStatus, TestPhase, TestSummary};

use crate::visible::visible;

/// `--json`: one event per line on stdout.
pub struct JsonLines;

impl EventSink for JsonLines {
    fn event(&mut self, event: &Event) {
        let mut out = std::io::stdout().lock();
        if let Ok(line) = serde_json::to_string(event) {
            let _ = writeln!(out, "{line}");
            let _ = out.flush();
        }
    }
}

/// The terminal view on stderr: streamed model text, tool calls, commits, the verdict.
pub struct Terminal {
    color: bool,
    /// stderr is a terminal: a transient status line shows what wright waits for.
    live: bool,
    status_shown: bool,
    /// Whether model text of the current turn was already shown as it streamed.
    streamed: bool,
    /// A streamed chunk ended in CR: shown with the next chunk, once it is known whether a
    /// newline follows (a CR that could overwrite the line is made visible).
    held_cr: bool,
}

impl Terminal {
    pub fn new() -> Self {
        let live = std::io::stderr().is_terminal();
        Terminal {
            color: live && std::env::var_os("NO_COLOR").is_none(),
            live,
            status_shown: false,
            streamed: false,
            held_cr: false,
        }
    }

    fn status(&mut self, text: &str) {
        if self.live {
            eprint!("\r\x1b[2K{}", self.paint("2", text));
            self.status_shown = true;
        }
    }

    fn clear_status(&mut self) {
        if std::mem::take(&mut self.status_shown) {
            eprint!("\r\x1b[2K");
        }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }
}

impl EventSink for Terminal {
    fn event(&mut self, event: &Event) {
        self.clear_status();
        let line = match &event.kind {
            EventKind::RunStarted {
                task,
                branch,
                worktree,
                model,
                base_url,
                test_command,
                test_command_reason,
                ..
            } => {
                format!(
                    "{} run {} on {}\n  task: {}\n  model: {} at {}\n  worktree: {}\n  tests: {}{}",
                    self.paint("1", "wright"),
                    event.run_id,
                    visible(branch),
                    visible(first_line(task)),
                    visible(model),
                    visible(base_url),
                    visible(worktree),
                    visible(test_command.as_deref().unwrap_or("none detected")),
                    test_command_reason.as_deref().map(|r| format!(" ({})", visible(r))).unwrap_or_default()
                )
            }
            EventKind::PlanUpdated { steps } => {
                let mut s = self.paint("1", "plan");
                for step in steps {
                    let mark = match step.status {
                        StepStatus::Completed => "[x]",
                        StepStatus::InProgress => "[>]",
                        StepStatus::Pending => "[ ]",
                    };
                    s.push_str(&format!("\n  {mark} {}", visible(&step.step)));
                }
                s
            }
            EventKind::ModelMessage { text, .. } => {
                let was_streamed = std::mem::replace(&mut self.streamed, false);
                // A CR that ends the turn's text overwrites nothing: a newline follows.
                self.held_cr = false;
                match (was_streamed, text.trim().is_empty()) {
                    (true, _) => {
                        eprintln!();
                        return;
                    }
                    (false, true) => return,
                    (false, false) => self.paint("2", &visible(text.trim())),
                }
            }
            EventKind::ToolCall { name, arguments, .. } => {
                format!("{} {} {}", self.paint("36", "→"), visible(name), visible(&brief(arguments, 100)))
            }
            EventKind::ToolResult { ok, output, .. } => {
                let mark = if *ok { self.paint("32", "  ✓") } else { self.paint("31", "  ✗") };
                format!("{mark} {}", visible(&brief(output, 160)))
            }
            EventKind::Commit { sha, subject, .. } => {
                format!(
                    "{} {} {}",
                    self.paint("33", "● commit"),
                    visible(sha.get(..10).unwrap_or(sha)),
                    visible(subject)
                )
            }
            EventKind::Notice { message } => self.paint("33", &format!("! {}", visible(message))),
            EventKind::ContextRewritten { why } => {
                self.paint("2", &format!("· context rewritten, the prompt cache restarts: {}", visible(why)))
            }
            EventKind::ContextCompacted { before_tokens, after_tokens, stubbed, summarized_turns } => {
                let summary = match summarized_turns {
                    0 => String::new(),
                    n => format!(", {n} turns summarized"),
                };
                self.paint(
                    "2",
                    &format!(
                        "· context compacted, {before_tokens} → {after_tokens} tokens ({stubbed} stubbed{summary}); the prompt cache restarts"
                    ),
                )
            }
            // A run of one attempt says nothing of attempts.
            EventKind::AttemptStarted { attempt: 1, draft: false, .. } => return,
            EventKind::AttemptStarted { attempt, from, temperature, draft } => {
                let hot = temperature.map(|t| format!(", temperature {t}")).unwrap_or_default();
                let hot = if *draft { format!(", a draft{hot}") } else { hot };
                let from = from.get(..10).unwrap_or(from);
                self.paint("1", &format!("── attempt {attempt}, afresh from {from}{hot} ──"))
            }
            EventKind::AttemptFinished { branch: None, attempt: 1, .. } => return,
            EventKind::AttemptFinished { attempt, branch, verdict, detail, diff_lines, .. } => {
                let kept = branch.as_deref().map(|b| format!("; kept on {}", visible(b))).unwrap_or_default();
                format!(
                    "{} attempt {attempt}: {} ({diff_lines} lines changed; {}){kept}",
                    self.paint("1", "◆"),
                    verdict.as_str(),
                    visible(detail)
                )
            }
            EventKind::TestResult(t) => {
                let verdict = if t.passed { self.paint("32", "passed") } else { self.paint("31", "failed") };
                let phase = match t.phase {
                    TestPhase::Baseline => "tests at the base",
                    TestPhase::Review => "tests before finishing",
                    TestPhase::Reproduction => "tests of the reproduction",
                    TestPhase::Final => "tests",
                };
                format!(
                    "{phase}: `{}` {verdict} ({}, exit {}, {:.1} s)",
                    visible(&t.command),
                    counts(t),
                    t.exit_code,
                    t.duration_ms as f64 / 1000.0
                )
            }
            EventKind::RunFinished {
                verdict,
                verdict_reason,
                stop_reason,
                detail,
                summary,
                branch,
                worktree,
                commits,
                files_changed,
                baseline,
                final_tests,
                usage,
                context_rewrites,
                cost_usd,
                steps,
                exit_code,
                attempts,
                selected_attempt,
                ..
            } => {
                let mut s = format!("{}\n", self.paint("1", "── result ──"));
                s.push_str(&format!(
                    "  run:      {}\n  verdict:  {}: {}\n  stopped:  {stop_reason:?}: {}\n",
                    event.run_id,
                    verdict.as_str(),
                    visible(verdict_reason),
                    visible(detail)
                ));
                if *attempts > 1 {
                    s.push_str(&format!("  attempts: {attempts}, the branch holds attempt {selected_attempt}\n"));
                }
                s.push_str(&format!("  branch:   {}\n  worktree: {}\n", visible(branch), visible(worktree)));
                s.push_str(&format!("  commits:  {}\n", commits.len()));
                for c in commits {
                    s.push_str(&format!("    {}\n", visible(c)));
                }
                s.push_str(&format!(
                    "  files:    {}\n",
                    if files_changed.is_empty() {
                        "none".to_string()
                    } else {
                        visible(&files_changed.join(", ")).into()
                    }
                ));
                let show = |t: &Option<TestSummary>| {
                    t.as_ref()
                        .map(|t| format!("`{}` {}", visible(&t.command), counts(t)))
                        .unwrap_or_else(|| "not run".into())
                };
                s.push_str(&format!("  base:     {}\n  tests:    {}\n", show(baseline), show(final_tests)));
                let estimated = if usage.estimated { " (estimated)" } else { "" };
                s.push_str(&format!(
                    "  tokens:   {} ({} prompt + {} completion){estimated} in {steps} steps\n",
                    usage.total_tokens, usage.prompt_tokens, usage.completion_tokens
                ));
                if let (Some(processed), Some(cached)) = (usage.processed_prompt_tokens, usage.cached_prompt_tokens) {
                    s.push_str(&format!(
                        "  prompt:   {processed} processed + {cached} cached; {context_rewrites} context rewrites\n"
                    ));
                }
                if let Some(cost) = cost_usd {
                    s.push_str(&format!("  cost:     ${cost:.4}\n"));
                }
                s.push_str(&format!("  summary:  {}\n  exit:     {exit_code}", visible(summary.trim())));
                s
            }
        };
        if !line.is_empty() {
            eprintln!("{line}");
        }
    }

    fn progress(&mut self, progress: &Progress) {
        match progress {
            Progress::TextDelta(t) => {
                self.clear_status();
                self.streamed = true;
                let mut text = if std::mem::take(&mut self.held_cr) { format!("\r{t}") } else { t.clone() };
                if text.ends_with('\r') {
                    text.pop();
                    self.held_cr = true;
                }
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "{}", self.paint("2", &visible(&text)));
                let _ = err.flush();
            }
            Progress::Thinking => self.status("… waiting for the model"),
            Progress::ToolCallStarted(name) if !self.streamed => {
                self.status(&format!("… the model is writing a {} call", visible(name)))
            }
            Progress::ToolCallStarted(_) => {}
            Progress::ToolRunning(name) => self.status(&format!("… running {}", visible(name))),
        }
    }
}

/// `3 passed, 1 failed`, or what is known when the runner counts nothing.
fn counts(t: &TestSummary) -> String {
    match t.ran {
        None => "no tests named, exit code only".to_string(),
        Some(0) => "no test ran".to_string(),
        Some(_) => {
            let c = t.counts;
            let mut s = format!("{} passed, {} failed", c.passed, c.failed);
            if c.skipped > 0 {
                s.push_str(&format!(", {} skipped", c.skipped));
            }
            s
        }
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// One line of at most `max` characters.
fn brief(text: &str, max: usize) -> String {
    let one: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one.chars().count() > max { format!("{}…", one.chars().take(max).collect::<String>()) } else { one }
}
