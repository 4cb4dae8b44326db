//! Connection limits (issue 12 item 10): idle sockets, silent or half-sent headers and kept-alive
//! connections cannot pile up until the server runs out of file descriptors.

use crate::common;
use serde_json::json;
use skill_builder_core::events::Event;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Generous upper bound for anything the server must do "now"; never a sleep.
const BOUND: Duration = Duration::from_secs(20);

/// Blocks until the server closes `s` (end of file or reset), discarding what it sends.
async fn closed_by_server(s: &mut TcpStream, what: &str) {
    let closed = async {
        let mut buf = [0u8; 4096];
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(BOUND, closed)
        .await
        .unwrap_or_else(|_| panic!("{what}: the server kept the connection open"));
}

/// A complete request the server answers without a token (a missing UI asset: 404).
fn missing_asset(h: &common::Harness) -> String {
    format!(
        "GET /missing.js HTTP/1.1\r\nHost: {}\r\n\r\n",
        h.server.addr
    )
}

/// Reads one response with a `content-length` from `s` and returns its head.
async fn read_response(s: &mut TcpStream) -> String {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let read = async {
        loop {
            let n = s.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed before a full response");
            data.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&data).into_owned();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let len = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .expect("content-length");
                if body.len() >= len {
                    return head.to_string();
                }
            }
        }
    };
    tokio::time::timeout(BOUND, read).await.expect("a response")
}

#[tokio::test]
async fn idle_connections_beyond_the_cap_do_not_starve_the_server() {
    // Timeouts far away: only the cap can free the slots here.
    let h = common::start_with(|c| {
        c.max_connections = 16;
        c.header_read_timeout = Duration::from_secs(600);
        c.idle_timeout = Duration::from_secs(600);
    })
    .await;
    let mut idle = Vec::new();
    for i in 0..40 {
        let mut s = h.connect().await;
        if i % 2 == 1 {
            s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
                .await
                .unwrap();
        }
        idle.push(s);
    }
    // An authorised request still gets its answer at once.
    let answer = tokio::time::timeout(BOUND, h.call("list_skills", json!({})))
        .await
        .expect("the server answered while 40 idle connections were open");
    assert_eq!(answer.0, 200);
    // It made room by closing the oldest idle connections: 40 + 1 opened, 16 kept.
    for (i, s) in idle.iter_mut().take(41 - 16).enumerate() {
        closed_by_server(s, &format!("idle connection #{i}")).await;
    }
}

#[tokio::test]
async fn every_slot_busy_means_503_not_a_hang() {
    let h = common::start_with(|c| c.max_connections = 2).await;
    // Two event streams hold both slots with requests in progress.
    let mut streams = Vec::new();
    for _ in 0..2 {
        let mut r = h.client.get(h.url("/api/events")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.chunk().await.unwrap().expect("the stream opens");
        streams.push(r);
    }
    let mut s = h.connect().await;
    let mut answer = Vec::new();
    tokio::time::timeout(BOUND, s.read_to_end(&mut answer))
        .await
        .expect("refused at once")
        .ok();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("retry"), "{answer}");
}

#[tokio::test]
async fn silent_and_half_sent_headers_are_cut_after_the_header_timeout() {
    let h = common::start_with(|c| {
        c.header_read_timeout = Duration::from_millis(200);
        c.idle_timeout = Duration::from_secs(600);
    })
    .await;
    let mut silent = h.connect().await;
    let mut half = h.connect().await;
    half.write_all(b"POST /api/list_skills HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .unwrap();
    closed_by_server(&mut half, "half-sent header").await;
    closed_by_server(&mut silent, "silent connection").await;
    // A kept-alive connection that starts its next request and stops half-way is cut too.
    let mut s = h.connect().await;
    s.write_all(missing_asset(&h).as_bytes()).await.unwrap();
    assert!(read_response(&mut s).await.starts_with("HTTP/1.1 404"));
    s.write_all(b"GET /missing.js HTTP/1.1\r\nHo")
        .await
        .unwrap();
    closed_by_server(&mut s, "second request half-sent").await;
}

#[tokio::test]
async fn keep_alive_idle_timeout_spares_the_event_stream() {
    let h = common::start_with(|c| {
        c.header_read_timeout = Duration::from_secs(600);
        c.idle_timeout = Duration::from_millis(300);
    })
    .await;
    let mut events = h.client.get(h.url("/api/events")).send().await.unwrap();
    assert_eq!(events.status(), 200);
    events.chunk().await.unwrap().expect("the stream opens");

    // A kept-alive connection with no next request is closed after the idle timeout…
    let mut s = h.connect().await;
    s.write_all(missing_asset(&h).as_bytes()).await.unwrap();
    let head = read_response(&mut s).await;
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    assert!(!head.to_ascii_lowercase().contains("connection: close"));
    closed_by_server(&mut s, "idle kept-alive connection").await;

    // …while the event stream, open all that time without an event, still delivers.
    h.app.events.emit(Event {
        name: "agent-message",
        payload: json!({"n": 1}),
    });
    let chunk = tokio::time::timeout(BOUND, events.chunk())
        .await
        .expect("an event")
        .unwrap()
        .expect("the stream is still open");
    let text = String::from_utf8_lossy(&chunk);
    assert!(text.contains("event: agent-message"), "{text}");
}
