//! Ending a request: usage rows, transcript close, the finish hook, `agent-exit`, the waiter.

use super::{AgentOutcome, Pending, Sidecar};
use crate::agents::metrics;
use crate::app::App;
use crate::events::Event;
use serde_json::{json, Value};
use std::sync::Arc;

pub(super) fn take_pending(sc: &Sidecar, id: &str) -> Option<Pending> {
    sc.pending
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(id)
}

/// Ends a request: usage rows, transcript close, hook, `agent-exit`, then the waiter.
/// Runs its database and git work on a blocking thread.
pub(super) fn finish(
    app: &Arc<App>,
    sc: &Sidecar,
    mut p: Pending,
    success: bool,
    error: Option<String>,
    status: &str,
) {
    let rows = match &p.result {
        Some(r) => {
            let effective = match &p.session {
                Some(sid) => {
                    let mut totals = sc.session_totals.lock().unwrap_or_else(|e| e.into_inner());
                    let delta = session_delta(r, totals.get(sid));
                    totals.insert(sid.clone(), r.clone());
                    delta
                }
                None => r.clone(),
            };
            let mut rows = metrics::rows_for_result(&p.ctx, &effective, &p.counts);
            if status == "shutdown" {
                rows.iter_mut().for_each(|r| r.status = "shutdown".into());
            }
            rows
        }
        None => {
            let mut r = metrics::running_row(&p.ctx);
            r.status = status.into();
            r.tool_use_count = p.counts.tool_uses;
            r.compaction_count = p.counts.compactions;
            vec![r]
        }
    };
    let app = app.clone();
    let outcome = AgentOutcome {
        agent_id: p.ctx.agent_id.clone(),
        success,
        result: p.result.take(),
        error,
    };
    let done = p.done.take();
    let hook = p.on_finish.take();
    let requested_model = p.ctx.model.clone();
    drop(p.transcript.take());
    let work = move || {
        // The running row was keyed by the requested model; drop it when the SDK reported
        // other model names, so the request never looks busy forever.
        if !rows.iter().any(|r| r.model == requested_model) {
            let _ = crate::db::runs_store::delete_running(
                &app.db.conn(),
                &outcome.agent_id,
                &requested_model,
            );
        }
        for r in rows {
            if let Err(e) = crate::usage::persist_agent_run(&app, r) {
                tracing::warn!("could not record usage of {}: {e}", outcome.agent_id);
            }
        }
        if let Some(h) = hook {
            h(&app, &outcome);
        }
        app.events.emit(Event::agent_exit(
            &outcome.agent_id,
            outcome.success,
            outcome.error.as_deref(),
        ));
        if let Some(d) = done {
            let _ = d.send(outcome);
        }
    };
    match tokio::runtime::Handle::try_current() {
        Ok(h) => {
            h.spawn_blocking(work);
        }
        Err(_) => work(),
    }
}

/// A session `result` carries running totals; the turn's own figures are the difference.
fn session_delta(now: &Value, prev: Option<&Value>) -> Value {
    let Some(prev) = prev else {
        return now.clone();
    };
    let mut out = now.clone();
    let sub = |a: &Value, b: &Value| -> Value {
        match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) if x >= y => {
                if a.is_f64() {
                    json!(x - y)
                } else {
                    json!((x - y) as i64)
                }
            }
            _ => a.clone(),
        }
    };
    for k in ["num_turns", "duration_api_ms", "total_cost_usd"] {
        out[k] = sub(&now[k], &prev[k]);
    }
    if let Some(models) = out["modelUsage"].as_object_mut() {
        for (m, u) in models.iter_mut() {
            for f in [
                "inputTokens",
                "outputTokens",
                "cacheReadInputTokens",
                "cacheCreationInputTokens",
                "costUSD",
            ] {
                u[f] = sub(&u[f], &prev["modelUsage"][m][f]);
            }
        }
    }
    if let Some(u) = out["usage"].as_object_mut() {
        for f in [
            "input_tokens",
            "output_tokens",
            "cache_read_input_tokens",
            "cache_creation_input_tokens",
        ] {
            let v = sub(&u[f].clone(), &prev["usage"][f]);
            u.insert(f.into(), v);
        }
    }
    out
}
