//! The commit that follows every successful change: what may go in it, its message
//! (written by the model or derived from the paths) and its trailers. Git work runs on
//! blocking threads, so signals and timers keep running meanwhile.

use std::collections::HashSet;
use std::time::Duration;

use wright_git::{CommitMessage, GitError, TaskWorkspace};
use wright_llm::{LlmClient, LlmEvent, Usage};

use crate::commit_writer::{self, Change};
use crate::interrupt::Interrupt;
use crate::{EventKind, Events};

/// How many paths a note names before it counts the rest.
const LISTED: usize = 10;
/// How many paths a commit body lists.
const BULLETED: usize = 50;

/// The longest wright waits for a commit message before deriving one.
const COMMIT_MESSAGE_TIMEOUT: Duration = Duration::from_secs(120);

/// What to commit for: the change's summary, the plan step it served, and how long the
/// model may take over its message (or why it may not be asked).
pub(crate) struct CommitRequest<'a> {
    pub summary: &'a str,
    pub step: Option<&'a str>,
    pub ask_for: Result<Duration, String>,
}

/// What committing a tool's change did.
pub(crate) struct Committed {
    pub committed: bool,
    /// What the model should know: changes put back or left out.
    pub notes: Vec<String>,
    /// Tokens the commit message took.
    pub usage: Usage,
    /// Why the commit itself failed, after its message was written.
    pub failed: Option<GitError>,
}

pub(crate) struct Committer {
    workspace: TaskWorkspace,
    /// The client that writes commit messages, when the model writes them.
    llm: Option<LlmClient>,
    run_id: String,
    task: String,
}

impl Committer {
    pub fn new(workspace: TaskWorkspace, llm: Option<LlmClient>, run_id: String, task: String) -> Self {
        Committer { workspace, llm, run_id, task }
    }

    pub fn workspace(&self) -> &TaskWorkspace {
        &self.workspace
    }

