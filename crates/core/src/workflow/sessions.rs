//! Workflow sessions: one row per workflow execution, grouping agent runs for usage reports
//! and crash detection.

use crate::app::App;
use crate::error::{Error, Result};
use rusqlite::params;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateSessionArgs {
    pub session_id: String,
    pub skill_name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EndSessionArgs {
    pub session_id: String,
}

/// Opens a session (idempotent for an existing id) owned by this process.
pub fn create_workflow_session(app: &App, a: CreateSessionArgs) -> Result<()> {
    if a.session_id.trim().is_empty() || a.session_id.len() > 128 {
        return Err(Error::invalid("sessionId must be 1–128 characters"));
    }
    crate::ingest::names::validate_skill_name(&a.skill_name)?;
    app.db.conn().execute(
        "INSERT OR IGNORE INTO workflow_sessions (session_id, skill_name, pid, started_at, skill_id, pid_started_at)
         VALUES (?1, ?2, ?3, ?4, (SELECT id FROM skills WHERE name = ?2), ?5)",
        params![a.session_id, a.skill_name, app.pid, crate::db::now(), app.pid_started_at],
    )?;
    Ok(())
}

/// Stamps `ended_at` once.
pub fn end_workflow_session(app: &App, a: EndSessionArgs) -> Result<()> {
    app.db.conn().execute(
        "UPDATE workflow_sessions SET ended_at = ?1 WHERE session_id = ?2 AND ended_at IS NULL",
        params![crate::db::now(), a.session_id],
    )?;
    Ok(())
}

/// Ends every open session of this process (exit, graceful shutdown).
pub fn end_own_sessions(app: &App) -> Result<usize> {
    Ok(app.db.conn().execute(
        "UPDATE workflow_sessions SET ended_at = ?1 WHERE pid = ?2 AND ended_at IS NULL",
        params![crate::db::now(), app.pid],
    )?)
}
