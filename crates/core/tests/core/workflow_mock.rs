//! The whole workflow through the real Node sidecar in mock mode (no key, no network).

use crate::support::*;
use serde_json::json;
use skill_builder_core::{catalog, history, workflow};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_build_runs_four_steps_and_records_everything() {
    let (_dir, app) = open_mock();
    let (sink, _rx) = ChannelSink::attach(&app);
    catalog::call(
        &app,
        "create_skill",
        json!({"name": "churn-model", "purpose": "domain", "description": "Customer churn"}),
    )
    .await
    .unwrap();

    let report = workflow::build::build_skill(&app, "churn-model", |_| {})
        .await
        .unwrap();
    assert_eq!(report.steps.len(), 4);
    assert!(
        report.steps[0].autofilled > 0,
        "gate answered with recommended choices"
    );

    let skill_dir = app.skills_path().join("churn-model");
    let skill_md = std::fs::read_to_string(skill_dir.join("SKILL.md")).unwrap();
    assert!(skill_md.contains("name: churn-model"));
    let state = catalog::call(
        &app,
        "get_workflow_state",
        json!({"skillName": "churn-model"}),
    )
    .await
    .unwrap();
    assert_eq!(state["run"]["status"], "completed");
    let statuses: Vec<&str> = state["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["completed"; 4]);

    // Usage: one completed row per step, all in the build's session, with tokens.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM agent_runs WHERE status = 'completed' AND input_tokens > 0"
        ),
        4
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM agent_runs WHERE status = 'running'"
        ),
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(DISTINCT workflow_session_id) FROM agent_runs"
        ),
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM agent_runs WHERE workflow_run_id IS NULL"
        ),
        0
    );
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM workflow_artifacts WHERE relative_path = 'SKILL.md'"
        ) == 1
    );
    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM workflow_sessions WHERE ended_at IS NOT NULL"
        ) == 1
    );

    // One transcript per request, config line first with no key.
    let ts = transcripts(&app, "churn-model");
    assert_eq!(ts.len(), 4, "{ts:?}");
    let first = std::fs::read_to_string(&ts[0]).unwrap();
    assert!(first
        .lines()
        .next()
        .unwrap()
        .contains("\"type\":\"config\""));

    // Events: per agent config first and exit last; every exit a success.
    let events = sink.events();
    assert_event_order(&events);
    let exits: Vec<_> = events.iter().filter(|e| e.name == "agent-exit").collect();
    assert_eq!(exits.len(), 4);
    assert!(exits.iter().all(|e| e.payload["success"] == true));

    // Git: each completed step is a commit of the skill.
    let log = history::skill_history(&app.skills_path(), "churn-model", 50).unwrap();
    let msgs: Vec<&str> = log.iter().map(|c| c.message.trim()).collect();
    for id in 0..4 {
        assert!(
            msgs.contains(
                &format!(
                    "churn-model: step {} ({}) completed",
                    id + 1,
                    skill_builder_core::workflow::steps::STEPS[id].name
                )
                .as_str()
            ),
            "{msgs:?}"
        );
    }

    // Shutdown leaves no node process behind.
    let pids = app.agents.pids();
    assert_eq!(pids.len(), 1, "one sidecar reused for the whole skill");
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
    assert!(
        pids.iter().all(|p| !pid_alive(*p)),
        "sidecar still running after graceful_shutdown"
    );
    assert!(app.agents.pids().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn steps_are_guarded_and_reset_deletes_later_outputs() {
    let (_dir, app) = open_mock();
    catalog::call(&app, "create_skill", json!({"name": "guarded"}))
        .await
        .unwrap();
    let e = catalog::call(
        &app,
        "run_workflow_step",
        json!({"skillName": "guarded", "stepId": 3}),
    )
    .await
    .unwrap_err();
    assert!(e.message.contains("decisions.md"), "{}", e.message);
    let e = catalog::call(
        &app,
        "run_workflow_step",
        json!({"skillName": "guarded", "stepId": 7}),
    )
    .await
    .unwrap_err();
    assert!(e.message.contains("Unknown step_id 7"));
    let e = catalog::call(
        &app,
        "run_workflow_step",
        json!({"skillName": "ghost", "stepId": 0}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, skill_builder_core::ErrorKind::NotFound);

    workflow::build::build_skill(&app, "guarded", |_| {})
        .await
        .unwrap();
    let preview = catalog::call(
        &app,
        "preview_step_reset",
        json!({"skillName": "guarded", "fromStepId": 2}),
    )
    .await
    .unwrap();
    let ids: Vec<i64> = preview
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["step_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![2, 3]);
    catalog::call(
        &app,
        "reset_workflow_step",
        json!({"skillName": "guarded", "fromStepId": 2}),
    )
    .await
    .unwrap();
    let d = app.skills_path().join("guarded");
    assert!(!d.join("SKILL.md").exists() && !d.join("context/decisions.md").exists());
    assert!(
        d.join("context/clarifications.json").exists(),
        "earlier outputs kept"
    );
    assert!(d.join("references").is_dir(), "references/ recreated empty");
    let state = catalog::call(&app, "get_workflow_state", json!({"skillName": "guarded"}))
        .await
        .unwrap();
    assert_eq!(state["run"]["current_step"], 2);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM workflow_artifacts WHERE step_id >= 2"
        ),
        0
    );

    // Contradiction guard blocks step 3 and shows in get_disabled_steps.
    std::fs::write(
        d.join("context/decisions.md"),
        "---\ncontradictory_inputs: true\n---\n### D1: x\n",
    )
    .unwrap();
    assert_eq!(
        catalog::call(&app, "get_disabled_steps", json!({"skillName": "guarded"}))
            .await
            .unwrap(),
        json!([3])
    );
    let e = catalog::call(
        &app,
        "run_workflow_step",
        json!({"skillName": "guarded", "stepId": 3}),
    )
    .await
    .unwrap_err();
    assert!(e.message.contains("contradictory"));
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn package_skill_writes_outside_the_repo() {
    let (_dir, app) = open_mock();
    catalog::call(&app, "create_skill", json!({"name": "pkg"}))
        .await
        .unwrap();
    let e = catalog::call(&app, "package_skill", json!({"skillName": "pkg"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, skill_builder_core::ErrorKind::NotFound);
    workflow::build::build_skill(&app, "pkg", |_| {})
        .await
        .unwrap();
    let r = catalog::call(&app, "package_skill", json!({"skillName": "pkg"}))
        .await
        .unwrap();
    let path = std::path::PathBuf::from(r["file_path"].as_str().unwrap());
    assert!(path.starts_with(app.paths.exports_dir()));
    assert_eq!(
        std::fs::metadata(&path).unwrap().len(),
        r["size_bytes"].as_u64().unwrap()
    );
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
    let names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    assert_eq!(names[0], "SKILL.md");
    assert!(
        names
            .iter()
            .all(|n| n == "SKILL.md" || n.starts_with("references/")),
        "{names:?}"
    );
    assert!(names.len() > 1);
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
}
