//! Discovery of servers already running on loopback: only an OpenAI model list counts.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use axum::routing::get;
use serde_json::json;
use wright_local::{Found, LocalError, ServerKind, choose, discover};

async fn serve(app: axum::Router) -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn only_servers_that_answer_a_model_list_are_found() {
    let openai = serve(axum::Router::new().route(
        "/v1/models",
        get(|| async { axum::Json(json!({"object": "list", "data": [{"id": "qwen2.5-coder-1.5b"}]})) }),
    ))
    .await;
    let web = serve(axum::Router::new().route("/v1/models", get(|| async { "<html>a web page</html>" }))).await;
    let empty = serve(axum::Router::new().route("/v1/models", get(|| async { axum::Json(json!({"data": []})) }))).await;
    let ollama = serve(
        axum::Router::new()
            .route("/v1/models", get(|| async { axum::Json(json!({"data": [{"id": "a:1b"}, {"id": "b:7b"}]})) }))
            .route("/api/version", get(|| async { axum::Json(json!({"version": "0.9.0"})) })),
    )
    .await;
    let found = discover(&[closed_port(), web, openai, empty, ollama], Duration::from_secs(2)).await;
    assert_eq!(found.iter().map(|f| f.port).collect::<Vec<_>>(), [openai, ollama], "in the order asked");
    assert_eq!(found[0].base_url, format!("http://127.0.0.1:{openai}/v1"));
    assert_eq!((found[0].kind, found[1].kind), (ServerKind::OpenAi, ServerKind::Ollama));
}

fn server(port: u16, models: &[&str]) -> Found {
    Found {
        port,
        base_url: format!("http://127.0.0.1:{port}/v1"),
        models: models.iter().map(|m| m.to_string()).collect(),
        kind: ServerKind::OpenAi,
    }
}

#[test]
fn the_model_is_the_configured_one_else_the_only_one() {
    assert!(choose(&[], None).unwrap().is_none(), "nothing found: the next way");
    let one = [server(8080, &["qwen"])];
    assert_eq!(choose(&one, None).unwrap().unwrap().1, "qwen");
    let several = [server(8080, &["qwen"]), server(11434, &["a:1b", "b:7b"])];
    let err = choose(&several, None).unwrap_err();
    assert!(matches!(err, LocalError::Ambiguous { .. }));
    let text = err.to_string();
    assert!(
        text.contains("qwen (port 8080)") && text.contains("b:7b (port 11434)") && text.contains("--model"),
        "{text}"
    );
    let (found, model) = choose(&several, Some("b:7b")).unwrap().unwrap();
    assert_eq!((found.port, model.as_str()), (11434, "b:7b"));
    // A model wright derived in Ollama stands for the one it came from.
    let ollama = [server(11434, &["qwen:1.5b", "qwen-1.5b-wright:ctx16384"])];
    assert_eq!(choose(&ollama, None).unwrap().unwrap().1, "qwen:1.5b");
    let err = choose(&several, Some("gpt-4o")).unwrap_err().to_string();
    assert!(err.contains("`gpt-4o` is not served") && err.contains("a:1b"), "{err}");
}
