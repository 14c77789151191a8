//! The REST calls the bot makes, through octocrab: its rate-limit handling waits out
//! `Retry-After` and `x-ratelimit-reset` (secondary limits included) before retrying.
//! The token lives here and in the push only; no command ever sees it.

use std::sync::Arc;
use std::time::Duration;

use octocrab::Octocrab;
use octocrab::service::middleware::retry::{NoOpRateLimitMetrics, RetryConfig};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::GithubError;
use crate::event::Issue;
use crate::task::Comment;

/// Retries of one call after a rate limit or a server error.
const MAX_RETRIES: usize = 3;
/// Comments read as context are the first pages of at most this many.
const MAX_COMMENT_PAGES: u32 = 5;

/// One repository's REST endpoints, as the token's account.
pub struct Client {
    gh: Octocrab,
    repo: String,
}

/// What `POST .../comments` and `POST .../pulls` give back that wright uses.
#[derive(Debug, Clone, Deserialize)]
pub struct Created {
    pub id: u64,
    #[serde(default)]
    pub number: Option<u64>,
    #[serde(default)]
    pub html_url: Option<String>,
}

impl Client {
    /// `api_url` is `GITHUB_API_URL` (`https://api.github.com`, or a GitHub Enterprise
    /// server's `/api/v3`).
    pub fn new(api_url: &str, token: &str, owner: &str, name: &str) -> Result<Self, GithubError> {
        let gh = Octocrab::builder()
            .base_uri(api_url.trim_end_matches('/'))
            .map_err(|e| GithubError::Api(format!("GITHUB_API_URL `{api_url}` is not a URL: {e}")))?
            .add_retry_config(RetryConfig::HandleRateLimits {
                metrics: Arc::new(NoOpRateLimitMetrics),
                max_retries: MAX_RETRIES,
                min_wait_seconds: 5,
                retry_on_forbidden: false,
            })
            .set_connect_timeout(Some(Duration::from_secs(20)))
            .set_read_timeout(Some(Duration::from_secs(60)))
            .personal_token(token.to_string())
            .build()
            .map_err(|e| GithubError::Api(format!("building the client: {e}")))?;
        Ok(Client { gh, repo: format!("/repos/{owner}/{name}") })
    }

    /// The account's role on the repository: `admin`, `maintain`, `write`, `triage`,
    /// `read` or `none`.
    pub async fn permission(&self, login: &str) -> Result<String, GithubError> {
        let v: Value = self.get(&format!("/collaborators/{login}/permission")).await?;
        let role = v.get("role_name").or_else(|| v.get("permission")).and_then(Value::as_str);
        Ok(role.unwrap_or("none").to_string())
    }

    /// An 👀 on the issue, or on the comment that asked.
    pub async fn react(&self, issue: u64, comment: Option<u64>) -> Result<(), GithubError> {
        let route = match comment {
            Some(id) => format!("/issues/comments/{id}/reactions"),
            None => format!("/issues/{issue}/reactions"),
        };
        let _: Value = self.post(&route, &json!({"content": "eyes"})).await?;
        Ok(())
    }

    pub async fn issue(&self, number: u64) -> Result<Issue, GithubError> {
        let v: Value = self.get(&format!("/issues/{number}")).await?;
        if v.get("pull_request").is_some_and(|p| !p.is_null()) {
            return Err(GithubError::Api(format!("#{number} is a pull request; wright starts from issues")));
        }
        let text = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        Ok(Issue {
            title: text("title"),
            body: text("body"),
            author: v.pointer("/user/login").and_then(Value::as_str).unwrap_or_default().to_string(),
            updated_at: text("updated_at"),
        })
    }

    /// When the Actions run `id` was created: for a dispatch, the moment it was asked.
    pub async fn run_created(&self, id: &str) -> Result<String, GithubError> {
        let v: Value = self.get(&format!("/actions/runs/{id}")).await?;
        v.get("created_at")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| GithubError::Api(format!("the Actions run {id} has no created_at")))
    }

    /// The issue's comments, oldest first.
    pub async fn comments(&self, issue: u64) -> Result<Vec<Comment>, GithubError> {
        let mut all = Vec::new();
        for page in 1..=MAX_COMMENT_PAGES {
            let batch: Vec<Comment> = self.get(&format!("/issues/{issue}/comments?per_page=100&page={page}")).await?;
            let full = batch.len() == 100;
            all.extend(batch);
            if !full {
                break;
            }
        }
        Ok(all)
    }

    pub async fn comment(&self, issue: u64, body: &str) -> Result<Created, GithubError> {
        self.post(&format!("/issues/{issue}/comments"), &json!({ "body": body })).await
    }

    pub async fn edit_comment(&self, id: u64, body: &str) -> Result<(), GithubError> {
        let route = format!("{}/issues/comments/{id}", self.repo);
        let _: Value = self.gh.patch(route, Some(&json!({ "body": body }))).await.map_err(api)?;
        Ok(())
    }

    /// Opens a draft pull request from `head` into `base`.
    pub async fn draft_pull(&self, title: &str, head: &str, base: &str, body: &str) -> Result<Created, GithubError> {
        let request = json!({"title": title, "head": head, "base": base, "body": body, "draft": true});
        self.post("/pulls", &request).await
    }

    async fn get<T: serde::de::DeserializeOwned>(&self, route: &str) -> Result<T, GithubError> {
        self.gh.get(format!("{}{route}", self.repo), None::<&()>).await.map_err(api)
    }

    async fn post<T: serde::de::DeserializeOwned>(&self, route: &str, body: &Value) -> Result<T, GithubError> {
        self.gh.post(format!("{}{route}", self.repo), Some(body)).await.map_err(api)
    }
}

/// octocrab's error, in a line: GitHub's status and message when it answered.
fn api(e: octocrab::Error) -> GithubError {
    match e {
        octocrab::Error::GitHub { source, .. } => {
            GithubError::Api(format!("{} {}", source.status_code.as_u16(), source.message))
        }
        other => GithubError::Api(other.to_string()),
    }
}
