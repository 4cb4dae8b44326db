//! Starting a sidecar: the settings it is started with, the Node.js checks, the ready handshake.

use super::reader::read_loop;
use super::reaper::{heartbeat, stop_sidecar};
use super::{kill_group, PoolConfig, Sidecar, SidecarPool};
use crate::agents::transcript;
use crate::app::App;
use crate::error::{Error, Result};
use crate::events::Event;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

impl SidecarPool {
    /// The key's sidecar, spawned when there is none, or replaced when `start` (the request's
    /// start settings; `None`: any process will do) differs from what it was started with and
    /// it is idle. A busy one is kept: its work must not be cut off, and the key and mock flag
    /// travel in each request anyway.
    pub(super) async fn get_or_spawn(
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
}

/// What a request needs its sidecar to have been started with.
pub(super) struct StartSettings {
    fingerprint: String,
    mock: bool,
}

impl StartSettings {
    /// Reads the request's mock flag (and writes it back as an explicit boolean, so the
    /// sidecar never falls back to anything else) and the current start settings.
    pub(super) fn of(app: &App, config: &mut Value) -> StartSettings {
        let mock = match &config["mock"] {
            Value::Bool(b) => *b,
            Value::String(s) => crate::agents::switch_on(s),
            _ => false,
        };
        if let Some(o) = config.as_object_mut() {
            o.insert("mock".into(), Value::Bool(mock));
        }
        let model = crate::settings::load(app)
            .ok()
            .and_then(|s| s.preferred_model)
            .unwrap_or_default();
        let base_url = app.options.anthropic_base_url.clone().unwrap_or_default();
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

pub(super) async fn spawn_sidecar(
    app: &Arc<App>,
    skill: &str,
    cfg: &PoolConfig,
    fingerprint: String,
    mock: bool,
) -> Result<Arc<Sidecar>> {
    let (status, node) = crate::node::probe_node(&app.options).await;
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
    let dir = crate::node::sidecar_dir(&app.options);
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
        .kill_on_drop(true);
    // The child sees the app's options, not whatever the shell's environment holds (mock mode
    // travels in each request's config, never in the process environment).
    for (name, value) in app.options.sidecar_env() {
        match value {
            Some(v) => cmd.env(name, v),
            None => cmd.env_remove(name),
        };
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let app = App::open_with(Some(dir.path().to_path_buf()), Default::default()).unwrap();
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
