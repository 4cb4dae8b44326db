//! The SidecarPool: one persistent Node sidecar per skill, spawned on first use, reused,
//! pinged, reaped when idle, shut down on request. It routes each stdout line to its request
//! and turns it into events, transcript lines and usage rows. A dying sidecar never strands a
//! request: every pending request ends with an error and an `agent-exit`.
//!
//! Each sidecar remembers a fingerprint of what it was started with (API key, base URL,
//! preferred model, mock mode; a hash, never the key). A request whose fingerprint differs gets
//! a fresh sidecar as soon as the old one is idle (no pending request, no open session), so a
//! settings change never keeps serving requests from a process set up for the old values.
//! Mock mode itself is decided per request by the `mock` flag of its config.
//! A sidecar with an open streaming (refine) session is never reaped for idleness: the user
//! may think for longer than the idle timeout between two messages.

use super::metrics::{self, RunContext, StreamCounts};
use super::transcript::{self, Transcript};
use crate::app::App;
use crate::error::{Error, Result};
use crate::events::Event;
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::oneshot;

#[derive(Debug, Clone)]
pub struct PoolConfig {
    pub ready_timeout: Duration,
    pub idle_timeout: Duration,
    pub heartbeat_interval: Duration,
    pub pong_timeout: Duration,
    /// How long one sidecar gets to exit after `shutdown` before it is killed.
    pub stop_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            ready_timeout: Duration::from_secs(20),
            idle_timeout: Duration::from_secs(600),
            heartbeat_interval: Duration::from_secs(30),
            pong_timeout: Duration::from_secs(5),
            stop_timeout: Duration::from_secs(3),
        }
    }
}

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
    rx: oneshot::Receiver<AgentOutcome>,
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

struct Pending {
    ctx: RunContext,
    transcript: Option<Transcript>,
    counts: StreamCounts,
    result: Option<Value>,
    session: Option<String>,
    /// This request is the session's `stream_start`: if it fails, no session was opened.
    opens_session: bool,
    on_finish: Option<FinishHook>,
    done: Option<oneshot::Sender<AgentOutcome>>,
}

struct Sidecar {
    skill: String,
    pid: u32,
    stdin: tokio::sync::Mutex<ChildStdin>,
    child: tokio::sync::Mutex<Child>,
    pending: Mutex<HashMap<String, Pending>>,
    /// The previous `result` of each streaming session: session results are running totals.
    session_totals: Mutex<HashMap<String, Value>>,
    last_activity: Mutex<Instant>,
    dead: AtomicBool,
    pong: tokio::sync::Notify,
    secrets: Mutex<Vec<String>>,
    /// [`start_fingerprint`] of what this process was started with.
    fingerprint: String,
    /// Streaming sessions opened here and not ended yet.
    sessions: Mutex<HashSet<String>>,
}

impl Sidecar {
    fn touch(&self) {
        *self.last_activity.lock().unwrap_or_else(|p| p.into_inner()) = Instant::now();
    }
    fn idle_for(&self) -> Duration {
        self.last_activity
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .elapsed()
    }
    fn has_pending(&self) -> bool {
        !self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
    }
    fn has_open_session(&self) -> bool {
        !self
            .sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty()
    }
    /// Work that a restart or the idle reaper would cut off.
    fn busy(&self) -> bool {
        self.has_pending() || self.has_open_session()
    }
    fn session_ended(&self, session_id: &str) {
        self.sessions
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(session_id);
    }
    async fn write_line(&self, v: &Value) -> std::io::Result<()> {
        let mut stdin = self.stdin.lock().await;
        stdin.write_all(format!("{v}\n").as_bytes()).await?;
        stdin.flush().await
    }
}

#[derive(Default)]
pub struct SidecarPool {
    sidecars: Mutex<HashMap<String, Arc<Sidecar>>>,
    spawn_lock: tokio::sync::Mutex<()>,
    config: Mutex<PoolConfig>,
}

