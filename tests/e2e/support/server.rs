//! The scripted model server (crates/wright-scripted), told which requests ask for a
//! commit message: those follow a script of their own, and when that runs out they are
//! refused, so wright derives the message.

use std::ops::Deref;

pub use wright_scripted::{Step, raw_call, turn, with};

#[derive(Clone)]
pub struct ModelServer(wright_scripted::ModelServer);

impl ModelServer {
    pub async fn start(script: Vec<Step>) -> Self {
        Self::start_with_commits(script, Vec::new()).await
    }

    /// A server shaped like Ollama (its own API beside the OpenAI one), listing `model`.
    pub async fn ollama(script: Vec<Step>, model: &str) -> Self {
        ModelServer(wright_scripted::ModelServer::ollama(script, model).await)
    }

    /// A server that also answers commit-message requests, in order, from `commits`.
    pub async fn start_with_commits(script: Vec<Step>, commits: Vec<Step>) -> Self {
        ModelServer(
            wright_scripted::ModelServer::start_with_commits(script, commits, wright_agent::COMMIT_WRITER_PROMPT).await,
        )
    }
}

impl Deref for ModelServer {
    type Target = wright_scripted::ModelServer;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}
