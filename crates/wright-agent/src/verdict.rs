//! The verdict, from the evidence only: the commits, and the test runs at the base and at
//! the end, test by test where the runner names them. The model's own word (`outcome`)
//! is recorded beside it and never decides it.

use wright_testing::{Comparison, Limits, TestRun, compare, in_files};
use wright_tools::RunLimits;

use crate::Verdict;

/// The sandbox a test run gets: the one the `run` tool uses.
pub(crate) fn test_limits(run: &RunLimits) -> Limits {
    Limits { env: run.env.clone(), isolation: run.isolation.clone(), cancel: run.cancel.clone() }
}

/// What the verdict is judged from.
pub(crate) struct Evidence<'a> {
    pub commits: usize,
    /// Files the run's branch changed, from the repository root.
    pub changed: &'a [String],
    pub has_command: bool,
    /// `None` with `--no-baseline`.
    pub baseline: Option<&'a TestRun>,
    /// `None` when the run stopped before the tests (interrupted, the model failed).
    pub last: Option<&'a TestRun>,
}

/// The verdict, one sentence why, and the tests that changed state.
pub(crate) fn judge(e: &Evidence) -> (Verdict, String, Option<Comparison>) {
    if e.commits == 0 {
        return (Verdict::NoChange, "the run committed no change".into(), None);
    }
    if !e.has_command {
        return (Verdict::Unknown, "no test command was found; set test_command or pass --test-command".into(), None);
    }
    let Some(last) = e.last else {
        return (Verdict::Unknown, "the run stopped before the tests ran".into(), None);
    };
    if last.timed_out {
        return (Verdict::NotFixed, "the test command timed out".into(), None);
    }
    if last.ran() == Some(0) {
        return (Verdict::Unverified, "the test command ran no test".into(), None);
    }
    // A baseline that timed out or ran no test says nothing of what failed before.
    let base = e.baseline.filter(|b| !b.timed_out && b.ran() != Some(0));
    let Some(base) = base else { return without_baseline(e, last) };
    let named = |r: &TestRun| !r.tests.is_empty();
    if named(base) && !named(last) && base.passed() && !last.passed() {
        let why = format!(
            "the tests passed at the base and fail now (exit {}) naming none: the project may not build",
            last.exit_code
        );
        return (Verdict::TestsBroken, why, None);
    }
    if named(base) && !named(last) {
        let why =
            "the tests at the base were named one by one, but the run at the end names none; nothing shows the fix";
        return (Verdict::Unverified, why.into(), None);
    }
    if !named(base) || !named(last) {
        return by_exit_codes(base, last);
    }
    let c = compare(base, last);
    let failed_at_base = !base.named(wright_testing::Outcome::Failed).is_empty();
    let verdict = if !c.now_failing.is_empty() {
        let n = &c.now_failing;
        (
            Verdict::TestsBroken,
            format!("{} that passed at the base {} now: {}", tests(n), verb(n, "fails", "fail"), list(n)),
        )
    } else if !c.gone_passing.is_empty() {
        let n = &c.gone_passing;
        (
            Verdict::TestsBroken,
            format!("{} that passed at the base {} not run now: {}", tests(n), verb(n, "does", "do"), list(n)),
        )
    } else if base.passed() && !last.passed() && last.named(wright_testing::Outcome::Failed).is_empty() {
        (Verdict::TestsBroken, format!("the test command passed at the base and fails now (exit {})", last.exit_code))
    } else if !c.now_passing.is_empty() {
        let n = &c.now_passing;
        let mut why = format!("{} that failed at the base {} now: {}", tests(n), verb(n, "passes", "pass"), list(n));
        if !c.still_failing.is_empty() {
            why.push_str(&format!("; still failing as at the base: {}", list(&c.still_failing)));
        }
        if !c.gone_failing.is_empty() {
            why.push_str(&format!("; failing at the base and not run now: {}", list(&c.gone_failing)));
        }
        (Verdict::Fixed, why)
    } else if failed_at_base {
        let (still, gone) = (&c.still_failing, &c.gone_failing);
        let why = match (still.is_empty(), gone.is_empty()) {
            (false, true) => format!(
                "{} that failed at the base still {}: {}",
                tests(still),
                verb(still, "fails", "fail"),
                list(still)
            ),
            (true, false) => format!(
                "{} that failed at the base no longer {}: {}",
                tests(gone),
                verb(gone, "runs", "run"),
                list(gone)
            ),
            _ => {
                format!("tests that failed at the base still fail ({}) or no longer run ({})", list(still), list(gone))
            }
        };
        (Verdict::NotFixed, why)
    } else {
        let own = runs_own_tests(e, last, &c);
        match (own.is_empty(), last.passed()) {
            (false, true) => (
                Verdict::Fixed,
                format!(
                    "nothing failed at the base, and the run's own {} {}: {}",
                    tests(&own),
                    verb(&own, "passes", "pass"),
                    list(&own)
                ),
            ),
            (_, false) => (
                Verdict::NotFixed,
                format!("tests fail now: {}", list(&owned(last.named(wright_testing::Outcome::Failed)))),
            ),
            (true, true) => (
                Verdict::Unverified,
                "the tests pass, but no test shows the fix: none failed at the base, and the run added or changed none"
                    .into(),
            ),
        }
    };
    (verdict.0, verdict.1, Some(c))
}

