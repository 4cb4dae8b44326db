//! Resetting steps: previewing and deleting their outputs, and resetting legacy skills.

use super::labels;
use super::state::{require_run, set_run, skill_dir};
use super::steps::{self, step, STEPS};
use crate::app::App;
use crate::args::NoArgs;
use crate::db::workflow_store;
use crate::error::{IoContext, Result};
use crate::ingest::names::validate_skill_name;
use crate::safe_fs;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResetPreview {
    pub step_id: u32,
    pub step_name: String,
    pub files: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResetArgs {
    pub skill_name: String,
    pub from_step_id: u32,
    #[serde(default)]
    pub workspace_path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillNamesArgs {
    pub skill_names: Vec<String>,
}

/// Files each step from `from` on would delete.
pub fn preview_step_reset(app: &App, a: ResetArgs) -> Result<Vec<StepResetPreview>> {
    validate_skill_name(&a.skill_name)?;
    step(a.from_step_id)?;
    let dir = skill_dir(app, &a.skill_name);
    Ok((a.from_step_id..=3)
        .filter_map(|id| {
            let files: Vec<String> = reset_targets(&dir, id)
                .into_iter()
                .filter(|f| is_plain_file_of(&dir, f))
                .collect();
            (!files.is_empty()).then(|| StepResetPreview {
                step_id: id,
                step_name: STEPS[id as usize].name.into(),
                files,
            })
        })
        .collect())
}

/// `dir/rel` is a regular file reached without any symbolic link.
fn is_plain_file_of(dir: &Path, rel: &str) -> bool {
    !safe_fs::is_symlink(dir)
        && safe_fs::is_real_file(&dir.join(rel))
        && safe_fs::link_between(dir, Path::new(rel)).is_ok_and(|l| l.is_none())
}

/// Output files a reset of step `id` deletes (relative to the skill dir). Evaluations,
/// validation reports and logs are kept.
fn reset_targets(dir: &Path, id: u32) -> Vec<String> {
    match id {
        0 => STEPS[0].outputs.iter().map(|s| s.to_string()).collect(),
        2 => vec!["context/decisions.md".into()],
        3 => {
            let mut v = vec!["SKILL.md".to_string()];
            v.extend(
                steps::produced_files(dir, 3)
                    .into_iter()
                    .filter(|f| f.starts_with("references/")),
            );
            v
        }
        _ => Vec::new(),
    }
}

/// Deletes the outputs of steps `fromStepId..=3` without ever following a symbolic link: a
/// linked skill folder or `context/` is refused before anything is deleted, and a linked
/// `references/` (owned whole by step 3) is removed as a link.
pub fn reset_workflow_step(app: &App, a: ResetArgs) -> Result<()> {
    let run = require_run(app, &a.skill_name)?;
    step(a.from_step_id)?;
    crate::locks::ensure_not_locked_by_other(app, &a.skill_name)?;
    let skill = &a.skill_name;
    let root = app.skills_path();
    let dir = skill_dir(app, skill);
    safe_fs::refuse_symlink(&dir, &format!("reset the skill '{skill}'"))?;
    let targets: Vec<PathBuf> = (a.from_step_id..=3)
        .flat_map(|id| reset_targets(&dir, id))
        .map(|f| Path::new(skill).join(f))
        .collect();
    for t in &targets {
        safe_fs::check_no_link_between(&root, t)?;
    }
    crate::history::commit_skill(
        app,
        skill,
        &format!(
            "{skill}: checkpoint before reset to {}",
            labels::step_label(a.from_step_id as i32)
        ),
    );
    let refs = dir.join("references");
    if safe_fs::is_symlink(&refs) {
        tracing::warn!(
            "reset of {skill}: removing the symbolic link {} (its target is left alone)",
            refs.display()
        );
        safe_fs::remove_no_follow(&refs).with_path(&refs)?;
    }
    for t in &targets {
        safe_fs::remove_inside(&root, t)?;
    }
    if a.from_step_id <= 3 {
        let _ = std::fs::remove_file(app.paths.exports_dir().join(format!("{skill}.skill")));
    }
    std::fs::create_dir_all(dir.join("references")).ok();
    std::fs::create_dir_all(dir.join("context")).ok();
    app.db.write(|tx| {
        workflow_store::reset_steps_from(tx, skill, a.from_step_id as i32)?;
        workflow_store::delete_artifacts_from(tx, skill, a.from_step_id)?;
        set_run(tx, run, a.from_step_id as i32, "pending")
    })
}

pub fn scan_legacy_clarifications(app: &App, _: NoArgs) -> Result<Vec<String>> {
    let names: Vec<String> = {
        let conn = app.db.conn();
        let mut stmt = conn.prepare("SELECT name FROM skills ORDER BY name")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let root = app.skills_path();
    Ok(names
        .into_iter()
        .filter(|n| root.join(n).join("context/clarifications.md").is_file())
        .collect())
}

/// Clears legacy outputs and puts the skill back at step 0 (run included).
pub fn reset_legacy_skills(app: &App, a: SkillNamesArgs) -> Result<()> {
    for n in &a.skill_names {
        validate_skill_name(n)?;
    }
    let root = app.skills_path();
    // Refused before any skill is touched, so a refusal changes nothing.
    for n in &a.skill_names {
        safe_fs::refuse_symlink(&skill_dir(app, n), &format!("reset the skill '{n}'"))?;
    }
    for n in &a.skill_names {
        let dir = skill_dir(app, n);
        // A linked context/ or references/ is removed as a link, never followed.
        for sub in ["context", "references"] {
            safe_fs::remove_inside(&root, &Path::new(n).join(sub))?;
            let d = dir.join(sub);
            std::fs::create_dir_all(&d).with_path(&d)?;
        }
        safe_fs::remove_inside(&root, &Path::new(n).join("SKILL.md"))?;
        app.db.write(|tx| {
            workflow_store::reset_all_steps(tx, n)?;
            workflow_store::set_run_named(tx, n, 0, "pending", &crate::db::now())
        })?;
    }
    Ok(())
}
