//! Catches a model going round in circles: the same failing call, again and again, with
//! no change landing in between (small models cycle through a few failing calls).

use std::collections::HashMap;

use wright_llm::ToolCall;

/// The same failing call this many times without progress ends the run.
pub(crate) const MAX_REPEATED_FAILURES: u32 = 3;

#[derive(Default)]
pub(crate) struct RepeatGuard {
    failures: HashMap<String, u32>,
}

impl RepeatGuard {
    /// Records a failed call; returns how often this exact call has failed since the last
    /// change landed.
    pub(crate) fn failed(&mut self, call: &ToolCall) -> u32 {
        let signature = format!("{}:{}", call.name, call.arguments.split_whitespace().collect::<String>());
        let count = self.failures.entry(signature).or_default();
        *count += 1;
        *count
    }

    /// A change landed: earlier failures may now go differently.
    pub(crate) fn progress(&mut self) {
        self.failures.clear();
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
        assert_eq!(g.failed(&call("edit", "{\"a\":1}")), 2, "whitespace does not make a call new");
        g.progress();
        assert_eq!(g.failed(&call("edit", "{\"a\":1}")), 1);
    }
}
