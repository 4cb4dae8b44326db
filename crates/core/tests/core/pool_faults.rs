//! SidecarPool behaviour under faults, with small fake sidecars written in the test: a runner
//! that never gets ready, one that stops answering pings, and idle reaping.
//! One test function: SKILL_BUILDER_SIDECAR_DIR is process-wide.

use crate::support;

use crate::support::*;
use serde_json::json;
use skill_builder_core::agents::{AgentRequest, PoolConfig, RequestKind};
use skill_builder_core::ErrorKind;
use std::path::Path;
use std::time::{Duration, Instant};

fn fake_sidecar(dir: &std::path::Path, body: &str) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("node_modules/@anthropic-ai/claude-agent-sdk")).unwrap();
    std::fs::write(
        dir.join("node_modules/@anthropic-ai/claude-agent-sdk/package.json"),
        r#"{"version":"0.0.0"}"#,
    )
    .unwrap();
    std::fs::write(dir.join("src/main.js"), body).unwrap();
}

fn request(skill: &str, id: &str) -> AgentRequest {
    AgentRequest {
        agent_id: id.into(),
        skill_name: skill.into(),
        pool_key: None,
        step_id: 0,
        model: "m".into(),
        config: json!({"prompt": "p", "cwd": "/"}),
        transcript: None,
        workflow_session_id: None,
        kind: RequestKind::OneShot,
        on_finish: None,
    }
}

/// Waits for a condition with a deadline (the pool acts on its own timers).
async fn until(deadline: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + deadline;
    while Instant::now() < end {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    f()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_faults_ready_timeout_dead_heartbeat_and_idle_reaping() {
    let data = tempfile::tempdir().unwrap();
    // One app per runner folder (`SKILL_BUILDER_SIDECAR_DIR`), all on one data dir.
    let open = |sidecar_dir: Option<&Path>| {
        support::open_at(data.path(), |o| {
            o.mock = true;
            o.sidecar_dir = sidecar_dir.map(Path::to_path_buf);
        })
    };
    let fakes = tempfile::tempdir().unwrap();

    // 1. A runner that never reports ready: the request fails with ready_timeout.
    let silent = fakes.path().join("silent");
    fake_sidecar(&silent, "setInterval(() => {}, 1000);\n");
    let app = open(Some(&silent));
    let (sink, _rx) = ChannelSink::attach(&app);
    app.agents.set_config(PoolConfig {
        ready_timeout: Duration::from_millis(500),
        ..PoolConfig::default()
    });
    let e = app
        .agents
        .send(&app, request("s1", "a1"))
        .await
        .err()
        .expect("ready timeout");
    assert_eq!(e.kind, ErrorKind::Agent);
    let init_err = sink
        .events()
        .into_iter()
        .find(|e| e.name == "agent-init-error")
        .expect("agent-init-error");
    assert_eq!(init_err.payload["error_type"], "ready_timeout");
    assert!(app.agents.pids().is_empty(), "the silent runner was killed");

    // 2. A runner that is ready but never answers ping: the heartbeat kills it and the
    //    pending request ends with an error and an agent-exit.
    let deaf = fakes.path().join("deaf");
    fake_sidecar(&deaf, "process.stdout.write(JSON.stringify({type:'sidecar_ready'})+'\\n');\nprocess.stdin.on('data', () => {});\nsetInterval(() => {}, 1000);\n");
    let app = open(Some(&deaf));
    let (sink, _rx) = ChannelSink::attach(&app);
    app.agents.set_config(PoolConfig {
        ready_timeout: Duration::from_secs(10),
        heartbeat_interval: Duration::from_millis(200),
        pong_timeout: Duration::from_millis(200),
        ..PoolConfig::default()
    });
    let handle = app.agents.send(&app, request("s2", "a2")).await.unwrap();
    let pid = app.agents.pid_of("s2").unwrap();
    let outcome = tokio::time::timeout(Duration::from_secs(10), handle.wait())
        .await
        .expect("request ended");
    assert!(!outcome.success);
    assert!(outcome.error.unwrap().contains("exited unexpectedly"));
    assert!(
        until(Duration::from_secs(5), || !pid_alive(pid)).await,
        "hung runner killed"
    );
    let exit = sink
        .events()
        .into_iter()
        .find(|e| e.name == "agent-exit" && e.payload["agent_id"] == "a2")
        .unwrap();
    assert_eq!(exit.payload["success"], false);

    // 3. An idle runner (the real one, mock mode) is reaped after the idle timeout.
    let app = open(None);
    app.agents.set_config(PoolConfig {
        idle_timeout: Duration::from_millis(300),
        heartbeat_interval: Duration::from_millis(100),
        ..PoolConfig::default()
    });
    let mut req = request("s3", "a3");
    req.config = json!({"prompt": "hello", "cwd": data.path(), "mock": true, "mockStep": "generic", "agentName": "x"});
    let h = app.agents.send(&app, req).await.unwrap();
    let pid = app.agents.pid_of("s3").unwrap();
    assert!(h.wait().await.success);
    assert!(
        until(Duration::from_secs(10), || app
            .agents
            .pid_of("s3")
            .is_none()
            && !pid_alive(pid))
        .await,
        "idle runner reaped"
    );
}
