//! Stored eval runs: one `eval_runs` row per run (migration 5) holding its benchmark, and a
//! copy of the benchmark at `<data dir>/evals/<skill>/<run id>.json` — outside the skills
//! repository, so measuring a skill never makes it dirty.

use super::benchmark::Benchmark;
use super::gate::StoredRun;
use crate::app::App;
use crate::error::{Error, IoContext, Result};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::PathBuf;

/// A stored run as lists show it (newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalRunSummary {
    pub id: String,
    pub skill_name: String,
    pub skill_version: String,
    /// `none` or the sha the baseline ran with.
    pub baseline: String,
    pub created_at: String,
    pub summary: Summary,
    pub benchmark_path: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub runs_per_configuration: u32,
    /// Mean with-skill pass rate over every eval run (`None` without evals).
    pub with_skill_pass_rate: Option<f64>,
    pub without_skill_pass_rate: Option<f64>,
    pub should_trigger_rate: Option<f64>,
    pub should_not_trigger_rate: Option<f64>,
    pub regressions: u32,
    pub cost_usd: f64,
}

/// A renamed skill keeps its eval history: its rows follow the new name (inside the rename's
/// transaction).
pub fn rename(conn: &rusqlite::Connection, old: &str, new: &str) -> Result<()> {
    conn.execute(
        "UPDATE eval_runs SET skill_name = ?2 WHERE skill_name = ?1",
        [old, new],
    )?;
    Ok(())
}

/// Moves the benchmark copies of a renamed skill to its new name. Best effort: the rows hold
/// every benchmark too, so a failed move loses nothing and is only logged.
pub fn rename_files(app: &App, old: &str, new: &str) {
    let root = app.paths.data_dir.join("evals");
    let (from, to) = (root.join(old), root.join(new));
    if std::fs::symlink_metadata(&from).is_ok_and(|m| m.is_dir()) && !to.exists() {
        if let Err(e) = std::fs::rename(&from, &to) {
            tracing::warn!("could not move {} to {}: {e}", from.display(), to.display());
        }
    }
}

pub fn benchmark_path(app: &App, skill: &str, id: &str) -> PathBuf {
    app.paths
        .data_dir
        .join("evals")
        .join(skill)
        .join(format!("{id}.json"))
}

/// Writes the benchmark file, then the row. Returns the file's path.
pub fn save(app: &App, b: &Benchmark) -> Result<PathBuf> {
    let skill = &b.metadata.skill_name;
    let path = benchmark_path(app, skill, &b.run_id);
    if let Some(dir) = path.parent() {
        crate::paths::create_private_dir_all(dir).with_path(dir)?;
    }
    let text = serde_json::to_string_pretty(b)
        .map_err(|e| Error::internal(format!("cannot encode the benchmark: {e}")))?;
    std::fs::write(&path, format!("{text}\n")).with_path(&path)?;
    let has_evals = !b.runs.is_empty();
    let rate = |x: f64| has_evals.then_some(x);
    let triggers = b.triggers.as_ref();
    app.db.conn().execute(
        "INSERT INTO eval_runs (id, skill_name, skill_id, skill_version, baseline, runs_per_configuration,
                                with_skill_pass_rate, without_skill_pass_rate, should_trigger_rate,
                                should_not_trigger_rate, regression_count, total_cost, benchmark, created_at)
         VALUES (?1, ?2, (SELECT id FROM skills WHERE name = ?2), ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            b.run_id,
            skill,
            b.skill_version,
            b.metadata.baseline,
            b.metadata.runs_per_configuration,
            rate(b.run_summary.with_skill.pass_rate.mean),
            rate(b.run_summary.without_skill.pass_rate.mean),
            triggers.and_then(|t| t.should_trigger_rate),
            triggers.and_then(|t| t.should_not_trigger_rate),
            b.regressions.len() as i64,
            b.cost.total_usd,
            text,
            b.metadata.timestamp,
        ],
    )?;
    Ok(path)
}

/// Stored runs of a skill, newest first, at most `limit`.
pub fn list(app: &App, skill: &str, limit: usize) -> Result<Vec<EvalRunSummary>> {
    let conn = app.db.conn();
    let mut stmt = conn.prepare(
        "SELECT id, skill_name, skill_version, baseline, created_at, runs_per_configuration,
                with_skill_pass_rate, without_skill_pass_rate, should_trigger_rate,
                should_not_trigger_rate, regression_count, total_cost
         FROM eval_runs WHERE skill_name = ?1 ORDER BY created_at DESC, rowid DESC LIMIT ?2",
    )?;
    let rows = stmt.query_map(params![skill, limit.min(i64::MAX as usize) as i64], |r| {
        let id: String = r.get(0)?;
        let skill_name: String = r.get(1)?;
        Ok(EvalRunSummary {
            benchmark_path: benchmark_path(app, &skill_name, &id).display().to_string(),
            id,
            skill_name,
            skill_version: r.get(2)?,
            baseline: r.get(3)?,
            created_at: r.get(4)?,
            summary: Summary {
                runs_per_configuration: r.get::<_, i64>(5)?.clamp(0, u32::MAX as i64) as u32,
                with_skill_pass_rate: r.get(6)?,
                without_skill_pass_rate: r.get(7)?,
                should_trigger_rate: r.get(8)?,
                should_not_trigger_rate: r.get(9)?,
                regressions: r.get::<_, i64>(10)?.clamp(0, u32::MAX as i64) as u32,
                cost_usd: r.get(11)?,
            },
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The stored benchmark of one run, as it was written.
pub fn get(app: &App, id: &str) -> Result<Value> {
    let text: Option<String> = app
        .db
        .conn()
        .query_row("SELECT benchmark FROM eval_runs WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .map(Some)
        .or_else(|e| match e {
            rusqlite::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    let text = text.ok_or_else(|| {
        Error::not_found(format!(
            "no eval run '{id}'; list_eval_runs shows the runs of a skill"
        ))
    })?;
    serde_json::from_str(&text)
        .map_err(|e| Error::internal(format!("the stored benchmark of {id} is unreadable: {e}")))
}

/// Every stored run of a skill with its benchmark (the gate's input). A row whose benchmark
/// cannot be read is skipped with a warning: it cannot be compared with.
pub fn stored_runs(app: &App, skill: &str) -> Result<Vec<StoredRun>> {
    let conn = app.db.conn();
    let mut stmt = conn.prepare(
        "SELECT id, skill_version, created_at, benchmark FROM eval_runs WHERE skill_name = ?1",
    )?;
    let rows = stmt.query_map([skill], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, skill_version, created_at, text) = row?;
        match serde_json::from_str::<Benchmark>(&text) {
            Ok(benchmark) => out.push(StoredRun {
                id,
                skill_version,
                created_at,
                benchmark,
            }),
            Err(e) => tracing::warn!("eval run {id} is not comparable: {e}"),
        }
    }
    Ok(out)
}
