//! The commit that follows every successful change: its message (written by the model or
//! derived from the paths), its trailers, and the transcript synced at the boundary.

use std::time::Duration;

use wright_git::CommitMessage;
use wright_llm::LlmEvent;

use crate::EventKind;
use crate::StepStatus;
use crate::commit_writer::{self, Change};
use crate::session::Session;

/// What committing a tool's change did.
pub(crate) struct Committed {
    pub committed: bool,
    /// What the model should know: changes put back or left out.
    pub notes: Vec<String>,
}

/// The longest wright waits for a commit message before deriving one.
const COMMIT_MESSAGE_TIMEOUT: Duration = Duration::from_secs(120);

impl Session {
    /// The user's uncommitted work, copied in at their request, as the branch's first commit.
    pub(crate) fn commit_users_work(&mut self, paths: &[String]) -> Result<(), wright_git::GitError> {
        let message = CommitMessage {
            subject: "chore: include uncommitted changes from the checkout".to_string(),
            body: format!(
                "Copied by --include-dirty before the run began; not written by wright.\n\n{}",
                paths.iter().map(|p| format!("- {p}")).collect::<Vec<_>>().join("\n")
            ),
            trailers: vec![("Wright-Session".to_string(), self.run_id.clone())],
        };
        if let Some(info) = self.workspace.commit_all(&message)? {
            self.events.emit(EventKind::Commit { sha: info.sha, subject: info.subject, files: info.files });
        }
        Ok(())
    }

    /// Commits whatever the last tool changed, labelled with the plan step it served.
    /// Changes git must not get (content at LFS-tracked paths) are put back first, and
    /// changes it cannot get (inside submodules) are left; the notes tell the model.
    pub(crate) async fn commit(&mut self, summary: &str) -> Result<Committed, wright_git::GitError> {
        let mut notes = Vec::new();
        let reverted = self.workspace.revert_lfs_content()?;
        if !reverted.is_empty() {
            notes.push(format!(
                "put back {}: tracked by Git LFS, whose content wright cannot store; do not change these files",
                reverted.join(", ")
            ));
        }
        let submodules = self.workspace.dirty_submodules()?;
        if !submodules.is_empty() {
            notes.push(format!(
                "changes inside the submodule(s) {} are not committed: they are other repositories",
                submodules.join(", ")
            ));
        }
        let left_out = self.workspace.left_out()?;
        if !left_out.is_empty() {
            notes.push(wright_git::describe_left_out(&left_out));
        }
        let committed = self.commit_changes(summary).await?;
        Ok(Committed { committed, notes })
    }

    async fn commit_changes(&mut self, summary: &str) -> Result<bool, wright_git::GitError> {
        let step = self.plan.iter().find(|s| s.status == StepStatus::InProgress).map(|s| s.step.replace('\n', " "));
        let mut trailers = vec![
            ("Co-authored-by".to_string(), "wright <wright@noreply.invalid>".to_string()),
            ("Wright-Session".to_string(), self.run_id.clone()),
        ];
        if let Some(step) = &step {
            trailers.push(("Wright-Step".to_string(), self.events.redact(step)));
        }
        let (mut paths, added) = self.workspace.pending()?;
        // What the commit leaves out does not name it.
        let left_out = self.workspace.left_out()?;
        paths.retain(|p| !left_out.iter().any(|l| &l.path == p));
        if paths.is_empty() {
            return Ok(false);
        }
        let (subject, body) = match self.written_message(summary, step.as_deref()).await {
            Some((subject, body)) if commit_writer::is_conventional(&subject) => (subject, body),
            // The model's words, with the type and scope the paths give.
            Some((subject, body)) => (wright_git::conventional_subject(&subject, &paths, &added), body),
            None => (wright_git::conventional_subject(summary, &paths, &added), String::new()),
        };
        let message =
            CommitMessage { subject: self.events.redact(&subject), body: self.events.redact(&body), trailers };
        let Some(info) = self.workspace.commit_all(&message)? else { return Ok(false) };
        self.events.emit(EventKind::Commit { sha: info.sha, subject: info.subject, files: info.files });
        // A commit boundary: what led to it is on disk before the run goes on.
        self.record(&crate::transcript::Record::Plan { steps: self.plan.clone() }, true);
        Ok(true)
    }

    /// A commit message from the model, when the run has it write them and its budgets
    /// allow; `None` (after saying why) when wright should derive one instead. The tokens
    /// count against the run's budgets like any other request's.
    async fn written_message(&mut self, summary: &str, step: Option<&str>) -> Option<(String, String)> {
        let Some(client) = &self.commit_llm else { return None };
        let elapsed = self.started.elapsed();
        if let Some((_, why)) = self.config.budgets.exceeded(0, &self.usage, elapsed) {
            self.notice(format!("commit message derived from the paths: {why}"));
            return None;
        }
        let diff = match self.workspace.pending_diff() {
            Ok(diff) => diff,
            Err(e) => {
                self.notice(format!("commit message derived from the paths: cannot read the change ({e})"));
                return None;
            }
        };
        let messages = commit_writer::request(&Change { task: &self.config.task, step, summary, diff: &diff });
        let left = self.config.budgets.timeout.map(|t| t.saturating_sub(elapsed));
        let limit = left.map_or(COMMIT_MESSAGE_TIMEOUT, |l| l.min(COMMIT_MESSAGE_TIMEOUT));
        let mut quiet = |_: LlmEvent| {};
        let asked = tokio::time::timeout(limit, client.chat(&messages, &[], &mut quiet)).await;
        let reply = match asked {
            Ok(Ok(reply)) => reply,
            Ok(Err(e)) => {
                self.notice(format!("the model could not write the commit message ({e}); derived it from the paths"));
                return None;
            }
            Err(_) => {
                self.notice(format!(
                    "the model took longer than {} s to write the commit message; derived it from the paths",
                    limit.as_secs()
                ));
                return None;
            }
        };
        self.usage += reply.usage;
        self.record_spent(self.started, false);
        let parsed = commit_writer::parse(&reply.content);
        if parsed.is_none() {
            self.notice("the model's commit message was empty; derived it from the paths".to_string());
        }
        parsed
    }

    fn notice(&mut self, message: String) {
        self.events.emit(EventKind::Notice { message });
    }
}
