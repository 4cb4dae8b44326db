//! `create_github_issue` (ingestion.md §6): an issue in the app's feedback repository.

use super::client::{encode_segment, GitHub};
use crate::app::App;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// `owner/repo` receiving feedback issues comes from the `feedback_repository` setting; this
/// variable overrides it. There is no built-in repository.
pub const ENV_FEEDBACK_REPO: &str = "SKILL_BUILDER_FEEDBACK_REPO";
pub const FEEDBACK_REPO_SETTING: &str = "feedback_repository";
/// Labels we may attach (and create when missing); anything else the form suggests is
/// dropped, so an LLM-drafted form cannot litter the repository with labels (D19).
pub const ALLOWED_LABELS: &[&str] = &[
    "bug",
    "enhancement",
    "feedback",
    "question",
    "documentation",
];
pub const MAX_TITLE_CHARS: usize = 256;
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateGithubIssueRequest {
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub labels: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateGithubIssueResponse {
    pub url: String,
    pub number: u64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateGithubIssueArgs {
    pub request: CreateGithubIssueRequest,
}

/// `owner/repo` split in two; `None` for anything else.
pub fn parse_repository(v: &str) -> Option<(String, String)> {
    match v.trim().split_once('/') {
        Some((o, r)) if !o.is_empty() && !r.is_empty() && !r.contains('/') => {
            Some((o.to_string(), r.to_string()))
        }
        _ => None,
    }
}

/// The environment variable (through the options), else the setting; an error names
/// whichever was used (or both when neither is set).
fn feedback_repo(app: &App) -> Result<(String, String)> {
    let env = app
        .options
        .feedback_repo
        .clone()
        .filter(|s| !s.trim().is_empty());
    let (value, source) = match env {
        Some(v) => (v, ENV_FEEDBACK_REPO.to_string()),
        None => match crate::settings::load(app)?
            .feedback_repository
            .filter(|s| !s.trim().is_empty())
        {
            Some(v) => (v, format!("the `{FEEDBACK_REPO_SETTING}` setting")),
            None => {
                return Err(Error::invalid(format!(
                    "No feedback repository is configured: set `{FEEDBACK_REPO_SETTING}` in \
                     Settings to the owner/repo that receives feedback issues, or set the \
                     {ENV_FEEDBACK_REPO} environment variable"
                )))
            }
        },
    };
    parse_repository(&value)
        .ok_or_else(|| Error::invalid(format!("{source} must be owner/repo, got '{value}'")))
}

fn truncate_chars(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

fn truncate_bytes(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

/// Command `create_github_issue` (async).
pub async fn create_github_issue(
    app: &App,
    args: CreateGithubIssueArgs,
) -> Result<CreateGithubIssueResponse> {
    let (owner, repo) = feedback_repo(app)?;
    let gh = GitHub::from_app(app)?;
    if !gh.has_token() {
        return Err(Error::invalid(
            "Not signed in to GitHub. Sign in with GitHub in Settings.",
        ));
    }
    let req = args.request;
    let title = truncate_chars(req.title.trim(), MAX_TITLE_CHARS);
    if title.is_empty() {
        return Err(Error::invalid("The issue title cannot be empty"));
    }
    let body = truncate_bytes(&req.body, MAX_BODY_BYTES);
    let mut labels: Vec<String> = Vec::new();
    for l in &req.labels {
        let l = l.trim().to_lowercase();
        if ALLOWED_LABELS.contains(&l.as_str()) && !labels.contains(&l) {
            labels.push(l);
        } else if !l.is_empty() {
            tracing::info!("feedback label '{l}' is not in the allow-list; dropped");
        }
    }
    let base = format!(
        "/repos/{}/{}",
        encode_segment(&owner),
        encode_segment(&repo)
    );
    for l in &labels {
        // Best effort: 2xx (created) and 422 (exists) are fine, anything else is ignored.
        match gh
            .api_post(&format!("{base}/labels"), &json!({"name": l}))
            .await
        {
            Ok(r) if r.ok() || r.status.as_u16() == 422 => {}
            Ok(r) => tracing::info!("creating label '{l}' answered {}", r.status),
            Err(e) => tracing::info!("creating label '{l}' failed: {e}"),
        }
    }
    let r = gh
        .api_post(
            &format!("{base}/issues"),
            &json!({"title": title, "body": body, "labels": labels}),
        )
        .await?;
    let v = gh.ensure_ok(r)?;
    Ok(CreateGithubIssueResponse {
        url: v
            .get("html_url")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        number: v.get("number").and_then(Value::as_u64).unwrap_or(0),
    })
}
