//! `delete_skill` while an agent of that skill runs is refused with `locked`: the agent would
//! otherwise write into folders that are gone (a ghost folder).

use crate::support;

use serde_json::json;
use skill_builder_core::{catalog, workflow, ErrorKind};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_skill_with_a_running_agent_is_locked_and_keeps_everything() {
    let (_dir, app) = support::open_with(support::slow_mock);
    let (_sink, mut rx) = support::ChannelSink::attach(&app);
    catalog::call(&app, "create_skill", json!({"name": "busy"}))
        .await
        .unwrap();
    let handle = workflow::start_step(&app, "busy", 0, None).await.unwrap();
    let id = handle.agent_id.clone();
    loop {
        let e = rx.recv().await.unwrap();
        if e.payload["agent_id"] == id.as_str() && e.payload["message"]["type"] == "assistant" {
            break;
        }
    }
    let e = catalog::call(&app, "delete_skill", json!({"name": "busy"}))
        .await
        .expect_err("delete must wait for the agent");
    assert_eq!(e.kind, ErrorKind::Locked, "{e}");
    assert!(e.message.contains("agent"), "{e}");
    assert!(app.skills_path().join("busy").is_dir());
    assert_eq!(
        support::count(&app, "SELECT COUNT(*) FROM skills WHERE name = 'busy'"),
        1
    );

    handle.wait().await;
    catalog::call(&app, "delete_skill", json!({"name": "busy"}))
        .await
        .unwrap();
    assert!(!app.skills_path().join("busy").exists());
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
}

/// A session an earlier process with our PID left open (PID reuse) is not ours: a new step
/// opens its own session instead of recording its runs under the dead one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_step_never_joins_a_session_of_an_earlier_process_with_the_same_pid() {
    let (_dir, app) = support::open_mock();
    catalog::call(&app, "create_skill", json!({"name": "reused"}))
        .await
        .unwrap();
    let own = app.pid_started_at.expect("start time readable on this OS");
    app.db
        .conn()
        .execute(
            "INSERT INTO workflow_sessions (session_id, skill_name, pid, started_at, pid_started_at)
             VALUES ('old-process', 'reused', ?1, '2020-01-01T00:00:00.000Z', ?2)",
            rusqlite::params![app.pid, own - 1000],
        )
        .unwrap();
    let handle = workflow::start_step(&app, "reused", 0, None).await.unwrap();
    handle.wait().await;
    let sessions: Vec<String> = {
        let conn = app.db.conn();
        let mut st = conn
            .prepare(
                "SELECT DISTINCT workflow_session_id FROM agent_runs WHERE skill_name = 'reused'",
            )
            .unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert!(!sessions.is_empty());
    assert!(
        !sessions.iter().any(|s| s == "old-process"),
        "joined the dead process's session: {sessions:?}"
    );
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
}
