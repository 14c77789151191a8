//! Runs of more than one attempt through the real binary: an attempt the tests refute is
//! set aside on a branch of its own, a fresh one fixes the task, and `wright show` lists
//! both with their evidence and the branch that holds each; a run killed in its second
//! attempt resumes that attempt, and one killed in a draft asks for it again.

use std::time::Duration;

use serde_json::{Value, json};

use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, Step, turn};
use crate::support::{Home, events, finished, git, of_type, output, spawn};

const TASK: &str = "parse_date keeps surrounding spaces";
/// The project's test: passes once `parse_date` strips its input.
const TEST: &str = "grep -q 'text.strip()' dates.py";

/// An edit of `parse_date` that passes `to` for its input.
pub fn edit(to: &str) -> Step {
    turn("", &[("edit", json!({"path": "dates.py", "old": "strptime(text,", "new": format!("strptime({to},")}))])
}

pub fn finish(outcome: &str) -> Step {
    turn("", &[("finish", json!({"summary": format!("{outcome} summary"), "outcome": outcome}))])
}

/// Attempt 1 changes the wrong thing and gives up; attempt 2 fixes the task.
pub fn two_attempts() -> Vec<Step> {
    vec![edit("text.lower()"), finish("gave_up"), edit("text.strip()"), finish("fixed")]
}

#[tokio::test]
async fn show_lists_each_attempt_with_its_evidence_and_branch() {
    let (home, fixture) = (Home::new(), Fixture::new());
    let server = ModelServer::start(two_attempts()).await;
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--attempts", "2", "--test-command", TEST, "--repo"]).arg(fixture.repo()).arg(TASK);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let events = events(&out.stdout);
    let end = finished(&events);
    assert_eq!((end["attempts"].as_u64(), end["selected_attempt"].as_u64()), (Some(2), Some(2)), "{end}");
    let (run_id, branch) = (events[0]["run_id"].as_str().unwrap(), end["branch"].as_str().unwrap());
    let set_aside = format!("{branch}-attempt-1");
    assert!(git(&fixture.repo(), &["show", &format!("{set_aside}:dates.py")]).contains("text.lower()"));
    let diff_lines: Vec<u64> =
        of_type(&events, "attempt_finished").iter().map(|e| e["diff_lines"].as_u64().unwrap()).collect();
    assert_eq!(diff_lines, [2, 2]);

    let mut show = home.wright(&server.base_url);
    show.args(["show", run_id]);
    let text = String::from_utf8_lossy(&output(show).await.stdout).into_owned();
    assert!(text.contains("\nattempts:\n"), "{text}");
    assert!(
        text.contains(&format!(
            "    attempt 1: not_fixed (finished: the model finished: gave_up), 2 lines changed; on {set_aside}\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "  * attempt 2: fixed (finished: the model finished: fixed), 2 lines changed; on {branch} (the task branch holds it)\n"
        )),
        "{text}"
    );

    let mut show = home.wright(&server.base_url);
    show.args(["show", "--json", run_id]);
    let shown: Value = serde_json::from_slice(&output(show).await.stdout).unwrap();
    let attempts = shown["run"]["attempts"].as_array().unwrap();
    let brief: Vec<(u64, &str, &str, bool)> = attempts
        .iter()
        .map(|a| {
            let selected = a["selected"].as_bool().unwrap();
            (a["attempt"].as_u64().unwrap(), a["verdict"].as_str().unwrap(), a["branch"].as_str().unwrap(), selected)
        })
        .collect();
    assert_eq!(brief, [(1, "not_fixed", set_aside.as_str(), false), (2, "fixed", branch, true)]);
    assert_eq!(shown["run"]["selected_attempt"], 2);
}

#[tokio::test]
async fn a_run_of_one_attempt_shows_no_attempt_list() {
    let (home, fixture) = (Home::new(), Fixture::new());
    let server = ModelServer::start(vec![edit("text.strip()"), finish("fixed")]).await;
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--test-command", TEST, "--repo"]).arg(fixture.repo()).arg(TASK);
    let out = output(cmd).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let run_id = events(&out.stdout)[0]["run_id"].as_str().unwrap().to_string();
    let mut show = home.wright(&server.base_url);
    show.args(["show", &run_id]);
    let text = String::from_utf8_lossy(&output(show).await.stdout).into_owned();
    assert!(text.contains("verdict:  fixed (finished)") && !text.contains("attempts:"), "{text}");
}

