//! Skill edit locks across app instances sharing one data dir.

use crate::support;

use serde_json::json;
use skill_builder_core::{catalog, App, ErrorKind};

/// A PID that certainly belongs to no process: a child we started and reaped.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

#[tokio::test]
async fn second_instance_is_refused_while_the_holder_lives_and_reclaims_a_dead_lock() {
    let dir = tempfile::tempdir().unwrap();
    let a = support::open_at(dir.path(), |_| {});
    let b = support::open_at(dir.path(), |_| {});
    catalog::call(&a, "create_skill", json!({"name": "s"}))
        .await
        .unwrap();

    catalog::call(&a, "acquire_lock", json!({"skillName": "s"}))
        .await
        .unwrap();
    catalog::call(&a, "acquire_lock", json!({"skillName": "s"}))
        .await
        .expect("re-acquiring our own lock succeeds");
    assert_eq!(
        catalog::call(&a, "check_lock", json!({"skillName": "s"}))
            .await
            .unwrap(),
        json!(false)
    );
    assert_eq!(
        catalog::call(&b, "check_lock", json!({"skillName": "s"}))
            .await
            .unwrap(),
        json!(true)
    );

    let e = catalog::call(&b, "acquire_lock", json!({"skillName": "s"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Locked);
    assert!(
        e.message.contains(&a.instance_id) && e.message.contains(&a.pid.to_string()),
        "names the holder: {}",
        e.message
    );
    // Edits from the other instance are refused too.
    let e = catalog::call(&b, "delete_skill", json!({"name": "s"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Locked);

    // b releasing a's lock is a no-op.
    catalog::call(&b, "release_lock", json!({"skillName": "s"}))
        .await
        .unwrap();
    assert_eq!(
        catalog::call(&b, "check_lock", json!({"skillName": "s"}))
            .await
            .unwrap(),
        json!(true)
    );

    // The holder dies: its lock is reclaimed.
    a.db.conn()
        .execute("UPDATE skill_locks SET pid = ?1", [dead_pid()])
        .unwrap();
    assert_eq!(
        catalog::call(&b, "check_lock", json!({"skillName": "s"}))
            .await
            .unwrap(),
        json!(false)
    );
    catalog::call(&b, "acquire_lock", json!({"skillName": "s"}))
        .await
        .unwrap();
    let locks = catalog::call(&b, "get_locked_skills", json!({}))
        .await
        .unwrap();
    assert_eq!(locks[0]["instance_id"], json!(b.instance_id));
    assert_eq!(locks[0]["pid"], json!(b.pid));

    // Exit releases everything the instance holds.
    b.shutdown();
    assert_eq!(
        catalog::call(&a, "get_locked_skills", json!({}))
            .await
            .unwrap(),
        json!([])
    );
}

#[tokio::test]
async fn get_locked_skills_drops_dead_holders() {
    let dir = tempfile::tempdir().unwrap();
    let a = support::open_at(dir.path(), |_| {});
    catalog::call(&a, "create_skill", json!({"name": "s"}))
        .await
        .unwrap();
    a.db.conn()
        .execute(
            "INSERT INTO skill_locks (skill_name, instance_id, pid, acquired_at, skill_id)
         SELECT 's', 'other', ?1, 'x', id FROM skills",
            [dead_pid()],
        )
        .unwrap();
    assert_eq!(
        catalog::call(&a, "get_locked_skills", json!({}))
            .await
            .unwrap(),
        json!([])
    );
}

#[tokio::test]
async fn lock_on_unknown_skill_or_bad_args_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let a = support::open_at(dir.path(), |_| {});
    let e = catalog::call(&a, "acquire_lock", json!({"skillName": "ghost"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    for cmd in ["acquire_lock", "release_lock", "check_lock"] {
        let e = catalog::call(&a, cmd, json!({"skill": "x"}))
            .await
            .unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{cmd}");
    }
}

// ---- PID reuse: a lock is judged by PID and start time ----

/// A live process that is not us (killed and reaped on drop).
struct LiveProcess(std::process::Child);

impl LiveProcess {
    fn start() -> LiveProcess {
        LiveProcess(
            std::process::Command::new("sleep")
                .arg("600")
                .spawn()
                .unwrap(),
        )
    }
    fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for LiveProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A lock of another instance held by process `pid` that started at `started`.
#[cfg(any(target_os = "linux", target_os = "macos"))]
fn foreign_lock(app: &App, pid: u32, started: Option<i64>) {
    app.db
        .conn()
        .execute(
            "INSERT OR REPLACE INTO skill_locks (skill_name, instance_id, pid, acquired_at, skill_id, pid_started_at)
             SELECT 's', 'other-instance', ?1, 'x', id, ?2 FROM skills WHERE name = 's'",
            rusqlite::params![pid, started],
        )
        .unwrap();
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
#[tokio::test]
async fn a_lock_whose_pid_now_belongs_to_another_process_is_reclaimed() {
    let dir = tempfile::tempdir().unwrap();
    let a = support::open_at(dir.path(), |_| {});
    catalog::call(&a, "create_skill", json!({"name": "s"}))
        .await
        .unwrap();
    let other = LiveProcess::start();
    let started = skill_builder_core::locks::process_start_time(other.pid()).unwrap();

    // Same PID, same start time: the holder still runs, the lock holds.
    foreign_lock(&a, other.pid(), Some(started));
    let check = json!({"skillName": "s"});
    assert_eq!(
        catalog::call(&a, "check_lock", check.clone())
            .await
            .unwrap(),
        json!(true)
    );
    let e = catalog::call(&a, "acquire_lock", check.clone())
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Locked);
    assert_eq!(skill_builder_core::locks::reclaim_stale(&a).unwrap(), 0);

    // Same PID, another start time: the holder died and its PID was reused.
    foreign_lock(&a, other.pid(), Some(started + 1));
    assert_eq!(
        catalog::call(&a, "check_lock", check.clone())
            .await
            .unwrap(),
        json!(false)
    );
    foreign_lock(&a, other.pid(), Some(started + 1));
    assert_eq!(skill_builder_core::locks::reclaim_stale(&a).unwrap(), 1);
    foreign_lock(&a, other.pid(), Some(started + 1));
    catalog::call(&a, "acquire_lock", check.clone())
        .await
        .expect("a reused PID does not keep the lock");
    let locks = catalog::call(&a, "get_locked_skills", json!({}))
        .await
        .unwrap();
    assert_eq!(locks[0]["instance_id"], json!(a.instance_id));
    assert!(
        locks[0].get("pid_started_at").is_none(),
        "internal: {locks}"
    );
    let ours: Option<i64> =
        a.db.conn()
            .query_row("SELECT pid_started_at FROM skill_locks", [], |r| r.get(0))
            .unwrap();
    assert_eq!(ours, a.pid_started_at);
    assert!(ours.is_some(), "our lock records our start time");
}

#[cfg(any(target_os = "linux", target_os = "macos"))]
#[tokio::test]
async fn start_up_reclaims_a_reused_pid_lock_and_closes_its_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let a = support::open_at(dir.path(), |_| {});
    catalog::call(&a, "create_skill", json!({"name": "s"}))
        .await
        .unwrap();
    let other = LiveProcess::start();
    let started = skill_builder_core::locks::process_start_time(other.pid()).unwrap();
    foreign_lock(&a, other.pid(), Some(started + 1));
    for (id, start) in [("reused", started + 1), ("live", started)] {
        a.db.conn()
            .execute(
                "INSERT INTO workflow_sessions (session_id, skill_name, pid, started_at, pid_started_at)
                 VALUES (?1, 's', ?2, '2025-01-01T00:00:00.000Z', ?3)",
                rusqlite::params![id, other.pid(), start],
            )
            .unwrap();
    }

    let report = skill_builder_core::startup::run_startup(&a).unwrap();
    assert_eq!(report.stale_locks_reclaimed, 1, "{:?}", report.warnings);
    assert_eq!(report.orphaned_sessions_closed, 1);
    let open: Vec<String> =
        a.db.conn()
            .prepare("SELECT session_id FROM workflow_sessions WHERE ended_at IS NULL")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
    assert_eq!(open, ["live"]);
}

/// Rows of a version-2 database have no start time: they keep the PID-only judgement, so a
/// live holder's lock is never stolen on a guess.
#[tokio::test]
async fn a_lock_from_a_version_2_database_is_judged_by_pid_alone() {
    let dir = tempfile::tempdir().unwrap();
    let other = LiveProcess::start();
    {
        let mut conn =
            skill_builder_core::db::open_connection(&dir.path().join("skill-builder.db")).unwrap();
        skill_builder_core::db::migrate_to(&mut conn, 2).unwrap();
        conn.execute(
            "INSERT INTO skills (name, skill_source) VALUES ('s', 'skill-builder')",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO skill_locks (skill_name, instance_id, pid, acquired_at, skill_id)
             SELECT 's', 'old-instance', ?1, 'x', id FROM skills",
            [other.pid()],
        )
        .unwrap();
    }
    let a = support::open_at(dir.path(), |_| {});
    let started: Option<i64> =
        a.db.conn()
            .query_row("SELECT pid_started_at FROM skill_locks", [], |r| r.get(0))
            .unwrap();
    assert_eq!(started, None, "migrated row keeps NULL");
    assert_eq!(
        catalog::call(&a, "check_lock", json!({"skillName": "s"}))
            .await
            .unwrap(),
        json!(true)
    );
    drop(other);
    assert_eq!(
        catalog::call(&a, "check_lock", json!({"skillName": "s"}))
            .await
            .unwrap(),
        json!(false),
        "a dead holder is still reclaimed"
    );
}
