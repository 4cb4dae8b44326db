//! Reading a sidecar's stdout: routing each line to its request, and failing all at EOF.

use super::finish::finish;
use super::{kill_group, Pending, Sidecar};
use crate::agents::metrics;
use crate::app::App;
use crate::events::Event;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

pub(super) async fn read_loop(
    app: Weak<App>,
    sc: Arc<Sidecar>,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
) {
    // A burst of streamed messages is read with a pipe-sized buffer (few reads) into one
    // reused line (no allocation per line); the ending is stripped as `Lines` does.
    let mut reader = BufReader::with_capacity(1 << 16, lines.into_inner());
    let mut buf = String::new();
    loop {
        buf.clear();
        if !matches!(reader.read_line(&mut buf).await, Ok(n) if n > 0) {
            break;
        }
        let line = match buf.strip_suffix('\n') {
            Some(l) => l.strip_suffix('\r').unwrap_or(l),
            None => &buf,
        };
        let Some(app) = app.upgrade() else { break };
        route_line(&app, &sc, line);
        if buf.capacity() > 1 << 20 {
            buf = String::new(); // one huge message must not pin its size for the runner's life
        }
    }
    // EOF: the process is gone (or going). Fail everything still pending.
    let was_stopping = sc.dead.swap(true, Ordering::SeqCst);
    let Some(app) = app.upgrade() else { return };
    app.agents.remove_if_same(&sc);
    let code = {
        let mut child = sc.child.lock().await;
        match tokio::time::timeout(Duration::from_secs(2), child.wait()).await {
            Ok(Ok(s)) => s.to_string(),
            _ => "unknown status".into(),
        }
    };
    kill_group(sc.pid);
    let pending: Vec<Pending> = sc
        .pending
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .drain()
        .map(|(_, p)| p)
        .collect();
    if !was_stopping {
        tracing::warn!(
            "agent runner for '{}' exited ({code}) with {} request(s) pending",
            sc.skill,
            pending.len()
        );
    }
    for p in pending {
        let msg = format!("the agent process exited unexpectedly ({code}); run the step again");
        app.events.emit(Event::agent_message(
            &p.ctx.agent_id,
            json!({"type": "error", "request_id": p.ctx.agent_id, "error": msg}),
        ));
        finish(&app, &sc, p, false, Some(msg), "error");
    }
}

/// Routes one stdout line of a sidecar.
fn route_line(app: &Arc<App>, sc: &Sidecar, line: &str) {
    let v: Value = match serde_json::from_str(line) {
        Ok(v) => v,
        Err(_) => {
            tracing::debug!("sidecar[{}] dropped unparseable line", sc.skill);
            return;
        }
    };
    let ty = v["type"].as_str().unwrap_or("");
    if ty == "pong" {
        // Heartbeats are not activity: an idle runner must still be reaped.
        sc.pong.notify_one();
        return;
    }
    sc.touch();
    let Some(rid) = v["request_id"].as_str() else {
        if ty == "error" {
            tracing::warn!(
                "sidecar[{}] error: {}",
                sc.skill,
                v["message"].as_str().unwrap_or("")
            );
        }
        return;
    };
    let mut pending = sc.pending.lock().unwrap_or_else(|p| p.into_inner());
    let Some(p) = pending.get_mut(rid) else {
        return;
    };
    if let Some(t) = p.transcript.as_mut() {
        t.write(&v);
    }
    p.counts.observe(&v);
    let agent_id = p.ctx.agent_id.clone();
    let subtype = v["subtype"].as_str().unwrap_or("");
    let mut forward = false;
    let ended: Option<(bool, Option<String>)> = match ty {
        "system" if matches!(subtype, "init_start" | "sdk_ready") => {
            let ts = v["timestamp"].as_u64().unwrap_or(0);
            app.events
                .emit(Event::agent_init_progress(&agent_id, subtype, ts));
            None
        }
        "system" if subtype == "sdk_stderr" => None,
        "result" => {
            p.result = Some(v.clone());
            app.events.emit(Event::agent_message(&agent_id, v.clone()));
            if p.session.is_none() {
                let ok = metrics::result_succeeded(&v);
                let err = (!ok).then(|| agent_error_text(&v));
                Some((ok, err))
            } else {
                None
            }
        }
        "error" => {
            // A refused `stream_start` (no `session_id` on the line) opened no session.
            if p.opens_session && v["session_id"].is_null() {
                if let Some(sid) = &p.session {
                    sc.session_ended(sid);
                }
            }
            let msg = v["message"].as_str().unwrap_or("agent error").to_string();
            app.events.emit(Event::agent_message(
                &agent_id,
                json!({"type": "error", "request_id": agent_id, "error": msg}),
            ));
            Some((false, Some(msg)))
        }
        "turn_complete" | "session_exhausted" => {
            if ty == "session_exhausted" {
                if let Some(sid) = v["session_id"].as_str() {
                    sc.session_ended(sid);
                }
            }
            let ok = p
                .result
                .as_ref()
                .map(metrics::result_succeeded)
                .unwrap_or(true);
            Some((ok, (!ok).then(|| "the refine turn failed".to_string())))
        }
        "request_complete" => Some((false, Some("the agent ended without a result".into()))),
        _ => {
            forward = true;
            None
        }
    };
    match ended {
        Some((ok, err)) => {
            if let Some(p) = pending.remove(rid) {
                drop(pending);
                finish(app, sc, p, ok, err, if ok { "completed" } else { "error" });
            }
        }
        // The common case (every streamed message): the parsed line moves into the event
        // instead of being deep-cloned (still under the pending lock, so no `agent-exit` of
        // this request can overtake it). See docs/benchmarks.md › Profile.
        None if forward => app.events.emit(Event::agent_message(&agent_id, v)),
        None => {}
    }
}

fn agent_error_text(result: &Value) -> String {
    let detail = result["errors"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("; ")
        })
        .filter(|s| !s.is_empty())
        .or_else(|| result["result"].as_str().map(str::to_owned))
        .unwrap_or_default();
    format!(
        "the agent stopped with {}{}",
        result["subtype"].as_str().unwrap_or("an error"),
        if detail.is_empty() {
            String::new()
        } else {
            format!(": {detail}")
        }
    )
}
