//! The four-step build through the REAL sidecar and the real Claude Agent SDK, against the
//! scripted fake Anthropic Messages API on 127.0.0.1: the agent writes the step outputs with
//! real `Write` tool calls. Also proves the API key is written nowhere but the settings store.

use crate::support::*;
use serde_json::json;
use skill_builder_core::{catalog, workflow};
use skill_builder_testkit::fake_messages::{workflow_script, workflow_usage, FakeMessages};

const KEY: &str = "sk-ant-api03-fake-key-for-tests-0123456789abcdef";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn build_through_the_real_sdk_against_the_fake_api() {
    if !has_node() {
        eprintln!("skipping: node is not on PATH");
        return;
    }
    // The slot is held by the parent while the child runs the agents. The child's logger
    // writes this app's log, so the search for the key below covers the log too.
    let _slot = sdk_slot().await;
    if !in_own_process!() {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let api = FakeMessages::reserve();
    let (dir, app) = open_with(|o| real_sdk(o, home.path(), api.url()));
    let (sink, _rx) = ChannelSink::attach(&app);
    catalog::call(
        &app,
        "save_settings",
        json!({"settings": {"anthropic_api_key": KEY, "log_level": "debug"}}),
    )
    .await
    .unwrap();
    skill_builder_core::logging::init(&app.paths.log_file(), "debug", None);
    catalog::call(
        &app,
        "create_skill",
        json!({"name": "orders-domain", "description": "Order handling"}),
    )
    .await
    .unwrap();

    let s = app.skills_path().join("orders-domain");
    let ctx = s.join("context");
    let skill_md = "---\nname: orders-domain\ndescription: Order handling rules. Use when answering order questions.\n---\n# Orders\nSee references/overview.md\n";
    let steps = vec![
        ("Step: 0 (".to_string(), vec![(ctx.join("research-plan.md"), "---\npurpose: domain\n---\n# Plan\n".to_string()), (ctx.join("clarifications.json"), clarifications(None))]),
        ("Step: 1 (".to_string(), vec![(ctx.join("clarifications.json"), clarifications(None))]),
        ("Step: 2 (".to_string(), vec![(ctx.join("decisions.md"), "---\ndecision_count: 1\nconflicts_resolved: 0\nround: 1\n---\n### D1: Regions\n- **Decision**: EMEA\n".to_string())]),
        ("Step: 3 (".to_string(), vec![
            (s.join("SKILL.md"), skill_md.to_string()),
            (s.join("references/overview.md"), "# Overview\n".to_string()),
            (ctx.join("evaluations.md"), "# Evaluations\n1. a\n2. b\n3. c\n".to_string()),
        ]),
    ];
    let fake = api.start(workflow_script(steps));

    let report = workflow::build::build_skill(&app, "orders-domain", |_| {}).await;
    let report = report.unwrap_or_else(|e| {
        panic!(
            "build failed: {e}\nlog:\n{}",
            std::fs::read_to_string(app.paths.log_file()).unwrap_or_default()
        )
    });
    assert_eq!(report.steps.len(), 4);
    assert_eq!(
        std::fs::read_to_string(s.join("SKILL.md")).unwrap(),
        skill_md
    );
    let lint = skill_builder_core::ingest::lint::lint_skill_dir(
        &s,
        skill_builder_core::ingest::lint::LintMode::Spec,
    );
    assert!(
        lint.ok,
        "the built skill passes the default lint: {:?}",
        lint.findings
    );

    // Token counts are the fake's: WORKFLOW usage per reply (writes + final text; step 1 reads first).
    let replies = [3u64, 3, 2, 4];
    let rows: Vec<(i64, i64, i64, i64, i64, i64)> = {
        let conn = app.db.conn();
        let mut stmt = conn
            .prepare(
                "SELECT step_id, SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), SUM(cache_write_tokens), COUNT(*)
                 FROM agent_runs WHERE status = 'completed' GROUP BY step_id ORDER BY step_id",
            )
            .unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        rows
    };
    assert_eq!(rows.len(), 4, "{rows:?}");
    for (i, (step, input, output, cread, cwrite, _)) in rows.iter().enumerate() {
        let u = workflow_usage(replies[i] as usize - 1);
        assert_eq!(*step, i as i64);
        assert_eq!(
            (*input as u64, *output as u64, *cread as u64, *cwrite as u64),
            (
                u.input_tokens,
                u.output_tokens,
                u.cache_read_input_tokens,
                u.cache_creation_input_tokens
            ),
            "step {i}"
        );
    }
    assert_eq!(transcripts(&app, "orders-domain").len(), 4);
    let events = sink.events();
    assert_event_order(&events);
    assert!(events
        .iter()
        .filter(|e| e.name == "agent-exit")
        .all(|e| e.payload["success"] == true));

    // Every request carried the key; nothing on disk but the settings database holds it.
    assert!(fake
        .messages_requests()
        .iter()
        .all(|r| r.api_key.as_deref() == Some(KEY)));
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
    let leaks: Vec<_> = files_containing(dir.path(), KEY)
        .into_iter()
        .filter(|p| {
            !p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("skill-builder.db")
        })
        .collect();
    assert!(leaks.is_empty(), "API key written to {leaks:?}");
    let in_events =
        serde_json::to_string(&events.iter().map(|e| &e.payload).collect::<Vec<_>>()).unwrap();
    assert!(!in_events.contains(KEY), "API key in an event");
}
