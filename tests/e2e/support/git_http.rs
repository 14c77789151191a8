//! A git server over HTTP on loopback: `git http-backend` run as CGI behind a small axum
//! server that asks for HTTP Basic authentication with one token, as a forge does.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;

use super::git;

pub struct GitHttp {
    /// `http://127.0.0.1:PORT/remote.git`
    pub url: String,
    pub bare: PathBuf,
    served: Arc<Served>,
    _dir: tempfile::TempDir,
}

impl GitHttp {
    /// Every password a client presented, right or wrong, in order.
    pub fn passwords(&self) -> Vec<String> {
        self.served.passwords.lock().unwrap().clone()
    }
}

struct Served {
    root: PathBuf,
    token: String,
    passwords: Mutex<Vec<String>>,
}

/// Serves a bare clone of `source` that accepts pushes from whoever presents `token` as
/// the password.
pub async fn serve(source: &Path, token: &str) -> GitHttp {
    serve_at(source, token, "remote.git").await
}

/// As [`serve`], at `path` (such as `owner/name.git`, as a forge names it).
pub async fn serve_at(source: &Path, token: &str, path: &str) -> GitHttp {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join(path);
    std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
    git(dir.path(), &["clone", "-q", "--bare", source.to_str().unwrap(), bare.to_str().unwrap()]);
    let served = Arc::new(Served {
        root: dir.path().to_path_buf(),
        token: token.to_string(),
        passwords: Mutex::new(Vec::new()),
    });
    let app = Router::new().fallback(cgi).with_state(served.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    GitHttp { url: format!("http://{addr}/{path}"), bare, served, _dir: dir }
}

/// The user and password of a Basic `Authorization` header.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded).ok()?;
    let (user, password) = std::str::from_utf8(&decoded).ok()?.split_once(':')?;
    Some((user.to_string(), password.to_string()))
}

async fn cgi(State(served): State<Arc<Served>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let presented = basic(&parts.headers);
    if let Some((_, password)) = &presented {
        served.passwords.lock().unwrap().push(password.clone());
    }
    let Some(user) = presented.filter(|(_, p)| *p == served.token).map(|(u, _)| u) else {
        return (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Basic realm=\"git\"")], "").into_response();
    };
    let body: Bytes = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let header_value =
        |name: header::HeaderName| parts.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    let mut cmd = Command::new("git");
    cmd.arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GIT_PROJECT_ROOT", &served.root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REMOTE_USER", user)
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("REQUEST_METHOD", parts.method.as_str())
        .env("PATH_INFO", parts.uri.path())
        .env("QUERY_STRING", parts.uri.query().unwrap_or(""))
        .env("CONTENT_TYPE", header_value(header::CONTENT_TYPE))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("HTTP_CONTENT_ENCODING", header_value(header::CONTENT_ENCODING))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let output = tokio::task::spawn_blocking(move || {
        let mut child = cmd.spawn().unwrap();
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), &body).unwrap();
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    cgi_response(&output.stdout)
}

/// A CGI program's output (headers, a blank line, the body) as an HTTP response.
fn cgi_response(out: &[u8]) -> Response {
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").map(|i| (i, 4));
    let split = split.or_else(|| out.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)));
    let Some((end, gap)) = split else { return (StatusCode::BAD_GATEWAY, "no CGI headers").into_response() };
    let mut response = Response::builder();
    let mut status = StatusCode::OK;
    for line in String::from_utf8_lossy(&out[..end]).lines() {
        let Some((name, value)) = line.split_once(':') else { continue };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            status = value.split(' ').next().and_then(|c| c.parse().ok()).unwrap_or(StatusCode::OK);
        } else {
            response = response.header(name, value);
        }
    }
    response.status(status).body(Body::from(out[end + gap..].to_vec())).unwrap()
}
