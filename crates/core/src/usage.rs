//! Usage accounting (database.md › Usage queries): persisting agent-run rows and the cost
//! reports built on `agent_runs` + `workflow_sessions`. It never deletes history (reset is soft).
//!
//! Rules shared by every query here, chosen so that the views always agree:
//!
//! - **Live**: a row (agent run or session) counts only while its `reset_marker` is NULL.
//!   `reset_usage` stamps every live row; nothing ever clears a marker (a later
//!   `persist_agent_run` on a reset row updates it but leaves it reset). This applies to *every*
//!   read, including `get_session_agent_runs` and [`has_running_agents_in_db`] (database.md
//!   defect 4): after a reset, the session's detail and its "running" answer describe only
//!   rows written since the reset, exactly like the totals do.
//! - **Counted runs** (the reports): *every* live agent run — workflow steps, the answer
//!   evaluator, refine turns, skill tests, one-off agents — whether or not it ran inside a
//!   workflow session: every run was paid for, so every run is shown. The summary's
//!   `total_cost`, its by-kind breakdown, by-step, by-model and by-day all aggregate this same
//!   set, so with `hide_cancelled = false` the summary's `total_cost` equals the sum of
//!   `total_cost` over the live `agent_runs` rows and the sum of each breakdown. By-day only
//!   sees finished runs (those with a `completed_at`). (The reference counted only runs inside
//!   a live workflow session, so skill tests and refine were spent but never shown.)
//! - **Sessions**: the session list, the summary's `total_runs` (a count of live sessions) and
//!   `avg_cost_per_run` (per session) describe workflow sessions and the runs inside them; runs
//!   outside a session are in the totals but in no session.
//! - **Kinds** ([`run_kind`]): a run's kind follows its `step_id` — the four workflow steps (and
//!   the answer evaluator, recorded as step 0) are `workflow_step`, [`crate::refine::REFINE_STEP_ID`]
//!   is `refine`, [`crate::skilltest::SKILL_TEST_STEP_ID`] is `skill_test`,
//!   [`crate::evals::EVAL_STEP_ID`] is `eval`, anything else
//!   (one-off agents record step -1) is `other`.
//! - **Cancelled** has one meaning everywhere: *it cost nothing*. A run is cancelled when its
//!   `total_cost` is 0 (or NULL); a session is cancelled when the summed cost of its counted
//!   runs is 0 — which includes a session with no runs at all (the reference kept those).
//!   Each view applies it to the unit it counts: sessions for the summary's session count and
//!   the session list, agent-run rows for the totals, by-kind, by-step, by-model and by-day. Hence `hide_cancelled` never changes a
//!   total cost, only the counts.

use crate::app::App;
use crate::args::NoArgs;
use crate::db::runs_store::{self, AgentRunRow};
use crate::error::{Error, Result};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

// ---------------------------------------------------------------------------------------------
// Types (commands.md › Types › Usage)
// ---------------------------------------------------------------------------------------------

/// One `agent_runs` row as the UI sees it. Numeric NULLs read as 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentRunRecord {
    pub agent_id: String,
    pub skill_name: String,
    pub step_id: i32,
    pub model: String,
    pub status: String,
    pub input_tokens: i32,
    pub output_tokens: i32,
    pub cache_read_tokens: i32,
    pub cache_write_tokens: i32,
    pub total_cost: f64,
    pub duration_ms: i64,
    pub num_turns: i32,
    pub stop_reason: Option<String>,
    pub duration_api_ms: Option<i64>,
    pub tool_use_count: i32,
    pub compaction_count: i32,
    /// The SDK conversation id, not the workflow session.
    pub session_id: Option<String>,
    pub started_at: String,
    pub completed_at: Option<String>,
}

/// One live workflow session with the totals of its counted runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowSessionRecord {
    pub session_id: String,
    pub skill_name: String,
    pub min_step: i32,
    pub max_step: i32,
    /// Distinct step ids, ascending, comma-separated (`""` when the session has no runs).
    pub steps_csv: String,
    pub agent_count: i32,
    pub total_cost: f64,
    pub total_input_tokens: i64,
    pub total_output_tokens: i64,
    pub total_cache_read: i64,
    pub total_cache_write: i64,
    pub total_duration_ms: i64,
    pub started_at: String,
    /// The session's `ended_at`.
    pub completed_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageSummary {
    /// Sum of `total_cost` over every live agent run (in a workflow session or not).
    pub total_cost: f64,
    /// Number of *sessions*.
    pub total_runs: i32,
    /// Mean cost per session: the cost of the runs inside sessions / `total_runs` (0 when
    /// there is none).
    pub avg_cost_per_run: f64,
    /// `total_cost` split by kind of run, costliest first (beyond the reference).
    #[serde(default)]
    pub by_kind: Vec<UsageByKind>,
}

