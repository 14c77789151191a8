//! Downloads that resume where a cut-short one stopped (`NAME.part`, an HTTP range) and
//! reach their final name only when their sha256 matches the catalog's.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use sha2::{Digest, Sha256};

use crate::LocalError;

/// The HTTP client for downloads (the environment's proxy settings apply).
pub(crate) fn client() -> Result<reqwest::Client, LocalError> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(120))
        .user_agent(concat!("wright/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| LocalError::Download { url: "(no request was made)".into(), detail: e.to_string() })
}

/// `url` at `dest`, checked against `sha256`. A file already at `dest` passed that check.
pub(crate) async fn fetch(http: &reqwest::Client, url: &str, dest: &Path, sha256: &str) -> Result<(), LocalError> {
    if dest.is_file() {
        return Ok(());
    }
    let part = partial(dest);
    let have = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    let fail = |detail: String| LocalError::Download { url: url.to_string(), detail };
    let mut request = http.get(url);
    if have > 0 {
        request = request.header(reqwest::header::RANGE, format!("bytes={have}-"));
    }
    let mut response = request.send().await.map_err(|e| fail(chain(&e)))?;
    let status = response.status();
    // 416: the part already holds the whole file; the checksum decides.
    if status != reqwest::StatusCode::RANGE_NOT_SATISFIABLE {
        let resumed = status == reqwest::StatusCode::PARTIAL_CONTENT;
        if !status.is_success() {
            return Err(fail(format!("HTTP {status}")));
        }
        // A range other than the one asked for would splice the file wrongly.
        if resumed && range_start(&response) != Some(have) {
            let _ = std::fs::remove_file(&part);
            return Err(fail("the server sent another part of the file than asked; run the install again".into()));
        }
        let start = if resumed { have } else { 0 };
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .write(true)
            .append(resumed)
            .truncate(!resumed)
            .open(&part)
            .map_err(|e| LocalError::io(&part, e))?;
        let total = response.content_length().map(|n| n + start);
        let bar = bar(total, name_of(url));
        let mut got = start;
        bar.set_position(got);
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    file.write_all(&chunk).map_err(|e| LocalError::io(&part, e))?;
                    got += chunk.len() as u64;
                    bar.set_position(got);
                }
                Ok(None) => break,
                Err(e) => {
                    bar.abandon();
                    return Err(fail(format!("{} after {got} bytes; run the install again to resume", chain(&e))));
                }
            }
        }
        bar.finish_and_clear();
        if let Some(total) = total.filter(|&t| got < t) {
            return Err(fail(format!("cut short at {got} of {total} bytes; run the install again to resume")));
        }
    }
    verify(&part, sha256, name_of(url))?;
    std::fs::rename(&part, dest).map_err(|e| LocalError::io(dest, e))
}

/// Where a 206's `Content-Range: bytes START-END/TOTAL` starts.
fn range_start(response: &reqwest::Response) -> Option<u64> {
    let value = response.headers().get(reqwest::header::CONTENT_RANGE)?.to_str().ok()?;
    value.strip_prefix("bytes ")?.split('-').next()?.trim().parse().ok()
}

/// An error with its causes, which reqwest keeps out of its own message.
pub(crate) fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    text
}

/// Checks `path` against `sha256`; a mismatch removes the file.
pub(crate) fn verify(path: &Path, sha256: &str, what: &str) -> Result<(), LocalError> {
    let found = sha256_of(path)?;
    if found.eq_ignore_ascii_case(sha256) {
        return Ok(());
    }
    let _ = std::fs::remove_file(path);
    Err(LocalError::Checksum { what: what.to_string(), found, expected: sha256.to_string() })
}

