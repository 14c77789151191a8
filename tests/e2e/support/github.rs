//! A fake GitHub REST API on loopback for the PR bot: the endpoints `wright github` calls,
//! answered as GitHub answers them, and every call recorded (method, path, headers' token,
//! body) for the tests to read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One request the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// Path and query, e.g. `/repos/o/r/issues/7/comments?per_page=100&page=1`.
    pub path: String,
    pub body: String,
    /// The `Authorization` header, to check the token went only here.
    pub authorization: String,
}

impl Call {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// `POST /repos/o/r/pulls`, as a test prints it.
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

#[derive(Default)]
struct World {
    calls: Vec<Call>,
    /// login → role (`write`, `read`, ...); unknown logins have `none`.
    roles: HashMap<String, String>,
    /// The issue's comments as `GET .../comments` lists them.
    comments: Vec<Value>,
    issue: Value,
    next_id: u64,
    /// Answer the first comment the bot posts with a secondary rate limit.
    limit_first_comment: bool,
}

#[derive(Clone)]
pub struct FakeGithub {
    world: Arc<Mutex<World>>,
    /// `http://127.0.0.1:PORT`, for `GITHUB_API_URL`.
    pub url: String,
}

impl FakeGithub {
    pub async fn start() -> Self {
        let world = Arc::new(Mutex::new(World { next_id: 1000, ..World::default() }));
        let app = Router::new().fallback(answer).with_state(world.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        FakeGithub { world, url: format!("http://{addr}") }
    }

    pub fn grant(&self, login: &str, role: &str) {
        self.world.lock().unwrap().roles.insert(login.into(), role.into());
    }

    pub fn set_comments(&self, comments: Vec<Value>) {
        self.world.lock().unwrap().comments = comments;
    }

    pub fn set_issue(&self, issue: Value) {
        self.world.lock().unwrap().issue = issue;
    }

    /// The first `POST .../comments` gets a 403 with `Retry-After: 1`, as GitHub's
    /// secondary rate limit answers.
    pub fn limit_first_comment(&self) {
        self.world.lock().unwrap().limit_first_comment = true;
    }

    pub fn calls(&self) -> Vec<Call> {
        self.world.lock().unwrap().calls.clone()
    }

    /// The calls whose method and path start as `line` does (`POST /repos/o/r/pulls`).
    pub fn calls_to(&self, line: &str) -> Vec<Call> {
        self.calls().into_iter().filter(|c| c.line().starts_with(line)).collect()
    }
}

async fn answer(State(world): State<Arc<Mutex<World>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body: Bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let path = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    let authorization =
        parts.headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let call = Call {
        method: parts.method.to_string(),
        path: path.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
        authorization,
    };
    let mut w = world.lock().unwrap();
    w.calls.push(call.clone());
    let route = parts.uri.path().trim_start_matches("/repos/o/r/").to_string();
    let segments: Vec<&str> = route.split('/').collect();
    let page = parts.uri.query().unwrap_or_default().contains("page=1") || !path.contains("page=");
    match (&parts.method, segments.as_slice()) {
        (&Method::GET, ["collaborators", login, "permission"]) => {
            let role = w.roles.get(*login).cloned().unwrap_or_else(|| "none".into());
            let legacy = if role == "maintain" { "write".to_string() } else { role.clone() };
            ok(json!({"permission": legacy, "role_name": role, "user": {"login": login}}))
        }
        (&Method::POST, ["issues", _, "reactions"]) | (&Method::POST, ["issues", "comments", _, "reactions"]) => {
            created(json!({"id": 1, "content": "eyes"}))
        }
        (&Method::GET, ["issues", _, "comments"]) => {
            ok(if page { Value::Array(w.comments.clone()) } else { json!([]) })
        }
        (&Method::GET, ["issues", _]) => ok(w.issue.clone()),
        (&Method::GET, ["actions", "runs", id]) => {
            ok(json!({"id": id.parse::<u64>().unwrap_or(0), "created_at": "2026-01-02T10:00:00Z"}))
        }
        (&Method::POST, ["issues", n, "comments"]) => {
            if std::mem::take(&mut w.limit_first_comment) {
                return (
                    StatusCode::FORBIDDEN,
                    [("retry-after", "1"), ("content-type", "application/json")],
                    r#"{"message":"You have exceeded a secondary rate limit."}"#,
                )
                    .into_response();
            }
            w.next_id += 1;
            let id = w.next_id;
            created(
                json!({"id": id, "html_url": format!("https://github.test/o/r/issues/{n}#issuecomment-{id}"), "body": call.json()["body"]}),
            )
        }
        (&Method::PATCH, ["issues", "comments", id]) => ok(json!({"id": id.parse::<u64>().unwrap_or(0)})),
        (&Method::POST, ["pulls"]) => {
            created(json!({"id": 77, "number": 12, "html_url": "https://github.test/o/r/pull/12", "draft": true}))
        }
        _ => (StatusCode::NOT_FOUND, axum::Json(json!({"message": "Not Found"}))).into_response(),
    }
}

fn ok(v: Value) -> Response {
    axum::Json(v).into_response()
}

fn created(v: Value) -> Response {
    (StatusCode::CREATED, axum::Json(v)).into_response()
}
