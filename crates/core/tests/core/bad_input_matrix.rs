//! Every command of the foundation groups refuses malformed arguments with `invalid_input`
//! and changes nothing: a non-object argument, and a wrongly typed field.

use crate::support;

use serde_json::{json, Value};
use skill_builder_core::{catalog, App, ErrorKind};

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
    let (_dir, app) = support::open();
    catalog::call(&app, "create_skill", json!({"name": "present"}))
        .await
        .unwrap();
    let before = snapshot(&app);
    let foundation: Vec<&str> = catalog::commands()
        .iter()
        .filter(|c| c.is_foundation())
        .map(|c| c.name)
        .collect();
    assert_eq!(foundation.len(), 41);
    let extra = ["get_usage_by_day"];
    for name in foundation.iter().chain(extra.iter()).copied() {
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
    let (_dir, app) = support::open();
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
