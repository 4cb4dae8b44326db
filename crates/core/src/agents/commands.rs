//! The Agents & lifecycle command group: free-form agent runs, running-agent checks, sidecar
//! cleanup and the graceful shutdown every shell calls before exit.

use super::{AgentRequest, RequestKind};
use crate::app::App;
use crate::error::{Error, Result};
use serde::Deserialize;
use serde_json::json;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartAgentArgs {
    pub agent_id: String,
    pub prompt: String,
    pub model: String,
    pub cwd: String,
    #[serde(default)]
    pub allowed_tools: Option<Vec<String>>,
    #[serde(default)]
    pub max_turns: Option<u32>,
    #[serde(default)]
    pub session_id: Option<String>,
    pub skill_name: String,
    #[serde(default)]
    pub step_label: Option<String>,
    #[serde(default)]
    pub agent_name: Option<String>,
    #[serde(default)]
    pub transcript_log_dir: Option<String>,
}

/// Folders a free-form agent may work in: the app roots and the skill-test workspaces.
fn agent_roots(app: &App) -> Vec<PathBuf> {
    vec![
        app.workspace_path(),
        app.skills_path(),
        app.paths.data_dir.clone(),
        std::env::temp_dir(),
    ]
}

pub async fn start_agent(app: &Arc<App>, a: StartAgentArgs) -> Result<String> {
    crate::ingest::names::validate_skill_name(&a.skill_name)?;
    if a.agent_id.trim().is_empty() || a.agent_id.len() > 200 {
        return Err(Error::invalid("agentId must be 1–200 characters"));
    }
    let cwd = crate::path_guard::guard(&a.cwd, &agent_roots(app), crate::path_guard::Intent::Read)?;
    if !cwd.is_dir() {
        return Err(Error::not_found(format!(
            "cwd {} is not a folder",
            cwd.display()
        )));
    }
    let transcript = match &a.transcript_log_dir {
        Some(d) => Some(crate::path_guard::guard(
            d,
            &agent_roots(app),
            crate::path_guard::Intent::Write,
        )?),
        None => None,
    };
    let mock = app.mock_agents();
    let settings = crate::settings::load(app)?;
    let mut config = json!({
        "prompt": a.prompt,
        "cwd": cwd.display().to_string(),
        "model": a.model,
        "maxTurns": a.max_turns.unwrap_or(50),
        "permissionMode": "acceptEdits",
        "skillName": a.skill_name,
    });
    if let Some(t) = &a.allowed_tools {
        config["allowedTools"] = json!(t);
    }
    if let Some(n) = &a.agent_name {
        config["agentName"] = json!(n);
    }
    if let Some(s) = &a.session_id {
        config["sessionId"] = json!(s);
    }
    if mock {
        config["mock"] = json!(true);
    } else {
        config["apiKey"] = json!(crate::anthropic::require_api_key(app)?);
    }
    if settings.extended_thinking {
        config["maxThinkingTokens"] = json!(16_000);
    }
    let label = a.agent_name.clone().unwrap_or_else(|| "agent".into());
    let req = AgentRequest {
        agent_id: a.agent_id.clone(),
        skill_name: a.skill_name,
        pool_key: None,
        step_id: -1,
        model: a.model,
        config,
        transcript: transcript.map(|d| (d, label)),
        workflow_session_id: None,
        kind: RequestKind::OneShot,
        on_finish: None,
    };
    Ok(app.agents.send(app, req).await?.agent_id)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HasRunningArgs {
    #[serde(default)]
    pub workflow_session_id: Option<String>,
}

/// True when a request of that session is really in flight (the pool is asked, so a stale
/// `running` row never makes a session look busy forever). Without a session id the question
/// is for the whole app: is any agent running (the close-the-window check)?
pub async fn has_running_agents(app: &Arc<App>, a: HasRunningArgs) -> Result<bool> {
    let Some(sid) = a.workflow_session_id else {
        return Ok(app.agents.has_pending(None));
    };
    let ids: Vec<String> = {
        let conn = app.db.conn();
        let mut stmt = conn.prepare(
            "SELECT agent_id FROM agent_runs WHERE workflow_session_id = ?1 AND status = 'running'",
        )?;
        let rows = stmt.query_map([&sid], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    Ok(!ids.is_empty() && app.agents.has_pending(Some(&ids)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CleanupArgs {
    pub skill_name: String,
}

pub async fn cleanup_skill_sidecar(app: &Arc<App>, a: CleanupArgs) -> Result<()> {
    app.agents.cleanup_skill(app, &a.skill_name).await;
    Ok(())
}

pub const SHUTDOWN_BUDGET: Duration = Duration::from_secs(5);

/// Stops every sidecar, releases this instance's locks and ends its sessions, within 5 s.
pub async fn graceful_shutdown(app: &Arc<App>, _: crate::args::NoArgs) -> Result<()> {
    let stop = tokio::time::timeout(SHUTDOWN_BUDGET, app.agents.shutdown_all(app)).await;
    app.agents.kill_all_now();
    app.shutdown();
    stop.map_err(|_| Error::agent("Graceful shutdown timed out after 5s. Force-exit required."))
}