/// Kills the sidecar's whole process group (node and the Claude CLI it started).
fn kill_group(pid: u32) {
    #[cfg(unix)]
    unsafe {
        // SAFETY: plain syscall; the sidecar was started as leader of its own group.
        libc::killpg(pid as libc::pid_t, libc::SIGKILL);
    }
    #[cfg(not(unix))]
    let _ = pid;
}

impl SidecarPool {
    pub fn set_config(&self, c: PoolConfig) {
        *self.config.lock().unwrap_or_else(|p| p.into_inner()) = c;
    }
    fn cfg(&self) -> PoolConfig {
        self.config
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// PIDs of the running sidecars (tests and diagnostics).
    pub fn pids(&self) -> Vec<u32> {
        self.sidecars
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .map(|s| s.pid)
            .collect()
    }

    /// The sidecar PID of one skill, if running.
    pub fn pid_of(&self, skill: &str) -> Option<u32> {
        self.sidecars
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(skill)
            .map(|s| s.pid)
    }

    /// Whether any request of these ids (or any at all, with `None`) is in flight.
    pub fn has_pending(&self, agent_ids: Option<&[String]>) -> bool {
        let map = self.sidecars.lock().unwrap_or_else(|p| p.into_inner());
        map.values().any(|s| {
            let p = s.pending.lock().unwrap_or_else(|p| p.into_inner());
            match agent_ids {
                None => !p.is_empty(),
                Some(ids) => ids.iter().any(|id| p.contains_key(id)),
            }
        })
    }

    /// Whether a request on behalf of `skill` is in flight, whichever sidecar runs it (skill
    /// tests use their own pool key but still write into the skill's folders).
    pub fn has_pending_for_skill(&self, skill: &str) -> bool {
        let map = self.sidecars.lock().unwrap_or_else(|p| p.into_inner());
        map.values().any(|s| {
            s.pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .values()
                .any(|p| p.ctx.skill_name == skill)
        })
    }

    fn get(&self, skill: &str) -> Option<Arc<Sidecar>> {
        let map = self.sidecars.lock().unwrap_or_else(|p| p.into_inner());
        map.get(skill)
            .filter(|s| !s.dead.load(Ordering::SeqCst))
            .cloned()
    }

    fn remove_if_same(&self, sc: &Arc<Sidecar>) {
        let mut map = self.sidecars.lock().unwrap_or_else(|p| p.into_inner());
        if map.get(&sc.skill).is_some_and(|s| Arc::ptr_eq(s, sc)) {
            map.remove(&sc.skill);
        }
    }

    /// The key's sidecar, spawned when there is none, or replaced when `start` (the request's
    /// start settings; `None`: any process will do) differs from what it was started with and
    /// it is idle. A busy one is kept: its work must not be cut off, and the key and mock flag
    /// travel in each request anyway.
    async fn get_or_spawn(
        &self,
        app: &Arc<App>,
        skill: &str,
        start: Option<&StartSettings>,
    ) -> Result<Arc<Sidecar>> {
        let fits = |s: &Sidecar| start.is_none_or(|st| st.fingerprint == s.fingerprint);
        if let Some(s) = self.get(skill).filter(|s| fits(s)) {
            return Ok(s);
        }
        let _guard = self.spawn_lock.lock().await;
        if let Some(s) = self.get(skill) {
            if fits(&s) {
                return Ok(s);
            }
            if s.busy() {
                tracing::debug!(
                    "agent runner for '{skill}' was started with other settings but is busy; reusing it"
                );
                return Ok(s);
            }
            tracing::info!(
                "restarting the agent runner for '{skill}': its API key, base URL, model or mock mode changed"
            );
            self.remove_if_same(&s);
            stop_sidecar(app, &s, self.cfg().stop_timeout).await;
        }
        let mock = start.is_some_and(|st| st.mock);
        let fingerprint = start.map(|st| st.fingerprint.clone()).unwrap_or_default();
        let sc = spawn_sidecar(app, skill, &self.cfg(), fingerprint, mock)
            .await
            .inspect_err(|e| {
                tracing::warn!("agent runner for '{skill}' could not start: {e}");
            })?;
        self.sidecars
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(skill.to_string(), sc.clone());
        Ok(sc)
    }

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

    /// Whether the key's sidecar holds an open streaming session (tests and diagnostics).
    pub fn has_open_session(&self, skill: &str) -> bool {
        self.get(skill).is_some_and(|s| s.has_open_session())
    }

    /// Stops the skill's sidecar: pending requests get `agent-shutdown`, the process gets
    /// `shutdown`, then is killed after the stop timeout. No sidecar → no-op.
    pub async fn cleanup_skill(&self, app: &Arc<App>, skill: &str) {
        let sc = self
            .sidecars
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(skill);
        if let Some(sc) = sc {
            stop_sidecar(app, &sc, self.cfg().stop_timeout).await;
        }
    }

    /// Stops every sidecar concurrently.
    pub async fn shutdown_all(&self, app: &Arc<App>) {
        let all: Vec<Arc<Sidecar>> = self
            .sidecars
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
            .map(|(_, s)| s)
            .collect();
        let stop = self.cfg().stop_timeout;
        let tasks: Vec<_> = all
            .into_iter()
            .map(|sc| {
                let app = app.clone();
                tokio::spawn(async move { stop_sidecar(&app, &sc, stop).await })
            })
            .collect();
        for t in tasks {
            let _ = t.await;
        }
    }

    /// Last-resort cleanup when no runtime is left (process exit): kill every group.
    pub fn kill_all_now(&self) {
        for sc in self
            .sidecars
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .drain()
        {
            kill_group(sc.1.pid);
        }
    }
}

fn take_pending(sc: &Sidecar, id: &str) -> Option<Pending> {
    sc.pending
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(id)
}

async fn stop_sidecar(app: &Arc<App>, sc: &Arc<Sidecar>, timeout: Duration) {
    sc.dead.store(true, Ordering::SeqCst);
    let pending: Vec<Pending> = sc
        .pending
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .drain()
        .map(|(_, p)| p)
        .collect();
    for p in pending {
        app.events.emit(Event::agent_shutdown(&p.ctx.agent_id));
        finish(
            app,
            sc,
            p,
            false,
            Some("the agent runner was shut down".into()),
            "shutdown",
        );
    }
    let _ = sc.write_line(&json!({"type": "shutdown"})).await;
    let mut child = sc.child.lock().await;
    if tokio::time::timeout(timeout, child.wait()).await.is_err() {
        tracing::warn!(
            "agent runner for '{}' did not exit in time; killing it",
            sc.skill
        );
    }
    kill_group(sc.pid);
    let _ = child.wait().await;
}

/// Ends a request: usage rows, transcript close, hook, `agent-exit`, then the waiter.
/// Runs its database and git work on a blocking thread.
fn finish(
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
            let _ = app.db.conn().execute(
                "DELETE FROM agent_runs WHERE agent_id = ?1 AND model = ?2 AND status = 'running'",
                rusqlite::params![outcome.agent_id, requested_model],
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

/// What a request needs its sidecar to have been started with.
struct StartSettings {
    fingerprint: String,
    mock: bool,
}

impl StartSettings {
    /// Reads the request's mock flag (and writes it back as an explicit boolean, so the
    /// sidecar never falls back to anything else) and the current start settings.
    fn of(app: &App, config: &mut Value) -> StartSettings {
        let mock = match &config["mock"] {
            Value::Bool(b) => *b,
            Value::String(s) => super::switch_on(s),
            _ => false,
        };
        if let Some(o) = config.as_object_mut() {
            o.insert("mock".into(), Value::Bool(mock));
        }
        let model = crate::settings::load(app)
            .ok()
            .and_then(|s| s.preferred_model)
            .unwrap_or_default();
        let base_url = std::env::var("ANTHROPIC_BASE_URL").unwrap_or_default();
        let key = config["apiKey"].as_str().unwrap_or("");
        StartSettings {
            fingerprint: start_fingerprint(key, &base_url, &model, mock),
            mock,
        }
    }
}

/// A hash of what a sidecar is started with (the key is never kept in clear).
fn start_fingerprint(api_key: &str, base_url: &str, model: &str, mock: bool) -> String {
    let mut bytes = Vec::new();
    for part in [api_key, base_url, model, if mock { "mock" } else { "real" }] {
        bytes.extend_from_slice(&(part.len() as u64).to_le_bytes());
        bytes.extend_from_slice(part.as_bytes());
    }
    crate::workspace_skills::sha256_hex(&bytes)
}

fn init_error(app: &App, kind: &str, message: &str, hint: &str) -> Error {
    app.events
        .emit(Event::agent_init_error(kind, message, hint));
    Error::agent(format!("{message}. {hint}"))
}

async fn spawn_sidecar(
    app: &Arc<App>,
    skill: &str,
    cfg: &PoolConfig,
    fingerprint: String,
    mock: bool,
) -> Result<Arc<Sidecar>> {
    let (status, node) = crate::node::probe_node().await;
    let Some(node) = node.filter(|_| status.available) else {
        return Err(init_error(
            app,
            "node_missing",
            "Node.js was not found",
            "Install Node.js 18–24 and make sure `node` is on PATH (or set SKILL_BUILDER_NODE)",
        ));
    };
    if !status.meets_minimum {
        return Err(init_error(
            app,
            "node_incompatible",
            &format!(
                "Node.js {} is not supported",
                status.version.unwrap_or_default()
            ),
            "Install Node.js 18–24",
        ));
    }
    let dir = crate::node::sidecar_dir();
    let entry = dir.as_deref().map(crate::node::sidecar_entry);
    let (Some(dir), Some(entry)) = (dir, entry.filter(|e| e.is_file())) else {
        return Err(init_error(
            app,
            "sidecar_missing",
            "the agent runner (sidecar) was not found",
            "Run `npm ci` in the sidecar/ folder, or set SKILL_BUILDER_SIDECAR_DIR",
        ));
    };
    if !crate::node::sdk_package_json(&dir).is_file() && !mock {
        return Err(init_error(
            app,
            "sidecar_missing",
            "the Claude Agent SDK is not installed in the sidecar folder",
            "Run `npm ci` in the sidecar/ folder",
        ));
    }
    let mut cmd = Command::new(&node);
    cmd.arg(&entry)
        .arg("--persistent")
        .current_dir(&dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .env("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1")
        // Mock mode travels in each request's config, never in the process environment.
        .env_remove(super::MOCK_ENV)
        .kill_on_drop(true);
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = cmd.spawn().map_err(|e| {
        init_error(
            app,
            "spawn_failed",
            &format!("could not start Node.js: {e}"),
            "Check the Node.js installation",
        )
    })?;
    let pid = child.id().unwrap_or(0);
    let stdin = child
        .stdin
        .take()
        .ok_or_else(|| Error::internal("sidecar stdin missing"))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| Error::internal("sidecar stdout missing"))?;
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| Error::internal("sidecar stderr missing"))?;
    let mut lines = BufReader::new(stdout).lines();
    let ready = tokio::time::timeout(cfg.ready_timeout, async {
        while let Ok(Some(l)) = lines.next_line().await {
            if serde_json::from_str::<Value>(&l).is_ok_and(|v| v["type"] == "sidecar_ready") {
                return true;
            }
        }
        false
    })
    .await;
    if !matches!(ready, Ok(true)) {
        kill_group(pid);
        let _ = child.kill().await;
        let what = if ready.is_err() {
            "did not report ready in time"
        } else {
            "exited during start-up"
        };
        return Err(init_error(
            app,
            "ready_timeout",
            &format!("the agent runner {what}"),
            "See the app log for its error output; reinstall with `npm ci` in sidecar/",
        ));
    }
    tracing::info!("agent runner for '{skill}' started (pid {pid})");
    let sc = Arc::new(Sidecar {
        skill: skill.to_string(),
        pid,
        stdin: tokio::sync::Mutex::new(stdin),
        child: tokio::sync::Mutex::new(child),
        pending: Mutex::new(HashMap::new()),
        session_totals: Mutex::new(HashMap::new()),
        last_activity: Mutex::new(Instant::now()),
        dead: AtomicBool::new(false),
        pong: tokio::sync::Notify::new(),
        secrets: Mutex::new(Vec::new()),
        fingerprint,
        sessions: Mutex::new(HashSet::new()),
    });
    let weak = Arc::downgrade(app);
    {
        let sc = sc.clone();
        let skill = skill.to_string();
        tokio::spawn(async move {
            let mut err = BufReader::new(stderr).lines();
            while let Ok(Some(l)) = err.next_line().await {
                let secrets = sc.secrets.lock().unwrap_or_else(|p| p.into_inner()).clone();
                tracing::debug!("sidecar[{skill}] {}", transcript::scrub(&l, &secrets));
            }
        });
    }
    tokio::spawn(read_loop(weak.clone(), sc.clone(), lines));
    tokio::spawn(heartbeat(weak, sc.clone(), cfg.clone()));
    Ok(sc)
}

async fn read_loop(
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

async fn heartbeat(app: Weak<App>, sc: Arc<Sidecar>, cfg: PoolConfig) {
    loop {
        tokio::time::sleep(cfg.heartbeat_interval).await;
        if sc.dead.load(Ordering::SeqCst) {
            return;
        }
        let Some(app) = app.upgrade() else { return };
        if !sc.busy() && sc.idle_for() >= cfg.idle_timeout {
            tracing::info!("agent runner for '{}' idle; stopping it", sc.skill);
            app.agents.remove_if_same(&sc);
            stop_sidecar(&app, &sc, cfg.stop_timeout).await;
            return;
        }
        let pong = sc.pong.notified();
        if sc.write_line(&json!({"type": "ping"})).await.is_err()
            || tokio::time::timeout(cfg.pong_timeout, pong).await.is_err()
        {
            tracing::warn!(
                "agent runner for '{}' stopped answering; killing it",
                sc.skill
            );
            kill_group(sc.pid);
            return; // the read loop sees EOF and fails the pending requests
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk-ant-api03-fingerprint-test-key-0123456789";

    #[test]
    fn the_fingerprint_changes_with_every_start_setting_and_never_holds_the_key() {
        let base = start_fingerprint(KEY, "http://127.0.0.1:1", "sonnet", false);
        assert_eq!(
            base,
            start_fingerprint(KEY, "http://127.0.0.1:1", "sonnet", false)
        );
        for other in [
            start_fingerprint("sk-other", "http://127.0.0.1:1", "sonnet", false),
            start_fingerprint(KEY, "http://127.0.0.1:2", "sonnet", false),
            start_fingerprint(KEY, "http://127.0.0.1:1", "opus", false),
            start_fingerprint(KEY, "http://127.0.0.1:1", "sonnet", true),
            // Parts are length-prefixed: moving text between them is a change too.
            start_fingerprint(&format!("{KEY}h"), "ttp://127.0.0.1:1", "sonnet", false),
        ] {
            assert_ne!(base, other);
        }
        assert!(!base.contains(KEY) && !base.contains("sk-ant"));
    }

    #[test]
    fn the_request_config_always_carries_an_explicit_mock_flag() {
        let dir = tempfile::tempdir().unwrap();
        let app = App::open(Some(dir.path().to_path_buf())).unwrap();
        let mut real = json!({"prompt": "p", "apiKey": KEY});
        assert!(!StartSettings::of(&app, &mut real).mock);
        assert_eq!(real["mock"], json!(false));
        for on in [json!(true), json!("yes"), json!("1")] {
            let mut mock = json!({"prompt": "p", "mock": on});
            assert!(StartSettings::of(&app, &mut mock).mock);
            assert_eq!(mock["mock"], json!(true));
        }
        let mut a = json!({"apiKey": KEY});
        let mut b = json!({"mock": true});
        assert_ne!(
            StartSettings::of(&app, &mut a).fingerprint,
            StartSettings::of(&app, &mut b).fingerprint
        );
    }
}
