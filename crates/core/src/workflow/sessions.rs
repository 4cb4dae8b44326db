//! Workflow sessions: one row per workflow execution, grouping agent runs for usage reports
//! and crash detection.

use crate::app::App;
use crate::db::sessions_store::{self, NewSession};
use crate::error::{Error, Result};
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
    sessions_store::insert_or_ignore(
        &app.db.conn(),
        &NewSession {
            session_id: &a.session_id,
            skill_name: &a.skill_name,
            pid: app.pid,
            pid_started_at: app.pid_started_at,
            started_at: &crate::db::now(),
        },
    )
}

/// Stamps `ended_at` once.
pub fn end_workflow_session(app: &App, a: EndSessionArgs) -> Result<()> {
    sessions_store::end(&app.db.conn(), &a.session_id, &crate::db::now())?;
    Ok(())
}

/// Ends every open session of this process (exit, graceful shutdown).
pub fn end_own_sessions(app: &App) -> Result<usize> {
    sessions_store::end_of_pid(&app.db.conn(), app.pid, &crate::db::now())
}
