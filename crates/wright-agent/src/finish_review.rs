//! A first `finish` that claims progress (any outcome but `gave_up`) is weighed against
//! the evidence before the run ends. With no change made, or with tests that now fail,
//! the model is told so once and may go on; a second `finish` always ends the run. A run that is let finish keeps the tests it was weighed
//! by as its final run, since nothing changed after them.

use wright_testing::TestRun;

use crate::interrupt::Interrupt;
use crate::parts::Parts;
use crate::test_runs::Tested;
use crate::verdict::{Evidence, judge};
use crate::{EventKind, Outcome, Progress, TestPhase, TestSummary, Verdict};

/// The lines of test output the model is shown with an objection.
const TAIL_LINES: usize = 30;

pub(crate) enum Weighed {
    /// The run may end; with the tests that were run to decide it.
    Accept(Option<TestRun>),
    /// The model is answered with this and the run goes on.
    Object(String),
}

/// Weighs a first `finish` claiming `outcome`; `reviewed` says whether one was weighed before.
pub(crate) async fn weigh(
    p: &mut Parts,
    outcome: Option<Outcome>,
    reviewed: &mut bool,
    interrupt: &Interrupt,
) -> Weighed {
    // Giving up is an honest answer, not a claim to check.
    if outcome == Some(Outcome::GaveUp) || std::mem::replace(reviewed, true) {
        return Weighed::Accept(None);
    }
    let (commits, changed) =
        p.committer.git(|w| Ok((w.commits()?.len(), w.changed_files()?))).await.unwrap_or_default();
    if commits == 0 {
        return Weighed::Object(
            "Not finished: no file has been changed, so nothing is fixed yet. If the task needs a change, make it now with edit (read the code first); if it truly needs none, call finish again."
                .into(),
        );
    }
    let Some(command) = p.tests.command().map(str::to_string) else { return Weighed::Accept(None) };
    p.events.progress(Progress::ToolRunning(format!("tests before finishing: {command}")));
    let timeout = crate::test_runs::allowed(p.config.test_timeout, &p.config.run_limits.deadline, 1);
    let tested = p.tests.run(timeout, interrupt, &mut p.events).await;
    // Without a baseline (`--no-baseline`) this is the run that settles the command. The
    // `finish` call is still open, so the note goes in its answer, not a message before it.
    let switched = p.switch_note().map(|note| format!("\n{note}")).unwrap_or_default();
    let run = match tested {
        Some(Tested::Ran(run)) => run,
        _ => return Weighed::Accept(None),
    };
    let command = run.command.clone();
    p.events.emit(EventKind::TestResult(TestSummary::of(TestPhase::Review, &run)));
    let evidence =
        Evidence { commits, changed: &changed, has_command: true, baseline: p.baseline.as_ref(), last: Some(&run) };
    match judge(&evidence) {
        (Verdict::TestsBroken | Verdict::NotFixed, why, _) => Weighed::Object(format!(
            "Not finished: wright ran `{command}`, and {why}. The output ends:\n{}\nFix the change (read the failing test and the code it calls), then call finish again; a second finish ends the run as it is.{switched}",
            tail(&run.output_tail)
        )),
        _ => Weighed::Accept(Some(run)),
    }
}

fn tail(output: &str) -> String {
    let lines: Vec<&str> = output.lines().collect();
    lines.get(lines.len().saturating_sub(TAIL_LINES)..).unwrap_or_default().join("\n")
}