/// Tests the run added (not run at the base) or changed (in files it changed) that pass.
fn runs_own_tests(e: &Evidence, last: &TestRun, c: &Comparison) -> Vec<String> {
    let mut own: Vec<String> = c.added_passing.clone();
    // A changed test file's passing tests are the run's; a source file with tests inline
    // (Rust's `mod tests`) changed only for its code shows nothing of the fix.
    let test_files: Vec<String> = e.changed.iter().filter(|p| is_test_file(p)).cloned().collect();
    for id in last.named(wright_testing::Outcome::Passed) {
        if in_files(id, &test_files) && !own.iter().any(|o| o == id) {
            own.push(id.to_string());
        }
    }
    own
}

/// Whether `path` holds tests by its name: a `test`/`tests`/`spec` folder, or a name such
/// as `test_x.py`, `x_test.go`, `x.test.js`, `x_spec.rb`.
pub(crate) fn is_test_file(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    let folders = &parts[..parts.len().saturating_sub(1)];
    if folders.iter().any(|f| matches!(*f, "test" | "tests" | "__tests__" | "spec" | "specs" | "testdata")) {
        return true;
    }
    let name = parts.last().copied().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or(name);
    stem.starts_with("test_")
        || stem == "test"
        || stem == "tests"
        || ["_test", "_tests", "_spec"].iter().any(|s| stem.ends_with(s))
        || [".test.", ".spec."].iter().any(|s| name.contains(s))
}

fn without_baseline(e: &Evidence, last: &TestRun) -> (Verdict, String, Option<Comparison>) {
    let test_files: Vec<String> = e.changed.iter().filter(|p| is_test_file(p)).cloned().collect();
    let passing_own: Vec<String> = last
        .named(wright_testing::Outcome::Passed)
        .into_iter()
        .filter(|t| in_files(t, &test_files))
        .map(str::to_string)
        .collect();
    match (last.passed(), passing_own.is_empty()) {
        (false, _) => {
            (Verdict::NotFixed, format!("the tests fail (exit {}; no baseline was run)", last.exit_code), None)
        }
        (true, false) => (
            Verdict::Fixed,
            format!(
                "the tests pass, with the run's own {}: {} (no baseline was run: what failed before is unknown)",
                tests(&passing_own),
                list(&passing_own)
            ),
            None,
        ),
        (true, true) => (
            Verdict::Unverified,
            "the tests pass, but no baseline was run and no test the run changed shows the fix".into(),
            None,
        ),
    }
}

/// When a runner names no tests, its exit codes at the base and now are the evidence.
fn by_exit_codes(base: &TestRun, last: &TestRun) -> (Verdict, String, Option<Comparison>) {
    let (verdict, why) = match (base.passed(), last.passed()) {
        (false, true) => {
            (Verdict::Fixed, "the test command failed at the base and passes now (the runner named no tests)")
        }
        (true, false) => (Verdict::TestsBroken, "the test command passed at the base and fails now"),
        (false, false) => (Verdict::NotFixed, "the test command failed at the base and still fails"),
        (true, true) => (
            Verdict::Unverified,
            "the test command passed at the base and still passes; it names no tests, so none shows the fix",
        ),
    };
    (verdict, why.into(), None)
}

fn verb<'a>(names: &[String], one: &'a str, many: &'a str) -> &'a str {
    if names.len() == 1 { one } else { many }
}

fn tests(names: &[String]) -> String {
    if names.len() == 1 { "1 test".into() } else { format!("{} tests", names.len()) }
}

/// Names, at most eight, then how many more.
fn list(names: &[String]) -> String {
    let mut shown: Vec<&str> = names.iter().take(8).map(String::as_str).collect();
    let more = names.len().saturating_sub(8);
    let more_text = format!("and {more} more");
    if more > 0 {
        shown.push(&more_text);
    }
    shown.join(", ")
}

