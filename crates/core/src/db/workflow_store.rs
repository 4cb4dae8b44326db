//! The one writer of a skill's workflow: `workflow_runs`, `workflow_steps` and
//! `workflow_artifacts`. Which step runs next, what a reset clears and what reconciliation
//! repairs is decided in [`crate::workflow`], [`crate::reconcile`] and [`crate::skills`]; this
//! file only writes rows, always through the caller's connection or transaction.

use crate::error::Result;
use rusqlite::{params, Connection};

// ---- workflow_runs ----

/// A new run row. `created_at` is also its `updated_at`; a missing `version` is `1.0.0` (the
/// column default); columns not here keep their defaults.
pub struct NewRun<'a> {
    pub skill_name: &'a str,
    pub skill_id: i64,
    pub current_step: i32,
    pub status: &'a str,
    pub purpose: &'a str,
    pub created_at: &'a str,
    pub author_login: Option<&'a str>,
    pub author_avatar: Option<&'a str>,
    pub intake_json: Option<&'a str>,
    pub description: Option<&'a str>,
    pub version: Option<&'a str>,
}

/// Inserts a run (an existing one for the name is an error); returns its id.
pub fn insert_run(conn: &Connection, r: &NewRun<'_>) -> Result<i64> {
    conn.execute(
        "INSERT INTO workflow_runs (skill_name, current_step, status, purpose, created_at, updated_at,
                                    author_login, author_avatar, intake_json, description, version, skill_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8, ?9, COALESCE(?10, '1.0.0'), ?11)",
        params![
            r.skill_name,
            r.current_step,
            r.status,
            r.purpose,
            r.created_at,
            r.author_login,
            r.author_avatar,
            r.intake_json,
            r.description,
            r.version,
            r.skill_id
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// The state the UI saves: creates the run (timestamps by default) or updates its step,
/// status and purpose.
pub fn upsert_run_state(
    conn: &Connection,
    skill: &str,
    skill_id: i64,
    current_step: i32,
    status: &str,
    purpose: &str,
    now: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO workflow_runs (skill_name, current_step, status, purpose, skill_id) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(skill_name) DO UPDATE SET current_step = excluded.current_step, status = excluded.status,
           purpose = excluded.purpose, updated_at = ?6",
        params![skill, current_step, status, purpose, skill_id, now],
    )?;
    Ok(())
}

/// Puts the run back at step 0 (`pending`), creating it with `purpose` when missing.
pub fn restart_run(
    conn: &Connection,
    skill: &str,
    skill_id: i64,
    purpose: &str,
    now: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO workflow_runs (skill_name, current_step, status, purpose, created_at, updated_at, skill_id)
         VALUES (?1, 0, 'pending', ?2, ?3, ?3, ?4)
         ON CONFLICT(skill_name) DO UPDATE SET current_step = 0, status = 'pending', updated_at = ?3",
        params![skill, purpose, now, skill_id],
    )?;
    Ok(())
}

/// Sets the current step and status of run `run`.
pub fn set_run(conn: &Connection, run: i64, current: i32, status: &str, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE workflow_runs SET current_step = ?1, status = ?2, updated_at = ?3 WHERE id = ?4",
        params![current, status, now, run],
    )?;
    Ok(())
}

/// Sets the current step and status of the run of `skill`.
pub fn set_run_named(
    conn: &Connection,
    skill: &str,
    current: i32,
    status: &str,
    now: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE workflow_runs SET current_step = ?2, status = ?3, updated_at = ?4 WHERE skill_name = ?1",
        params![skill, current, status, now],
    )?;
    Ok(())
}

/// Sets (or clears, `None`) the run's purpose, by skill id.
pub fn set_run_purpose(conn: &Connection, skill_id: i64, purpose: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE workflow_runs SET purpose = ?1 WHERE skill_id = ?2",
        params![purpose, skill_id],
    )?;
    Ok(())
}

/// Sets (or clears, `None`) the run's intake answers, by skill id.
pub fn set_run_intake(conn: &Connection, skill_id: i64, intake_json: Option<&str>) -> Result<()> {
    conn.execute(
        "UPDATE workflow_runs SET intake_json = ?1 WHERE skill_id = ?2",
        params![intake_json, skill_id],
    )?;
    Ok(())
}

/// Crash recovery: the `in_progress` steps and run of `skill` back to `pending`.
pub fn reset_in_progress(conn: &Connection, skill: &str, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE workflow_steps SET status = 'pending', started_at = NULL
         WHERE skill_name = ?1 AND status = 'in_progress'",
        [skill],
    )?;
    conn.execute(
        "UPDATE workflow_runs SET status = 'pending', updated_at = ?2
         WHERE skill_name = ?1 AND status = 'in_progress'",
        params![skill, now],
    )?;
    Ok(())
}

/// Deletes the runs of a skill, linked by id or (older rows) only by name.
pub fn delete_runs_of_skill(conn: &Connection, skill_id: i64, skill: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM workflow_runs WHERE skill_id = ?1 OR skill_name = ?2",
        params![skill_id, skill],
    )?;
    Ok(())
}

