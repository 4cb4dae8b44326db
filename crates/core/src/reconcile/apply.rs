//! The database changes the passes decide, applied together in one transaction.

use crate::error::Result;
use rusqlite::{params, OptionalExtension};

pub(super) enum Op {
    /// Crash recovery: `in_progress` steps (and run) back to `pending`.
    ResetInProgress {
        skill: String,
    },
    CreateRun {
        skill: String,
        skill_id: i64,
        step: i32,
        status: &'static str,
        purpose: String,
    },
    SetRun {
        skill: String,
        step: i32,
        status: &'static str,
    },
    /// Steps `>= from` back to `pending`, timestamps cleared.
    ResetStepsFrom {
        skill: String,
        from: i32,
    },
    CompleteStep {
        skill: String,
        step: i32,
    },
    /// Scenario 12: the master row and every row that hangs on it by id or name.
    DeleteMaster {
        skill: String,
        id: i64,
    },
    /// 9a: an `imported_skills` row left for a folder that is gone.
    DeleteImportedRow {
        skill: String,
    },
}

pub(super) fn apply_ops(tx: &rusqlite::Transaction<'_>, ops: &[Op]) -> Result<()> {
    let now = crate::db::now();
    let run_id = |skill: &str| -> Result<Option<i64>> {
        Ok(tx
            .query_row(
                "SELECT id FROM workflow_runs WHERE skill_name = ?1",
                [skill],
                |r| r.get(0),
            )
            .optional()?)
    };
    for op in ops {
        match op {
            Op::ResetInProgress { skill } => {
                tx.execute(
                    "UPDATE workflow_steps SET status = 'pending', started_at = NULL
                     WHERE skill_name = ?1 AND status = 'in_progress'",
                    [skill],
                )?;
                tx.execute(
                    "UPDATE workflow_runs SET status = 'pending', updated_at = ?2
                     WHERE skill_name = ?1 AND status = 'in_progress'",
                    params![skill, now],
                )?;
            }
            Op::CreateRun {
                skill,
                skill_id,
                step,
                status,
                purpose,
            } => {
                tx.execute(
                    "INSERT INTO workflow_runs (skill_name, current_step, status, purpose, created_at, updated_at, skill_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
                    params![skill, step, status, purpose, now, skill_id],
                )?;
            }
            Op::SetRun {
                skill,
                step,
                status,
            } => {
                tx.execute(
                    "UPDATE workflow_runs SET current_step = ?2, status = ?3, updated_at = ?4 WHERE skill_name = ?1",
                    params![skill, step, status, now],
                )?;
            }
            Op::ResetStepsFrom { skill, from } => {
                tx.execute(
                    "UPDATE workflow_steps SET status = 'pending', started_at = NULL, completed_at = NULL
                     WHERE skill_name = ?1 AND step_id >= ?2",
                    params![skill, from],
                )?;
            }
            Op::CompleteStep { skill, step } => {
                let run = run_id(skill)?;
                tx.execute(
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
            }
            Op::DeleteMaster { skill, id } => {
                tx.execute(
                    "DELETE FROM imported_skills WHERE skill_master_id = ?1 OR skill_name = ?2",
                    params![id, skill],
                )?;
                tx.execute(
                    "DELETE FROM skill_tags WHERE skill_id = ?1 OR skill_name = ?2",
                    params![id, skill],
                )?;
                crate::db::locks_store::delete_for_skill(tx, *id, skill)?;
                tx.execute("DELETE FROM workflow_steps WHERE skill_name = ?1", [skill])?;
                tx.execute(
                    "DELETE FROM workflow_runs WHERE skill_id = ?1 OR skill_name = ?2",
                    params![id, skill],
                )?;
                tx.execute("DELETE FROM skills WHERE id = ?1", [id])?;
            }
            Op::DeleteImportedRow { skill } => {
                tx.execute("DELETE FROM imported_skills WHERE skill_name = ?1", [skill])?;
            }
        }
    }
    Ok(())
}
