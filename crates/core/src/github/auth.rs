//! GitHub device-flow sign-in (ingestion.md §5): start, one poll, user, logout.
//! The token is stored through `settings::update` (keychain first, DB fallback) and is
//! never returned, logged or put in an error message.

use super::client::GitHub;
use crate::app::App;
use crate::args::NoArgs;
use crate::error::{Error, ErrorKind, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The OAuth App client id comes from the `github_oauth_client_id` setting; this variable
/// overrides it. There is no built-in id: each installation registers its own GitHub OAuth App
/// (device flow enabled).
pub const ENV_CLIENT_ID: &str = "SKILL_BUILDER_GITHUB_CLIENT_ID";
pub const CLIENT_ID_SETTING: &str = "github_oauth_client_id";
/// Least privilege by default (public registries, profile). `SKILL_BUILDER_GITHUB_SCOPES`
/// (e.g. `repo read:user`) opts into private registries.
pub const DEFAULT_SCOPES: &str = "read:user public_repo";
pub const ENV_SCOPES: &str = "SKILL_BUILDER_GITHUB_SCOPES";

/// The environment variable (through the options), else the setting; neither set is a
/// configuration error that says what to set, instead of a GitHub error about an unknown client.
fn client_id(app: &App) -> Result<String> {
    if let Some(id) = app
        .options
        .github_client_id
        .as_deref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
    {
        return Ok(id);
    }
    crate::settings::load(app)?
        .github_oauth_client_id
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            Error::invalid(format!(
                "GitHub sign-in is not configured: set `{CLIENT_ID_SETTING}` in Settings to the \
                 client id of your GitHub OAuth App (device flow enabled), or set the \
                 {ENV_CLIENT_ID} environment variable"
            ))
        })
}

fn scopes(app: &App) -> String {
    app.options
        .github_scopes
        .clone()
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_SCOPES.to_string())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeviceFlowResponse {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub expires_in: u64,
    pub interval: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GitHubUser {
    pub login: String,
    pub avatar_url: String,
    pub email: Option<String>,
}

/// One poll's outcome, tagged by `status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum GitHubAuthResult {
    Pending,
    /// Poll more slowly; `interval` is GitHub's new minimum (seconds) when it sent one.
    SlowDown {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        interval: Option<u64>,
    },
    /// The device code expired: start again.
    Expired,
    /// The user refused the authorization.
    Denied,
    Success {
        user: GitHubUser,
    },
}

/// Command `github_start_device_flow` (async).
pub async fn github_start_device_flow(app: &App, _: NoArgs) -> Result<DeviceFlowResponse> {
    let id = client_id(app)?;
    let gh = GitHub::with_token(app, None);
    let sc = scopes(app);
    let r = gh
        .oauth_post("/login/device/code", &[("client_id", &id), ("scope", &sc)])
        .await?;
    if !r.ok() || r.body.get("error").is_some() {
        return Err(Error::network(format!(
            "GitHub device flow error ({}): {}",
            super::client::status_text(r.status),
            r.message()
        )));
    }
    let s = |k: &str| -> Result<String> {
        r.body
            .get(k)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| Error::network(format!("Missing {k} in response")))
    };
    Ok(DeviceFlowResponse {
        device_code: s("device_code")?,
        user_code: s("user_code")?,
        verification_uri: s("verification_uri")?,
        expires_in: r
            .body
            .get("expires_in")
            .and_then(Value::as_u64)
            .ok_or_else(|| Error::network("Missing expires_in in response"))?,
        interval: r.body.get("interval").and_then(Value::as_u64).unwrap_or(5),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GithubPollForTokenArgs {
    pub device_code: String,
}

/// Command `github_poll_for_token` (async): one poll; on a token, fetches the profile and
/// stores token + login + avatar + email.
pub async fn github_poll_for_token(
    app: &App,
    args: GithubPollForTokenArgs,
) -> Result<GitHubAuthResult> {
    let id = client_id(app)?;
    let gh = GitHub::with_token(app, None);
    let r = gh
        .oauth_post(
            "/login/oauth/access_token",
            &[
                ("client_id", id.as_str()),
                ("device_code", args.device_code.as_str()),
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ],
        )
        .await?;
    if let Some(token) = r
        .body
        .get("access_token")
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
    {
        let gh = GitHub::with_token(app, Some(token.to_string()));
        let u = gh.user_with_token(token).await.map_err(|e| {
            Error::new(
                e.kind,
                gh.scrub(format!(
                    "signed in, but reading the GitHub profile failed: {}",
                    e.message
                )),
            )
        })?;
        let user = GitHubUser {
            login: u
                .get("login")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            avatar_url: u
                .get("avatar_url")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            email: u.get("email").and_then(Value::as_str).map(str::to_string),
        };
        let (t, stored) = (token.to_string(), user.clone());
        crate::settings::update(app, move |s| {
            s.github_oauth_token = Some(t);
            s.github_user_login = Some(stored.login);
            s.github_user_avatar = Some(stored.avatar_url);
            s.github_user_email = stored.email;
        })?;
        tracing::info!("signed in to GitHub as {}", user.login);
        return Ok(GitHubAuthResult::Success { user });
    }
    let code = r.body.get("error").and_then(Value::as_str).unwrap_or("");
    match code {
        "authorization_pending" => Ok(GitHubAuthResult::Pending),
        "slow_down" => Ok(GitHubAuthResult::SlowDown {
            interval: r.body.get("interval").and_then(Value::as_u64),
        }),
        "expired_token" => Ok(GitHubAuthResult::Expired),
        "access_denied" => Ok(GitHubAuthResult::Denied),
        _ => {
            let desc = r
                .body
                .get("error_description")
                .and_then(Value::as_str)
                .unwrap_or("");
            let code = if code.is_empty() {
                super::client::status_text(r.status)
            } else {
                code.to_string()
            };
            Err(Error::new(
                if r.status.is_server_error() {
                    ErrorKind::Network
                } else {
                    ErrorKind::InvalidInput
                },
                gh.scrub(format!("GitHub OAuth error: {code} — {desc}")),
            ))
        }
    }
}

/// Command `github_get_user` (sync): from settings only; `None` when signed out.
pub fn github_get_user(app: &App, _: NoArgs) -> Result<Option<GitHubUser>> {
    let s = crate::settings::load(app)?;
    if s.github_oauth_token.as_deref().is_none_or(str::is_empty) {
        return Ok(None);
    }
    Ok(Some(GitHubUser {
        login: s.github_user_login.unwrap_or_default(),
        avatar_url: s.github_user_avatar.unwrap_or_default(),
        email: s.github_user_email,
    }))
}

/// Command `github_logout` (sync): forgets token and profile (no revocation call).
pub fn github_logout(app: &App, _: NoArgs) -> Result<()> {
    crate::settings::update(app, |s| {
        s.github_oauth_token = None;
        s.github_user_login = None;
        s.github_user_avatar = None;
        s.github_user_email = None;
    })?;
    tracing::info!("signed out of GitHub");
    Ok(())
}
