//! Per-test results read from what runners print: pytest, unittest (`-v`), cargo test,
//! nextest and go test (`-v`), with their summary lines. Lines of other runners are left
//! alone; what none of these names is only an exit code.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::{Counts, Outcome};

/// What the output says: named tests, and the summary counts when a summary was printed.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Read {
    pub tests: BTreeMap<String, Outcome>,
    pub summary: Option<Counts>,
}

macro_rules! re {
    ($name:ident, $pattern:expr) => {
        static $name: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new($pattern).ok());
    };
}

// pytest: `tests/test_x.py::test_a PASSED [ 50%]`, and `FAILED tests/test_x.py::test_a - msg`.
re!(PYTEST_VERBOSE, r"^(\S+\.py::\S+) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b");
re!(PYTEST_SHORT, r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (\S+\.py::[^\s]+)");
// `=== 1 failed, 2 passed, 1 skipped in 0.05s ===`, or `no tests ran in 0.01s`.
re!(PYTEST_SUMMARY, r"^=*\s*((?:\d+ \w+(?:, )?)+) in [\d.]+s\b|^=*\s*no tests ran in [\d.]+s");
// unittest -v: `test_a (test_x.T.test_a) ... ok`, possibly with a docstring line between.
re!(
    UNITTEST_LINE,
    r"^(\w+) \(([\w.]+)\)(?:\n.*)?(?: \.\.\. |\s*\.\.\. )(ok|FAIL|ERROR|skipped\b.*|expected failure|unexpected success)$"
);
re!(UNITTEST_BLOCK, r"^(FAIL|ERROR): (\w+) \(([\w.]+)\)");
re!(UNITTEST_RAN, r"^Ran (\d+) tests? in ");
re!(UNITTEST_RESULT, r"^(OK|FAILED|NO TESTS RAN)\b(?: \((.*)\))?");
// cargo test: `     Running unittests src/lib.rs (target/...)`, `test m::t ... ok`.
re!(CARGO_RUNNING, r"^\s*Running (?:unittests )?(\S+)");
re!(CARGO_TEST, r"^test (\S+) \.\.\. (ok|FAILED|ignored)");
re!(CARGO_RESULT, r"^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored");
// nextest: `        PASS [   0.010s] crate::bin test_name`.
re!(
    NEXTEST_LINE,
    r"^\s+(PASS|FAIL|SIGSEGV|SIGABRT|TIMEOUT|LEAK-FAIL|SKIP)\s+\[[^\]]*\]\s+(?:\(\s*\d+/\d+\)\s+)?(\S+ \S+)"
);
// TAP (node --test, tap, prove): `# Subtest: name`, `ok 1 - name`, `not ok 2 - name # SKIP`.
re!(TAP_SUBTEST, r"^(\s*)# Subtest: (.+)$");
re!(TAP_RESULT, r"^(\s*)(not )?ok \d+ - (.+?)(\s+# (?i:skip|todo)\b.*)?$");
re!(TAP_COUNT, r"^# (pass|fail|skipped) (\d+)$");
// go test -v: `--- PASS: TestX (0.00s)`.
re!(GO_LINE, r"^\s*--- (PASS|FAIL|SKIP): (\S+) \(");
// go test: a package with nothing to run, and one that ran (or failed to build).
re!(GO_NONE, r"^(?:\?\s+\S+\s+\[no test files\]|ok\s+\S+\s.*\[no tests to run\]|no packages to test)$");
re!(GO_PACKAGE, r"^(?:ok|FAIL)\s+\S+");

fn matches<'a>(re: &'a LazyLock<Option<Regex>>, line: &'a str) -> Option<regex::Captures<'a>> {
    re.as_ref().and_then(|r| r.captures(line))
}

fn group<'a>(c: &'a regex::Captures, i: usize) -> &'a str {
    c.get(i).map(|m| m.as_str()).unwrap_or_default()
}

