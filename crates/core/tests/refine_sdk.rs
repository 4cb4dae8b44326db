//! Refine and skill-test flows through the REAL sidecar + Claude Agent SDK against the fake
//! Anthropic Messages API on 127.0.0.1.

mod support;

use serde_json::json;
use skill_builder_core::{catalog, history, refine, App};
use skill_builder_testkit::fake_messages::{workflow_script, FakeMessages};

const KEY: &str = "sk-ant-api03-refine-test-key-abcdefghijklmnop";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refine_and_skill_test_through_the_real_sdk() {
    if skill_builder_core::node::find_node().is_none() {
        eprintln!("skipping: node is not on PATH");
        return;
    }
    let home = tempfile::tempdir().unwrap();
    std::env::set_var("HOME", home.path());
    std::env::set_var("CLAUDE_CONFIG_DIR", home.path().join(".claude"));
    std::env::set_var("SKILL_BUILDER_KEYCHAIN", "0");
    std::env::remove_var("SKILL_BUILDER_MOCK_AGENTS");
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(Some(dir.path().to_path_buf())).unwrap();
    catalog::call(
        &app,
        "save_settings",
        json!({"settings": {"anthropic_api_key": KEY}}),
    )
    .await
    .unwrap();
    catalog::call(&app, "create_skill", json!({"name": "pricing"}))
        .await
        .unwrap();
    // A finished skill, as step 3 would leave it.
    let skill = app.skills_path().join("pricing");
    std::fs::write(skill.join("SKILL.md"), "---\nname: pricing\ndescription: Pricing rules. Use for price questions.\n---\n# Pricing\n").unwrap();
    history::commit_skill(
        &app,
        "pricing",
        "pricing: step 4 (Generate Skill) completed",
    );

    let refined = "---\nname: pricing\ndescription: Pricing rules. Use for price questions.\n---\n# Pricing\n\n## Discounts\nVolume discounts start at 100 units.\n";
    let fake = FakeMessages::start(workflow_script(vec![(
        "Current request: Add the discount rules".to_string(),
        vec![(skill.join("SKILL.md"), refined.to_string())],
    )]));
    std::env::set_var("ANTHROPIC_BASE_URL", fake.url());

    let info = catalog::call(
        &app,
        "start_refine_session",
        json!({"skillName": "pricing"}),
    )
    .await
    .unwrap();
    let sid = info["session_id"].as_str().unwrap().to_string();
    let args: refine::SendArgs =
        serde_json::from_value(json!({"sessionId": sid, "userMessage": "Add the discount rules"}))
            .unwrap();
    let outcome = refine::send_and_wait(&app, args).await.unwrap();
    assert!(outcome.success, "{outcome:?}");
    assert_eq!(
        std::fs::read_to_string(skill.join("SKILL.md")).unwrap(),
        refined
    );
    let diff = catalog::call(&app, "get_refine_diff", json!({"skillName": "pricing"}))
        .await
        .unwrap();
    assert!(diff["files"][0]["diff"]
        .as_str()
        .unwrap()
        .contains("+Volume discounts start at 100 units."));
    catalog::call(&app, "close_refine_session", json!({"sessionId": sid}))
        .await
        .unwrap();
    let log = history::skill_history(&app.skills_path(), "pricing", 10).unwrap();
    assert_eq!(log[0].message.trim(), "pricing: refined");

    // Skill test: both plans and the evaluator answer through the SDK; the result is stored.
    let r = catalog::call(
        &app,
        "run_skill_test",
        json!({"skillName": "pricing", "prompt": "Price 250 units"}),
    )
    .await
    .unwrap();
    assert_eq!(r["with_skill_output"], "OK.");
    assert_eq!(r["baseline_output"], "OK.");
    assert_eq!(r["evaluation"], "OK.");
    assert_eq!(r["skill_version"], json!(log[0].sha));
    assert!(fake
        .messages_requests()
        .iter()
        .all(|q| q.api_key.as_deref() == Some(KEY)));
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
    assert!(app.agents.pids().is_empty());
}
