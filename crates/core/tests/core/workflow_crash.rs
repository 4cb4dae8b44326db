//! A sidecar that dies mid-step: the request ends with an error and an `agent-exit`, the
//! step is not marked complete, and the next run spawns a fresh sidecar and succeeds.

use crate::support::*;
use serde_json::json;
use skill_builder_core::{catalog, workflow};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_node_mid_step_fails_the_step_and_the_next_run_recovers() {
    // Slow mock turns so the kill lands while the step runs.
    let (_dir, app) = open_with(slow_mock);
    let (_sink, mut rx) = ChannelSink::attach(&app);
    catalog::call(&app, "create_skill", json!({"name": "crashy"}))
        .await
        .unwrap();

    let handle = workflow::start_step(&app, "crashy", 0, None).await.unwrap();
    let agent_id = handle.agent_id.clone();
    // Wait until the sidecar itself streams something for this request.
    loop {
        let e = rx.recv().await.unwrap();
        if e.name == "agent-message"
            && e.payload["agent_id"] == agent_id.as_str()
            && e.payload["message"]["type"] == "assistant"
        {
            break;
        }
    }
    let pid = app.agents.pid_of("crashy").unwrap();
    unsafe {
        libc::kill(pid as i32, libc::SIGKILL);
    }
    let outcome = handle.wait().await;
    assert!(!outcome.success);
    assert!(
        outcome
            .error
            .as_deref()
            .unwrap()
            .contains("exited unexpectedly"),
        "{outcome:?}"
    );

    let mut exit = None;
    let mut error_msg = false;
    while let Ok(e) = rx.try_recv() {
        if e.payload["agent_id"] == agent_id.as_str() {
            if e.name == "agent-message" && e.payload["message"]["type"] == "error" {
                error_msg = true;
            }
            if e.name == "agent-exit" {
                exit = Some(e);
            }
        }
    }
    let exit = exit.expect("agent-exit emitted for the stranded request");
    assert_eq!(exit.payload["success"], false);
    assert!(exit.payload["error"]
        .as_str()
        .unwrap()
        .contains("exited unexpectedly"));
    assert!(error_msg, "an error agent-message precedes the exit");

    let state = catalog::call(&app, "get_workflow_state", json!({"skillName": "crashy"}))
        .await
        .unwrap();
    assert_eq!(state["steps"][0]["status"], "error");
    assert_ne!(state["run"]["status"], "completed");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM agent_runs WHERE status = 'running'"
        ),
        0
    );

    let again = workflow::start_step(&app, "crashy", 0, None).await.unwrap();
    let new_pid = app.agents.pid_of("crashy").unwrap();
    assert_ne!(new_pid, pid, "a fresh sidecar was spawned");
    assert!(again.wait().await.success);
    let state = catalog::call(&app, "get_workflow_state", json!({"skillName": "crashy"}))
        .await
        .unwrap();
    assert_eq!(state["steps"][0]["status"], "completed");
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
    assert!(!pid_alive(new_pid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cleanup_skill_sidecar_sends_agent_shutdown_for_pending_requests() {
    let (_dir, app) = open_with(slow_mock);
    let (sink, mut rx) = ChannelSink::attach(&app);
    catalog::call(&app, "create_skill", json!({"name": "stopper"}))
        .await
        .unwrap();
    let handle = workflow::start_step(&app, "stopper", 0, None)
        .await
        .unwrap();
    let id = handle.agent_id.clone();
    loop {
        let e = rx.recv().await.unwrap();
        if e.payload["agent_id"] == id.as_str() && e.payload["message"]["type"] == "assistant" {
            break;
        }
    }
    let pid = app.agents.pid_of("stopper").unwrap();
    catalog::call(
        &app,
        "cleanup_skill_sidecar",
        json!({"skillName": "stopper"}),
    )
    .await
    .unwrap();
    let outcome = handle.wait().await;
    assert!(!outcome.success);
    let names: Vec<&str> = sink
        .events()
        .iter()
        .filter(|e| e.payload["agent_id"] == id.as_str())
        .map(|e| e.name)
        .collect::<Vec<_>>();
    assert!(names.contains(&"agent-shutdown"), "{names:?}");
    assert_eq!(*names.last().unwrap(), "agent-exit");
    assert!(!pid_alive(pid));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM agent_runs WHERE status = 'shutdown'"
        ),
        1
    );
    // No sidecar → no-op.
    catalog::call(
        &app,
        "cleanup_skill_sidecar",
        json!({"skillName": "stopper"}),
    )
    .await
    .unwrap();
}
