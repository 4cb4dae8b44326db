//! Direct Messages API calls that need no agent: key check, model list, field suggestions.
//! The API key is sent only in the `x-api-key` header and never appears in errors or logs.

use crate::app::App;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::Duration;

pub const API_VERSION: &str = "2023-06-01";
pub const HAIKU: &str = "claude-haiku-4-5";

/// Full model id for a shorthand (`sonnet`, `haiku`, `opus`); anything else passes through.
pub fn resolve_model(m: Option<&str>) -> String {
    match m
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("sonnet")
    {
        "sonnet" => "claude-sonnet-4-6".into(),
        "haiku" => HAIKU.into(),
        "opus" => "claude-opus-4-6".into(),
        other => other.into(),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyArgs {
    pub api_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelInfo {
    pub id: String,
    pub display_name: String,
}

fn request(app: &App, method: reqwest::Method, path: &str, key: &str) -> reqwest::RequestBuilder {
    app.http
        .request(method, format!("{}{path}", app.anthropic_base_url()))
        .header("x-api-key", key)
        .header("anthropic-version", API_VERSION)
}

fn transport_error(e: reqwest::Error) -> Error {
    // reqwest's message carries the URL but never headers, so the key cannot leak here.
    if e.is_timeout() {
        Error::network("the Anthropic API did not answer in time; check your connection and retry")
    } else {
        Error::network(format!(
            "cannot reach the Anthropic API ({}); check your connection or ANTHROPIC_BASE_URL",
            e.without_url()
        ))
    }
}

fn retry_after(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(|s| format!(" in {s} s"))
        .unwrap_or_default()
}

/// `true` when the key is accepted, `false` when the API rejects it as invalid; rate limits,
/// disabled keys and outages are errors that say which.
pub async fn test_api_key(app: &App, a: ApiKeyArgs) -> Result<bool> {
    let key = a.api_key.trim();
    if key.is_empty() {
        return Err(Error::invalid(
            "the API key is empty; paste a key from console.anthropic.com",
        ));
    }
    let resp = request(app, reqwest::Method::POST, "/v1/messages", key)
        .timeout(Duration::from_secs(20))
        .json(&json!({"model": HAIKU, "max_tokens": 1, "messages": [{"role": "user", "content": "hi"}]}))
        .send()
        .await
        .map_err(transport_error)?;
    let status = resp.status().as_u16();
    match status {
        200..=299 => Ok(true),
        401 => Ok(false),
        400 => {
            let body: Value = resp.json().await.unwrap_or_default();
            Ok(body["error"]["type"] != "authentication_error")
        }
        403 => Err(Error::invalid(
            "API key is disabled or not allowed to use the Messages API; check it in the Anthropic console",
        )),
        429 => Err(Error::network(format!(
            "the Anthropic API is rate limiting this key; try again{}",
            retry_after(&resp)
        ))),
        s => Err(Error::network(format!(
            "the Anthropic API answered {s}; it may be down, try again later"
        ))),
    }
}

/// Claude models the key can use, in API order (first page).
pub async fn list_models(app: &App, a: ApiKeyArgs) -> Result<Vec<ModelInfo>> {
    let resp = request(app, reqwest::Method::GET, "/v1/models", a.api_key.trim())
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .map_err(transport_error)?;
    let status = resp.status();
    if !status.is_success() {
        let hint = match status.as_u16() {
            401 | 403 => " (check the API key)",
            429 => " (rate limited; try again shortly)",
            _ => "",
        };
        return Err(Error::network(format!(
            "API error: {}{hint}",
            status.as_u16()
        )));
    }
    let body: Value = resp
        .json()
        .await
        .map_err(|e| Error::network(format!("unreadable model list: {}", e.without_url())))?;
    Ok(body["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let id = m["id"].as_str()?;
            id.starts_with("claude-").then(|| ModelInfo {
                id: id.to_string(),
                display_name: m["display_name"].as_str().unwrap_or(id).to_string(),
            })
        })
        .collect())
}

pub const SUGGESTION_FIELDS: [&str; 8] = [
    "description",
    "domain",
    "scope",
    "audience",
    "challenges",
    "unique_setup",
    "claude_mistakes",
    "context_questions",
];

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SuggestionArgs {
    pub skill_name: String,
    pub purpose: String,
    #[serde(default)]
    pub industry: Option<String>,
    #[serde(default)]
    pub function_role: Option<String>,
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub audience: Option<String>,
    #[serde(default)]
    pub challenges: Option<String>,
    #[serde(default)]
    pub fields: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FieldSuggestions {
    pub description: String,
    pub domain: String,
    pub audience: String,
    pub challenges: String,
    pub scope: String,
    pub unique_setup: String,
    pub claude_mistakes: String,
    pub context_questions: String,
}

/// The API key from settings, or a clear error saying where to set it.
pub fn require_api_key(app: &App) -> Result<String> {
    crate::settings::load(app)?
        .anthropic_api_key
        .filter(|k| !k.trim().is_empty())
        .or_else(|| {
            app.options
                .anthropic_api_key
                .as_ref()
                .map(|k| k.expose().to_string())
                .filter(|k| !k.trim().is_empty())
        })
        .ok_or_else(|| {
            Error::invalid("API key not configured; add your Anthropic API key in Settings")
        })
}

fn suggestion_prompt(a: &SuggestionArgs, fields: &[String]) -> String {
    let framing = match a.purpose.as_str() {
        "data-engineering" => "an organisation's data-engineering standards",
        "source" => "customisations of a source system",
        "platform" => "an organisation's platform (Azure / Fabric) standards",
        _ => "business-process knowledge",
    };
    let mut known = String::new();
    for (label, v) in [
        ("Industry", &a.industry),
        ("Role", &a.function_role),
        ("Domain", &a.domain),
        ("Scope", &a.scope),
        ("Audience", &a.audience),
        ("Challenges", &a.challenges),
    ] {
        if let Some(v) = v.as_deref().filter(|s| !s.trim().is_empty()) {
            known.push_str(&format!("- {label}: {v}\n"));
        }
    }
    format!(
        "You help a user describe a Claude Agent Skill named \"{name}\" that captures {framing}.\n\
         Known so far:\n{known}\n\
         Reply with ONLY a JSON object with these string keys: {keys}. Each value is one or two \
         concise sentences the user can accept or edit.",
        name = a.skill_name,
        keys = fields.join(", ")
    )
}

/// Strips a Markdown code fence around a JSON answer.
fn strip_fence(text: &str) -> &str {
    let t = text.trim();
    let Some(rest) = t.strip_prefix("```") else {
        return t;
    };
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_alphanumeric());
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

/// Suggests values for the skill-creation form with one short Messages API call.
pub async fn generate_suggestions(app: &App, a: SuggestionArgs) -> Result<FieldSuggestions> {
    let key = require_api_key(app)?;
    let fields: Vec<String> = match &a.fields {
        Some(f) if !f.is_empty() => {
            if let Some(bad) = f.iter().find(|x| !SUGGESTION_FIELDS.contains(&x.as_str())) {
                return Err(Error::invalid(format!(
                    "unknown field '{bad}'; fields are: {}",
                    SUGGESTION_FIELDS.join(", ")
                )));
            }
            f.clone()
        }
        _ => SUGGESTION_FIELDS.iter().map(|s| s.to_string()).collect(),
    };
    let resp = request(app, reqwest::Method::POST, "/v1/messages", &key)
        .timeout(Duration::from_secs(15))
        .json(&json!({
            "model": HAIKU,
            "max_tokens": 500,
            "messages": [{"role": "user", "content": suggestion_prompt(&a, &fields)}],
        }))
        .send()
        .await
        .map_err(transport_error)?;
    if !resp.status().is_success() {
        return Err(Error::network(format!(
            "Anthropic API error ({})",
            resp.status().as_u16()
        )));
    }
    let body: Value = resp
        .json()
        .await
        .map_err(|e| Error::network(format!("unreadable API answer: {}", e.without_url())))?;
    let text: String = body["content"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["text"].as_str())
        .collect();
    let parsed: Value = serde_json::from_str(strip_fence(&text))
        .map_err(|e| Error::agent(format!("Failed to parse suggestions: {e}")))?;
    let get = |k: &str| {
        if fields.iter().any(|f| f == k) {
            parsed[k].as_str().unwrap_or_default().to_string()
        } else {
            String::new()
        }
    };
    Ok(FieldSuggestions {
        description: get("description"),
        domain: get("domain"),
        audience: get("audience"),
        challenges: get("challenges"),
        scope: get("scope"),
        unique_setup: get("unique_setup"),
        claude_mistakes: get("claude_mistakes"),
        context_questions: get("context_questions"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_are_stripped() {
        assert_eq!(strip_fence("```json\n{\"a\":1}\n```"), "{\"a\":1}");
        assert_eq!(strip_fence("{\"a\":1}"), "{\"a\":1}");
    }

    #[test]
    fn shorthands_resolve() {
        assert_eq!(resolve_model(None), "claude-sonnet-4-6");
        assert_eq!(resolve_model(Some("haiku")), "claude-haiku-4-5");
        assert_eq!(resolve_model(Some("claude-x")), "claude-x");
    }
}
