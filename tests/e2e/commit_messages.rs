//! Commit messages: written by the model from the diff, counted against the run's budgets,
//! from another model or derived from the paths when configured, derived when the model fails.

use serde_json::{Value, json};

use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, Step, turn};
use crate::support::{Home, events, finished, git, of_type, output};

fn edit_then_finish() -> Vec<Step> {
    vec![
        turn(
            "",
            &[(
                "edit",
                json!({
                    "path": "dates.py",
                    "old": "return datetime.strptime(text, ",
                    "new": "return datetime.strptime(text.removesuffix(\"Z\"), "
                }),
            )],
        ),
        turn("", &[("finish", json!({"summary": "accepts Z", "outcome": "fixed"}))]),
    ]
}

struct Ran {
    code: Option<i32>,
    events: Vec<Value>,
    server: ModelServer,
}

async fn run(commits: Vec<Step>, config: &str, flags: &[&str]) -> Ran {
    let fixture = Fixture::new();
    let server = ModelServer::start_with_commits(edit_then_finish(), commits).await;
    let home = Home::new();
    let dir = home.dir.path().join("config/wright");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), config).unwrap();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--model", "scripted", "--test-command", "true", "--repo"]).arg(fixture.repo());
    cmd.args(flags).arg("accept a Z suffix in parse_date");
    let out = output(cmd).await;
    let events = events(&out.stdout);
    let branch = events[0]["branch"].as_str().unwrap().to_string();
    // Every commit on the branch is complete and carries wright's trailers.
    let trailers =
        git(&fixture.repo(), &["log", "--format=%(trailers:key=Wright-Session)", &format!("main..{branch}")]);
    assert_eq!(trailers.matches("Wright-Session:").count(), of_type(&events, "commit").len(), "{trailers}");
    Ran { code: out.status.code(), events, server }
}

fn subjects(events: &[Value]) -> Vec<String> {
    of_type(events, "commit").iter().map(|c| c["subject"].as_str().unwrap().to_string()).collect()
}

fn notices(events: &[Value]) -> String {
    of_type(events, "notice").iter().map(|n| n["message"].as_str().unwrap().to_string()).collect::<Vec<_>>().join("\n")
}

#[tokio::test]
async fn commit_messages_count_against_the_token_budget() {
    // 120 tokens for the edit turn and 120 for the message: a 200-token budget is spent
    // before the second turn, which it would not be if the message were free.
    let ran = run(vec![turn("Accept a trailing Z", &[])], "", &["--token-budget", "200"]).await;
    assert_eq!(ran.code, Some(3));
    let end = finished(&ran.events);
    assert_eq!(end["stop_reason"], "token_budget", "{end}");
    assert_eq!(end["usage"]["total_tokens"], 240);
    assert_eq!(ran.server.requests().len(), 1);
    // Words that are not in conventional form get the type and scope the paths give.
    assert_eq!(subjects(&ran.events), ["fix(dates): accept a trailing Z"]);
}

#[tokio::test]
async fn a_spent_budget_means_a_derived_message_and_no_request() {
    let ran = run(vec![turn("fix: never asked", &[])], "", &["--token-budget", "100"]).await;
    assert_eq!(ran.server.commit_requests().len(), 0);
    assert_eq!(subjects(&ran.events), ["fix(dates): update dates.py"]);
    assert!(
        notices(&ran.events).contains("commit message derived from the paths: used 120 tokens"),
        "{:?}",
        ran.events
    );
}

#[tokio::test]
async fn another_model_can_write_the_messages() {
    let ran = run(vec![turn("perf(dates): parse faster", &[])], "[git]\ncommit_model = \"small-model\"\n", &[]).await;
    assert_eq!(ran.code, Some(4));
    let asked = ran.server.commit_requests();
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0]["model"], "small-model");
    assert_eq!(ran.server.requests()[0]["model"], "scripted");
    assert_eq!(subjects(&ran.events), ["perf(dates): parse faster"]);
}

#[tokio::test]
async fn derived_messages_need_no_model() {
    let ran = run(Vec::new(), "[git]\ncommit_messages = \"derived\"\n", &[]).await;
    assert_eq!(ran.code, Some(4));
    assert_eq!(ran.server.commit_requests().len(), 0);
    assert_eq!(subjects(&ran.events), ["fix(dates): update dates.py"]);
    assert_eq!(notices(&ran.events), "");
}

#[tokio::test]
async fn a_failing_or_empty_answer_falls_back_to_a_derived_message() {
    let refused = Step::Status { code: 400, retry_after: None, body: "{\"error\":{\"message\":\"no\"}}".into() };
    let ran = run(vec![refused], "", &[]).await;
    assert_eq!(ran.code, Some(4));
    assert_eq!(subjects(&ran.events), ["fix(dates): update dates.py"]);
    assert!(notices(&ran.events).contains("could not write the commit message"), "{:?}", ran.events);

    let ran = run(vec![turn("```\n```", &[])], "", &[]).await;
    assert_eq!(subjects(&ran.events), ["fix(dates): update dates.py"]);
    assert!(notices(&ran.events).contains("commit message was empty"), "{:?}", ran.events);
}
