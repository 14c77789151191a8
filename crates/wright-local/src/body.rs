//! Bodies from whatever answers on a port: read as they come, never past a cap.

/// A body of at most `cap` bytes, read as it comes (a length header may be missing or
/// false); `None` past the cap or on a failed read.
pub(crate) async fn read_capped(mut response: reqwest::Response, cap: usize) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.ok()? {
        if body.len() + chunk.len() > cap {
            return None;
        }
        body.extend_from_slice(&chunk);
    }
    Some(body)
}

/// A JSON answer of at most 1 MB to `request`; `None` for anything else (an error status,
/// a body too large, not JSON).
pub(crate) async fn small_json(request: reqwest::RequestBuilder) -> Option<serde_json::Value> {
    let response = request.send().await.ok()?.error_for_status().ok()?;
    serde_json::from_slice(&read_capped(response, 1 << 20).await?).ok()
}