    /// Runs git work on a blocking thread.
    pub async fn git<T: Send + 'static>(
        &self,
        work: impl FnOnce(&TaskWorkspace) -> Result<T, GitError> + Send + 'static,
    ) -> Result<T, GitError> {
        let workspace = self.workspace.clone();
        tokio::task::spawn_blocking(move || work(&workspace))
            .await
            .unwrap_or_else(|e| Err(GitError::Refused(format!("the git work stopped: {e}"))))
    }

    /// The user's uncommitted work, copied in at their request, as the branch's first commit.
    pub async fn commit_users_work(&self, paths: &[String], events: &mut Events) -> Result<(), GitError> {
        let message = CommitMessage {
            subject: "chore: include uncommitted changes from the checkout".to_string(),
            body: format!(
                "Copied by --include-dirty before the run began; not written by wright.\n\n{}",
                bullets(paths)
            ),
            trailers: vec![("Wright-Session".to_string(), self.run_id.clone())],
        };
        if let Some(info) = self.git(move |w| w.commit_all(&message)).await? {
            events.emit(EventKind::Commit { sha: info.sha, subject: info.subject, files: info.files });
        }
        Ok(())
    }

    /// Commits whatever the last tool changed. Changes git must not get (content at
    /// LFS-tracked paths) are put back first, and changes it cannot get (inside
    /// submodules, build output, binaries) are left; the notes tell the model.
    pub async fn commit(
        &self,
        request: CommitRequest<'_>,
        events: &mut Events,
        interrupt: &Interrupt,
    ) -> Result<Committed, GitError> {
        let (reverted, submodules, left_out, (mut paths, added)) =
            self.git(|w| Ok((w.revert_lfs_content()?, w.dirty_submodules()?, w.left_out()?, w.pending()?))).await?;
        let mut done = Committed { committed: false, notes: Vec::new(), usage: Usage::default(), failed: None };
        if !reverted.is_empty() {
            done.notes.push(format!(
                "put back {}: tracked by Git LFS, whose content wright cannot store; do not change these files",
                listed(&reverted)
            ));
        }
        if !submodules.is_empty() {
            done.notes.push(format!(
                "changes inside the submodule(s) {} are not committed: they are other repositories",
                submodules.join(", ")
            ));
        }
        if !left_out.is_empty() {
            done.notes.push(wright_git::describe_left_out(&left_out));
        }
        // What the commit leaves out does not name it.
        let left: HashSet<&str> = left_out.iter().map(|l| l.path.as_str()).collect();
        paths.retain(|p| !left.contains(p.as_str()));
        if paths.is_empty() {
            return Ok(done);
        }
        let summary = request.summary;
        let (subject, body) = match self.written_message(&request, events, interrupt, &mut done.usage).await {
            Some((subject, body)) if commit_writer::is_conventional(&subject) => (subject, body),
            // The model's words, with the type and scope the paths give.
            Some((subject, body)) => (wright_git::conventional_subject(&subject, &paths, &added), body),
            None => (wright_git::conventional_subject(summary, &paths, &added), String::new()),
        };
        let mut trailers = vec![
            ("Co-authored-by".to_string(), "wright <wright@noreply.invalid>".to_string()),
            ("Wright-Session".to_string(), self.run_id.clone()),
        ];
        if let Some(step) = request.step {
            trailers.push(("Wright-Step".to_string(), events.redact(step)));
        }
        let message = CommitMessage { subject: events.redact(&subject), body: events.redact(&body), trailers };
        // Past this point the message's tokens are spent: a failure is reported, not returned.
        match self.git(move |w| w.commit_all(&message)).await {
            Ok(Some(info)) => {
                events.emit(EventKind::Commit { sha: info.sha, subject: info.subject, files: info.files });
                done.committed = true;
            }
            Ok(None) => {}
            Err(e) => done.failed = Some(e),
        }
        Ok(done)
    }

    /// A commit message from the model, when the run has it write them and its budgets
    /// allow; `None` (after saying why) when wright should derive one instead.
    async fn written_message(
        &self,
        request: &CommitRequest<'_>,
        events: &mut Events,
        interrupt: &Interrupt,
        usage: &mut Usage,
    ) -> Option<(String, String)> {
        let client = self.llm.as_ref()?;
        let derived = |events: &mut Events, message: String| {
            events.emit(EventKind::Notice { message });
            None
        };
        let left = match &request.ask_for {
            Ok(left) => *left,
            Err(why) => return derived(events, format!("commit message derived from the paths: {why}")),
        };
        let diff = match self.git(|w| w.pending_diff(commit_writer::DIFF_LIMIT)).await {
            Ok(diff) => diff,
            Err(e) => {
                return derived(events, format!("commit message derived from the paths: cannot read the change ({e})"));
            }
        };
        let change = Change { task: &self.task, step: request.step, summary: request.summary, diff: &diff };
        let messages = commit_writer::request(&change);
        let limit = left.min(COMMIT_MESSAGE_TIMEOUT);
        let mut quiet = |_: LlmEvent| {};
        let reply = tokio::select! {
            asked = tokio::time::timeout(limit, client.chat(&messages, &[], &mut quiet)) => match asked {
                Ok(Ok(reply)) => reply,
                Ok(Err(e)) => {
                    let why = format!("the model could not write the commit message ({e}); derived it from the paths");
                    return derived(events, why);
                }
                Err(_) => {
                    let why = format!(
                        "the model took longer than {} s to write the commit message; derived it from the paths",
                        limit.as_secs()
                    );
                    return derived(events, why);
                }
            },
            _ = interrupt.raised() => {
                return derived(events, "interrupted while the model wrote the commit message; derived it from the paths".into());
            }
        };
        *usage += reply.usage;
        let parsed = commit_writer::parse(&reply.content);
        if parsed.is_none() {
            return derived(events, "the model's commit message was empty; derived it from the paths".to_string());
        }
        parsed
    }
}

/// The first [`LISTED`] paths, and how many more there are.
fn listed(paths: &[String]) -> String {
    let shown = paths.iter().take(LISTED).map(String::as_str).collect::<Vec<_>>().join(", ");
    match paths.len().saturating_sub(LISTED) {
        0 => shown,
        more => format!("{shown} and {more} more"),
    }
}

/// The first [`BULLETED`] paths as a list, and how many more there are.
fn bullets(paths: &[String]) -> String {
    let mut lines: Vec<String> = paths.iter().take(BULLETED).map(|p| format!("- {p}")).collect();
    if paths.len() > BULLETED {
        lines.push(format!("- and {} more", paths.len() - BULLETED));
    }
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_name_ten_paths_and_count_the_rest() {
        let few: Vec<String> = ["a", "b"].map(String::from).to_vec();
        assert_eq!(listed(&few), "a, b");
        let many: Vec<String> = (0..100_000).map(|i| format!("f{i}")).collect();
        assert_eq!(listed(&many), "f0, f1, f2, f3, f4, f5, f6, f7, f8, f9 and 99990 more");
        assert_eq!(bullets(&few), "- a\n- b");
        let body = bullets(&many);
        assert_eq!(body.lines().count(), BULLETED + 1);
        assert!(body.ends_with("\n- f49\n- and 99950 more"), "{body}");
    }
}
