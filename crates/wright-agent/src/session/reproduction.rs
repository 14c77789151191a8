//! Checking the first attempt's reproduction: after each commit while it is wanted, a
//! commit of test files only is run against the base, and kept when its new tests fail.

use super::Session;
use crate::interrupt::Interrupt;
use crate::reproduce::{self, Reproduction, Shown};
use crate::test_runs::{Tested, allowed};
use crate::transcript::Record;
use crate::verdict::is_test_file;
use crate::{EventKind, TestPhase, TestSummary};

impl Session {
    /// After a commit: when a reproduction is wanted and the commit changed test files
    /// only, runs the tests and tells the model (in `output`) whether its tests show the
    /// bug. One that does becomes the commit attempts start from, and its test run the
    /// base; a commit that changes code means the model went on without one.
    pub(crate) async fn check_reproduction(&mut self, output: &mut String, interrupt: &Interrupt) {
        if self.reproduction == Reproduction::Off {
            return;
        }
        let p = &mut self.parts;
        let last = p.committer.git(|w| Ok(w.commits()?.pop())).await.ok().flatten();
        let (Some(commit), Some(base)) = (last, p.baseline.clone()) else { return };
        if commit.files.is_empty() || !commit.files.iter().all(|f| is_test_file(f)) {
            self.reproduction = Reproduction::Off;
            return;
        }
        // At most half of what is left: the fix needs the rest.
        let timeout = allowed(p.config.test_timeout, &p.config.run_limits.deadline, 2);
        let Some(Tested::Ran(run)) = p.tests.run(timeout, interrupt, &mut p.events).await else { return };
        p.events.emit(EventKind::TestResult(TestSummary::of(TestPhase::Reproduction, &run)));
        match reproduce::judge(&base, &run) {
            Shown::Fails(tests) => {
                let record = Record::Reproduced { commit: commit.sha.clone(), tests: tests.clone() };
                p.conversation.record(&record, true, &mut p.events);
                p.conversation.record(&Record::Baseline { run: run.clone() }, true, &mut p.events);
                p.events.emit(EventKind::Notice {
                    message: format!(
                        "reproduction kept at {}: {} fail on the unchanged code; every attempt starts there",
                        commit.sha.get(..10).unwrap_or(&commit.sha),
                        tests.join(", ")
                    ),
                });
                output.push_str(&format!("\n{}", reproduce::kept_note(&tests)));
                p.baseline = Some(run);
                self.attempts.from = Some(commit.sha);
                self.reproduction = Reproduction::Off;
            }
            Shown::Not(why) => {
                self.reproduction.missed();
                let again = self.reproduction != Reproduction::Off;
                output.push_str(&format!("\n{}", reproduce::missed_note(&why, again)));
            }
        }
    }
}
