//! Direct Messages API calls against the fake Anthropic API on 127.0.0.1.

use crate::support;

use serde_json::json;
use skill_builder_core::{catalog, App, ErrorKind};
use skill_builder_testkit::fake_anthropic::{self, MessagesReply};
use std::path::Path;
use std::sync::Arc;

/// An app over `data` whose Anthropic API (`ANTHROPIC_BASE_URL`) is `url`.
fn app_at(data: &Path, url: String) -> Arc<App> {
    support::open_at(data, |o| o.anthropic_base_url = Some(url))
}

/// One data dir; each case opens it with the base URL of its fake API.
#[tokio::test]
async fn key_check_models_and_suggestions_against_the_fake_api() {
    let dir = tempfile::tempdir().unwrap();
    let key = "sk-ant-fake-key-123";

    let ok = fake_anthropic::start(MessagesReply::Text("hi".into())).await;
    let app = app_at(dir.path(), ok.url());
    assert_eq!(
        catalog::call(&app, "test_api_key", json!({"apiKey": key}))
            .await
            .unwrap(),
        json!(true)
    );
    let req = &ok.requests()[0];
    assert_eq!(req.path, "/v1/messages");
    assert_eq!(req.header("x-api-key").as_deref(), Some(key));
    assert_eq!(req.json()["max_tokens"], 1);
    let models = catalog::call(&app, "list_models", json!({"apiKey": key}))
        .await
        .unwrap();
    assert_eq!(
        models,
        json!([
            {"id": "claude-sonnet-4-6", "displayName": "Claude Sonnet 4.6"},
            {"id": "claude-haiku-4-5", "displayName": "Claude Haiku 4.5"}
        ])
    );

    let invalid = fake_anthropic::start(MessagesReply::Status(
        401,
        json!({"error": {"type": "authentication_error"}}),
    ))
    .await;
    let app = app_at(dir.path(), invalid.url());
    assert_eq!(
        catalog::call(&app, "test_api_key", json!({"apiKey": key}))
            .await
            .unwrap(),
        json!(false)
    );

    let limited = fake_anthropic::start(MessagesReply::Status(
        429,
        json!({"error": {"type": "rate_limit_error"}}),
    ))
    .await;
    let app = app_at(dir.path(), limited.url());
    let e = catalog::call(&app, "test_api_key", json!({"apiKey": key}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network);
    assert!(
        e.message.contains("rate limit") && !e.message.contains(key),
        "{}",
        e.message
    );

    let app = app_at(dir.path(), "http://127.0.0.1:9".into());
    let e = catalog::call(&app, "test_api_key", json!({"apiKey": key}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network);
    let e = catalog::call(&app, "test_api_key", json!({"apiKey": "  "}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = catalog::call(&app, "list_models", json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);

    // Suggestions need a configured key.
    let args = json!({"skillName": "s", "purpose": "domain", "industry": "Retail", "fields": ["description", "scope"]});
    let e = catalog::call(&app, "generate_suggestions", args.clone())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(e.message.contains("API key not configured"));
    catalog::call(
        &app,
        "save_settings",
        json!({"settings": {"anthropic_api_key": key}}),
    )
    .await
    .unwrap();
    let fenced = "```json\n{\"description\": \"Tracks deals\", \"scope\": \"EMEA\", \"audience\": \"x\"}\n```";
    let sugg = fake_anthropic::start(MessagesReply::Text(fenced.into())).await;
    let app = app_at(dir.path(), sugg.url());
    let s = catalog::call(&app, "generate_suggestions", args)
        .await
        .unwrap();
    assert_eq!(s["description"], "Tracks deals");
    assert_eq!(s["scope"], "EMEA");
    assert_eq!(s["audience"], "", "fields not asked for stay empty");
    let prompt = sugg.requests()[0].json()["messages"][0]["content"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(prompt.contains("Retail") && prompt.contains("description, scope"));
    let e = catalog::call(
        &app,
        "generate_suggestions",
        json!({"skillName": "s", "purpose": "domain", "fields": ["bogus"]}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}
