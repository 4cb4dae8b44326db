//! Backend → UI events. Core emits typed events into an `EventBus`; each shell adapts it
//! with an `EventSink` (SSE for the server, `AppHandle::emit` for Tauri, progress for the CLI).

use serde::Serialize;
use serde_json::Value;
use std::sync::{Arc, RwLock};

/// One event: its wire name (`agent-message`, …) and its snake_case JSON payload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub name: &'static str,
    pub payload: Value,
}

pub const AGENT_MESSAGE: &str = "agent-message";
pub const AGENT_EXIT: &str = "agent-exit";
pub const AGENT_SHUTDOWN: &str = "agent-shutdown";
pub const AGENT_INIT_PROGRESS: &str = "agent-init-progress";
pub const AGENT_INIT_ERROR: &str = "agent-init-error";
pub const CLOSE_REQUESTED: &str = "close-requested";
/// Progress of an eval run (`run_evals`): finished and total agent jobs.
pub const EVAL_PROGRESS: &str = "eval-progress";

/// Every event name a shell must relay.
pub const ALL_EVENTS: [&str; 7] = [
    AGENT_MESSAGE,
    AGENT_EXIT,
    AGENT_SHUTDOWN,
    AGENT_INIT_PROGRESS,
    AGENT_INIT_ERROR,
    CLOSE_REQUESTED,
    EVAL_PROGRESS,
];

impl Event {
    pub fn agent_message(agent_id: &str, message: Value) -> Event {
        // Built by hand: `json!` passes `message` through `to_value`, a deep copy of every
        // streamed message (docs/benchmarks.md › Profile).
        let mut payload = serde_json::Map::with_capacity(2);
        payload.insert("agent_id".into(), Value::String(agent_id.into()));
        payload.insert("message".into(), message);
        Event {
            name: AGENT_MESSAGE,
            payload: Value::Object(payload),
        }
    }
    /// `error` says why a request failed (a crash, a refused start); absent on success.
    pub fn agent_exit(agent_id: &str, success: bool, error: Option<&str>) -> Event {
        let mut payload = serde_json::json!({"agent_id": agent_id, "success": success});
        if let Some(e) = error {
            payload["error"] = Value::String(e.to_string());
        }
        Event {
            name: AGENT_EXIT,
            payload,
        }
    }
    pub fn agent_shutdown(agent_id: &str) -> Event {
        Event {
            name: AGENT_SHUTDOWN,
            payload: serde_json::json!({"agent_id": agent_id}),
        }
    }
    pub fn agent_init_progress(agent_id: &str, subtype: &str, timestamp: u64) -> Event {
        Event {
            name: AGENT_INIT_PROGRESS,
            payload: serde_json::json!({"agent_id": agent_id, "subtype": subtype, "timestamp": timestamp}),
        }
    }
    pub fn agent_init_error(error_type: &str, message: &str, fix_hint: &str) -> Event {
        Event {
            name: AGENT_INIT_ERROR,
            payload: serde_json::json!({"error_type": error_type, "message": message, "fix_hint": fix_hint}),
        }
    }
}

/// Where events go. Implementations must be cheap and must not block.
pub trait EventSink: Send + Sync {
    fn emit(&self, event: &Event);
}

/// Fans every event out to the subscribed sinks, in emission order.
#[derive(Default)]
pub struct EventBus {
    sinks: RwLock<Vec<Arc<dyn EventSink>>>,
}

impl EventBus {
    pub fn subscribe(&self, sink: Arc<dyn EventSink>) {
        self.sinks
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .push(sink);
    }

    pub fn emit(&self, event: Event) {
        for s in self.sinks.read().unwrap_or_else(|p| p.into_inner()).iter() {
            s.emit(&event);
        }
    }
}

/// A sink that keeps every event (tests, and the CLI's end-of-run summary).
#[derive(Default)]
pub struct RecordingSink {
    events: std::sync::Mutex<Vec<Event>>,
}

impl RecordingSink {
    pub fn events(&self) -> Vec<Event> {
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl EventSink for RecordingSink {
    fn emit(&self, event: &Event) {
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(event.clone());
    }
}
