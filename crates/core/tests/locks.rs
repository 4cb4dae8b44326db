//! Skill edit locks across app instances sharing one data dir.

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
    let a = App::open(Some(dir.path().to_path_buf())).unwrap();
    let b = App::open(Some(dir.path().to_path_buf())).unwrap();
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
    let a = App::open(Some(dir.path().to_path_buf())).unwrap();
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
    let a = App::open(Some(dir.path().to_path_buf())).unwrap();
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
