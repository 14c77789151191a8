//! Prompt-cache figures end to end: what the server reports (llama.cpp's `timings`,
//! OpenAI's `cached_tokens`) is in each `model_message` and summed in `run_finished`, a
//! turn whose server said nothing claims nothing, and every rewrite of earlier messages
//! (here the system prompt, as the tools change form) is a `context_rewritten` event.

use serde_json::{Value, json};

use crate::support::fixture::Fixture;
use crate::support::server::{ModelServer, turn, with};
use crate::support::{Home, events, finished, of_type, output};

#[tokio::test]
async fn cache_figures_are_summed_and_each_cache_break_is_an_event() {
    let fixture = Fixture::new();
    let server = ModelServer::start(vec![
        with(
            json!({"timings": {"cache_n": 0, "prompt_n": 100}}),
            turn("", &[("read_file", json!({"path": "dates.py"}))]),
        ),
        with(
            json!({"usage": {"prompt_tokens_details": {"cached_tokens": 60}}}),
            turn("<tool_call>{\"name\": \"read_file\", \"arguments\": {\"path\": \"README.md\"}}</tool_call>", &[]),
        ),
        turn("", &[("finish", json!({"summary": "read", "outcome": "gave_up"}))]),
    ])
    .await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--attempts", "1", "--json", "--test-command", "true", "--repo"])
        .arg(fixture.repo())
        .arg("look at dates");
    let out = output(cmd).await;
    let events = events(&out.stdout);
    assert_eq!(server.requests().len(), 3, "{}", String::from_utf8_lossy(&out.stderr));

    let per_turn: Vec<(Value, Value)> = of_type(&events, "model_message")
        .iter()
        .map(|m| (m["usage"]["processed_prompt_tokens"].clone(), m["usage"]["cached_prompt_tokens"].clone()))
        .collect();
    assert_eq!(
        per_turn,
        [(json!(100), json!(0)), (json!(40), json!(60)), (Value::Null, Value::Null)],
        "the last server said nothing: unknown, not 0"
    );

    // Text calls, then native ones again: the system prompt was rebuilt twice.
    let whys: Vec<&str> = of_type(&events, "context_rewritten").iter().map(|e| e["why"].as_str().unwrap()).collect();
    assert_eq!(whys.len(), 2, "{whys:?}");
    assert!(whys[0].contains("tools listed as text") && whys[1].contains("tools offered natively"), "{whys:?}");

    let end = finished(&events);
    assert_eq!(end["usage"]["prompt_tokens"], 300);
    assert_eq!(
        (&end["usage"]["processed_prompt_tokens"], &end["usage"]["cached_prompt_tokens"]),
        (&json!(140), &json!(60))
    );
    assert_eq!(end["context_rewrites"], 2);
}

#[tokio::test]
async fn a_server_without_cache_figures_leaves_them_unknown() {
    let fixture = Fixture::new();
    let server =
        ModelServer::start(vec![turn("", &[("finish", json!({"summary": "nothing", "outcome": "gave_up"}))])]).await;
    let home = Home::new();
    let mut cmd = home.wright(&server.base_url);
    cmd.args(["run", "--json", "--test-command", "true", "--repo"]).arg(fixture.repo()).arg("look at dates");
    let events = events(&output(cmd).await.stdout);
    let end = finished(&events);
    assert_eq!(end["usage"]["prompt_tokens"], 100);
    assert_eq!(
        (&end["usage"]["processed_prompt_tokens"], &end["usage"]["cached_prompt_tokens"]),
        (&Value::Null, &Value::Null)
    );
    assert_eq!(end["context_rewrites"], 0);
    assert!(of_type(&events, "context_rewritten").is_empty());
}