pub(crate) fn sha256_of(path: &Path) -> Result<String, LocalError> {
    let mut file = std::fs::File::open(path).map_err(|e| LocalError::io(path, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| LocalError::io(path, e))?;
        if n == 0 {
            break;
        }
        hasher.update(buf.get(..n).unwrap_or_default());
    }
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// Where `dest` is written until it is whole and checked.
pub(crate) fn partial(dest: &Path) -> PathBuf {
    let mut name = dest.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    dest.with_file_name(name)
}

/// A URL's last segment, for progress lines.
pub(crate) fn name_of(url: &str) -> &str {
    url.rsplit('/').next().unwrap_or(url)
}

/// A byte bar on stderr (hidden when stderr is not a terminal).
pub(crate) fn bar(total: Option<u64>, label: &str) -> ProgressBar {
    let bar = match total {
        Some(n) => ProgressBar::new(n),
        None => ProgressBar::no_length(),
    };
    let style = ProgressStyle::with_template("{msg:40!} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} {eta}")
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(label.to_string());
    bar
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    const BODY: &[u8] = b"the whole file, forty-two bytes long......";

    /// Serves `BODY` over plain HTTP/1.1: the first answer promises all of it, sends 10
    /// bytes and closes the connection; later ones honour a range (416 past the end),
    /// unless `ignores_range`.
    async fn server_with(ignores_range: bool) -> (String, Arc<AtomicUsize>) {
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            loop {
                let (mut socket, _) = listener.accept().await.unwrap();
                let mut request = vec![0u8; 4096];
                let n = socket.read(&mut request).await.unwrap();
                let request = String::from_utf8_lossy(&request[..n]).to_lowercase();
                let from = request
                    .lines()
                    .find_map(|l| l.strip_prefix("range: bytes="))
                    .and_then(|v| v.trim().trim_end_matches('-').parse::<usize>().ok());
                let from = from.filter(|_| !ignores_range);
                let answer = match (counter.fetch_add(1, Ordering::SeqCst), from) {
                    (_, Some(from)) if from >= BODY.len() => {
                        b"HTTP/1.1 416 Range Not Satisfiable\r\ncontent-length: 0\r\n\r\n".to_vec()
                    }
                    (0, _) => {
                        [format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", BODY.len()).as_bytes(), &BODY[..10]]
                            .concat()
                    }
                    (_, Some(from)) => {
                        let rest = &BODY[from..];
                        let head = format!(
                            "HTTP/1.1 206 Partial Content\r\ncontent-range: bytes {from}-{}/{}\r\ncontent-length: {}\r\n\r\n",
                            BODY.len() - 1,
                            BODY.len(),
                            rest.len()
                        );
                        [head.as_bytes(), rest].concat()
                    }
                    (_, None) => {
                        [format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", BODY.len()).as_bytes(), BODY].concat()
                    }
                };
                socket.write_all(&answer).await.unwrap();
                socket.shutdown().await.unwrap();
            }
        });
        (format!("http://{addr}/f.bin"), hits)
    }

    async fn server() -> (String, Arc<AtomicUsize>) {
        server_with(false).await
    }

    fn sha(bytes: &[u8]) -> String {
        Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
    }

    #[tokio::test]
    async fn a_download_cut_short_resumes_and_is_checked() {
        let (url, hits) = server().await;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("f.bin");
        // Each try is a new client, as each `wright model install` is a new process.
        let err = fetch(&client().unwrap(), &url, &dest, &sha(BODY)).await.unwrap_err().to_string();
        assert!(err.contains("run the install again to resume"), "{err}");
        assert!(!dest.exists(), "nothing half-downloaded has the final name");
        assert_eq!(std::fs::read(partial(&dest)).unwrap(), &BODY[..10]);
        fetch(&client().unwrap(), &url, &dest, &sha(BODY)).await.unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), BODY, "resumed from byte 10");
        assert_eq!(hits.load(Ordering::SeqCst), 2);
        // A second fetch finds it whole and asks for nothing.
        fetch(&client().unwrap(), &url, &dest, &sha(BODY)).await.unwrap();
        assert_eq!(hits.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_file_whose_checksum_does_not_match_is_refused_and_removed() {
        let (url, _) = server().await;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("f.bin");
        let _ = fetch(&client().unwrap(), &url, &dest, &sha(b"other")).await;
        let err = fetch(&client().unwrap(), &url, &dest, &sha(b"other")).await.unwrap_err();
        assert!(matches!(err, LocalError::Checksum { .. }), "{err}");
        assert!(err.to_string().contains("refused and removed"));
        assert!(!dest.exists() && !partial(&dest).exists());
    }

    #[tokio::test]
    async fn a_server_that_ignores_the_range_sends_the_file_again() {
        let (url, _) = server_with(true).await;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("f.bin");
        assert!(fetch(&client().unwrap(), &url, &dest, &sha(BODY)).await.is_err());
        fetch(&client().unwrap(), &url, &dest, &sha(BODY)).await.unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), BODY, "started over, not appended");
    }

    #[tokio::test]
    async fn a_part_already_whole_is_checked_and_kept() {
        let (url, hits) = server().await;
        hits.store(1, Ordering::SeqCst);
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("f.bin");
        std::fs::write(partial(&dest), BODY).unwrap();
        fetch(&client().unwrap(), &url, &dest, &sha(BODY)).await.unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), BODY, "416: nothing more to send");
    }
}
