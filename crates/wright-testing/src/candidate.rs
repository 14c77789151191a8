//! What detection hands on: commands that may run a tree's tests, in the order to try
//! them, each with the reason it was named.

/// A command that may run the tree's tests, and the reason it was named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub command: String,
    pub why: String,
    /// A run of it that names no test ran none: it starts no test runner (`echo ok`), so
    /// its silence is not that of a runner whose lines are not read.
    pub silent_is_empty: bool,
}

impl Candidate {
    pub(crate) fn new(command: impl Into<String>, why: impl Into<String>) -> Self {
        Candidate { command: command.into(), why: why.into(), silent_is_empty: false }
    }
}

/// What detection found: the command to run, the ones to try in turn when it runs no
/// test, and how many test files say that it should have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub first: Candidate,
    pub fallbacks: Vec<Candidate>,
    pub test_files: usize,
}
