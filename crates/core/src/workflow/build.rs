//! The non-interactive build: all four steps in a row, answering the decision gates with each
//! question's recommended choice. Used by `skill-builder build`.

use crate::app::App;
use crate::error::{Error, Result};
use serde::Serialize;
use std::sync::Arc;

#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub step_id: u32,
    pub agent_id: String,
    pub autofilled: u32,
}

#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    pub skill_name: String,
    pub skill_dir: String,
    pub session_id: String,
    pub steps: Vec<StepReport>,
    pub total_cost: f64,
    pub input_tokens: i64,
    pub output_tokens: i64,
}

/// Runs the steps from the skill's current step to the end. `on_step` is told when each
/// step starts.
pub async fn build_skill(
    app: &Arc<App>,
    skill: &str,
    mut on_step: impl FnMut(u32),
) -> Result<BuildReport> {
    let session_id = uuid::Uuid::new_v4().to_string();
    super::sessions::create_workflow_session(
        app,
        super::sessions::CreateSessionArgs {
            session_id: session_id.clone(),
            skill_name: skill.into(),
        },
    )?;
    crate::locks::acquire(app, skill)?;
    let start = super::get_workflow_state(
        app,
        super::SkillArgs {
            skill_name: skill.into(),
            workspace_path: None,
        },
    )?
    .run
    .map(|r| {
        if r.status == "completed" {
            0
        } else {
            r.current_step.clamp(0, 3) as u32
        }
    })
    .unwrap_or(0);
    let mut steps = Vec::new();
    let result = async {
        for id in start..=3 {
            on_step(id);
            let handle = super::start_step(app, skill, id, Some(session_id.clone())).await?;
            let agent_id = handle.agent_id.clone();
            let outcome = handle.wait().await;
            if !outcome.success {
                return Err(Error::agent(format!(
                    "{} failed: {}",
                    super::labels::step_label(id as i32),
                    outcome.error.unwrap_or_else(|| "the agent reported an error".into())
                )));
            }
            let state = super::get_workflow_state(app, super::SkillArgs { skill_name: skill.into(), workspace_path: None })?;
            let done = state.steps.iter().any(|s| s.step_id == id as i32 && s.status == "completed");
            if !done {
                return Err(Error::agent(format!(
                    "{} ended but its output files are missing or invalid; see the transcript in {}",
                    super::labels::step_label(id as i32),
                    app.workspace_path().join(skill).join("logs").display()
                )));
            }
            let autofilled = match id {
                0 => super::autofill(app, skill, false)?,
                1 => super::autofill(app, skill, true)?,
                _ => 0,
            };
            steps.push(StepReport { step_id: id, agent_id, autofilled });
        }
        Ok(())
    }
    .await;
    let _ = super::sessions::end_workflow_session(
        app,
        super::sessions::EndSessionArgs {
            session_id: session_id.clone(),
        },
    );
    let _ = crate::locks::release_lock(
        app,
        crate::locks::SkillNameArgs {
            skill_name: skill.into(),
        },
    );
    result?;
    let (total_cost, input_tokens, output_tokens): (f64, i64, i64) = app.db.conn().query_row(
        "SELECT COALESCE(SUM(total_cost), 0), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0)
         FROM agent_runs WHERE workflow_session_id = ?1",
        [&session_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(BuildReport {
        skill_name: skill.into(),
        skill_dir: app.skills_path().join(skill).display().to_string(),
        session_id,
        steps,
        total_cost,
        input_tokens,
        output_tokens,
    })
}
