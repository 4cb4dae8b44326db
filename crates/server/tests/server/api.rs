//! Command results and error statuses, and the event stream.

use crate::common;
use serde_json::json;
use skill_builder_core::events::Event;
use std::time::Duration;

#[tokio::test]
async fn errors_map_to_statuses() {
    let h = common::start().await;
    let (s, b) = h.call("create_skill", json!({"name": "Bad Name!"})).await;
    assert_eq!((s, common::kind(&b)), (400, "invalid_input"), "{b}");
    let (s, b) = h
        .call("create_skill", json!({"name": "my-skill", "tags": ["a"]}))
        .await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = h.call("create_skill", json!({"name": "my-skill"})).await;
    assert_eq!((s, common::kind(&b)), (409, "conflict"), "{b}");
    let (s, b) = h.call("delete_skill", json!({"name": "nope"})).await;
    assert_eq!((s, common::kind(&b)), (404, "not_found"), "{b}");
    let (s, b) = h.call("create_skill", json!({"name": 5})).await;
    assert_eq!((s, common::kind(&b)), (400, "invalid_input"), "{b}");
    let (s, b) = h.call("list_skills", json!([1])).await;
    assert_eq!((s, common::kind(&b)), (400, "invalid_input"), "{b}");
    let (s, b) = h.call("list_skills", json!({})).await;
    assert_eq!(s, 200);
    assert_eq!(b[0]["name"], "my-skill");
    assert_eq!(b[0]["tags"], json!(["a"]));
    let (s, b) = h.call("get_all_tags", json!(null)).await;
    assert_eq!((s, b), (200, json!(["a"])));
}

#[test]
fn every_kind_has_its_status() {
    use skill_builder_core::ErrorKind::*;
    use skill_builder_server::status_of;
    let table = [
        (InvalidInput, 400),
        (NotFound, 404),
        (UnknownCommand, 404),
        (Conflict, 409),
        (Locked, 423),
        (Network, 502),
        (Agent, 502),
        (Io, 500),
        (Internal, 500),
    ];
    for (k, s) in table {
        assert_eq!(status_of(k).as_u16(), s, "{k}");
    }
}

#[tokio::test]
async fn events_stream_in_order_with_names() {
    let h = common::start().await;
    let mut r = h.client.get(h.url("/api/events")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    h.app
        .events
        .emit(Event::agent_message("a1", json!({"type": "text", "n": 1})));
    h.app.events.emit(Event::agent_exit("a1", true, None));
    h.app
        .events
        .emit(Event::agent_exit("a2", false, Some("crashed")));
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while text.matches("event: ").count() < 3 {
        let chunk = tokio::time::timeout_at(deadline, r.chunk())
            .await
            .expect("events arrive within 10 s")
            .unwrap()
            .expect("stream stays open");
        text.push_str(&String::from_utf8_lossy(&chunk));
    }
    let events: Vec<(String, serde_json::Value)> = text
        .split("\n\n")
        .filter(|b| b.contains("event: "))
        .map(|block| {
            let name = block
                .lines()
                .find_map(|l| l.strip_prefix("event: "))
                .unwrap()
                .to_string();
            let data = block
                .lines()
                .find_map(|l| l.strip_prefix("data: "))
                .unwrap();
            (name, serde_json::from_str(data).unwrap())
        })
        .collect();
    assert_eq!(
        events,
        vec![
            (
                "agent-message".to_string(),
                json!({"agent_id": "a1", "message": {"type": "text", "n": 1}})
            ),
            (
                "agent-exit".to_string(),
                json!({"agent_id": "a1", "success": true})
            ),
            (
                "agent-exit".to_string(),
                json!({"agent_id": "a2", "success": false, "error": "crashed"})
            ),
        ]
    );
    // Shutdown ends the endless stream instead of waiting for it.
    tokio::time::timeout(Duration::from_secs(10), h.server.shutdown())
        .await
        .expect("graceful shutdown does not hang on an open event stream")
        .unwrap();
}