fn owned(names: Vec<&str>) -> Vec<String> {
    names.into_iter().map(str::to_string).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use wright_testing::{Outcome, Source};

    fn run(exit: i32, tests: &[(&str, Outcome)]) -> TestRun {
        TestRun {
            command: "t".into(),
            exit_code: exit,
            timed_out: false,
            duration_ms: 1,
            source: if tests.is_empty() { Source::ExitCode } else { Source::Output },
            tests: tests.iter().map(|(t, o)| (t.to_string(), *o)).collect(),
            summary: None,
            output_tail: String::new(),
        }
    }

    fn verdict(base: Option<&TestRun>, last: &TestRun, changed: &[&str]) -> (Verdict, String) {
        let changed: Vec<String> = changed.iter().map(|s| s.to_string()).collect();
        let e = Evidence { commits: 1, changed: &changed, has_command: true, baseline: base, last: Some(last) };
        let (v, why, _) = judge(&e);
        (v, why)
    }

    use Outcome::{Failed as F, Passed as P};

    #[test]
    fn every_verdict_from_its_evidence() {
        let base = run(1, &[("a.test_x", F), ("a.test_y", P), ("a.test_unrelated", F)]);
        let fixed = run(1, &[("a.test_x", P), ("a.test_y", P), ("a.test_unrelated", F)]);
        let (v, why) = verdict(Some(&base), &fixed, &["a.py"]);
        assert_eq!(v, Verdict::Fixed);
        assert!(why.contains("a.test_x") && why.contains("still failing as at the base: a.test_unrelated"), "{why}");
        let broken = run(1, &[("a.test_x", P), ("a.test_y", F), ("a.test_unrelated", F)]);
        assert_eq!(verdict(Some(&base), &broken, &[]).0, Verdict::TestsBroken);
        assert_eq!(verdict(Some(&base), &base, &[]).0, Verdict::NotFixed);
        let green = run(0, &[("t.test_a", P)]);
        assert_eq!(verdict(Some(&green), &green, &["x.py"]).0, Verdict::Unverified);
        let with_new = run(0, &[("t.test_a", P), ("t.test_new", P)]);
        assert_eq!(verdict(Some(&green), &with_new, &[]).0, Verdict::Fixed);
        let green_tests = run(0, &[("test_t.test_a", P)]);
        let (v, why) = verdict(Some(&green_tests), &green_tests, &["test_t.py"]);
        assert_eq!(v, Verdict::Fixed, "a test in a changed test file passes: {why}");
        // A test inline in a source file changed only for its code shows nothing (measured:
        // a Rust `mod tests` beside the changed function was taken for the run's own test).
        let inline = run(0, &[("src/lib.rs::tests::a_number_is_a_port", P)]);
        assert_eq!(verdict(Some(&inline), &inline, &["src/lib.rs"]).0, Verdict::Unverified);
        assert!(is_test_file("tests/hidden.rs") && is_test_file("pkg/a_test.go") && is_test_file("x.test.js"));
        assert!(!is_test_file("src/lib.rs") && !is_test_file("contest.py") && !is_test_file("latest/a.py"));
        // Deleting the failing test, or the passing ones, proves nothing.
        let deleted = run(1, &[("a.test_y", P), ("a.test_unrelated", F)]);
        assert_eq!(verdict(Some(&base), &deleted, &["a.py"]).0, Verdict::NotFixed);
        let lost = run(0, &[("a.test_x", P)]);
        assert_eq!(verdict(Some(&base), &lost, &["a.py"]).0, Verdict::TestsBroken);
        // A baseline that timed out is no baseline.
        let mut slow = base.clone();
        slow.timed_out = true;
        assert!(verdict(Some(&slow), &fixed, &[]).1.contains("no baseline"));
        // Named at the base, nothing named at the end: not evidence.
        assert_eq!(verdict(Some(&base), &run(0, &[]), &[]).0, Verdict::Unverified);
        // … unless the base passed and the end fails naming none: it no longer builds
        // (measured: a Go draft that used a package it did not import was `unverified`).
        let (v, why) = verdict(Some(&green), &run(2, &[]), &["x.go"]);
        assert!(v == Verdict::TestsBroken && why.contains("may not build"), "{why}");
        let e = Evidence { commits: 0, changed: &[], has_command: true, baseline: None, last: None };
        assert_eq!(judge(&e).0, Verdict::NoChange);
        let e = Evidence { commits: 2, changed: &[], has_command: false, baseline: None, last: None };
        assert_eq!(judge(&e).0, Verdict::Unknown);
    }

    #[test]
    fn no_test_run_is_never_a_pass_and_exit_codes_speak_when_nothing_is_named() {
        let mut zero = run(0, &[]);
        zero.source = Source::Output;
        zero.summary = Some(wright_testing::Counts::default());
        assert_eq!(verdict(Some(&run(1, &[])), &zero, &[]).0, Verdict::Unverified);
        assert_eq!(verdict(Some(&run(1, &[])), &run(0, &[]), &[]).0, Verdict::Fixed);
        assert_eq!(verdict(Some(&run(0, &[])), &run(2, &[]), &[]).0, Verdict::TestsBroken);
        assert_eq!(verdict(Some(&run(0, &[])), &run(0, &[]), &[]).0, Verdict::Unverified);
        assert_eq!(verdict(None, &run(1, &[("t.test_a", F)]), &[]).0, Verdict::NotFixed);
        let (v, why) = verdict(None, &run(0, &[("test_t.test_a", P)]), &["test_t.py"]);
        assert!(v == Verdict::Fixed && why.contains("no baseline"), "{why}");
        assert_eq!(
            verdict(None, &run(0, &[("t.test_a", P)]), &["t.py"]).0,
            Verdict::Unverified,
            "t.py is no test file"
        );
    }
}
