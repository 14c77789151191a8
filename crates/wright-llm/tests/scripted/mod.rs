//! A scripted OpenAI-compatible endpoint on a local port, for tests of the client over
//! real HTTP: each request gets the next canned reply, SSE or JSON, then the connection
//! closes. It records each request body.

use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One canned reply.
pub enum Canned {
    /// Server-sent events, one `data:` line per chunk, then `[DONE]`.
    Stream(Vec<Value>),
    /// A plain JSON body.
    Json(Value),
}

pub struct Scripted {
    pub base_url: String,
    requests: Arc<Mutex<Vec<Value>>>,
}

impl Scripted {
    pub async fn start(replies: Vec<Canned>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        tokio::spawn(async move {
            for reply in replies {
                let (mut socket, _) = listener.accept().await.unwrap();
                let body = read_request(&mut socket).await;
                seen.lock().unwrap().push(serde_json::from_slice(&body).unwrap_or(Value::Null));
                socket.write_all(&render(&reply)).await.unwrap();
                socket.shutdown().await.unwrap();
            }
        });
        Scripted { base_url, requests }
    }

    pub fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }
}

/// The request's body: headers up to the blank line, then `Content-Length` bytes.
async fn read_request(socket: &mut TcpStream) -> Vec<u8> {
    let mut data = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        let n = socket.read(&mut buf).await.unwrap();
        assert!(n > 0, "the client closed before sending a whole request");
        data.extend_from_slice(&buf[..n]);
        let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&data[..end]).to_lowercase();
        let length: usize =
            head.lines().find_map(|l| l.strip_prefix("content-length:")).map_or(0, |v| v.trim().parse().unwrap());
        if data.len() >= end + 4 + length {
            return data[end + 4..end + 4 + length].to_vec();
        }
    }
}

fn render(reply: &Canned) -> Vec<u8> {
    let (kind, body) = match reply {
        Canned::Stream(chunks) => {
            let mut body: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
            body.push_str("data: [DONE]\n\n");
            ("text/event-stream", body)
        }
        Canned::Json(v) => ("application/json", v.to_string()),
    };
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
