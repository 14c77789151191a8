//! Which GitHub events start a run: an issue labelled with the trigger label, an issue
//! comment starting with `/wright`, or a manual dispatch naming an issue. The payload is
//! read once, from the runner's file; every other event is skipped with a reason.

use serde_json::Value;

use crate::{GithubError, MARKER};

/// What the user's workflow says about triggers (action inputs, trusted).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The label that starts a run when added to an issue.
    pub trigger_label: String,
    /// Bot accounts (login, e.g. `renovate[bot]`) that may trigger; never a wildcard.
    pub allowed_bots: Vec<String>,
    /// wright's own login (the token's account): its comments never trigger.
    pub own_login: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { trigger_label: "wright".into(), allowed_bots: Vec::new(), own_login: "github-actions[bot]".into() }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The trigger label was added to the issue.
    Label,
    /// A comment `/wright <task>`.
    Command,
    /// `workflow_dispatch` with `issue` and `task` inputs.
    Dispatch,
}

/// Who set the run off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub login: String,
    /// `User`, `Bot`, `Organization`, as GitHub says.
    pub account: String,
}

/// The repository the event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub owner: String,
    pub name: String,
    pub default_branch: String,
}

/// The issue as the payload carried it. `None` for a dispatch, which carries no issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issue {
    pub title: String,
    pub body: String,
    pub author: String,
    /// When the title or body last changed (RFC 3339), as far as GitHub says.
    pub updated_at: String,
}

/// An event that asks for a run.
#[derive(Debug, Clone)]
pub struct Trigger {
    pub kind: Kind,
    pub repo: Repo,
    pub number: u64,
    pub issue: Option<Issue>,
    /// What was asked: the text after `/wright`, the dispatch's task, or empty for a
    /// label (the issue itself is the task).
    pub request: String,
    pub actor: Actor,
    /// When the trigger happened (RFC 3339): comments made or edited later are not read.
    pub at: String,
    /// The triggering comment, for the reaction.
    pub comment_id: Option<u64>,
}

#[derive(Debug)]
pub enum Decision {
    Run(Box<Trigger>),
    /// Not for wright, or refused; the reason is one line.
    Skip(String),
}

/// Reads one event. Errors are payloads that do not look like GitHub's.
pub fn read(name: &str, payload: &Value, settings: &Settings) -> Result<Decision, GithubError> {
    let action = str_at(payload, &["action"]).unwrap_or_default();
    let decision = match (name, action.as_str()) {
        ("issues", "labeled") => labeled(payload, settings)?,
        ("issues", other) => Decision::Skip(format!(
            "an issue was {other}; wright starts when the `{}` label is added",
            settings.trigger_label
        )),
        ("issue_comment", "created") => commented(payload, settings)?,
        ("issue_comment", other) => {
            Decision::Skip(format!("a comment was {other}; only a new comment starting with `/wright` starts a run"))
        }
        ("workflow_dispatch", _) => dispatched(payload)?,
        (other, _) => Decision::Skip(format!(
            "the `{other}` event does not start wright (issues, issue_comment and workflow_dispatch do)"
        )),
    };
    Ok(match decision {
        Decision::Run(t) => match refusal(&t.actor, settings) {
            Some(why) => Decision::Skip(why),
            None => Decision::Run(t),
        },
        skipped => skipped,
    })
}

/// Accounts that may not trigger, whatever their permission: wright itself, and bots
/// not named in `allowed_bots` (bot-to-bot loops burn money).
fn refusal(actor: &Actor, settings: &Settings) -> Option<String> {
    if actor.login.eq_ignore_ascii_case(&settings.own_login) {
        return Some(format!("{} is wright's own account; it never triggers itself", actor.login));
    }
    if actor.account != "User" && !settings.allowed_bots.iter().any(|b| b.eq_ignore_ascii_case(&actor.login)) {
        return Some(format!(
            "{} is a {} account, not a user; list it in github.allowed_bots to let it trigger wright",
            actor.login, actor.account
        ));
    }
    None
}

fn labeled(payload: &Value, settings: &Settings) -> Result<Decision, GithubError> {
    let label = str_at(payload, &["label", "name"]).unwrap_or_default();
    if label != settings.trigger_label {
        return Ok(Decision::Skip(format!(
            "the label `{label}` is not the trigger label `{}`",
            settings.trigger_label
        )));
    }
    if payload.pointer("/issue/pull_request").is_some() {
        return Ok(Decision::Skip("the label is on a pull request; wright starts from issues".into()));
    }
    Ok(Decision::Run(Box::new(Trigger {
        kind: Kind::Label,
        repo: repo(payload)?,
        number: number(payload)?,
        issue: Some(issue(payload)?),
        request: String::new(),
        actor: actor(payload, "/sender")?,
        at: need_str(payload, &["issue", "updated_at"])?,
        comment_id: None,
    })))
}