fn number(c: &regex::Captures, i: usize) -> u64 {
    group(c, i).parse().unwrap_or(0)
}

/// Reads `text`; a failure seen for a test stands over a pass seen for it.
pub(crate) fn read(text: &str) -> Read {
    let mut out = Read::default();
    let set = |tests: &mut BTreeMap<String, Outcome>, id: String, outcome: Outcome| {
        let keep_failure = tests.get(&id) == Some(&Outcome::Failed);
        if !keep_failure {
            tests.insert(id, outcome);
        }
    };
    let mut cargo_prefix = String::new();
    let mut cargo_sum: Option<Counts> = None;
    let mut unittest_ran: Option<u64> = None;
    let mut unittest_sum: Option<Counts> = None;
    // Open TAP subtests: (indent, name); a test's id is its path, joined by " > ".
    let mut tap: Vec<(usize, String)> = Vec::new();
    let mut tap_sum: Option<Counts> = None;
    // go test names no count: only that no package had a test to run.
    let (mut go_none, mut go_ran) = (false, false);
    let lines: Vec<&str> = text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if let Some(c) = matches(&PYTEST_VERBOSE, line) {
            set(&mut out.tests, group(&c, 1).to_string(), pytest_outcome(group(&c, 2)));
        } else if let Some(c) = matches(&PYTEST_SHORT, line) {
            set(&mut out.tests, group(&c, 2).to_string(), pytest_outcome(group(&c, 1)));
        } else if let Some(c) = matches(&PYTEST_SUMMARY, line) {
            out.summary = Some(pytest_counts(group(&c, 1)));
        } else if let Some(c) = matches(&UNITTEST_BLOCK, line) {
            set(&mut out.tests, unittest_id(group(&c, 2), group(&c, 3)), Outcome::Failed);
        } else if let Some(c) = matches(&UNITTEST_RAN, line) {
            unittest_ran = Some(number(&c, 1));
        } else if let Some(c) = matches(&UNITTEST_RESULT, line) {
            // One run per test folder may print one summary each: they add up.
            if let Some(ran) = unittest_ran.take() {
                let add = unittest_counts(ran, group(&c, 1), group(&c, 2));
                let sum = unittest_sum.get_or_insert_with(Counts::default);
                sum.passed = sum.passed.saturating_add(add.passed);
                sum.failed = sum.failed.saturating_add(add.failed);
                sum.skipped = sum.skipped.saturating_add(add.skipped);
                out.summary = unittest_sum;
            }
        } else if let Some(c) = matches(&CARGO_RUNNING, line) {
            cargo_prefix = format!("{}::", group(&c, 1));
        } else if let Some(c) = matches(&CARGO_TEST, line) {
            let outcome = match group(&c, 2) {
                "ok" => Outcome::Passed,
                "ignored" => Outcome::Skipped,
                _ => Outcome::Failed,
            };
            set(&mut out.tests, format!("{cargo_prefix}{}", group(&c, 1)), outcome);
        } else if let Some(c) = matches(&CARGO_RESULT, line) {
            let sum = cargo_sum.get_or_insert_with(Counts::default);
            sum.passed = sum.passed.saturating_add(number(&c, 1));
            sum.failed = sum.failed.saturating_add(number(&c, 2));
            sum.skipped = sum.skipped.saturating_add(number(&c, 3));
            out.summary = cargo_sum;
        } else if let Some(c) = matches(&NEXTEST_LINE, line) {
            let outcome = match group(&c, 1) {
                "PASS" => Outcome::Passed,
                "SKIP" => Outcome::Skipped,
                _ => Outcome::Failed,
            };
            set(&mut out.tests, group(&c, 2).to_string(), outcome);
        } else if let Some(c) = matches(&TAP_SUBTEST, line) {
            let indent = group(&c, 1).len();
            tap.retain(|(i, _)| *i < indent);
            tap.push((indent, group(&c, 2).trim().to_string()));
        } else if let Some(c) = matches(&TAP_RESULT, line) {
            let indent = group(&c, 1).len();
            tap.retain(|(i, _)| *i < indent);
            let mut path: Vec<&str> = tap.iter().map(|(_, n)| n.as_str()).collect();
            path.push(group(&c, 3).trim());
            let outcome = match (c.get(2).is_some(), c.get(4).is_some()) {
                (_, true) => Outcome::Skipped,
                (true, false) => Outcome::Failed,
                (false, false) => Outcome::Passed,
            };
            set(&mut out.tests, path.join(" > "), outcome);
        } else if let Some(c) = matches(&TAP_COUNT, line) {
            let sum = tap_sum.get_or_insert_with(Counts::default);
            let n = number(&c, 2);
            match group(&c, 1) {
                "pass" => sum.passed = n,
                "fail" => sum.failed = n,
                _ => sum.skipped = n,
            }
            out.summary = tap_sum;
        } else if let Some(c) = matches(&GO_LINE, line) {
            let outcome = match group(&c, 1) {
                "PASS" => Outcome::Passed,
                "SKIP" => Outcome::Skipped,
                _ => Outcome::Failed,
            };
            set(&mut out.tests, group(&c, 2).to_string(), outcome);
        } else if matches(&GO_NONE, line).is_some() {
            go_none = true;
        } else if matches(&GO_PACKAGE, line).is_some() {
            go_ran = true;
        } else {
            // unittest -v may put a docstring on the line after the name.
            let joined = match lines.get(i + 1) {
                Some(next) if !line.contains(" ... ") => format!("{line}\n{next}"),
                _ => line.to_string(),
            };
            if let Some(c) = matches(&UNITTEST_LINE, &joined) {
                let outcome = match group(&c, 3) {
                    "ok" | "expected failure" => Outcome::Passed,
                    s if s.starts_with("skipped") => Outcome::Skipped,
                    _ => Outcome::Failed,
                };
                set(&mut out.tests, unittest_id(group(&c, 1), group(&c, 2)), outcome);
            }
        }
    }
    if go_none && !go_ran && out.tests.is_empty() && out.summary.is_none() {
        out.summary = Some(Counts::default());
    }
    // A TAP suite reports a result of its own besides its tests': keep the tests only.
    let parents: Vec<String> = out
        .tests
        .keys()
        .filter(|id| out.tests.keys().any(|other| other.starts_with(&format!("{id} > "))))
        .cloned()
        .collect();
    for id in parents {
        out.tests.remove(&id);
    }
    out
}

