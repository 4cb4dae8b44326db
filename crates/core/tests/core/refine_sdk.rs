//! Refine and skill-test flows through the REAL sidecar + Claude Agent SDK against the fake
//! Anthropic Messages API on 127.0.0.1.

use crate::support;

use serde_json::json;
use skill_builder_core::{catalog, history, refine};
use skill_builder_testkit::fake_messages::{workflow_script, FakeMessages};

const KEY: &str = "sk-ant-api03-refine-test-key-abcdefghijklmnop";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refine_and_skill_test_through_the_real_sdk() {
    if !support::has_node() {
        eprintln!("skipping: node is not on PATH");
        return;
    }
    let _slot = support::sdk_slot().await;
    let home = tempfile::tempdir().unwrap();
    let api = FakeMessages::reserve();
    let (_dir, app) = support::open_with(|o| support::real_sdk(o, home.path(), api.url()));
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
    let fake = api.start(workflow_script(vec![(
        "Current request: Add the discount rules".to_string(),
        vec![(skill.join("SKILL.md"), refined.to_string())],
    )]));

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