fn commented(payload: &Value, settings: &Settings) -> Result<Decision, GithubError> {
    let body = str_at(payload, &["comment", "body"]).unwrap_or_default();
    if body.contains(MARKER) {
        return Ok(Decision::Skip("the comment is wright's own".into()));
    }
    let Some(request) = command(&body) else {
        return Ok(Decision::Skip("the comment does not start with `/wright`".into()));
    };
    if payload.pointer("/issue/pull_request").is_some() {
        return Ok(Decision::Skip("`/wright` on a pull request is not supported yet; ask on an issue".into()));
    }
    let author = actor(payload, "/comment/user")?;
    if author.login.eq_ignore_ascii_case(&settings.own_login) {
        return Ok(Decision::Skip("the comment is wright's own".into()));
    }
    Ok(Decision::Run(Box::new(Trigger {
        kind: Kind::Command,
        repo: repo(payload)?,
        number: number(payload)?,
        issue: Some(issue(payload)?),
        request,
        actor: author,
        at: need_str(payload, &["comment", "created_at"])?,
        comment_id: payload.pointer("/comment/id").and_then(Value::as_u64),
    })))
}

fn dispatched(payload: &Value) -> Result<Decision, GithubError> {
    let inputs = payload.get("inputs").cloned().unwrap_or(Value::Null);
    // Dispatch inputs arrive as strings, numbers or booleans depending on their type.
    let issue = match inputs.get("issue") {
        Some(Value::String(s)) => s.trim().trim_start_matches('#').parse::<u64>().ok(),
        Some(Value::Number(n)) => n.as_u64(),
        _ => None,
    };
    let Some(number) = issue.filter(|n| *n > 0) else {
        return Ok(Decision::Skip("workflow_dispatch needs an `issue` input: the issue number to work on".into()));
    };
    let request = inputs.get("task").and_then(Value::as_str).unwrap_or_default().trim().to_string();
    Ok(Decision::Run(Box::new(Trigger {
        kind: Kind::Dispatch,
        repo: repo(payload)?,
        number,
        issue: None,
        request,
        actor: actor(payload, "/sender")?,
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        comment_id: None,
    })))
}

/// The task of a `/wright` comment: the text after the command on its first line and
/// the lines below it. `None` when the comment is not a command.
pub fn command(body: &str) -> Option<String> {
    let rest = body.trim_start().strip_prefix("/wright")?;
    // `/wrightly` is a word, not the command.
    if rest.chars().next().is_some_and(|c| !c.is_whitespace()) {
        return None;
    }
    Some(rest.trim().to_string())
}

fn repo(payload: &Value) -> Result<Repo, GithubError> {
    Ok(Repo {
        owner: need_str(payload, &["repository", "owner", "login"])?,
        name: need_str(payload, &["repository", "name"])?,
        default_branch: str_at(payload, &["repository", "default_branch"]).unwrap_or_else(|| "main".into()),
    })
}

fn number(payload: &Value) -> Result<u64, GithubError> {
    payload.pointer("/issue/number").and_then(Value::as_u64).ok_or_else(|| missing("issue.number"))
}

fn issue(payload: &Value) -> Result<Issue, GithubError> {
    Ok(Issue {
        title: str_at(payload, &["issue", "title"]).unwrap_or_default(),
        // A body left empty arrives as null.
        body: str_at(payload, &["issue", "body"]).unwrap_or_default(),
        author: str_at(payload, &["issue", "user", "login"]).unwrap_or_default(),
        updated_at: str_at(payload, &["issue", "updated_at"]).unwrap_or_default(),
    })
}

fn actor(payload: &Value, at: &str) -> Result<Actor, GithubError> {
    let user = payload.pointer(at).ok_or_else(|| missing(at.trim_start_matches('/')))?;
    Ok(Actor {
        login: user.get("login").and_then(Value::as_str).ok_or_else(|| missing("login"))?.to_string(),
        account: user.get("type").and_then(Value::as_str).unwrap_or("User").to_string(),
    })
}

