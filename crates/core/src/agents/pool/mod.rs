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

mod finish;
mod reader;
mod reaper;
mod request;
mod spawn;

pub use request::{AgentHandle, AgentOutcome, AgentRequest, FinishHook, RequestKind};

use super::metrics::{RunContext, StreamCounts};
use super::transcript::Transcript;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::process::{Child, ChildStdin};
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

    /// Whether the key's sidecar holds an open streaming session (tests and diagnostics).
    pub fn has_open_session(&self, skill: &str) -> bool {
        self.get(skill).is_some_and(|s| s.has_open_session())
    }
}
