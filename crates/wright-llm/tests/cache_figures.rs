//! Prompt tokens processed and cached, as a server reports them over real HTTP:
//! llama.cpp's `timings` (on the stream's last chunks, or in the body) and OpenAI's
//! `usage.prompt_tokens_details.cached_tokens`. A server that says neither leaves both
//! unknown: wright claims no cache it was not told of.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::{Value, json};
use wright_llm::{ClientConfig, LlmClient, Message, RetryPolicy, Sampling, Usage};
use wright_scripted::{ModelServer, Step};

fn client(base_url: &str, stream: bool) -> LlmClient {
    LlmClient::new(ClientConfig {
        base_url: base_url.into(),
        api_key: None,
        model: "m".into(),
        stream,
        sampling: Sampling::default(),
        connect_timeout: Duration::from_secs(5),
        read_timeout: Duration::from_secs(5),
        retry: RetryPolicy { max_retries: 0, ..RetryPolicy::default() },
    })
    .unwrap()
}

async fn usage_of(reply: Step, stream: bool) -> Usage {
    let server = ModelServer::start(vec![reply]).await;
    let messages = [Message::User { content: "fix it".into() }];
    let reply = client(&server.base_url, stream).chat(&messages, &[], &mut |_| {}).await.unwrap();
    assert_eq!(server.requests()[0]["stream"], stream);
    reply.usage
}

fn text_chunks(finish: Value, last: Value) -> Vec<Value> {
    vec![
        json!({"choices": [{"index": 0, "delta": {"role": "assistant", "content": "Done."}, "finish_reason": null}]}),
        finish,
        last,
    ]
}

#[tokio::test]
async fn llama_cpp_timings_on_the_last_chunks_are_read() {
    // llama.cpp: timings on the chunk that finishes, the usage on one of its own after it.
    let finish = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "timings": {"cache_n": 236, "prompt_n": 12, "prompt_ms": 264.1, "predicted_n": 5}});
    let last = json!({"choices": [], "usage": {"prompt_tokens": 248, "completion_tokens": 5, "total_tokens": 253},
        "timings": {"cache_n": 236, "prompt_n": 12, "prompt_ms": 264.1, "predicted_n": 5}});
    let u = usage_of(Step::Chunks(text_chunks(finish, last)), true).await;
    assert_eq!((u.prompt_tokens, u.processed_prompt_tokens, u.cached_prompt_tokens), (248, Some(12), Some(236)));
    assert!(!u.estimated);

    // Timings only on the finishing chunk still count when the usage comes later.
    let finish = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "timings": {"cache_n": 0, "prompt_n": 300}});
    let last = json!({"choices": [], "usage": {"prompt_tokens": 300, "completion_tokens": 5, "total_tokens": 305}});
    let u = usage_of(Step::Chunks(text_chunks(finish, last)), true).await;
    assert_eq!((u.processed_prompt_tokens, u.cached_prompt_tokens), (Some(300), Some(0)), "a reported 0 is kept");
}

#[tokio::test]
async fn openai_cached_tokens_are_read_from_the_stream() {
    let finish = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    let last = json!({"choices": [], "usage": {"prompt_tokens": 2006, "completion_tokens": 300, "total_tokens": 2306,
        "prompt_tokens_details": {"cached_tokens": 1920, "audio_tokens": 0}}});
    let u = usage_of(Step::Chunks(text_chunks(finish, last)), true).await;
    assert_eq!((u.prompt_tokens, u.processed_prompt_tokens, u.cached_prompt_tokens), (2006, Some(86), Some(1920)));
}

#[tokio::test]
async fn a_plain_response_body_carries_them_too() {
    let body = json!({
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Done."}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 248, "completion_tokens": 5, "total_tokens": 253},
        "timings": {"cache_n": 200, "prompt_n": 48}
    });
    let u = usage_of(Step::Body(body), false).await;
    assert_eq!((u.processed_prompt_tokens, u.cached_prompt_tokens), (Some(48), Some(200)));
}

#[tokio::test]
async fn a_server_that_does_not_say_leaves_them_unknown() {
    let finish = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    let last = json!({"choices": [], "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}});
    let u = usage_of(Step::Chunks(text_chunks(finish, last)), true).await;
    assert_eq!((u.prompt_tokens, u.processed_prompt_tokens, u.cached_prompt_tokens), (100, None, None));
    let shown = serde_json::to_value(u).unwrap();
    assert_eq!((&shown["processed_prompt_tokens"], &shown["cached_prompt_tokens"]), (&Value::Null, &Value::Null));

    // No usage at all: the counts are estimated, and still no cache is claimed.
    let finish = json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
    let u = usage_of(Step::Chunks(text_chunks(finish, json!({"choices": []}))), true).await;
    assert!(u.estimated && u.prompt_tokens > 0);
    assert_eq!((u.processed_prompt_tokens, u.cached_prompt_tokens), (None, None));
}

#[test]
fn turns_sum_what_was_reported_and_unknown_stays_unknown() {
    let turn = |cached: Option<u64>| Usage {
        prompt_tokens: 100,
        processed_prompt_tokens: cached.map(|c| 100 - c),
        cached_prompt_tokens: cached,
        ..Usage::default()
    };
    let mut run = Usage::default();
    run += turn(None);
    assert_eq!(run.cached_prompt_tokens, None, "no turn said: unknown, not 0");
    run += turn(Some(80));
    run += turn(Some(0));
    run += turn(None);
    assert_eq!((run.prompt_tokens, run.processed_prompt_tokens, run.cached_prompt_tokens), (400, Some(120), Some(80)));
}
