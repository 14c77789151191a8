//! Catches a model going round in circles: the same failing call, again and again, with
//! no change landing in between (small models cycle through a few failing calls).

use std::collections::HashMap;

use wright_llm::ToolCall;

use crate::StopReason;

/// The same failing call this many times without progress ends the run.
const MAX_REPEATED_FAILURES: u32 = 3;
/// The same call with the same answer this many times in a row ends the run.
const MAX_IDENTICAL_CALLS: u32 = 4;
/// Failed edits in a row, whatever their arguments, without a change landing: the model
/// is editing what is not there (line numbers in `old`, the wrong function), and another
/// attempt does better than more of the same.
const MAX_FAILED_EDITS: u32 = 5;

#[derive(Default)]
pub(crate) struct RepeatGuard {
    failures: HashMap<String, u32>,
    last: Option<(String, String)>,
    identical: u32,
    /// The latest calls with their answers, hashed, for cycles of two or three calls.
    recent: Vec<u64>,
    /// Edits that failed since the last change landed.
    failed_edits: u32,
}

/// Cycles of this many calls or fewer are caught (one call is `identical`'s).
const LONGEST_CYCLE: usize = 3;
/// A cycle of calls with the same answers this many times over ends the run.
const MAX_CYCLES: usize = 3;

/// A call as the repeat checks see it: its name and its arguments' values. Layout between
/// JSON tokens does not make a call new; any change inside a value (whitespace included,
/// such as an `edit` retried with other indentation) does.
fn signature(call: &ToolCall) -> String {
    let arguments = match serde_json::from_str::<serde_json::Value>(&call.arguments) {
        Ok(value) => value.to_string(),
        Err(_) => call.arguments.clone(),
    };
    format!("{}:{arguments}", call.name)
}

impl RepeatGuard {
    /// Records a failed call; returns how often this exact call has failed since the last
    /// change landed.
    fn failed(&mut self, call: &ToolCall) -> u32 {
        let count = self.failures.entry(signature(call)).or_default();
        *count += 1;
        *count
    }

