//! Stopping sidecars: one on request, all at shutdown, and the heartbeat that reaps idle or
//! unresponsive ones.

use super::finish::finish;
use super::{kill_group, Pending, PoolConfig, Sidecar, SidecarPool};
use crate::app::App;
use crate::events::Event;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

impl SidecarPool {
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

pub(super) async fn stop_sidecar(app: &Arc<App>, sc: &Arc<Sidecar>, timeout: Duration) {
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

pub(super) async fn heartbeat(app: Weak<App>, sc: Arc<Sidecar>, cfg: PoolConfig) {
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
