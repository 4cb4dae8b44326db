//! The one GitHub HTTP client (ingestion.md §4.2): base URLs from the app's options (the
//! `SKILL_BUILDER_GITHUB_*_URL` variables), standard headers, optional bearer token,
//! timeouts, retries of idempotent GETs, and rate-limit answers turned into a `network` error
//! with the reset time.
//!
//! The token never appears in an error message or a log line: every message that leaves
//! this module goes through [`GitHub::scrub`].

use crate::app::App;
use crate::error::{Error, ErrorKind, Result};
use reqwest::{RequestBuilder, Response, StatusCode};
use serde_json::Value;
use std::time::Duration;

pub const DEFAULT_API_URL: &str = "https://api.github.com";
pub const DEFAULT_RAW_URL: &str = "https://raw.githubusercontent.com";
pub const DEFAULT_OAUTH_URL: &str = "https://github.com";
pub const ENV_API_URL: &str = "SKILL_BUILDER_GITHUB_API_URL";
pub const ENV_RAW_URL: &str = "SKILL_BUILDER_GITHUB_RAW_URL";
pub const ENV_OAUTH_URL: &str = "SKILL_BUILDER_GITHUB_OAUTH_URL";

const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// Pauses before the retries of an idempotent GET (5xx or connection error).
const RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(500), Duration::from_secs(2)];

fn base_url(configured: Option<&str>, default: &str) -> String {
    configured
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| default.to_string())
        .trim_end_matches('/')
        .to_string()
}

/// Percent-encodes every segment of a `/`-separated path (RFC 3986 unreserved kept).
pub fn encode_path(path: &str) -> String {
    path.split('/')
        .map(encode_segment)
        .collect::<Vec<_>>()
        .join("/")
}