fn str_at(v: &Value, path: &[&str]) -> Option<String> {
    path.iter().try_fold(v, |v, k| v.get(k)).and_then(Value::as_str).map(str::to_string)
}

fn need_str(v: &Value, path: &[&str]) -> Result<String, GithubError> {
    str_at(v, path).ok_or_else(|| missing(&path.join(".")))
}

fn missing(what: &str) -> GithubError {
    GithubError::Payload(format!("has no `{what}`; is GITHUB_EVENT_PATH the runner's event file?"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn base(extra: Value) -> Value {
        let mut v = json!({
            "repository": {"name": "r", "owner": {"login": "o"}, "default_branch": "main"},
            "issue": {"number": 7, "title": "Crash", "body": "It crashes", "user": {"login": "alice"}, "updated_at": "2026-01-01T00:00:00Z"},
            "sender": {"login": "alice", "type": "User"}
        });
        for (k, val) in extra.as_object().unwrap() {
            v[k] = val.clone();
        }
        v
    }

    fn run(name: &str, payload: Value) -> Result<Trigger, String> {
        match read(name, &payload, &Settings::default()).unwrap() {
            Decision::Run(t) => Ok(*t),
            Decision::Skip(why) => Err(why),
        }
    }

    #[test]
    fn the_trigger_label_starts_a_run_and_others_do_not() {
        let t = run("issues", base(json!({"action": "labeled", "label": {"name": "wright"}}))).unwrap();
        assert_eq!((t.kind, t.number, t.actor.login.as_str()), (Kind::Label, 7, "alice"));
        let why = run("issues", base(json!({"action": "labeled", "label": {"name": "bug"}}))).unwrap_err();
        assert!(why.contains("not the trigger label"), "{why}");
        assert!(run("issues", base(json!({"action": "opened"}))).is_err());
        assert!(run("push", base(json!({}))).unwrap_err().contains("does not start wright"));
    }

    #[test]
    fn a_command_comment_carries_its_task() {
        let comment = json!({"id": 5, "body": "/wright fix the crash\nin parse()", "user": {"login": "bob", "type": "User"}, "created_at": "2026-01-02T00:00:00Z"});
        let t = run("issue_comment", base(json!({"action": "created", "comment": comment}))).unwrap();
        assert_eq!(t.request, "fix the crash\nin parse()");
        assert_eq!((t.actor.login.as_str(), t.comment_id, t.at.as_str()), ("bob", Some(5), "2026-01-02T00:00:00Z"));
        assert_eq!(command("/wrightly so"), None);
        assert_eq!(command("  /wright").as_deref(), Some(""));
    }

    #[test]
    fn edited_comments_own_comments_and_bots_are_refused() {
        let comment = |login: &str, kind: &str, body: &str| json!({"id": 5, "body": body, "user": {"login": login, "type": kind}, "created_at": "2026-01-02T00:00:00Z"});
        let edited = base(json!({"action": "edited", "comment": comment("bob", "User", "/wright go")}));
        assert!(run("issue_comment", edited).is_err());
        let own = base(json!({"action": "created", "comment": comment("github-actions[bot]", "Bot", "/wright go")}));
        assert!(run("issue_comment", own).unwrap_err().contains("own"));
        let marked =
            base(json!({"action": "created", "comment": comment("bob", "User", &format!("/wright go {MARKER}"))}));
        assert!(run("issue_comment", marked).unwrap_err().contains("own"));
        let bot = base(json!({"action": "created", "comment": comment("renovate[bot]", "Bot", "/wright go")}));
        assert!(run("issue_comment", bot.clone()).unwrap_err().contains("allowed_bots"));
        let settings = Settings { allowed_bots: vec!["renovate[bot]".into()], ..Settings::default() };
        assert!(matches!(read("issue_comment", &bot, &settings).unwrap(), Decision::Run(_)));
    }

    #[test]
    fn a_dispatch_names_its_issue() {
        let t = run("workflow_dispatch", base(json!({"inputs": {"issue": "#12", "task": "add a test"}}))).unwrap();
        assert_eq!((t.kind, t.number, t.request.as_str()), (Kind::Dispatch, 12, "add a test"));
        assert!(t.issue.is_none());
        assert!(run("workflow_dispatch", base(json!({"inputs": {}}))).is_err());
    }

    #[test]
    fn a_payload_without_the_repository_is_an_error() {
        let payload = json!({"action": "labeled", "label": {"name": "wright"}, "issue": {"number": 1}});
        assert!(read("issues", &payload, &Settings::default()).is_err());
    }
}
