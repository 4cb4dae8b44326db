//! The one writer of `agent_runs`: the usage of one agent request per model. What a run
//! records and how reports read it is [`crate::usage`]'s; this file only writes rows.

use crate::error::Result;
use rusqlite::{params, Connection};

/// One agent request's usage for one model, as [`upsert`] writes it.
pub struct AgentRunRow<'a> {
    pub agent_id: &'a str,
    pub skill_name: &'a str,
    pub step_id: i32,
    pub model: &'a str,
    pub status: &'a str,
    pub input_tokens: i32,
    pub output_tokens: i32,
    pub total_cost: f64,
    pub session_id: Option<&'a str>,
    /// Kept from the first write (an update never changes it).
    pub started_at: &'a str,
    pub completed_at: Option<&'a str>,
    pub cache_read_tokens: i32,
    pub cache_write_tokens: i32,
    pub duration_ms: i64,
    pub workflow_session_id: Option<&'a str>,
    pub num_turns: i32,
    pub stop_reason: Option<&'a str>,
    pub duration_api_ms: Option<i64>,
    pub tool_use_count: i32,
    pub compaction_count: i32,
    pub workflow_run_id: Option<i64>,
}

/// Upsert on (agent_id, model). Only the columns the command carries are updated, so
/// `reset_marker` survives (defect 2) and `started_at` is the first write's. A `shutdown` never
/// replaces a finished row. Optional ids a later write omits keep their earlier value.
const UPSERT_RUN: &str = "
INSERT INTO agent_runs (
    agent_id, skill_name, step_id, model, status,
    input_tokens, output_tokens, total_cost, session_id, started_at, completed_at,
    cache_read_tokens, cache_write_tokens, duration_ms, workflow_session_id,
    num_turns, stop_reason, duration_api_ms, tool_use_count, compaction_count, workflow_run_id
) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
          ?19, ?20, ?21)
ON CONFLICT (agent_id, model) DO UPDATE SET
    skill_name          = excluded.skill_name,
    step_id             = excluded.step_id,
    status              = excluded.status,
    input_tokens        = excluded.input_tokens,
    output_tokens       = excluded.output_tokens,
    total_cost          = excluded.total_cost,
    session_id          = COALESCE(excluded.session_id, agent_runs.session_id),
    completed_at        = excluded.completed_at,
    cache_read_tokens   = excluded.cache_read_tokens,
    cache_write_tokens  = excluded.cache_write_tokens,
    duration_ms         = excluded.duration_ms,
    workflow_session_id = COALESCE(excluded.workflow_session_id, agent_runs.workflow_session_id),
    num_turns           = excluded.num_turns,
    stop_reason         = excluded.stop_reason,
    duration_api_ms     = excluded.duration_api_ms,
    tool_use_count      = excluded.tool_use_count,
    compaction_count    = excluded.compaction_count,
    workflow_run_id     = COALESCE(excluded.workflow_run_id, agent_runs.workflow_run_id)
WHERE NOT (excluded.status = 'shutdown' AND agent_runs.status IN ('completed', 'error'))";

/// Records (or updates) one run; see [`UPSERT_RUN`] for what an update keeps.
pub fn upsert(conn: &Connection, r: &AgentRunRow<'_>) -> Result<()> {
    conn.execute(
        UPSERT_RUN,
        params![
            r.agent_id,
            r.skill_name,
            r.step_id,
            r.model,
            r.status,
            r.input_tokens,
            r.output_tokens,
            r.total_cost,
            r.session_id,
            r.started_at,
            r.completed_at,
            r.cache_read_tokens,
            r.cache_write_tokens,
            r.duration_ms,
            r.workflow_session_id,
            r.num_turns,
            r.stop_reason,
            r.duration_api_ms,
            r.tool_use_count,
            r.compaction_count,
            r.workflow_run_id,
        ],
    )?;
    Ok(())
}

/// Drops the still-running row of `agent_id` under `model` (a finished row stays).
pub fn delete_running(conn: &Connection, agent_id: &str, model: &str) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM agent_runs WHERE agent_id = ?1 AND model = ?2 AND status = 'running'",
        params![agent_id, model],
    )?)
}

/// Soft reset: stamps `marker` on every run not reset yet.
pub fn mark_reset(conn: &Connection, marker: &str) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE agent_runs SET reset_marker = ?1 WHERE reset_marker IS NULL",
        [marker],
    )?)
}

/// Carries the runs of `old` over to the name `new`.
pub fn rename(conn: &Connection, old: &str, new: &str) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE agent_runs SET skill_name = ?1 WHERE skill_name = ?2",
        params![new, old],
    )?)
}