pub fn encode_segment(seg: &str) -> String {
    let mut out = String::with_capacity(seg.len());
    for b in seg.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A JSON answer of the API with its status.
#[derive(Debug)]
pub struct ApiReply {
    pub status: StatusCode,
    pub body: Value,
}

impl ApiReply {
    pub fn ok(&self) -> bool {
        self.status.is_success()
    }
    /// GitHub's `message` (or `error_description` / `error`) of an error body.
    pub fn message(&self) -> String {
        for k in ["message", "error_description", "error"] {
            if let Some(s) = self.body.get(k).and_then(Value::as_str) {
                return s.to_string();
            }
        }
        self.status
            .canonical_reason()
            .unwrap_or("no message")
            .to_string()
    }
}

/// `404 Not Found`-style status text.
pub fn status_text(s: StatusCode) -> String {
    match s.canonical_reason() {
        Some(r) => format!("{} {r}", s.as_u16()),
        None => s.as_u16().to_string(),
    }
}

#[derive(Clone)]
pub struct GitHub {
    http: reqwest::Client,
    pub api: String,
    pub raw: String,
    pub oauth: String,
    token: Option<String>,
}

impl GitHub {
    /// A client with the stored token (if any) and the base URLs of the options.
    pub fn from_app(app: &App) -> Result<GitHub> {
        let token = crate::settings::load(app)?
            .github_oauth_token
            .filter(|t| !t.trim().is_empty());
        Ok(Self::with_token(app, token))
    }

    pub fn with_token(app: &App, token: Option<String>) -> GitHub {
        let o = &app.options;
        GitHub {
            http: app.http.clone(),
            api: base_url(o.github_api_url.as_deref(), DEFAULT_API_URL),
            raw: base_url(o.github_raw_url.as_deref(), DEFAULT_RAW_URL),
            oauth: base_url(o.github_oauth_url.as_deref(), DEFAULT_OAUTH_URL),
            token,
        }
    }

    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// Removes the token from a message (defence in depth: we never format it in).
    pub fn scrub(&self, msg: impl Into<String>) -> String {
        let msg = msg.into();
        match &self.token {
            Some(t) if !t.is_empty() && msg.contains(t.as_str()) => msg.replace(t.as_str(), "***"),
            _ => msg,
        }
    }

    fn err(&self, kind: ErrorKind, msg: impl Into<String>) -> Error {
        Error::new(kind, self.scrub(msg))
    }

    fn standard(&self, rb: RequestBuilder, auth: bool) -> RequestBuilder {
        let rb = rb
            .header("Accept", "application/vnd.github+json")
            .header("User-Agent", "SkillBuilder")
            .header("X-GitHub-Api-Version", "2022-11-28")
            .timeout(REQUEST_TIMEOUT);
        match (&self.token, auth) {
            (Some(t), true) => rb.bearer_auth(t),
            _ => rb,
        }
    }

    /// Sends a request built by `make` (called again for each retry). Idempotent requests are
    /// retried twice on 5xx and connection errors. Rate-limit answers become errors here.
    async fn send(
        &self,
        what: &str,
        make: impl Fn() -> RequestBuilder,
        idempotent: bool,
    ) -> Result<Response> {
        let mut attempt = 0;
        loop {
            let res = make().send().await;
            let retry = match &res {
                Ok(r) => r.status().is_server_error(),
                Err(e) => e.is_connect() || e.is_timeout(),
            };
            if idempotent && retry && attempt < RETRY_DELAYS.len() {
                tokio::time::sleep(RETRY_DELAYS[attempt]).await;
                attempt += 1;
                continue;
            }
            let resp = res.map_err(|e| {
                let why = if e.is_timeout() {
                    "timed out".to_string()
                } else if e.is_connect() {
                    "could not connect".to_string()
                } else {
                    e.without_url().to_string()
                };
                self.err(
                    ErrorKind::Network,
                    format!("GitHub request failed ({what}): {why}"),
                )
            })?;
            self.check_rate_limit(&resp)?;
            return Ok(resp);
        }
    }

    /// 403/429 with `x-ratelimit-remaining: 0` or `retry-after` → `network`
    /// `github_rate_limited` with the reset time.
    fn check_rate_limit(&self, resp: &Response) -> Result<()> {
        let s = resp.status();
        if s != StatusCode::FORBIDDEN && s != StatusCode::TOO_MANY_REQUESTS {
            return Ok(());
        }
        let h = |n: &str| {
            resp.headers()
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.trim().to_string())
        };
        let remaining_zero = h("x-ratelimit-remaining").is_some_and(|v| v == "0");
        let retry_after = h("retry-after").and_then(|v| v.parse::<i64>().ok());
        if !remaining_zero && retry_after.is_none() {
            return Ok(());
        }
        let now = chrono::Utc::now().timestamp();
        let reset = match (
            retry_after,
            h("x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok()),
        ) {
            (Some(secs), _) => now + secs.max(0),
            (None, Some(epoch)) => epoch,
            (None, None) => now + 60,
        };
        let when = chrono::DateTime::from_timestamp(reset, 0)
            .map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_else(|| reset.to_string());
        let wait = (reset - now).max(0);
        let hint = if self.has_token() {
            "Wait until then and try again."
        } else {
            "Sign in with GitHub in Settings for a higher limit, or wait until then."
        };
        Err(self.err(
            ErrorKind::Network,
            format!(
                "github_rate_limited: GitHub rate limit exceeded; it resets at {when} (in {wait} s). {hint}"
            ),
        ))
    }

    /// `GET {api}{path}` → status + JSON body (a non-JSON body becomes `null`).
    pub async fn api_get(&self, path: &str) -> Result<ApiReply> {
        let url = format!("{}{}", self.api, path);
        let resp = self
            .send("API", || self.standard(self.http.get(&url), true), true)
            .await?;
        self.reply(resp).await
    }

    /// `GET {api}{path}` that must succeed: non-2xx → `GitHub API error ({status}): {message}`
    /// (kind `not_found` for 404, else `network`).
    pub async fn api_get_ok(&self, path: &str) -> Result<Value> {
        let r = self.api_get(path).await?;
        self.ensure_ok(r)
    }

    pub fn ensure_ok(&self, r: ApiReply) -> Result<Value> {
        if r.ok() {
            return Ok(r.body);
        }
        let kind = match r.status.as_u16() {
            404 => ErrorKind::NotFound,
            401 => ErrorKind::InvalidInput,
            _ => ErrorKind::Network,
        };
        Err(self.err(
            kind,
            format!(
                "GitHub API error ({}): {}",
                status_text(r.status),
                r.message()
            ),
        ))
    }

    /// `POST {api}{path}` with a JSON body (authenticated), never retried.
    pub async fn api_post(&self, path: &str, body: &Value) -> Result<ApiReply> {
        let url = format!("{}{}", self.api, path);
        let resp = self
            .send(
                "API",
                || self.standard(self.http.post(&url), true).json(body),
                false,
            )
            .await?;
        self.reply(resp).await
    }

    /// `POST {oauth}{path}` with a form, `Accept: application/json`, no token.
    pub async fn oauth_post(&self, path: &str, form: &[(&str, &str)]) -> Result<ApiReply> {
        let url = format!("{}{}", self.oauth, path);
        let resp = self
            .send(
                "OAuth",
                || {
                    self.http
                        .post(&url)
                        .header("Accept", "application/json")
                        .header("User-Agent", "SkillBuilder")
                        .timeout(REQUEST_TIMEOUT)
                        .form(form)
                },
                false,
            )
            .await?;
        self.reply(resp).await
    }

    /// `GET {api}/user` with an explicit token (used right after the device flow).
    pub async fn user_with_token(&self, token: &str) -> Result<Value> {
        let mut gh = self.clone();
        gh.token = Some(token.to_string());
        gh.api_get_ok("/user").await
    }

    async fn reply(&self, resp: Response) -> Result<ApiReply> {
        let status = resp.status();
        let bytes = resp.bytes().await.map_err(|e| {
            self.err(
                ErrorKind::Network,
                format!("reading GitHub answer: {}", e.without_url()),
            )
        })?;
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Ok(ApiReply { status, body })
    }

    /// `GET {raw}/{owner}/{repo}/{reference}/{path}` (every segment percent-encoded).
    /// `Ok(None)` on 404; any other non-2xx is an error (the body is never used). Bodies over
    /// `max_bytes` are refused while streaming.
    pub async fn raw_get(
        &self,
        owner: &str,
        repo: &str,
        reference: &str,
        path: &str,
        max_bytes: u64,
    ) -> Result<Option<Vec<u8>>> {
        let url = format!(
            "{}/{}/{}/{}/{}",
            self.raw,
            encode_segment(owner),
            encode_segment(repo),
            encode_path(reference),
            encode_path(path)
        );
        let mut resp = self
            .send(
                "raw file",
                || {
                    self.standard(self.http.get(&url), true)
                        .header("Cache-Control", "no-cache")
                        .header("Pragma", "no-cache")
                },
                true,
            )
            .await?;
        let status = resp.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(self.err(
                ErrorKind::Network,
                format!(
                    "Failed to download '{path}' from {owner}/{repo}: {}",
                    status_text(status)
                ),
            ));
        }
        if resp.content_length().is_some_and(|n| n > max_bytes) {
            return Err(Error::invalid(format!(
                "File '{path}' too large (max {max_bytes} bytes)"
            )));
        }
        let mut out = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| {
            self.err(
                ErrorKind::Network,
                format!("downloading '{path}': {}", e.without_url()),
            )
        })? {
            if out.len() as u64 + chunk.len() as u64 > max_bytes {
                return Err(Error::invalid(format!(
                    "File '{path}' too large (max {max_bytes} bytes)"
                )));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(Some(out))
    }
}
