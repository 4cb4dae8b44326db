//! Every command of the foundation groups refuses malformed arguments with `invalid_input`
//! and changes nothing: a non-object argument, and a wrongly typed field.

use serde_json::{json, Value};
use skill_builder_core::{catalog, App, ErrorKind};

const FOUNDATION: [&str; 42] = [
    "get_data_dir",
    "get_settings",
    "save_settings",
    "test_api_key",
    "list_models",
    "set_log_level",
    "get_log_file_path",
    "get_default_skills_path",
    "list_skills",
    "list_refinable_skills",
    "create_skill",
    "delete_skill",
    "update_skill_tags",
    "update_skill_metadata",
    "rename_skill",
    "generate_suggestions",
    "get_all_tags",
    "get_installed_skill_names",
    "acquire_lock",
    "release_lock",
    "get_locked_skills",
    "check_lock",
    "persist_agent_run",
    "get_usage_summary",
    "get_recent_runs",
    "get_usage_by_step",
    "get_usage_by_model",
    "reset_usage",
    "get_recent_workflow_sessions",
    "get_session_agent_runs",
    "get_step_agent_runs",
    "save_raw_file",
    "list_skill_files",
    "read_file",
    "write_file",
    "copy_file",
    "read_file_as_base64",
    "write_base64_to_temp_file",
    "check_node",
    "check_startup_deps",
    "get_workspace_path",
    "get_usage_by_day",
];

fn snapshot(app: &App) -> Vec<i64> {
    let conn = app.db.conn();
    [
        "skills",
        "workflow_runs",
        "skill_tags",
        "skill_locks",
        "agent_runs",
        "workflow_sessions",
        "settings",
    ]
    .iter()
    .map(|t| {
        conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    })
    .collect()
}

#[tokio::test]
async fn non_object_arguments_are_refused_by_every_foundation_command() {
    std::env::set_var("SKILL_BUILDER_KEYCHAIN", "0");
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(Some(dir.path().to_path_buf())).unwrap();
    catalog::call(&app, "create_skill", json!({"name": "present"}))
        .await
        .unwrap();
    let before = snapshot(&app);
    for name in FOUNDATION {
        assert!(catalog::find(name).is_some(), "{name} is implemented");
        for bad in [json!([1, 2]), json!("text"), json!(7)] {
            let e = catalog::call(&app, name, bad.clone())
                .await
                .expect_err(name);
            assert_eq!(e.kind, ErrorKind::InvalidInput, "{name} with {bad}");
            assert!(
                e.message.contains(name),
                "{name}: the error names the command: {}",
                e.message
            );
        }
    }
    assert_eq!(snapshot(&app), before);
}

#[tokio::test]
async fn wrongly_typed_fields_are_refused() {
    std::env::set_var("SKILL_BUILDER_KEYCHAIN", "0");
    let dir = tempfile::tempdir().unwrap();
    let app = App::open(Some(dir.path().to_path_buf())).unwrap();
    catalog::call(&app, "create_skill", json!({"name": "present"}))
        .await
        .unwrap();
    let before = snapshot(&app);
    let cases: Vec<(&str, Value)> = vec![
        ("list_skills", json!({"workspacePath": 5})),
        ("list_refinable_skills", json!({"workspacePath": ["x"]})),
        ("get_recent_runs", json!({"limit": "ten"})),
        ("get_usage_summary", json!({"hideCancelled": "yes"})),
        ("rename_skill", json!({"oldName": "present", "newName": 3})),
        (
            "update_skill_metadata",
            json!({"skillName": "present", "userInvocable": "maybe"}),
        ),
        (
            "update_skill_tags",
            json!({"skillName": "present", "tags": [1, 2]}),
        ),
        ("acquire_lock", json!({"skillName": null})),
        ("delete_skill", json!({"name": {"x": 1}})),
        ("check_lock", json!({})),
    ];
    for (name, args) in cases {
        let e = catalog::call(&app, name, args.clone())
            .await
            .expect_err(name);
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{name} with {args}: {e:?}");
    }
    assert_eq!(snapshot(&app), before);
    assert!(app.skills_path().join("present").is_dir());
}