    /// Records a call and its answer; returns how many times in a row the model has now
    /// made this call and got this answer.
    fn answered(&mut self, call: &ToolCall, output: &str) -> u32 {
        let key = (signature(call), output.to_string());
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&key, &mut hasher);
        self.recent.push(std::hash::Hasher::finish(&hasher));
        let keep = LONGEST_CYCLE * MAX_CYCLES;
        if self.recent.len() > keep {
            self.recent.drain(..self.recent.len() - keep);
        }
        if self.last.as_ref() == Some(&key) {
            self.identical += 1;
        } else {
            self.last = Some(key);
            self.identical = 1;
        }
        self.identical
    }

    /// The longest run of one cycle of 2 or 3 calls (with the same answers) that ends the
    /// history: its length and how many times it came round.
    fn cycle(&self) -> Option<(usize, usize)> {
        let r = &self.recent;
        (2..=LONGEST_CYCLE)
            .filter_map(|k| {
                let last = r.get(r.len().checked_sub(k)?..)?;
                // A "cycle" of one call repeated is the identical-call check's.
                if last.iter().all(|h| *h == last[0]) {
                    return None;
                }
                let rounds = (1..)
                    .take_while(|n| r.len() >= n * k && r[r.len() - n * k..r.len() - (n - 1) * k] == *last)
                    .count();
                (rounds >= 2).then_some((k, rounds))
            })
            .max_by_key(|&(_, rounds)| rounds)
    }

    /// Notes one call's result: adds a hint to `output` when the model repeats itself, and
    /// says why the run must stop when it keeps doing so.
    pub(crate) fn review(
        &mut self,
        call: &ToolCall,
        ok: bool,
        committed: bool,
        edit: bool,
        output: &mut String,
    ) -> Option<(StopReason, String)> {
        if committed {
            self.progress();
        }
        let mut stop = None;
        if edit && !ok {
            self.failed_edits += 1;
            if self.failed_edits >= MAX_FAILED_EDITS {
                let detail = format!("{} edits in a row failed without a change landing", self.failed_edits);
                stop = Some((StopReason::RepeatedFailure, detail));
            }
        }
        if !ok {
            match self.failed(call) {
                n if n >= MAX_REPEATED_FAILURES => {
                    let detail = format!("the same failing `{}` call was made {n} times without progress", call.name);
                    stop = Some((StopReason::RepeatedFailure, detail));
                }
                n if n > 1 => output.push_str(&format!(
                    "\n[this exact call has now failed {n} times; change the arguments or try another tool]"
                )),
                _ => {}
            }
        }
        match self.answered(call, output) {
            n if n >= MAX_IDENTICAL_CALLS => {
                let detail = format!("the model made the same `{}` call {n} times in a row", call.name);
                stop = stop.or(Some((StopReason::Looping, detail)));
            }
            n if n > 1 => output.push_str(&format!(
                "\n[you made this exact call {n} times in a row and got the same answer; use it and take the next step, e.g. read_file on a path it names]"
            )),
            _ => {}
        }
        match self.cycle() {
            Some((k, rounds)) if rounds >= MAX_CYCLES => {
                let detail = format!("the model went round the same {k} calls {rounds} times, with the same answers");
                stop = stop.or(Some((StopReason::Looping, detail)));
            }
            Some((k, rounds)) => output.push_str(&format!(
                "\n[your last {} calls repeat the same {k} calls {rounds} times, with the same answers; use what they told you and take a different step]",
                k * rounds
            )),
            None => {}
        }
        stop
    }

    /// A change landed: earlier failures may now go differently.
    fn progress(&mut self) {
        self.failures.clear();
        self.failed_edits = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &str) -> ToolCall {
        ToolCall { id: "x".into(), name: name.into(), arguments: args.into() }
    }

    #[test]
    fn counts_exact_calls_until_progress() {
        let mut g = RepeatGuard::default();
        assert_eq!(g.failed(&call("edit", "{\"a\": 1}")), 1);
        assert_eq!(g.failed(&call("edit", "{\"a\":2}")), 1);
        assert_eq!(g.failed(&call("edit", "{\"a\":1}")), 2, "layout does not make a call new");
        assert_eq!(g.failed(&call("edit", r#"{"old": "  x"}"#)), 1);
        assert_eq!(g.failed(&call("edit", r#"{"old": "    x"}"#)), 1, "other indentation inside a value is a new call");
        g.progress();
        assert_eq!(g.failed(&call("edit", "{\"a\":1}")), 1);
    }

    #[test]
    fn cycles_of_two_or_three_calls_are_caught() {
        let mut g = RepeatGuard::default();
        let (a, b) = (call("search", "{\"query\":\"x\"}"), call("read_file", "{\"path\":\"a\"}"));
        let mut said = Vec::new();
        for step in 0..6 {
            let c = if step % 2 == 0 { &a } else { &b };
            let mut out = "same".to_string();
            let stop = g.review(c, true, false, false, &mut out);
            said.push((out.contains("repeat the same 2 calls"), stop.map(|s| s.0)));
        }
        assert_eq!(said[..3], [(false, None), (false, None), (false, None)]);
        assert_eq!(said[3], (true, None), "A B A B: a hint");
        assert_eq!(said[5], (false, Some(StopReason::Looping)), "A B A B A B: the end");
        let mut fresh = RepeatGuard::default();
        for c in [&a, &b, &b, &a, &b, &b] {
            fresh.answered(c, "same");
        }
        assert_eq!(fresh.cycle(), Some((3, 2)));
    }

    #[test]
    fn failed_edits_in_a_row_end_the_attempt_whatever_their_arguments() {
        let mut g = RepeatGuard::default();
        let edit = |n: u32| call("edit", &format!("{{\"path\": \"a.py\", \"old\": \"{n}: x\"}}"));
        let mut out = String::new();
        for n in 1..=4 {
            assert_eq!(g.review(&edit(n), false, false, true, &mut out), None, "edit {n}");
        }
        assert_eq!(g.review(&call("read_file", "{}"), false, false, false, &mut out), None, "only edits count");
        g.review(&edit(5), true, true, true, &mut out);
        for n in 6..=9 {
            assert_eq!(g.review(&edit(n), false, false, true, &mut out), None, "a change landed: counted afresh");
        }
        let stop = g.review(&edit(10), false, false, true, &mut out);
        assert_eq!(
            stop,
            Some((StopReason::RepeatedFailure, "5 edits in a row failed without a change landing".into()))
        );
    }

    #[test]
    fn counts_identical_answers_in_a_row() {
        let mut g = RepeatGuard::default();
        let c = call("search", "{\"query\":\"x\"}");
        assert_eq!(g.answered(&c, "hits"), 1);
        assert_eq!(g.answered(&c, "hits"), 2);
        assert_eq!(g.answered(&c, "other hits"), 1, "a new answer is progress");
        assert_eq!(g.answered(&call("read_file", "{}"), "text"), 1);
    }
}