/// The events of a run of up to 3 attempts on `fixture`, killed once `server` has taken
/// `requests` requests (the last one stalls: `what`).
async fn killed_at_request(
    home: &Home,
    server: &ModelServer,
    fixture: &Fixture,
    requests: usize,
    what: &str,
) -> Vec<Value> {
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--attempts", "3", "--test-command", TEST, "--repo"]).arg(fixture.repo()).arg(TASK);
    let mut child = spawn(cmd).await;
    for _ in 0..400 {
        if server.requests().len() >= requests {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(server.requests().len(), requests, "the run did not reach {what}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill().unwrap();
    let killed = tokio::task::spawn_blocking(move || child.wait_with_output().unwrap()).await.unwrap();
    events(&killed.stdout)
}

/// The events of `wright resume RUN_ID`, which goes on with attempt 2 (none begins) and
/// ends with it selected and fixed.
async fn resumed_to_attempt_2s_fix(home: &Home, server: &ModelServer, run_id: &str) -> Vec<Value> {
    let mut resume = home.wright(&server.base_url);
    resume.args(["resume", "--json", run_id]);
    let out = output(resume).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let after = events(&out.stdout);
    let end = finished(&after);
    assert_eq!(
        (end["verdict"].as_str(), end["attempts"].as_u64(), end["selected_attempt"].as_u64()),
        (Some("fixed"), Some(2), Some(2)),
        "{end}"
    );
    assert!(of_type(&after, "attempt_started").is_empty(), "attempt 2 goes on; none begins");
    after
}

#[tokio::test]
async fn a_run_killed_in_its_second_attempt_resumes_that_attempt() {
    let (home, fixture) = (Home::new(), Fixture::new());
    // Attempt 1 is refuted; attempt 2 makes its fix, then the process dies mid-stream.
    let script = vec![edit("text.lower()"), finish("gave_up"), edit("text.strip()"), Step::Stall, finish("fixed")];
    let server = ModelServer::start(script).await;
    let before = killed_at_request(&home, &server, &fixture, 4, "attempt 2's stalled turn").await;
    assert!(before.iter().all(|e| e["type"] != "run_finished"), "a killed run has no finish event");
    let started: Vec<u64> =
        of_type(&before, "attempt_started").iter().map(|e| e["attempt"].as_u64().unwrap()).collect();
    assert_eq!(started, [1, 2]);
    let (run_id, branch) = (before[0]["run_id"].as_str().unwrap(), before[0]["branch"].as_str().unwrap());
    let set_aside = format!("{branch}-attempt-1");

    let after = resumed_to_attempt_2s_fix(&home, &server, run_id).await;
    let ended: Vec<u64> = of_type(&after, "attempt_finished").iter().map(|e| e["attempt"].as_u64().unwrap()).collect();
    assert_eq!(ended, [2]);

    // Attempt 2's conversation: the shared first messages and the account of attempt 1
    // (as attempt 2 began with them), its own turns, then the note; none of attempt 1's.
    let requests = server.requests();
    let began = requests[2]["messages"].as_array().unwrap();
    let resumed = requests[4]["messages"].as_array().unwrap();
    assert_eq!(resumed[..began.len()], began[..], "attempt 2 goes on from where it began");
    assert!(began.last().unwrap()["content"].as_str().unwrap().starts_with("[wright: this is attempt 2 of at most 3."));
    let own = &resumed[began.len()..];
    assert!(own.iter().any(|m| m["tool_calls"].to_string().contains("text.strip()")), "{own:?}");
    assert!(!requests[4]["messages"].to_string().contains("text.lower()"), "attempt 1's turns came back");
    assert_eq!(requests[2]["temperature"].as_f64(), Some(0.8), "a later attempt samples hotter");
    for field in ["temperature", "seed"] {
        assert_eq!(requests[4][field], requests[2][field], "the resumed attempt samples as it did: {field}");
    }
    let note = own.last().unwrap()["content"].as_str().unwrap();
    assert!(note.contains("resumed") && note.contains("keeps its commits"), "{note}");

    // Attempt 1 is still on its branch; the task branch holds attempt 2's fix alone.
    assert!(git(&fixture.repo(), &["show", &format!("{set_aside}:dates.py")]).contains("text.lower()"));
    let held = git(&fixture.repo(), &["show", &format!("{branch}:dates.py")]);
    assert!(held.contains("text.strip()") && !held.contains("text.lower()"), "{held}");
    assert_eq!(git(&fixture.repo(), &["rev-list", "--count", &format!("main..{branch}")]).trim(), "1");

    let mut show = home.wright(&server.base_url);
    show.args(["show", run_id]);
    let text = String::from_utf8_lossy(&output(show).await.stdout).into_owned();
    assert!(
        text.contains(&format!(
            "    attempt 1: not_fixed (finished: the model finished: gave_up), 2 lines changed; on {set_aside}\n"
        )),
        "{text}"
    );
    assert!(text.contains("  * attempt 2: fixed ("), "{text}");
}

/// A draft's reply: the fixture's `dates.py` whole, passing `to` for its input.
fn drafted(to: &str) -> Step {
    let file = crate::support::fixture::DATES_PY.replace("strptime(text,", &format!("strptime({to},"));
    turn(&format!("```python\n{file}```\n"), &[])
}

#[tokio::test]
async fn a_run_killed_in_a_draft_attempt_drafts_it_again_on_resume() {
    let (home, fixture) = (Home::new(), Fixture::new());
    // Draft 1 is refuted; draft 2's request stalls and the process dies waiting.
    let server = ModelServer::start(vec![drafted("text.lower()"), Step::Stall, drafted("text.strip()")]).await;
    server.set_context(16_384);
    let before = killed_at_request(&home, &server, &fixture, 2, "draft 2's request").await;
    let drafts: Vec<bool> = of_type(&before, "attempt_started").iter().map(|e| e["draft"] == true).collect();
    assert_eq!(drafts, [true, true], "a small window's attempts are drafts");
    let (run_id, branch) = (before[0]["run_id"].as_str().unwrap(), before[0]["branch"].as_str().unwrap());

    resumed_to_attempt_2s_fix(&home, &server, run_id).await;
    // The same request again: the draft, told how draft 1 went.
    let requests = server.requests();
    assert_eq!(requests[2]["messages"], requests[1]["messages"]);
    assert!(requests[2]["messages"].to_string().contains("An earlier corrected version was wrong"));
    let held = git(&fixture.repo(), &["show", &format!("{branch}:dates.py")]);
    assert!(held.contains("text.strip()") && !held.contains("text.lower()"), "{held}");
    assert!(git(&fixture.repo(), &["show", &format!("{branch}-attempt-1:dates.py")]).contains("text.lower()"));
}