fn pytest_outcome(word: &str) -> Outcome {
    match word {
        "PASSED" | "XFAIL" => Outcome::Passed,
        "SKIPPED" => Outcome::Skipped,
        _ => Outcome::Failed,
    }
}

/// `1 failed, 2 passed, 1 skipped, 1 error` (empty for `no tests ran`).
fn pytest_counts(text: &str) -> Counts {
    let mut c = Counts::default();
    for part in text.split(", ") {
        let (n, word) = part.trim().split_once(' ').unwrap_or(("0", ""));
        let n: u64 = n.parse().unwrap_or(0);
        match word {
            "passed" | "xfailed" => c.passed = c.passed.saturating_add(n),
            "failed" | "error" | "errors" | "xpassed" => c.failed = c.failed.saturating_add(n),
            "skipped" | "deselected" => c.skipped = c.skipped.saturating_add(n),
            _ => {}
        }
    }
    c
}

/// unittest's `Ran N tests` with `OK (skipped=1)` or `FAILED (failures=1, errors=2)`.
fn unittest_counts(ran: u64, result: &str, detail: &str) -> Counts {
    let mut c = Counts::default();
    for part in detail.split(", ") {
        let (key, n) = part.split_once('=').unwrap_or(("", "0"));
        let n: u64 = n.trim().parse().unwrap_or(0);
        match key.trim() {
            "failures" | "errors" | "unexpected successes" => c.failed = c.failed.saturating_add(n),
            "skipped" => c.skipped = c.skipped.saturating_add(n),
            _ => {}
        }
    }
    if result == "NO TESTS RAN" {
        return Counts::default();
    }
    c.passed = ran.saturating_sub(c.failed.saturating_add(c.skipped));
    c
}

