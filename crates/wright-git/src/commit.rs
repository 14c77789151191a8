//! Commit messages with trailers, and what a commit changed.

/// A commit message: subject, optional body, and `Key: value` trailers.
#[derive(Debug, Clone, Default)]
pub struct CommitMessage {
    pub subject: String,
    pub body: String,
    pub trailers: Vec<(String, String)>,
}

impl CommitMessage {
    pub fn render(&self) -> String {
        let mut out = self.subject.trim().to_string();
        out.push('\n');
        if !self.body.trim().is_empty() {
            out.push('\n');
            out.push_str(self.body.trim());
            out.push('\n');
        }
        if !self.trailers.is_empty() {
            out.push('\n');
            for (key, value) in &self.trailers {
                out.push_str(&format!("{key}: {value}\n"));
            }
        }
        out
    }
}

/// One commit made on the task branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub sha: String,
    pub subject: String,
    pub files: Vec<String>,
}
