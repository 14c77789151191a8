//! The lines of a long output worth keeping when its middle is cut: what a failure says
//! (an error, a failed assertion, a panic, a traceback) and where (`file:line` frames).
//! A test run's middle is where its first failure usually is.

/// Words of failure, matched in lower case.
const FAILURE_WORDS: &[&str] =
    &["error", "fail", "panic", "traceback", "exception", "assert", "expected", "not ok", "undefined", "cannot find"];

/// Whether `line` says what failed, or where.
pub fn is_salient(line: &str) -> bool {
    let lower = line.to_lowercase();
    FAILURE_WORDS.iter().any(|w| lower.contains(w)) || names_a_place(line)
}

/// `File "a.py", line 3` (Python), or a `path.ext:LINE` token (Rust, Go, JavaScript, C).
fn names_a_place(line: &str) -> bool {
    if line.contains("File \"") && line.contains("\", line ") {
        return true;
    }
    line.split(|c: char| c.is_whitespace() || "()[]<>,'\"".contains(c)).any(|token| {
        let mut parts = token.split(':');
        let path = parts.next().unwrap_or_default();
        let line_no = parts.next().unwrap_or_default();
        let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
        !ext.is_empty()
            && ext.len() <= 5
            && ext.chars().all(|c| c.is_ascii_alphanumeric())
            && !line_no.is_empty()
            && line_no.chars().all(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_and_places_are_salient() {
        for line in [
            "E       AssertionError: assert 3 == 4",
            "  File \"app/stats.py\", line 12, in average",
            "thread 'main' panicked at src/lib.rs:14:5:",
            "    --> src/parse.rs:31:9",
            "--- FAIL: TestRetry (0.00s)",
            "    retry_test.go:19: got 0, want 3",
            "    at Object.<anonymous> (test/range.test.js:8:15)",
            "not ok 2 - range is inclusive",
        ] {
            assert!(is_salient(line), "{line}");
        }
        for line in ["collected 12 items", "test_stats.py ....", "Compiling serde v1.0", "ok 1 - sums", "12:30 done"] {
            assert!(!is_salient(line), "{line}");
        }
    }
}