/// Deletes the run, steps and artifacts that carry the name `skill` (in that order).
pub fn delete_named(conn: &Connection, skill: &str) -> Result<()> {
    conn.execute("DELETE FROM workflow_runs WHERE skill_name = ?1", [skill])?;
    delete_steps_named(conn, skill)?;
    conn.execute(
        "DELETE FROM workflow_artifacts WHERE skill_name = ?1",
        [skill],
    )?;
    Ok(())
}

/// Carries the run, steps and artifacts of `old` over to the name `new`.
pub fn rename(conn: &Connection, old: &str, new: &str) -> Result<()> {
    for sql in [
        "UPDATE workflow_runs SET skill_name = ?1 WHERE skill_name = ?2",
        "UPDATE workflow_steps SET skill_name = ?1 WHERE skill_name = ?2",
        "UPDATE workflow_artifacts SET skill_name = ?1 WHERE skill_name = ?2",
    ] {
        conn.execute(sql, params![new, old])?;
    }
    Ok(())
}

// ---- workflow_steps ----

/// Writes one step's status: `started_at` is stamped when it goes `in_progress` (and kept
/// otherwise), `completed_at` when it is `completed` (and cleared otherwise).
pub fn set_step(
    conn: &Connection,
    skill: &str,
    run: i64,
    id: i32,
    status: &str,
    now: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO workflow_steps (skill_name, step_id, status, started_at, completed_at, workflow_run_id)
         VALUES (?1, ?2, ?3,
                 CASE WHEN ?3 = 'in_progress' THEN ?4 END,
                 CASE WHEN ?3 = 'completed' THEN ?4 END, ?5)
         ON CONFLICT(skill_name, step_id) DO UPDATE SET
           status = excluded.status,
           started_at = CASE WHEN excluded.status = 'in_progress' THEN ?4 ELSE workflow_steps.started_at END,
           completed_at = CASE WHEN excluded.status = 'completed' THEN ?4 ELSE NULL END,
           workflow_run_id = excluded.workflow_run_id",
        params![skill, id, status, now, run],
    )?;
    Ok(())
}

/// Marks a step `completed` as found on disk: a step already completed keeps its
/// `completed_at`, and a missing `run` keeps the step's run link.
pub fn complete_step_found(
    conn: &Connection,
    skill: &str,
    step: i32,
    run: Option<i64>,
    now: &str,
) -> Result<()> {
    conn.execute(
        "INSERT INTO workflow_steps (skill_name, step_id, status, completed_at, workflow_run_id)
         VALUES (?1, ?2, 'completed', ?3, ?4)
         ON CONFLICT(skill_name, step_id) DO UPDATE SET
           status = 'completed',
           completed_at = CASE WHEN workflow_steps.status = 'completed'
                          THEN COALESCE(workflow_steps.completed_at, excluded.completed_at)
                          ELSE excluded.completed_at END,
           workflow_run_id = COALESCE(excluded.workflow_run_id, workflow_steps.workflow_run_id)",
        params![skill, step, now, run],
    )?;
    Ok(())
}

/// Steps `>= from` of `skill` back to `pending`, timestamps cleared.
pub fn reset_steps_from(conn: &Connection, skill: &str, from: i32) -> Result<()> {
    conn.execute(
        "UPDATE workflow_steps SET status = 'pending', started_at = NULL, completed_at = NULL
         WHERE skill_name = ?1 AND step_id >= ?2",
        params![skill, from],
    )?;
    Ok(())
}

/// Every step of `skill` back to `pending`, timestamps cleared.
pub fn reset_all_steps(conn: &Connection, skill: &str) -> Result<()> {
    conn.execute(
        "UPDATE workflow_steps SET status = 'pending', started_at = NULL, completed_at = NULL
         WHERE skill_name = ?1",
        [skill],
    )?;
    Ok(())
}

/// Deletes the steps that carry the name `skill`.
pub fn delete_steps_named(conn: &Connection, skill: &str) -> Result<()> {
    conn.execute("DELETE FROM workflow_steps WHERE skill_name = ?1", [skill])?;
    Ok(())
}

// ---- workflow_artifacts ----

/// One output file of a step.
pub struct NewArtifact<'a> {
    pub skill_name: &'a str,
    pub step_id: u32,
    pub relative_path: &'a str,
    pub content: &'a str,
    pub workflow_run_id: i64,
    /// Also its `updated_at`.
    pub created_at: &'a str,
}

pub fn insert_artifact(conn: &Connection, a: &NewArtifact<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO workflow_artifacts (skill_name, step_id, relative_path, content, size_bytes,
                                         created_at, updated_at, workflow_run_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
        params![
            a.skill_name,
            a.step_id,
            a.relative_path,
            a.content,
            a.content.len() as i64,
            a.created_at,
            a.workflow_run_id
        ],
    )?;
    Ok(())
}

/// Deletes the artifacts of step `step` of `skill`.
pub fn delete_step_artifacts(conn: &Connection, skill: &str, step: u32) -> Result<()> {
    conn.execute(
        "DELETE FROM workflow_artifacts WHERE skill_name = ?1 AND step_id = ?2",
        params![skill, step],
    )?;
    Ok(())
}

/// Deletes the artifacts of steps `>= from` of `skill`.
pub fn delete_artifacts_from(conn: &Connection, skill: &str, from: u32) -> Result<()> {
    conn.execute(
        "DELETE FROM workflow_artifacts WHERE skill_name = ?1 AND step_id >= ?2",
        params![skill, from],
    )?;
    Ok(())
}
