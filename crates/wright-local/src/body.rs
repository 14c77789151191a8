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