/// One id for a unittest test whether Python prints `(mod.Class.test)` (3.11+) or
/// `(mod.Class)` (before).
fn unittest_id(method: &str, dotted: &str) -> String {
    if dotted.ends_with(&format!(".{method}")) { dotted.to_string() } else { format!("{dotted}.{method}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(r: &Read, id: &str) -> Option<Outcome> {
        r.tests.get(id).copied()
    }

    #[test]
    fn pytest_lines_and_summary() {
        let r = read(
            "tests/test_a.py::test_one PASSED [ 50%]\ntests/test_a.py::test_two FAILED [100%]\n=== short test summary info ===\nFAILED tests/test_a.py::test_two - assert 1 == 2\n=== 1 failed, 1 passed in 0.05s ===\n",
        );
        assert_eq!(outcome(&r, "tests/test_a.py::test_one"), Some(Outcome::Passed));
        assert_eq!(outcome(&r, "tests/test_a.py::test_two"), Some(Outcome::Failed));
        assert_eq!(r.summary, Some(Counts { passed: 1, failed: 1, skipped: 0 }));
        let none = read("\nno tests ran in 0.01s\n");
        assert_eq!(none.summary, Some(Counts::default()));
        let quiet = read("..F\nFAILED test_x.py::test_c - boom\n1 failed, 2 passed in 0.02s\n");
        assert_eq!(quiet.summary, Some(Counts { passed: 2, failed: 1, skipped: 0 }));
        assert_eq!(outcome(&quiet, "test_x.py::test_c"), Some(Outcome::Failed));
    }

    #[test]
    fn unittest_verbose_lines_both_pythons() {
        let text = "test_plain (test_dates.ParseDateTest.test_plain) ... ok\ntest_z (test_dates.ParseDateTest)\nParse Z. ... FAIL\n\
test_skip (test_dates.ParseDateTest.test_skip) ... skipped 'later'\n\n======\nFAIL: test_z (test_dates.ParseDateTest)\n------\nRan 3 tests in 0.001s\n\nFAILED (failures=1, skipped=1)\n";
        let r = read(text);
        assert_eq!(outcome(&r, "test_dates.ParseDateTest.test_plain"), Some(Outcome::Passed));
        assert_eq!(outcome(&r, "test_dates.ParseDateTest.test_z"), Some(Outcome::Failed));
        assert_eq!(outcome(&r, "test_dates.ParseDateTest.test_skip"), Some(Outcome::Skipped));
        assert_eq!(r.summary, Some(Counts { passed: 1, failed: 1, skipped: 1 }));
        let empty = read(
            "\n----------------------------------------------------------------------\nRan 0 tests in 0.000s\n\nOK\n",
        );
        assert_eq!(empty.summary, Some(Counts::default()));
        assert!(empty.tests.is_empty());
        // `unittest discover` run in two folders: both summaries count.
        let two = read(
            "Ran 0 tests in 0.000s\n\nOK\nRan 3 tests in 0.1s\n\nFAILED (failures=1)\nRan 2 tests in 0.1s\n\nOK\n",
        );
        assert_eq!(two.summary, Some(Counts { passed: 4, failed: 1, skipped: 0 }));
    }

    #[test]
    fn cargo_nextest_and_go() {
        let cargo = "     Running unittests src/lib.rs (target/debug/deps/x-1)\ntest tests::adds ... ok\ntest tests::subs ... FAILED\n\ntest result: FAILED. 1 passed; 1 failed; 0 ignored; 0 measured\n";
        let r = read(cargo);
        assert_eq!(outcome(&r, "src/lib.rs::tests::adds"), Some(Outcome::Passed));
        assert_eq!(outcome(&r, "src/lib.rs::tests::subs"), Some(Outcome::Failed));
        assert_eq!(r.summary, Some(Counts { passed: 1, failed: 1, skipped: 0 }));
        let nextest =
            read("        PASS [   0.010s] (1/2) calc tests::adds\n        FAIL [   0.011s] (2/2) calc tests::subs\n");
        assert_eq!(outcome(&nextest, "calc tests::subs"), Some(Outcome::Failed));
        let go = read(
            "=== RUN   TestAdd\n--- PASS: TestAdd (0.00s)\n=== RUN   TestSub\n    calc_test.go:9: boom\n--- FAIL: TestSub (0.00s)\nFAIL\n",
        );
        assert_eq!(outcome(&go, "TestAdd"), Some(Outcome::Passed));
        assert_eq!(outcome(&go, "TestSub"), Some(Outcome::Failed));
    }

    #[test]
    fn go_packages_without_tests_ran_none() {
        let none = read("?   \texample.com/root\t[no test files]\n");
        assert_eq!((none.summary, none.tests.len()), (Some(Counts::default()), 0));
        let filtered = read("testing: warning: no tests to run\nPASS\nok  \tx\t0.002s [no tests to run]\n");
        assert_eq!(filtered.summary, Some(Counts::default()));
        assert_eq!(
            read("go: warning: \"./...\" matched no packages\nno packages to test\n").summary,
            Some(Counts::default())
        );
        // Tests ran in a package without -v, or one failed to build: not a run of none.
        let quiet = read("?   \tx/cmd\t[no test files]\nok  \tx/calc\t0.003s\n");
        assert_eq!(quiet.summary, None);
        assert_eq!(read("?   \tx/cmd\t[no test files]\nFAIL\tx/calc [build failed]\n").summary, None);
    }

    #[test]
    fn a_run_of_no_test_is_recognised() {
        assert!(crate::says_no_test_ran("\n----\nRan 0 tests in 0.000s\n\nOK\n"));
        assert!(crate::says_no_test_ran("no tests ran in 0.01s"));
        assert!(!crate::says_no_test_ran("Ran 2 tests in 0.1s\n\nOK\n"));
        assert!(!crate::says_no_test_ran("hello"));
    }

    #[test]
    fn tap_from_node_test() {
        let text = "TAP version 13\n# Subtest: adds\nok 1 - adds\n  ---\n  ...\n# Subtest: subs\nnot ok 2 - subs\n  ---\n  ...\n\
# Subtest: group\n    # Subtest: inner ok\n    ok 1 - inner ok\n    1..1\nok 3 - group\n# Subtest: skipped\nok 4 - skipped # SKIP\n\
1..4\n# tests 4\n# suites 1\n# pass 2\n# fail 1\n# cancelled 0\n# skipped 1\n";
        let r = read(text);
        assert_eq!(outcome(&r, "adds"), Some(Outcome::Passed));
        assert_eq!(outcome(&r, "subs"), Some(Outcome::Failed));
        assert_eq!(outcome(&r, "group > inner ok"), Some(Outcome::Passed));
        assert_eq!(outcome(&r, "group"), None, "a suite is not a test");
        assert_eq!(outcome(&r, "skipped"), Some(Outcome::Skipped));
        assert_eq!(r.summary, Some(Counts { passed: 2, failed: 1, skipped: 1 }));
    }

    proptest::proptest! {
        #[test]
        fn any_output_reads_without_a_panic(text in "(\\PC|\n| \\.\\.\\. |test |--- |FAILED |Ran |OK|\\(|\\)){0,200}") {
            let _ = read(&text);
        }
    }
}
