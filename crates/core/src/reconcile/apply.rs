//! The database changes the passes decide, applied together in one transaction.

use crate::db::imports_store;
use crate::db::skills_store;
use crate::db::workflow_store::{self, NewRun};
use crate::error::Result;
use rusqlite::OptionalExtension;

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
                workflow_store::reset_in_progress(tx, skill, &now)?;
            }
            Op::CreateRun {
                skill,
                skill_id,
                step,
                status,
                purpose,
            } => {
                workflow_store::insert_run(
                    tx,
                    &NewRun {
                        skill_name: skill,
                        skill_id: *skill_id,
                        current_step: *step,
                        status,
                        purpose,
                        created_at: &now,
                        author_login: None,
                        author_avatar: None,
                        intake_json: None,
                        description: None,
                        version: None,
                    },
                )?;
            }
            Op::SetRun {
                skill,
                step,
                status,
            } => {
                workflow_store::set_run_named(tx, skill, *step, status, &now)?;
            }
            Op::ResetStepsFrom { skill, from } => {
                workflow_store::reset_steps_from(tx, skill, *from)?;
            }
            Op::CompleteStep { skill, step } => {
                let run = run_id(skill)?;
                workflow_store::complete_step_found(tx, skill, *step, run, &now)?;
            }
            Op::DeleteMaster { skill, id } => {
                imports_store::delete_imported_of_skill(tx, *id, skill)?;
                skills_store::delete_tags_of_skill(tx, *id, skill)?;
                crate::db::locks_store::delete_for_skill(tx, *id, skill)?;
                workflow_store::delete_steps_named(tx, skill)?;
                workflow_store::delete_runs_of_skill(tx, *id, skill)?;
                skills_store::delete_by_id(tx, *id)?;
            }
            Op::DeleteImportedRow { skill } => {
                imports_store::delete_imported_named(tx, skill)?;
            }
        }
    }
    Ok(())
}
