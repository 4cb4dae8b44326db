//! Direct Messages API calls against the fake Anthropic API on 127.0.0.1.

use serde_json::json;
use skill_builder_core::{catalog, App, ErrorKind};
use skill_builder_testkit::fake_anthropic::{self, MessagesReply};

/// One test: ANTHROPIC_BASE_URL is process-wide, so the cases run in sequence.
#[tokio::test]
async fn key_check_models_and_suggestions_against_the_fake_api() {
    std::env::set_var("SKILL_BUILDER_KEYCHAIN", "0");
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(Some(dir.path().to_path_buf())).unwrap();
    let key = "sk-ant-fake-key-123";

    let ok = fake_anthropic::start(MessagesReply::Text("hi".into())).await;
    std::env::set_var("ANTHROPIC_BASE_URL", ok.url());
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
    std::env::set_var("ANTHROPIC_BASE_URL", invalid.url());
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
    std::env::set_var("ANTHROPIC_BASE_URL", limited.url());
    let e = catalog::call(&app, "test_api_key", json!({"apiKey": key}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Network);
    assert!(
        e.message.contains("rate limit") && !e.message.contains(key),
        "{}",
        e.message
    );

    std::env::set_var("ANTHROPIC_BASE_URL", "http://127.0.0.1:9");
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
    std::env::set_var("ANTHROPIC_BASE_URL", sugg.url());
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