/// The live runs of one kind ([`run_kind`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageByKind {
    /// `workflow_step`, `refine`, `skill_test`, `eval` or `other`.
    pub kind: String,
    /// Display name: "Workflow steps", "Refine", "Skill tests", "Evals", "Other".
    pub kind_name: String,
    pub total_cost: f64,
    /// Number of agent-run rows.
    pub run_count: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageByStep {
    pub step_id: i32,
    pub step_name: String,
    pub total_cost: f64,
    pub run_count: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageByModel {
    pub model: String,
    pub total_cost: f64,
    pub run_count: i32,
}

/// One UTC day of `get_usage_by_day` (a command beyond the reference).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UsageByDay {
    /// `YYYY-MM-DD`, the UTC date of the runs' `completed_at`.
    pub date: String,
    pub total_cost: f64,
    pub run_count: i32,
}

// ---------------------------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistAgentRunArgs {
    pub agent_id: String,
    pub skill_name: String,
    pub step_id: i32,
    pub model: String,
    pub status: String,
    pub input_tokens: i32,
    pub output_tokens: i32,
    pub cache_read_tokens: i32,
    pub cache_write_tokens: i32,
    pub total_cost: f64,
    pub duration_ms: i64,
    pub num_turns: i32,
    #[serde(default)]
    pub stop_reason: Option<String>,
    #[serde(default)]
    pub duration_api_ms: Option<i64>,
    pub tool_use_count: i32,
    pub compaction_count: i32,
    #[serde(default)]
    pub session_id: Option<String>,
    #[serde(default)]
    pub workflow_session_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HideCancelledArgs {
    pub hide_cancelled: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LimitArgs {
    pub limit: usize,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecentSessionsArgs {
    pub limit: usize,
    pub hide_cancelled: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionIdArgs {
    pub session_id: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StepRunsArgs {
    pub skill_name: String,
    pub step_id: i32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UsageByDayArgs {
    pub hide_cancelled: bool,
    /// How many UTC days back, today included (default 30, at least 1).
    #[serde(default)]
    pub days: Option<u32>,
}

/// Window of `get_usage_by_day` when `days` is not given.
pub const DEFAULT_USAGE_DAYS: u32 = 30;

const STATUSES: &[&str] = &["running", "completed", "error", "shutdown"];

// ---------------------------------------------------------------------------------------------
// SQL
// ---------------------------------------------------------------------------------------------

const RUN_COLUMNS: &str = "agent_id, skill_name, step_id, model, status, \
     COALESCE(input_tokens, 0), COALESCE(output_tokens, 0), \
     COALESCE(cache_read_tokens, 0), COALESCE(cache_write_tokens, 0), \
     COALESCE(total_cost, 0.0), COALESCE(duration_ms, 0), COALESCE(num_turns, 0), \
     stop_reason, duration_api_ms, COALESCE(tool_use_count, 0), \
     COALESCE(compaction_count, 0), session_id, started_at, completed_at";

/// Live sessions with the totals of their live runs (the "counted" join).
const SESSION_TOTALS: &str = "
SELECT s.session_id, s.skill_name,
       COALESCE(MIN(r.step_id), 0), COALESCE(MAX(r.step_id), 0),
       COALESCE(GROUP_CONCAT(DISTINCT r.step_id ORDER BY r.step_id), ''),
       COUNT(DISTINCT r.agent_id),
       COALESCE(SUM(r.total_cost), 0.0),
       COALESCE(SUM(r.input_tokens), 0), COALESCE(SUM(r.output_tokens), 0),
       COALESCE(SUM(r.cache_read_tokens), 0), COALESCE(SUM(r.cache_write_tokens), 0),
       COALESCE(SUM(r.duration_ms), 0),
       s.started_at, s.ended_at
FROM workflow_sessions s
LEFT JOIN agent_runs r
       ON r.workflow_session_id = s.session_id AND r.reset_marker IS NULL
WHERE s.reset_marker IS NULL
GROUP BY s.session_id";

/// The counted agent runs (every live row), optionally without the cancelled ones.
/// `?1` = hide_cancelled.
const COUNTED_RUNS: &str = "
FROM agent_runs r
WHERE r.reset_marker IS NULL
  AND (?1 = 0 OR COALESCE(r.total_cost, 0) > 0)";

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

/// Records (or updates) one agent request's usage for one model.
pub fn persist_agent_run(app: &App, a: PersistAgentRunArgs) -> Result<()> {
    validate_run(&a)?;
    let now = crate::db::now();
    let completed_at = (a.status != "running").then(|| now.clone());
    app.db.write(|tx| {
        let run_id: Option<i64> = tx
            .query_row(
                "SELECT id FROM workflow_runs WHERE skill_name = ?1",
                [&a.skill_name],
                |r| r.get(0),
            )
            .optional()?;
        runs_store::upsert(
            tx,
            &AgentRunRow {
                agent_id: &a.agent_id,
                skill_name: &a.skill_name,
                step_id: a.step_id,
                model: &a.model,
                status: &a.status,
                input_tokens: a.input_tokens,
                output_tokens: a.output_tokens,
                total_cost: a.total_cost,
                session_id: a.session_id.as_deref(),
                started_at: &now,
                completed_at: completed_at.as_deref(),
                cache_read_tokens: a.cache_read_tokens,
                cache_write_tokens: a.cache_write_tokens,
                duration_ms: a.duration_ms,
                workflow_session_id: a.workflow_session_id.as_deref(),
                num_turns: a.num_turns,
                stop_reason: a.stop_reason.as_deref(),
                duration_api_ms: a.duration_api_ms,
                tool_use_count: a.tool_use_count,
                compaction_count: a.compaction_count,
                workflow_run_id: run_id,
            },
        )
    })
}

fn validate_run(a: &PersistAgentRunArgs) -> Result<()> {
    for (name, v) in [
        ("agentId", &a.agent_id),
        ("skillName", &a.skill_name),
        ("model", &a.model),
    ] {
        if v.trim().is_empty() {
            return Err(Error::invalid(format!("{name} must not be empty")));
        }
    }
    if !STATUSES.contains(&a.status.as_str()) {
        return Err(Error::invalid(format!(
            "unknown agent run status '{}'; expected one of {}",
            a.status,
            STATUSES.join(", ")
        )));
    }
    // -1 is "no workflow step": what a one-off agent (`start_agent`) records. Refusing it
    // meant those runs were paid for and never recorded.
    if a.step_id < -1 {
        return Err(Error::invalid(format!(
            "stepId must be -1 (no workflow step) or more (got {})",
            a.step_id
        )));
    }
    let counters: [(&str, i64); 9] = [
        ("inputTokens", a.input_tokens.into()),
        ("outputTokens", a.output_tokens.into()),
        ("cacheReadTokens", a.cache_read_tokens.into()),
        ("cacheWriteTokens", a.cache_write_tokens.into()),
        ("durationMs", a.duration_ms),
        ("numTurns", a.num_turns.into()),
        ("durationApiMs", a.duration_api_ms.unwrap_or(0)),
        ("toolUseCount", a.tool_use_count.into()),
        ("compactionCount", a.compaction_count.into()),
    ];
    if let Some((name, v)) = counters.iter().find(|(_, v)| *v < 0) {
        return Err(Error::invalid(format!(
            "{name} must not be negative (got {v})"
        )));
    }
    if !a.total_cost.is_finite() || a.total_cost < 0.0 {
        return Err(Error::invalid(format!(
            "totalCost must be a non-negative number (got {})",
            a.total_cost
        )));
    }
    Ok(())
}

/// Totals over every live agent run, by kind; `total_runs` and the average count sessions.
pub fn get_usage_summary(app: &App, a: HideCancelledArgs) -> Result<UsageSummary> {
    let conn = app.db.conn();
    let (session_cost, total_runs): (f64, i64) = conn.query_row(
        "WITH sc AS (SELECT COALESCE(SUM(r.total_cost), 0.0) AS cost
                     FROM workflow_sessions s
                     LEFT JOIN agent_runs r
                            ON r.workflow_session_id = s.session_id AND r.reset_marker IS NULL
                     WHERE s.reset_marker IS NULL
                     GROUP BY s.session_id)
         SELECT COALESCE(SUM(cost), 0.0), COUNT(*) FROM sc WHERE ?1 = 0 OR cost > 0",
        [a.hide_cancelled],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let avg_cost_per_run = if total_runs > 0 {
        session_cost / total_runs as f64
    } else {
        0.0
    };
    let kind = kind_sql("r.step_id");
    let sql = format!(
        "SELECT {kind} AS kind, COALESCE(SUM(r.total_cost), 0.0), COUNT(*) {COUNTED_RUNS}
         GROUP BY kind ORDER BY 2 DESC, kind"
    );
    let mut stmt = conn.prepare(&sql)?;
    let by_kind: Vec<UsageByKind> = stmt
        .query_map([a.hide_cancelled], |r| {
            let kind: String = r.get(0)?;
            Ok(UsageByKind {
                kind_name: kind_name(&kind).into(),
                kind,
                total_cost: r.get(1)?,
                run_count: clamp_i32(r.get(2)?),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    // One query for the total, so it is exactly the sum SQLite computes over the live rows.
    let total_cost: f64 = conn.query_row(
        &format!("SELECT COALESCE(SUM(r.total_cost), 0.0) {COUNTED_RUNS}"),
        [a.hide_cancelled],
        |r| r.get(0),
    )?;
    Ok(UsageSummary {
        total_cost,
        total_runs: clamp_i32(total_runs),
        avg_cost_per_run,
        by_kind,
    })
}

/// Latest live agent-run rows (last written first), at most `limit`.
pub fn get_recent_runs(app: &App, a: LimitArgs) -> Result<Vec<AgentRunRecord>> {
    let conn = app.db.conn();
    let sql = format!(
        "SELECT {RUN_COLUMNS} FROM agent_runs WHERE reset_marker IS NULL
         ORDER BY COALESCE(completed_at, started_at) DESC, started_at DESC, agent_id, model
         LIMIT ?1"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([sql_limit(a.limit)], row_to_run)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Counted runs grouped by step id (refine and skill tests have their own), costliest first.
pub fn get_usage_by_step(app: &App, a: HideCancelledArgs) -> Result<Vec<UsageByStep>> {
    let conn = app.db.conn();
    let sql = format!(
        "SELECT r.step_id, COALESCE(SUM(r.total_cost), 0.0), COUNT(*) {COUNTED_RUNS}
         GROUP BY r.step_id ORDER BY 2 DESC, r.step_id"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([a.hide_cancelled], |r| {
        let step_id: i32 = r.get(0)?;
        Ok(UsageByStep {
            step_id,
            step_name: step_name(step_id),
            total_cost: r.get(1)?,
            run_count: clamp_i32(r.get(2)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Counted runs grouped by model, costliest first.
pub fn get_usage_by_model(app: &App, a: HideCancelledArgs) -> Result<Vec<UsageByModel>> {
    let conn = app.db.conn();
    let sql = format!(
        "SELECT r.model, COALESCE(SUM(r.total_cost), 0.0), COUNT(*) {COUNTED_RUNS}
         GROUP BY r.model ORDER BY 2 DESC, r.model"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([a.hide_cancelled], |r| {
        Ok(UsageByModel {
            model: r.get(0)?,
            total_cost: r.get(1)?,
            run_count: clamp_i32(r.get(2)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Finished counted runs of the last `days` UTC days (today included), per UTC date, oldest first.
pub fn get_usage_by_day(app: &App, a: UsageByDayArgs) -> Result<Vec<UsageByDay>> {
    let days = a.days.unwrap_or(DEFAULT_USAGE_DAYS);
    if days == 0 {
        return Err(Error::invalid("days must be at least 1"));
    }
    let today = chrono::Utc::now().date_naive();
    let cutoff = today
        .checked_sub_days(chrono::Days::new(u64::from(days) - 1))
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| "0000-01-01".into());
    let conn = app.db.conn();
    let sql = format!(
        "SELECT date(r.completed_at) AS day, COALESCE(SUM(r.total_cost), 0.0), COUNT(*)
         {COUNTED_RUNS}
           AND r.completed_at IS NOT NULL AND date(r.completed_at) >= ?2
         GROUP BY day ORDER BY day"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![a.hide_cancelled, cutoff], |r| {
        Ok(UsageByDay {
            date: r.get(0)?,
            total_cost: r.get(1)?,
            run_count: clamp_i32(r.get(2)?),
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Soft reset: stamps `reset_marker` on every live agent run and session. Deletes nothing.
pub fn reset_usage(app: &App, _a: NoArgs) -> Result<()> {
    let now = crate::db::now();
    app.db.write(|tx| {
        runs_store::mark_reset(tx, &now)?;
        crate::db::sessions_store::mark_reset(tx, &now)?;
        Ok(())
    })
}

/// Live workflow sessions with their run totals, newest first, at most `limit`.
pub fn get_recent_workflow_sessions(
    app: &App,
    a: RecentSessionsArgs,
) -> Result<Vec<WorkflowSessionRecord>> {
    let conn = app.db.conn();
    let sql = format!(
        "{SESSION_TOTALS}
         HAVING ?1 = 0 OR COALESCE(SUM(r.total_cost), 0) > 0
         ORDER BY s.started_at DESC, s.session_id
         LIMIT ?2"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![a.hide_cancelled, sql_limit(a.limit)], |r| {
        Ok(WorkflowSessionRecord {
            session_id: r.get(0)?,
            skill_name: r.get(1)?,
            min_step: r.get(2)?,
            max_step: r.get(3)?,
            steps_csv: r.get(4)?,
            agent_count: clamp_i32(r.get(5)?),
            total_cost: r.get(6)?,
            total_input_tokens: r.get(7)?,
            total_output_tokens: r.get(8)?,
            total_cache_read: r.get(9)?,
            total_cache_write: r.get(10)?,
            total_duration_ms: r.get(11)?,
            started_at: r.get(12)?,
            completed_at: r.get(13)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The live agent runs of one workflow session, oldest first. Reset rows are hidden, so the
/// rows listed add up to the session's totals in `get_recent_workflow_sessions`.
pub fn get_session_agent_runs(app: &App, a: SessionIdArgs) -> Result<Vec<AgentRunRecord>> {
    let conn = app.db.conn();
    let sql = format!(
        "SELECT {RUN_COLUMNS} FROM agent_runs
         WHERE workflow_session_id = ?1 AND reset_marker IS NULL
         ORDER BY started_at, agent_id, model"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map([&a.session_id], row_to_run)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Finished (`completed`/`error`) live runs of one step of a skill, newest first. A row belongs
/// to the skill through `workflow_run_id` or, when that is unset (rows of imported/refined
/// skills, or written before the skill had a workflow run), through its `skill_name`.
pub fn get_step_agent_runs(app: &App, a: StepRunsArgs) -> Result<Vec<AgentRunRecord>> {
    let conn = app.db.conn();
    let sql = format!(
        "SELECT {RUN_COLUMNS} FROM agent_runs
         WHERE step_id = ?2
           AND status IN ('completed', 'error')
           AND reset_marker IS NULL
           AND (workflow_run_id = (SELECT id FROM workflow_runs WHERE skill_name = ?1)
                OR (workflow_run_id IS NULL AND skill_name = ?1))
         ORDER BY completed_at DESC, started_at DESC, agent_id, model"
    );
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(params![a.skill_name, a.step_id], row_to_run)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Whether a live agent run of this workflow session is still `running` (a DB answer: rows the
/// UI persisted, not live processes). Reset rows are ignored, like everywhere in this module.
pub fn has_running_agents_in_db(app: &App, workflow_session_id: &str) -> Result<bool> {
    let conn = app.db.conn();
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM agent_runs
                       WHERE workflow_session_id = ?1 AND status = 'running'
                         AND reset_marker IS NULL)",
        [workflow_session_id],
        |r| r.get(0),
    )?)
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Display name of a run's step id: the four workflow steps, refine and skill tests by name;
/// agents outside a step (id -1: suggestions, answer evaluator…) as "Other agents"; a legacy
/// step id one-based ("Step 8" for id 7), as people read step numbers.
pub fn step_name(step_id: i32) -> String {
    match step_id {
        0 => "Research".into(),
        1 => "Detailed Research".into(),
        2 => "Confirm Decisions".into(),
        3 => "Generate Skill".into(),
        crate::refine::REFINE_STEP_ID => "Refine".into(),
        crate::skilltest::SKILL_TEST_STEP_ID => "Skill Test".into(),
        crate::evals::EVAL_STEP_ID => "Evals".into(),
        n if n < 0 => "Other agents".into(),
        n => format!("Step {}", n.saturating_add(1)),
    }
}

/// The kind of a run from its step id (see the module notes).
pub fn run_kind(step_id: i32) -> &'static str {
    match step_id {
        0..=3 => "workflow_step",
        crate::refine::REFINE_STEP_ID => "refine",
        crate::skilltest::SKILL_TEST_STEP_ID => "skill_test",
        crate::evals::EVAL_STEP_ID => "eval",
        _ => "other",
    }
}

/// [`run_kind`] as an SQL expression over the step-id column `col`.
fn kind_sql(col: &str) -> String {
    format!(
        "CASE WHEN {col} BETWEEN 0 AND 3 THEN 'workflow_step' \
              WHEN {col} = {} THEN 'refine' \
              WHEN {col} = {} THEN 'skill_test' \
              WHEN {col} = {} THEN 'eval' ELSE 'other' END",
        crate::refine::REFINE_STEP_ID,
        crate::skilltest::SKILL_TEST_STEP_ID,
        crate::evals::EVAL_STEP_ID
    )
}

fn kind_name(kind: &str) -> &'static str {
    match kind {
        "workflow_step" => "Workflow steps",
        "refine" => "Refine",
        "skill_test" => "Skill tests",
        "eval" => "Evals",
        _ => "Other",
    }
}

fn row_to_run(r: &rusqlite::Row<'_>) -> rusqlite::Result<AgentRunRecord> {
    Ok(AgentRunRecord {
        agent_id: r.get(0)?,
        skill_name: r.get(1)?,
        step_id: r.get(2)?,
        model: r.get(3)?,
        status: r.get(4)?,
        input_tokens: r.get(5)?,
        output_tokens: r.get(6)?,
        cache_read_tokens: r.get(7)?,
        cache_write_tokens: r.get(8)?,
        total_cost: r.get(9)?,
        duration_ms: r.get(10)?,
        num_turns: r.get(11)?,
        stop_reason: r.get(12)?,
        duration_api_ms: r.get(13)?,
        tool_use_count: r.get(14)?,
        compaction_count: r.get(15)?,
        session_id: r.get(16)?,
        started_at: r.get(17)?,
        completed_at: r.get(18)?,
    })
}

/// A `usize` limit as SQLite's signed LIMIT (saturating).
fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

fn clamp_i32(v: i64) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_names_follow_the_current_workflow() {
        assert_eq!(step_name(0), "Research");
        assert_eq!(step_name(1), "Detailed Research");
        assert_eq!(step_name(2), "Confirm Decisions");
        assert_eq!(step_name(3), "Generate Skill");
        assert_eq!(step_name(5), "Step 6");
        assert_eq!(step_name(-1), "Other agents");
    }

    #[test]
    fn run_kinds_follow_step_ids() {
        for (step, kind) in [
            (0, "workflow_step"),
            (3, "workflow_step"),
            (crate::refine::REFINE_STEP_ID, "refine"),
            (crate::skilltest::SKILL_TEST_STEP_ID, "skill_test"),
            (crate::evals::EVAL_STEP_ID, "eval"),
            (-1, "other"),
            (4, "other"),
        ] {
            assert_eq!(run_kind(step), kind, "{step}");
        }
    }

    #[test]
    fn negative_counters_and_unknown_status_are_rejected() {
        let ok = PersistAgentRunArgs {
            agent_id: "a".into(),
            skill_name: "s".into(),
            step_id: 0,
            model: "m".into(),
            status: "completed".into(),
            input_tokens: 0,
            output_tokens: 0,
            cache_read_tokens: 0,
            cache_write_tokens: 0,
            total_cost: 0.0,
            duration_ms: 0,
            num_turns: 0,
            stop_reason: None,
            duration_api_ms: None,
            tool_use_count: 0,
            compaction_count: 0,
            session_id: None,
            workflow_session_id: None,
        };
        assert!(validate_run(&ok).is_ok());
        assert!(validate_run(&PersistAgentRunArgs {
            step_id: -1,
            ..ok.clone()
        })
        .is_ok());
        let bad = [
            PersistAgentRunArgs {
                status: "done".into(),
                ..ok.clone()
            },
            PersistAgentRunArgs {
                step_id: -2,
                ..ok.clone()
            },
            PersistAgentRunArgs {
                output_tokens: -1,
                ..ok.clone()
            },
            PersistAgentRunArgs {
                duration_api_ms: Some(-5),
                ..ok.clone()
            },
            PersistAgentRunArgs {
                total_cost: f64::NAN,
                ..ok.clone()
            },
            PersistAgentRunArgs {
                total_cost: -0.5,
                ..ok.clone()
            },
            PersistAgentRunArgs {
                model: " ".into(),
                ..ok.clone()
            },
        ];
        for b in bad {
            let e = validate_run(&b).unwrap_err();
            assert_eq!(e.kind, crate::ErrorKind::InvalidInput, "{b:?}");
        }
    }
}
