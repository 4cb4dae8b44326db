//! The catalog commands of evals: `get_evals`, `save_evals`, `run_evals`, `list_eval_runs`,
//! `get_eval_run`.

use super::benchmark::Benchmark;
use super::files::{self, EvalsFile, TriggerQuery};
use super::store::{self, EvalRunSummary};
use crate::app::App;
use crate::error::{Error, Result};
use crate::ingest::names::validate_skill_name;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::Arc;

pub const DEFAULT_LIST_LIMIT: usize = 50;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillArgs {
    pub skill_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalsContent {
    pub skill_name: String,
    /// `evals/evals.json` as it is, `None` when the skill has none.
    pub evals: Option<EvalsFile>,
    /// `evals/triggers.json` as it is, `None` when the skill has none.
    pub triggers: Option<Vec<TriggerQuery>>,
    pub evals_path: String,
    pub triggers_path: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveArgs {
    pub skill_name: String,
    #[serde(default)]
    pub evals: Option<EvalsFile>,
    #[serde(default)]
    pub triggers: Option<Vec<TriggerQuery>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SaveResult {
    /// The commit `{name}: evals updated`, or `None` when nothing changed.
    pub commit: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListArgs {
    pub skill_name: String,
    #[serde(default)]
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunIdArgs {
    pub run_id: String,
}

/// The skill's folder (a real folder inside the skills path), refused when absent.
fn skill_dir(app: &App, skill: &str) -> Result<PathBuf> {
    validate_skill_name(skill)?;
    let dir = app.skills_path().join(skill);
    if std::fs::symlink_metadata(&dir).is_err() {
        return Err(Error::not_found(format!(
            "skill '{skill}' has no folder at {}; create it first",
            dir.display()
        )));
    }
    crate::safe_fs::guarded_dir(&app.skills_path(), &dir)
}

/// `get_evals`: the skill's eval files as they are.
pub fn get_evals(app: &App, a: SkillArgs) -> Result<EvalsContent> {
    let dir = skill_dir(app, &a.skill_name)?;
    Ok(EvalsContent {
        evals: files::read_evals(&dir)?,
        triggers: files::read_triggers(&dir)?,
        evals_path: dir.join(files::EVALS_FILE).display().to_string(),
        triggers_path: dir.join(files::TRIGGERS_FILE).display().to_string(),
        skill_name: a.skill_name,
    })
}

/// `save_evals`: validates what is given (both before writing either), writes it and commits
/// `{name}: evals updated`. Refused while another live instance holds the skill's lock.
pub fn save_evals(app: &App, a: SaveArgs) -> Result<SaveResult> {
    let dir = skill_dir(app, &a.skill_name)?;
    if a.evals.is_none() && a.triggers.is_none() {
        return Err(Error::invalid(
            "nothing to save: pass evals (evals.json's content) and/or triggers (triggers.json's)",
        ));
    }
    crate::locks::ensure_not_locked_by_other(app, &a.skill_name)?;
    if let Some(e) = &a.evals {
        files::validate_evals(&a.skill_name, &dir, e)?;
    }
    if let Some(t) = &a.triggers {
        files::validate_triggers(t)?;
    }
    if let Some(e) = &a.evals {
        files::write_evals(&dir, e)?;
    }
    if let Some(t) = &a.triggers {
        files::write_triggers(&dir, t)?;
    }
    let message = format!("{}: evals updated", a.skill_name);
    Ok(SaveResult {
        commit: crate::history::commit_skill(app, &a.skill_name, &message),
    })
}

/// `run_evals` (see [`super::run`]).
pub async fn run_evals(app: &Arc<App>, a: super::run::RunArgs) -> Result<Benchmark> {
    super::run::run_evals(app, a).await
}

/// `list_eval_runs`: the skill's stored runs, newest first.
pub fn list_eval_runs(app: &App, a: ListArgs) -> Result<Vec<EvalRunSummary>> {
    validate_skill_name(&a.skill_name)?;
    store::list(app, &a.skill_name, a.limit.unwrap_or(DEFAULT_LIST_LIMIT))
}

/// `get_eval_run`: one stored run's benchmark.
pub fn get_eval_run(app: &App, a: RunIdArgs) -> Result<Value> {
    store::get(app, a.run_id.trim())
}
