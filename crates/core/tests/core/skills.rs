//! Skill management commands through the catalog, as every shell calls them.

use crate::support::{call, call_err, open};
use serde_json::{json, Value};
use skill_builder_core::{App, ErrorKind};

/// Folder entries except the git repository's own dot-files.
fn visible_entries(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".git" && n != ".gitignore")
        .collect();
    v.sort();
    v
}

fn row_count(app: &App, table: &str) -> i64 {
    app.db
        .conn()
        .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// Every table's row count, to prove a failed command changed nothing.
fn db_snapshot(app: &App) -> Vec<i64> {
    [
        "skills",
        "workflow_runs",
        "skill_tags",
        "skill_locks",
        "workflow_steps",
        "agent_runs",
    ]
    .iter()
    .map(|t| row_count(app, t))
    .collect()
}

#[tokio::test]
async fn create_skill_makes_folders_rows_and_normalised_tags() {
    let (_d, app) = open();
    call(
        &app,
        "create_skill",
        json!({"name": "sales-pipeline", "tags": [" Sales", "sales", "", "CRM "], "purpose": "source",
               "description": "Pipeline rules", "intakeJson": "{\"audience\":\"analysts\"}"}),
    )
    .await;
    assert!(app.workspace_path().join("sales-pipeline").is_dir());
    assert!(app.skills_path().join("sales-pipeline/context").is_dir());
    assert!(app.skills_path().join("sales-pipeline/references").is_dir());
    let list = call(&app, "list_skills", json!({})).await;
    let s = &list[0];
    assert_eq!(s["name"], "sales-pipeline");
    assert_eq!(s["tags"], json!(["crm", "sales"]));
    assert_eq!(s["status"], "pending");
    assert_eq!(s["current_step"], "Step 0");
    assert_eq!(s["purpose"], "source");
    assert_eq!(s["skill_source"], "skill-builder");
    assert_eq!(s["description"], "Pipeline rules");
    assert_eq!(s["intake_json"], "{\"audience\":\"analysts\"}");
    assert!(
        s.get("argumentHint").is_some(),
        "camelCase keys of the reference UI"
    );
    assert_eq!(
        call(&app, "get_all_tags", json!({})).await,
        json!(["crm", "sales"])
    );
    assert_eq!(
        call(&app, "get_installed_skill_names", json!({})).await,
        json!(["sales-pipeline"])
    );
}

#[tokio::test]
async fn invalid_or_duplicate_names_change_nothing() {
    let (_d, app) = open();
    call(&app, "create_skill", json!({"name": "taken"})).await;
    let before = db_snapshot(&app);
    for bad in [
        "../escape",
        "Upper",
        "a--b",
        "-x",
        "",
        "con",
        "has space",
        &"x".repeat(65),
    ] {
        let e = call_err(&app, "create_skill", json!({"name": bad})).await;
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{bad}: {e:?}");
    }
    let e = call_err(&app, "create_skill", json!({"name": "taken"})).await;
    assert_eq!(e.kind, ErrorKind::Conflict);
    let e = call_err(
        &app,
        "create_skill",
        json!({"name": "ok-name", "purpose": "nonsense"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = call_err(
        &app,
        "create_skill",
        json!({"name": "ok-name", "intakeJson": "{nope"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = call_err(&app, "create_skill", json!({"name": 42})).await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = call_err(&app, "create_skill", json!({})).await;
    assert!(
        e.message.contains("name"),
        "missing arg named: {}",
        e.message
    );
    assert_eq!(db_snapshot(&app), before);
    assert!(!app.paths.data_dir.join("escape").exists());
    assert!(!app.skills_path().join("ok-name").exists());
    assert_eq!(
        visible_entries(&app.skills_path()),
        vec!["taken".to_string()],
        "only the first skill's folder exists"
    );
}

#[tokio::test]
async fn a_folder_already_on_disk_is_a_conflict_and_no_row_is_written() {
    let (_d, app) = open();
    std::fs::create_dir_all(app.skills_path().join("on-disk")).unwrap();
    let e = call_err(&app, "create_skill", json!({"name": "on-disk"})).await;
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(row_count(&app, "skills"), 0);
}

#[tokio::test]
async fn update_metadata_is_tri_state() {
    let (_d, app) = open();
    call(
        &app,
        "create_skill",
        json!({"name": "m", "description": "d1", "intakeJson": "{}", "version": "1.0.0"}),
    )
    .await;
    // Absent fields keep their value (the reference cleared intake_json here).
    call(
        &app,
        "update_skill_metadata",
        json!({"skillName": "m", "model": "opus"}),
    )
    .await;
    let s = &call(&app, "list_skills", json!({})).await[0];
    assert_eq!(
        (
            s["description"].as_str(),
            s["intake_json"].as_str(),
            s["model"].as_str()
        ),
        (Some("d1"), Some("{}"), Some("opus"))
    );
    // Explicit null clears; a value sets.
    call(&app, "update_skill_metadata", json!({"skillName": "m", "description": null, "version": "2.0.0", "userInvocable": false, "tags": ["A"]})).await;
    let s = &call(&app, "list_skills", json!({})).await[0];
    assert_eq!(s["description"], Value::Null);
    assert_eq!(s["version"], "2.0.0");
    assert_eq!(s["userInvocable"], false);
    assert_eq!(s["tags"], json!(["a"]));
    let e = call_err(&app, "update_skill_metadata", json!({"skillName": "ghost"})).await;
    assert_eq!(e.kind, ErrorKind::NotFound);
    let e = call_err(
        &app,
        "update_skill_metadata",
        json!({"skillName": "m", "purpose": "bad"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn update_tags_replaces_and_unknown_skill_errors() {
    let (_d, app) = open();
    call(&app, "create_skill", json!({"name": "t", "tags": ["old"]})).await;
    call(
        &app,
        "update_skill_tags",
        json!({"skillName": "t", "tags": ["New", "b"]}),
    )
    .await;
    assert_eq!(
        call(&app, "get_all_tags", json!({})).await,
        json!(["b", "new"])
    );
    let e = call_err(
        &app,
        "update_skill_tags",
        json!({"skillName": "nope", "tags": ["x"]}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::NotFound);
    let e = call_err(
        &app,
        "update_skill_tags",
        json!({"skillName": "t", "tags": "x"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn rename_moves_folders_and_every_table() {
    let (_d, app) = open();
    call(
        &app,
        "create_skill",
        json!({"name": "old-name", "tags": ["x"]}),
    )
    .await;
    std::fs::write(
        app.skills_path().join("old-name/SKILL.md"),
        "---\nname: old-name\n---\n",
    )
    .unwrap();
    call(&app, "acquire_lock", json!({"skillName": "old-name"})).await;
    app.db.conn().execute(
        "INSERT INTO agent_runs (agent_id, skill_name, step_id, model) VALUES ('a1', 'old-name', 0, 'm')", []).unwrap();
    call(
        &app,
        "rename_skill",
        json!({"oldName": "old-name", "newName": "new-name"}),
    )
    .await;
    assert!(!app.skills_path().join("old-name").exists());
    assert!(app.skills_path().join("new-name/SKILL.md").is_file());
    assert!(app.workspace_path().join("new-name").is_dir());
    let conn = app.db.conn();
    for (t, c) in [
        ("skills", "name"),
        ("workflow_runs", "skill_name"),
        ("skill_tags", "skill_name"),
        ("skill_locks", "skill_name"),
        ("agent_runs", "skill_name"),
    ] {
        let old: i64 = conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {t} WHERE {c}='old-name'"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        let new: i64 = conn
            .query_row(
                &format!("SELECT COUNT(*) FROM {t} WHERE {c}='new-name'"),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!((old, new), (0, 1), "{t}");
    }
}

#[tokio::test]
async fn rename_refusals_leave_disk_and_db_unchanged() {
    let (_d, app) = open();
    call(&app, "create_skill", json!({"name": "a"})).await;
    call(&app, "create_skill", json!({"name": "b"})).await;
    let before = db_snapshot(&app);
    let e = call_err(
        &app,
        "rename_skill",
        json!({"oldName": "a", "newName": "b"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::Conflict);
    let e = call_err(
        &app,
        "rename_skill",
        json!({"oldName": "a", "newName": "Bad Name"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = call_err(
        &app,
        "rename_skill",
        json!({"oldName": "ghost", "newName": "c"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::NotFound);
    std::fs::create_dir_all(app.workspace_path().join("c")).unwrap();
    let e = call_err(
        &app,
        "rename_skill",
        json!({"oldName": "a", "newName": "c"}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::Conflict);
    assert_eq!(db_snapshot(&app), before);
    assert!(app.skills_path().join("a").is_dir() && app.workspace_path().join("a").is_dir());
}

#[tokio::test]
async fn delete_removes_folders_and_rows_but_keeps_usage_history() {
    let (_d, app) = open();
    call(&app, "create_skill", json!({"name": "gone", "tags": ["t"]})).await;
    app.db.conn().execute(
        "INSERT INTO agent_runs (agent_id, skill_name, step_id, model, total_cost) VALUES ('a1', 'gone', 0, 'm', 2.0)", []).unwrap();
    call(&app, "delete_skill", json!({"name": "gone"})).await;
    assert!(!app.skills_path().join("gone").exists());
    assert!(!app.workspace_path().join("gone").exists());
    assert_eq!(db_snapshot(&app), vec![0, 0, 0, 0, 0, 1]);
    assert!(
        visible_entries(&app.skills_path()).is_empty(),
        "no leftovers set aside"
    );
    let e = call_err(&app, "delete_skill", json!({"name": "gone"})).await;
    assert_eq!(e.kind, ErrorKind::NotFound);
    let e = call_err(&app, "delete_skill", json!({"name": "../.."})).await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert!(app.paths.data_dir.exists());
}

#[tokio::test]
async fn refinable_skills_are_completed_ones_with_skill_md() {
    let (_d, app) = open();
    call(&app, "create_skill", json!({"name": "draft"})).await;
    call(&app, "create_skill", json!({"name": "done"})).await;
    app.db
        .conn()
        .execute(
            "UPDATE workflow_runs SET status='completed', current_step=3 WHERE skill_name='done'",
            [],
        )
        .unwrap();
    assert_eq!(
        call(&app, "list_refinable_skills", json!({})).await,
        json!([])
    );
    std::fs::write(app.skills_path().join("done/SKILL.md"), "x").unwrap();
    let r = call(
        &app,
        "list_refinable_skills",
        json!({"workspacePath": "/ignored"}),
    )
    .await;
    assert_eq!(r.as_array().unwrap().len(), 1);
    assert_eq!(r[0]["name"], "done");
}

#[tokio::test]
async fn workspace_path_is_the_effective_default() {
    let (d, app) = open();
    let p = call(&app, "get_workspace_path", json!({})).await;
    assert_eq!(p, json!(d.path().join("workspace").to_str().unwrap()));
    let e = call_err(&app, "get_workspace_path", json!([1])).await;
    assert_eq!(e.kind, ErrorKind::InvalidInput);
}

#[tokio::test]
async fn tags_with_control_characters_too_long_or_too_many_are_refused() {
    let (_d, app) = open();
    call(
        &app,
        "create_skill",
        json!({"name": "tagged", "tags": ["keep"]}),
    )
    .await;
    let too_many: Vec<String> = (0..33).map(|i| format!("t{i}")).collect();
    for tags in [
        json!(["bell\u{7}"]),
        json!(["line\nbreak"]),
        json!(["x".repeat(65)]),
        json!(too_many),
    ] {
        let e = call_err(
            &app,
            "update_skill_tags",
            json!({"skillName": "tagged", "tags": tags}),
        )
        .await;
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{e}");
        assert!(e.message.len() < 200, "short message: {e}");
    }
    let e = call_err(
        &app,
        "create_skill",
        json!({"name": "other", "tags": ["tab\there"]}),
    )
    .await;
    assert_eq!(e.kind, ErrorKind::InvalidInput, "{e}");
    assert_eq!(
        row_count(&app, "skills"),
        1,
        "the refused create wrote nothing"
    );
    // The refused updates kept the old tags; the limits themselves are accepted.
    let tags: Vec<String> = (0..32).map(|i| format!("{i}{}", "é".repeat(60))).collect();
    call(
        &app,
        "update_skill_tags",
        json!({"skillName": "tagged", "tags": tags}),
    )
    .await;
    assert_eq!(row_count(&app, "skill_tags"), 32);
}

#[tokio::test]
async fn a_renamed_skill_keeps_its_eval_history() {
    let (_d, app) = open();
    call(&app, "create_skill", json!({"name": "measured"})).await;
    app.db
        .conn()
        .execute(
            "INSERT INTO eval_runs (id, skill_name, skill_version, baseline, runs_per_configuration,
                                    benchmark, created_at)
             VALUES ('run-1', 'measured', 'abc', 'none', 3, '{}', '2026-01-01T00:00:00.000Z')",
            [],
        )
        .unwrap();
    let old_dir = app.paths.data_dir.join("evals/measured");
    std::fs::create_dir_all(&old_dir).unwrap();
    std::fs::write(old_dir.join("run-1.json"), "{}").unwrap();
    call(
        &app,
        "rename_skill",
        json!({"oldName": "measured", "newName": "remeasured"}),
    )
    .await;
    let runs = call(&app, "list_eval_runs", json!({"skillName": "remeasured"})).await;
    assert_eq!(runs.as_array().map(Vec::len), Some(1), "{runs}");
    assert!(app
        .paths
        .data_dir
        .join("evals/remeasured/run-1.json")
        .is_file());
    assert!(!old_dir.exists());
}
