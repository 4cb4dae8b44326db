//! Schema, pragmas and migrations of the SQLite file.

use skill_builder_core::db::{self, Db};
use std::collections::BTreeMap;

fn columns(conn: &rusqlite::Connection, table: &str) -> Vec<String> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT name FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// The 12 tables of database.md with their columns, in order.
fn spec_tables() -> BTreeMap<&'static str, Vec<&'static str>> {
    BTreeMap::from([
        ("settings", vec!["key", "value"]),
        ("schema_migrations", vec!["version", "applied_at"]),
        (
            "skills",
            vec![
                "id",
                "name",
                "skill_source",
                "purpose",
                "created_at",
                "updated_at",
                "description",
                "version",
                "model",
                "argument_hint",
                "user_invocable",
                "disable_model_invocation",
            ],
        ),
        (
            "workflow_runs",
            vec![
                "id",
                "skill_name",
                "current_step",
                "status",
                "purpose",
                "created_at",
                "updated_at",
                "source",
                "description",
                "version",
                "model",
                "argument_hint",
                "user_invocable",
                "disable_model_invocation",
                "author_login",
                "author_avatar",
                "display_name",
                "intake_json",
                "skill_id",
            ],
        ),
        (
            "workflow_steps",
            vec![
                "skill_name",
                "step_id",
                "status",
                "started_at",
                "completed_at",
                "workflow_run_id",
            ],
        ),
        (
            "workflow_artifacts",
            vec![
                "skill_name",
                "step_id",
                "relative_path",
                "content",
                "size_bytes",
                "created_at",
                "updated_at",
                "workflow_run_id",
            ],
        ),
        (
            "agent_runs",
            vec![
                "agent_id",
                "skill_name",
                "step_id",
                "model",
                "status",
                "input_tokens",
                "output_tokens",
                "total_cost",
                "session_id",
                "started_at",
                "completed_at",
                "cache_read_tokens",
                "cache_write_tokens",
                "duration_ms",
                "reset_marker",
                "workflow_session_id",
                "num_turns",
                "stop_reason",
                "duration_api_ms",
                "tool_use_count",
                "compaction_count",
                "workflow_run_id",
            ],
        ),
        (
            "workflow_sessions",
            vec![
                "session_id",
                "skill_name",
                "pid",
                "started_at",
                "ended_at",
                "reset_marker",
                "skill_id",
                "pid_started_at",
            ],
        ),
        (
            "skill_tags",
            vec!["skill_name", "tag", "created_at", "skill_id"],
        ),
        (
            "skill_locks",
            vec![
                "skill_name",
                "instance_id",
                "pid",
                "acquired_at",
                "skill_id",
                "pid_started_at",
            ],
        ),
        (
            "imported_skills",
            vec![
                "skill_id",
                "skill_name",
                "is_active",
                "disk_path",
                "imported_at",
                "is_bundled",
                "purpose",
                "version",
                "model",
                "argument_hint",
                "user_invocable",
                "disable_model_invocation",
                "skill_master_id",
                "content_hash",
                "marketplace_source_url",
            ],
        ),
        (
            "workspace_skills",
            vec![
                "skill_id",
                "skill_name",
                "description",
                "is_active",
                "is_bundled",
                "disk_path",
                "imported_at",
                "purpose",
                "version",
                "model",
                "argument_hint",
                "user_invocable",
                "disable_model_invocation",
                "content_hash",
                "marketplace_source_url",
            ],
        ),
    ])
}

#[test]
fn fresh_database_has_every_spec_table_column_and_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("x.db")).unwrap();
    let conn = db.conn();
    for (table, cols) in spec_tables() {
        assert_eq!(columns(&conn, table), cols, "columns of {table}");
    }
    let mut stmt = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type='index' AND name LIKE 'idx_%' ORDER BY name",
        )
        .unwrap();
    let idx: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for want in [
        "idx_agent_runs_run_step",
        "idx_agent_runs_workflow_session",
        "idx_imported_skills_master",
        "idx_skill_tags_skill",
        "idx_workflow_sessions_ended",
        "idx_workflow_sessions_skill",
    ] {
        assert!(
            idx.iter().any(|i| i == want),
            "missing index {want}: {idx:?}"
        );
    }
    // Primary keys of the composite-key tables.
    let pk = |t: &str| -> Vec<String> {
        let mut s = conn
            .prepare(&format!(
                "SELECT name FROM pragma_table_info('{t}') WHERE pk > 0 ORDER BY pk"
            ))
            .unwrap();
        s.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(pk("workflow_steps"), ["skill_name", "step_id"]);
    assert_eq!(
        pk("workflow_artifacts"),
        ["skill_name", "step_id", "relative_path"]
    );
    assert_eq!(pk("agent_runs"), ["agent_id", "model"]);
    assert_eq!(pk("skill_tags"), ["skill_name", "tag"]);
}

