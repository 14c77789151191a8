//! Model servers already running on this machine: each usual port on loopback is asked
//! for `/v1/models`, with no key (a discovered server is never sent one). Only an answer
//! that is an OpenAI model list counts; anything else listening there is left alone.

use std::time::Duration;

use serde_json::Value;

use crate::LocalError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServerKind {
    /// Ollama, whose context size is set through its own API.
    Ollama,
    /// llama.cpp, LM Studio, vLLM or anything else speaking the OpenAI API.
    OpenAi,
}

/// A server that answered with a model list.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub port: u16,
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    pub models: Vec<String>,
    pub kind: ServerKind,
}

/// The servers on `ports` of 127.0.0.1, in the order of `ports`; each gets `wait`.
pub async fn discover(ports: &[u16], wait: Duration) -> Vec<Found> {
    let Ok(http) = reqwest::Client::builder().no_proxy().connect_timeout(wait).timeout(wait).build() else {
        return Vec::new();
    };
    // Concurrently: an unanswered port costs one wait in all, not one each.
    futures::future::join_all(ports.iter().map(|&port| probe(&http, port))).await.into_iter().flatten().collect()
}

async fn probe(http: &reqwest::Client, port: u16) -> Option<Found> {
    let server = format!("http://127.0.0.1:{port}");
    let listing = crate::body::small_json(http.get(format!("{server}/v1/models"))).await?;
    let models = model_ids(&listing)?;
    let version = crate::body::small_json(http.get(format!("{server}/api/version"))).await;
    let kind = match version {
        Some(v) if v.get("version").is_some_and(Value::is_string) => ServerKind::Ollama,
        _ => ServerKind::OpenAi,
    };
    Some(Found { port, base_url: format!("{server}/v1"), models, kind })
}

/// The ids of an OpenAI model list; `None` when `listing` is not one or lists nothing.
pub(crate) fn model_ids(listing: &Value) -> Option<Vec<String>> {
    let ids: Option<Vec<String>> = listing
        .get("data")?
        .as_array()?
        .iter()
        .map(|m| m.get("id").and_then(Value::as_str).map(str::to_string))
        .collect();
    ids.filter(|ids| !ids.is_empty())
}

/// The server and model a run uses: the configured model where a server lists it, else
/// the only model listed. `None`: no server was found.
pub fn choose(found: &[Found], configured: Option<&str>) -> Result<Option<(Found, String)>, LocalError> {
    let listed = || {
        found
            .iter()
            .flat_map(|f| f.models.iter().map(move |m| format!("{m} (port {})", f.port)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if found.is_empty() {
        return Ok(None);
    }
    if let Some(model) = configured {
        return match found.iter().find(|f| f.models.iter().any(|m| m == model)) {
            Some(f) => Ok(Some((f.clone(), model.to_string()))),
            None => Err(LocalError::NotServed { model: model.to_string(), listed: listed() }),
        };
    }
    // The models wright derived in Ollama earlier stand for the ones they came from.
    let candidates: Vec<(&Found, &String)> = found
        .iter()
        .flat_map(|f| f.models.iter().filter(|m| !crate::ollama::is_derived(m)).map(move |m| (f, m)))
        .collect();
    match candidates.as_slice() {
        [(server, model)] => Ok(Some(((*server).clone(), (*model).clone()))),
        _ => Err(LocalError::Ambiguous { listed: listed() }),
    }
}
