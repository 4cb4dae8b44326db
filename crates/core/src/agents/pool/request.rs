//! The public request types: what a request sends, how it ended, the handle to wait on; sending.

use super::finish::{finish, take_pending};
use super::spawn::StartSettings;
use super::{Pending, SidecarPool};
use crate::agents::metrics::{self, RunContext, StreamCounts};
use crate::agents::transcript::{self, Transcript};
use crate::app::App;
use crate::error::{Error, Result};
use crate::events::Event;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::oneshot;

/// What a request sends to the sidecar.
pub enum RequestKind {
    OneShot,
    StreamStart {
        session_id: String,
    },
    StreamMessage {
        session_id: String,
        user_message: String,
    },
}

pub type FinishHook = Box<dyn FnOnce(&Arc<App>, &AgentOutcome) + Send>;

pub struct AgentRequest {
    pub agent_id: String,
    pub skill_name: String,
    /// Which sidecar runs it (default: the skill's own).
    pub pool_key: Option<String>,
    pub step_id: i32,
    pub model: String,
    /// The sidecar config (camelCase); may hold `apiKey`, which never leaves this process
    /// except on the sidecar's stdin.
    pub config: Value,
    /// Transcript folder and file label (`{label}-{timestamp}.jsonl`).
    pub transcript: Option<(PathBuf, String)>,
    pub workflow_session_id: Option<String>,
    pub kind: RequestKind,
    /// Runs (on a blocking thread) after the request ended, before `agent-exit` is emitted.
    pub on_finish: Option<FinishHook>,
}

/// How a request ended.
#[derive(Debug, Clone)]
pub struct AgentOutcome {
    pub agent_id: String,
    pub success: bool,
    /// The SDK `result` message, when one arrived.
    pub result: Option<Value>,
    pub error: Option<String>,
}

pub struct AgentHandle {
    pub agent_id: String,
    pub(super) rx: oneshot::Receiver<AgentOutcome>,
}

impl AgentHandle {
    /// Waits for the request to end (its `agent-exit` has been emitted by then).
    pub async fn wait(self) -> AgentOutcome {
        let id = self.agent_id.clone();
        self.rx.await.unwrap_or(AgentOutcome {
            agent_id: id,
            success: false,
            result: None,
            error: Some("the agent request was dropped".into()),
        })
    }
}

impl SidecarPool {
    /// Sends a request to the skill's sidecar (spawning it if needed) and returns at once;
    /// the stream arrives as events. Usage rows and the transcript are written as it runs.
    pub async fn send(&self, app: &Arc<App>, mut req: AgentRequest) -> Result<AgentHandle> {
        let key = req
            .pool_key
            .clone()
            .unwrap_or_else(|| req.skill_name.clone());
        // A follow-up message goes to the session's own process, whatever changed since.
        let start = match req.kind {
            RequestKind::StreamMessage { .. } => None,
            _ => Some(StartSettings::of(app, &mut req.config)),
        };
        let sc = self.get_or_spawn(app, &key, start.as_ref()).await?;
        let api_key: Vec<String> = req.config["apiKey"]
            .as_str()
            .map(|k| vec![k.to_string()])
            .unwrap_or_default();
        if let Some(k) = api_key.first() {
            crate::logging::register_secret(k);
            let mut s = sc.secrets.lock().unwrap_or_else(|p| p.into_inner());
            if !s.contains(k) {
                s.push(k.clone());
            }
        }
        let mut shown = req.config.clone();
        transcript::redact_value(&mut shown);
        tracing::debug!(
            "agent {} prompt: {}",
            req.agent_id,
            transcript::scrub(shown["prompt"].as_str().unwrap_or(""), &api_key)
        );
        if let Some(o) = shown.as_object_mut() {
            o.remove("prompt");
        }
        let transcript = req.transcript.as_ref().and_then(|(dir, label)| {
            Transcript::create(dir, label, &req.config, api_key.clone())
                .inspect_err(|e| {
                    tracing::warn!("cannot create transcript in {}: {e}", dir.display())
                })
                .ok()
        });
        app.events.emit(Event::agent_message(
            &req.agent_id,
            json!({"type": "config", "request_id": req.agent_id, "config": shown}),
        ));
        let ctx = RunContext {
            agent_id: req.agent_id.clone(),
            skill_name: req.skill_name.clone(),
            step_id: req.step_id,
            model: req.model.clone(),
            workflow_session_id: req.workflow_session_id.clone(),
        };
        if let Err(e) = crate::usage::persist_agent_run(app, metrics::running_row(&ctx)) {
            tracing::warn!("could not record the running agent {}: {e}", ctx.agent_id);
        }
        let (tx, rx) = oneshot::channel();
        let (line, session) = match &req.kind {
            RequestKind::OneShot => (
                json!({"type": "agent_request", "request_id": req.agent_id, "config": req.config}),
                None,
            ),
            RequestKind::StreamStart { session_id } => {
                sc.sessions
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .insert(session_id.clone());
                (
                    json!({"type": "stream_start", "request_id": req.agent_id, "session_id": session_id, "config": req.config}),
                    Some(session_id.clone()),
                )
            }
            RequestKind::StreamMessage {
                session_id,
                user_message,
            } => (
                json!({"type": "stream_message", "request_id": req.agent_id, "session_id": session_id, "user_message": user_message}),
                Some(session_id.clone()),
            ),
        };
        sc.pending.lock().unwrap_or_else(|p| p.into_inner()).insert(
            req.agent_id.clone(),
            Pending {
                ctx,
                transcript,
                counts: StreamCounts::default(),
                result: None,
                opens_session: matches!(req.kind, RequestKind::StreamStart { .. }),
                session,
                on_finish: req.on_finish,
                done: Some(tx),
            },
        );
        sc.touch();
        if let Err(e) = sc.write_line(&line).await {
            let msg = format!("could not send the request to the agent runner: {e}");
            if let RequestKind::StreamStart { session_id } = &req.kind {
                sc.session_ended(session_id);
            }
            if let Some(p) = take_pending(&sc, &req.agent_id) {
                finish(app, &sc, p, false, Some(msg.clone()), "error");
            }
            return Err(Error::agent(msg));
        }
        Ok(AgentHandle {
            agent_id: req.agent_id,
            rx,
        })
    }

    /// Ends a streaming session on the skill's sidecar (no-op when none runs).
    pub async fn end_stream(&self, skill: &str, session_id: &str) {
        if let Some(sc) = self.get(skill) {
            if let Err(e) = sc
                .write_line(&json!({"type": "stream_end", "session_id": session_id}))
                .await
            {
                tracing::warn!("stream_end for {session_id} failed: {e}");
            }
            sc.session_totals
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(session_id);
            sc.session_ended(session_id);
        }
    }
}