#[test]
fn every_connection_sets_wal_busy_timeout_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let conn = db::open_connection(&dir.path().join("x.db")).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let fk: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    let busy: i64 = conn
        .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
        .unwrap();
    assert_eq!((mode.as_str(), fk, busy), ("wal", 1, 5000));
}

#[test]
fn opening_twice_applies_each_migration_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    drop(Db::open(&path).unwrap());
    let mut conn = db::open_connection(&path).unwrap();
    assert!(
        db::migrate(&mut conn).unwrap().is_empty(),
        "nothing left to apply"
    );
    let rows: Vec<(i64, String)> = conn
        .prepare("SELECT version, applied_at FROM schema_migrations ORDER BY version")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let versions: Vec<i64> = rows.iter().map(|r| r.0).collect();
    assert_eq!(versions, (1..=db::latest_version()).collect::<Vec<_>>());
    assert!(rows.iter().all(|r| r.1.ends_with('Z') && r.1.contains('T')));
}

#[test]
fn database_at_an_older_version_migrates_forward_keeping_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    {
        let mut conn = db::open_connection(&path).unwrap();
        assert_eq!(db::migrate_to(&mut conn, 1).unwrap(), vec![1]);
        conn.execute(
            "INSERT INTO skills (name, skill_source) VALUES ('kept', 'imported')",
            [],
        )
        .unwrap();
    }
    let mut conn = db::open_connection(&path).unwrap();
    assert_eq!(
        db::migrate(&mut conn).unwrap(),
        (2..=db::latest_version()).collect::<Vec<_>>()
    );
    let n: i64 = conn
        .query_row("SELECT COUNT(*) FROM skills WHERE name='kept'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(n, 1);
    let t: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name='skill_test_results'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(t, 1);
}

#[test]
fn a_database_from_a_newer_app_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    drop(Db::open(&path).unwrap());
    let conn = db::open_connection(&path).unwrap();
    conn.execute("INSERT INTO schema_migrations (version) VALUES (999)", [])
        .unwrap();
    drop(conn);
    let err = Db::open(&path).err().expect("newer schema refused");
    assert_eq!(err.kind, skill_builder_core::ErrorKind::Conflict);
    assert!(err.message.contains("999"), "{}", err.message);
}

#[test]
fn foreign_key_violations_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("x.db")).unwrap();
    let conn = db.conn();
    let err = conn
        .execute(
            "INSERT INTO workflow_runs (skill_name, skill_id) VALUES ('x', 4242)",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
    let err = conn
        .execute(
            "INSERT INTO skill_tags (skill_name, tag, skill_id) VALUES ('x', 't', 4242)",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("FOREIGN KEY"), "{err}");
}

#[test]
fn deleting_a_skill_cascades_to_its_run_steps_tags_but_keeps_usage() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open(&dir.path().join("x.db")).unwrap();
    let conn = db.conn();
    conn.execute_batch(
        "INSERT INTO skills (id, name, skill_source) VALUES (1, 's', 'skill-builder');
         INSERT INTO workflow_runs (id, skill_name, skill_id) VALUES (7, 's', 1);
         INSERT INTO workflow_steps (skill_name, step_id, workflow_run_id) VALUES ('s', 0, 7);
         INSERT INTO skill_tags (skill_name, tag, skill_id) VALUES ('s', 't', 1);
         INSERT INTO agent_runs (agent_id, skill_name, step_id, model, total_cost, workflow_run_id)
           VALUES ('a', 's', 0, 'm', 1.5, 7);
         DELETE FROM skills WHERE id = 1;",
    )
    .unwrap();
    let count = |t: &str| -> i64 {
        conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(
        (
            count("workflow_runs"),
            count("workflow_steps"),
            count("skill_tags")
        ),
        (0, 0, 0)
    );
    let (n, run): (i64, Option<i64>) = conn
        .query_row(
            "SELECT COUNT(*), MAX(workflow_run_id) FROM agent_runs",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (n, run),
        (1, None),
        "usage history survives with its FK nulled"
    );
}
