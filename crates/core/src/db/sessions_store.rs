//! The one writer of `workflow_sessions`: workflow and refine sessions are opened and ended
//! here, orphans closed, usage resets stamped. Whether a session's process is gone is decided
//! by the callers ([`crate::reconcile`], [`crate::locks::holder_alive`]).

use crate::error::Result;
use rusqlite::{params, Connection};

/// A session to open, owned by process `pid`. Its `skill_id` is looked up by name.
pub struct NewSession<'a> {
    pub session_id: &'a str,
    pub skill_name: &'a str,
    pub pid: u32,
    pub pid_started_at: Option<i64>,
    pub started_at: &'a str,
}

/// Opens a session; an existing id is an error.
pub fn insert(conn: &Connection, s: &NewSession<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO workflow_sessions (session_id, skill_name, pid, started_at, skill_id, pid_started_at)
         VALUES (?1, ?2, ?3, ?4, (SELECT id FROM skills WHERE name = ?2), ?5)",
        params![s.session_id, s.skill_name, s.pid, s.started_at, s.pid_started_at],
    )?;
    Ok(())
}

/// Opens a session unless one with this id exists (then nothing changes).
pub fn insert_or_ignore(conn: &Connection, s: &NewSession<'_>) -> Result<()> {
    conn.execute(
        "INSERT OR IGNORE INTO workflow_sessions (session_id, skill_name, pid, started_at, skill_id, pid_started_at)
         VALUES (?1, ?2, ?3, ?4, (SELECT id FROM skills WHERE name = ?2), ?5)",
        params![s.session_id, s.skill_name, s.pid, s.started_at, s.pid_started_at],
    )?;
    Ok(())
}

/// Stamps `ended_at` on the session if it is still open.
pub fn end(conn: &Connection, session_id: &str, now: &str) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE workflow_sessions SET ended_at = ?1 WHERE session_id = ?2 AND ended_at IS NULL",
        params![now, session_id],
    )?)
}

/// Stamps `ended_at` on every open session of process `pid`.
pub fn end_of_pid(conn: &Connection, pid: u32, now: &str) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE workflow_sessions SET ended_at = ?1 WHERE pid = ?2 AND ended_at IS NULL",
        params![now, pid],
    )?)
}

/// Ends an open session whose process is gone, at the latest `completed_at` of its agent runs,
/// else its `started_at`, else `now`.
pub fn end_orphaned(conn: &Connection, session_id: &str, now: &str) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE workflow_sessions SET ended_at = COALESCE(
            (SELECT MAX(completed_at) FROM agent_runs WHERE workflow_session_id = ?1),
            started_at, ?2)
         WHERE session_id = ?1 AND ended_at IS NULL",
        params![session_id, now],
    )?)
}

/// Soft reset: stamps `marker` on every session not reset yet.
pub fn mark_reset(conn: &Connection, marker: &str) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE workflow_sessions SET reset_marker = ?1 WHERE reset_marker IS NULL",
        [marker],
    )?)
}

/// Carries the sessions of `old` over to the name `new`.
pub fn rename(conn: &Connection, old: &str, new: &str) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE workflow_sessions SET skill_name = ?1 WHERE skill_name = ?2",
        params![new, old],
    )?)
}
