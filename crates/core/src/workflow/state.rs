//! Workflow state in `workflow_runs`/`workflow_steps`: rows, status writers, state commands.

use super::{labels, steps};
use crate::app::App;
use crate::db::workflow_store;
use crate::error::{Error, Result};
use crate::ingest::names::validate_skill_name;
use crate::skill_meta::SkillMeta;
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowRunRow {
    pub skill_name: String,
    pub current_step: i32,
    pub status: String,
    pub purpose: String,
    pub created_at: String,
    pub updated_at: String,
    pub author_login: Option<String>,
    pub author_avatar: Option<String>,
    pub display_name: Option<String>,
    pub intake_json: Option<String>,
    pub source: String,
    pub description: Option<String>,
    #[serde(flatten)]
    pub meta: SkillMeta,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowStepRow {
    pub skill_name: String,
    pub step_id: i32,
    pub status: String,
    pub started_at: Option<String>,
    pub completed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowStateResponse {
    pub run: Option<WorkflowRunRow>,
    pub steps: Vec<WorkflowStepRow>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StepStatusUpdate {
    pub step_id: i32,
    pub status: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillArgs {
    pub skill_name: String,
    #[serde(default)]
    pub workspace_path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillStepArgs {
    pub skill_name: String,
    pub step_id: u32,
    #[serde(default)]
    pub workspace_path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveStateArgs {
    pub skill_name: String,
    pub current_step: i32,
    pub status: String,
    pub purpose: String,
    pub step_statuses: Vec<StepStatusUpdate>,
}

pub(super) fn skill_dir(app: &App, skill: &str) -> PathBuf {
    app.skills_path().join(skill)
}

pub(super) fn run_id(conn: &rusqlite::Connection, skill: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM workflow_runs WHERE skill_name = ?1",
            [skill],
            |r| r.get(0),
        )
        .optional()?)
}

pub(super) fn require_run(app: &App, skill: &str) -> Result<i64> {
    validate_skill_name(skill)?;
    run_id(&app.db.conn(), skill)?.ok_or_else(|| {
        Error::not_found(format!(
            "Skill '{skill}' has no workflow; create it first (create_skill)"
        ))
    })
}

const STEP_STATUSES: [&str; 5] = [
    "pending",
    "in_progress",
    "waiting_for_user",
    "completed",
    "error",
];

/// Writes one step's status with the timestamp rules of the reference.
pub(super) fn set_step(
    conn: &rusqlite::Connection,
    skill: &str,
    run: i64,
    id: i32,
    status: &str,
) -> Result<()> {
    workflow_store::set_step(conn, skill, run, id, status, &crate::db::now())
}

pub(super) fn set_run(
    conn: &rusqlite::Connection,
    run: i64,
    current: i32,
    status: &str,
) -> Result<()> {
    workflow_store::set_run(conn, run, current, status, &crate::db::now())
}

pub fn get_workflow_state(app: &App, a: SkillArgs) -> Result<WorkflowStateResponse> {
    validate_skill_name(&a.skill_name)?;
    let conn = app.db.conn();
    let run = conn
        .query_row(
            "SELECT r.skill_name, r.current_step, r.status, COALESCE(s.purpose, r.purpose, 'domain'), r.created_at,
                    r.updated_at, r.author_login, r.author_avatar, r.display_name, r.intake_json, r.source,
                    s.description, s.version, s.model, s.argument_hint, s.user_invocable, s.disable_model_invocation, r.id
             FROM workflow_runs r LEFT JOIN skills s ON s.id = r.skill_id WHERE r.skill_name = ?1",
            [&a.skill_name],
            |r| {
                Ok((
                    WorkflowRunRow {
                        skill_name: r.get(0)?,
                        current_step: r.get(1)?,
                        status: r.get(2)?,
                        purpose: r.get(3)?,
                        created_at: r.get(4)?,
                        updated_at: r.get(5)?,
                        author_login: r.get(6)?,
                        author_avatar: r.get(7)?,
                        display_name: r.get(8)?,
                        intake_json: r.get(9)?,
                        source: r.get(10)?,
                        description: r.get(11)?,
                        meta: SkillMeta {
                            version: r.get(12)?,
                            model: r.get(13)?,
                            argument_hint: r.get(14)?,
                            user_invocable: r.get(15)?,
                            disable_model_invocation: r.get(16)?,
                        },
                    },
                    r.get::<_, i64>(17)?,
                ))
            },
        )
        .optional()?;
    let Some((run, id)) = run else {
        return Ok(WorkflowStateResponse {
            run: None,
            steps: Vec::new(),
        });
    };
    let mut stmt = conn.prepare(
        "SELECT skill_name, step_id, status, started_at, completed_at FROM workflow_steps
         WHERE workflow_run_id = ?1 ORDER BY step_id",
    )?;
    let steps = stmt
        .query_map([id], |r| {
            Ok(WorkflowStepRow {
                skill_name: r.get(0)?,
                step_id: r.get(1)?,
                status: r.get(2)?,
                started_at: r.get(3)?,
                completed_at: r.get(4)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(WorkflowStateResponse {
        run: Some(run),
        steps,
    })
}

pub fn save_workflow_state(app: &App, a: SaveStateArgs) -> Result<()> {
    validate_skill_name(&a.skill_name)?;
    if !(0..=3).contains(&a.current_step) {
        return Err(Error::invalid(format!(
            "currentStep {} is not a step (0-3)",
            a.current_step
        )));
    }
    for s in &a.step_statuses {
        if !(0..=3).contains(&s.step_id) || !STEP_STATUSES.contains(&s.status.as_str()) {
            return Err(Error::invalid(format!(
                "bad step status {{step_id: {}, status: {}}}; statuses are {}",
                s.step_id,
                s.status,
                STEP_STATUSES.join(", ")
            )));
        }
    }
    let all_done =
        !a.step_statuses.is_empty() && a.step_statuses.iter().all(|s| s.status == "completed");
    let status = if all_done {
        "completed".to_string()
    } else {
        a.status.clone()
    };
    let completed: Vec<i32> = a
        .step_statuses
        .iter()
        .filter(|s| s.status == "completed")
        .map(|s| s.step_id)
        .collect();
    app.db.write(|tx| {
        let sid = crate::skills::skill_id(tx, &a.skill_name)?
            .ok_or_else(|| Error::not_found(format!("Skill '{}' not found", a.skill_name)))?;
        crate::db::skills_store::set_purpose(tx, sid, &a.purpose, &crate::db::now())?;
        workflow_store::upsert_run_state(
            tx,
            &a.skill_name,
            sid,
            a.current_step,
            &status,
            &a.purpose,
            &crate::db::now(),
        )?;
        let run = run_id(tx, &a.skill_name)?.unwrap_or_default();
        for s in &a.step_statuses {
            set_step(tx, &a.skill_name, run, s.step_id, &s.status)?;
        }
        Ok(())
    })?;
    if !completed.is_empty() {
        crate::history::commit_skill(
            app,
            &a.skill_name,
            &format!(
                "{}: {} completed",
                a.skill_name,
                labels::steps_label(&completed)
            ),
        );
    }
    Ok(())
}

pub fn verify_step_output(app: &App, a: SkillStepArgs) -> Result<bool> {
    validate_skill_name(&a.skill_name)?;
    Ok(steps::outputs_present(
        &skill_dir(app, &a.skill_name),
        a.step_id,
    ))
}

pub fn get_disabled_steps(app: &App, a: SkillArgs) -> Result<Vec<u32>> {
    validate_skill_name(&a.skill_name)?;
    Ok(steps::disabled_steps(&skill_dir(app, &a.skill_name)))
}
