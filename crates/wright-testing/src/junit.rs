//! JUnit XML, as pytest (`--junitxml`), nextest, Surefire and jest-junit write it: every
//! `<testcase>`, failed when it holds `<failure>` or `<error>`, skipped with `<skipped>`.

use std::collections::BTreeMap;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::Outcome;

/// Each test case's id and outcome; `None` when the text is not a JUnit report. The id
/// is `file::name` when the case names its file (pytest's xunit1), else `class.name`.
pub(crate) fn parse(xml: &str) -> Option<BTreeMap<String, Outcome>> {
    let mut reader = Reader::from_str(xml);
    let mut tests = BTreeMap::new();
    let mut open: Option<(String, Outcome)> = None;
    let mut saw_suite = false;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e)
                if e.name().as_ref() == b"testsuite" || e.name().as_ref() == b"testsuites" =>
            {
                saw_suite = true;
            }
            Event::Start(e) if e.name().as_ref() == b"testcase" => open = Some((case_id(&e), Outcome::Passed)),
            Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                tests.insert(case_id(&e), Outcome::Passed);
            }
            Event::Start(e) | Event::Empty(e) => {
                if let Some((_, outcome)) = &mut open {
                    match e.name().as_ref() {
                        b"failure" | b"error" => *outcome = Outcome::Failed,
                        b"skipped" if *outcome != Outcome::Failed => *outcome = Outcome::Skipped,
                        _ => {}
                    }
                }
            }
            Event::End(e) if e.name().as_ref() == b"testcase" => {
                if let Some((id, outcome)) = open.take() {
                    tests.insert(id, outcome);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    saw_suite.then_some(tests)
}

fn case_id(e: &BytesStart) -> String {
    let attr = |name: &[u8]| {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
            .filter(|v| !v.is_empty())
    };
    let name = attr(b"name").unwrap_or_default();
    match (attr(b"file"), attr(b"classname")) {
        (Some(file), Some(class))
            if class.contains('.') && !file.ends_with(&format!("{}.py", class.replace('.', "/"))) =>
        {
            // A test method in a class: keep the class in the id, as pytest's node ids do.
            let class_name = class.rsplit('.').next().unwrap_or_default();
            format!("{file}::{class_name}::{name}")
        }
        (Some(file), _) => format!("{file}::{name}"),
        (None, Some(class)) => format!("{class}.{name}"),
        (None, None) => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pytest_reports() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="0" failures="1" skipped="1" tests="4" time="0.05">
<testcase classname="tests.test_calc" file="tests/test_calc.py" line="2" name="test_add" time="0.001" />
<testcase classname="tests.test_calc" file="tests/test_calc.py" line="5" name="test_sub" time="0.001"><failure message="assert 1 == 2">def test_sub(): &lt;x&gt;</failure></testcase>
<testcase classname="tests.test_calc.TestMore" file="tests/test_calc.py" line="9" name="test_mul" time="0.001" />
<testcase classname="tests.test_calc" file="tests/test_calc.py" line="12" name="test_div" time="0"><skipped type="pytest.skip" message="later" /></testcase>
</testsuite></testsuites>"#;
        let tests = parse(xml).unwrap();
        assert_eq!(tests.get("tests/test_calc.py::test_add"), Some(&Outcome::Passed));
        assert_eq!(tests.get("tests/test_calc.py::test_sub"), Some(&Outcome::Failed));
        assert_eq!(tests.get("tests/test_calc.py::TestMore::test_mul"), Some(&Outcome::Passed));
        assert_eq!(tests.get("tests/test_calc.py::test_div"), Some(&Outcome::Skipped));
        assert_eq!(tests.len(), 4);
    }

    #[test]
    fn an_empty_suite_is_a_report_of_no_tests_and_garbage_is_none() {
        let empty = parse(r#"<testsuites><testsuite name="pytest" tests="0"></testsuite></testsuites>"#).unwrap();
        assert!(empty.is_empty());
        assert!(parse("not xml at all").is_none());
        let _ = parse("<testsuite><testcase name='a'>");
    }
}
