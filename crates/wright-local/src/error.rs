/// What went wrong finding, installing or starting a local model. Each message says what
/// to do next.
#[derive(Debug, thiserror::Error)]
pub enum LocalError {
    #[error("the model catalog is broken: {0}")]
    Catalog(String),
    #[error("no model `{name}` in the catalog; known: {known}")]
    UnknownModel { name: String, known: String },
    #[error("downloading {url}: {detail}")]
    Download { url: String, detail: String },
    #[error("{what}: checksum mismatch (sha256 {found}, expected {expected}); the file was refused and removed")]
    Checksum { what: String, found: String, expected: String },
    #[error("every source of {model} failed:\n{failures}")]
    NoSource { model: String, failures: String },
    #[error("building llama-server: {0}")]
    Build(String),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("the local model server: {0}")]
    Server(String),
    #[error("several models are served on this machine ({listed}); choose one with --model or `model` in your config")]
    Ambiguous { listed: String },
    #[error("`{model}` is not served here; the servers on this machine offer: {listed}")]
    NotServed { model: String, listed: String },
    #[error("Ollama at {url}: {detail}")]
    Ollama { url: String, detail: String },
}

impl LocalError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> Self {
        LocalError::Io { path: path.display().to_string(), source }
    }
}
