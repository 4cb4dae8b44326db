//! The Workflow command group: running the four steps on agents, their state in
//! `workflow_steps`/`workflow_runs`, outputs in `workflow_artifacts`, resets, guards, gates
//! and packages. Completion is decided by the backend from the files the agent wrote.

pub mod build;
pub mod context;
pub mod deploy;
pub mod labels;
pub mod sessions;
pub mod steps;

use crate::agents::{AgentHandle, AgentOutcome, AgentRequest, RequestKind};
use crate::app::App;
use crate::args::NoArgs;
use crate::error::{Error, IoContext, Result};
use crate::ingest::names::validate_skill_name;
use crate::safe_fs;
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use steps::{step, STEPS};

// ---- types ----

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
    pub version: Option<String>,
    pub model: Option<String>,
    pub argument_hint: Option<String>,
    pub user_invocable: Option<bool>,
    pub disable_model_invocation: Option<bool>,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepResetPreview {
    pub step_id: u32,
    pub step_name: String,
    pub files: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageResult {
    pub file_path: String,
    pub size_bytes: u64,
    /// Beyond the reference: symbolic links of the skill folder left out of the package
    /// (relative, `/`-separated). Links are never packed.
    #[serde(default)]
    pub skipped: Vec<String>,
}

// ---- args ----

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunStepArgs {
    pub skill_name: String,
    pub step_id: u32,
    #[serde(default)]
    pub workspace_path: Option<String>,
    /// Beyond the reference: the workflow session the run's usage belongs to (default: this
    /// process's open session of the skill, if any).
    #[serde(default)]
    pub workflow_session_id: Option<String>,
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
pub struct ResetArgs {
    pub skill_name: String,
    pub from_step_id: u32,
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

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GateArgs {
    pub skill_name: String,
    pub verdict: String,
    pub decision: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillNamesArgs {
    pub skill_names: Vec<String>,
}

// ---- helpers ----

fn skill_dir(app: &App, skill: &str) -> PathBuf {
    app.skills_path().join(skill)
}

fn run_id(conn: &rusqlite::Connection, skill: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row(
            "SELECT id FROM workflow_runs WHERE skill_name = ?1",
            [skill],
            |r| r.get(0),
        )
        .optional()?)
}

fn require_run(app: &App, skill: &str) -> Result<i64> {
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
fn set_step(
    conn: &rusqlite::Connection,
    skill: &str,
    run: i64,
    id: i32,
    status: &str,
) -> Result<()> {
    let now = crate::db::now();
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

fn set_run(conn: &rusqlite::Connection, run: i64, current: i32, status: &str) -> Result<()> {
    conn.execute(
        "UPDATE workflow_runs SET current_step = ?1, status = ?2, updated_at = ?3 WHERE id = ?4",
        params![current, status, crate::db::now(), run],
    )?;
    Ok(())
}

/// Stores the step's output files in `workflow_artifacts` (text files only).
fn store_artifacts(app: &App, skill: &str, run: i64, id: u32) -> Result<usize> {
    let dir = skill_dir(app, skill);
    let files = steps::produced_files(&dir, id);
    app.db.write(|tx| {
        tx.execute(
            "DELETE FROM workflow_artifacts WHERE skill_name = ?1 AND step_id = ?2",
            params![skill, id],
        )?;
        let now = crate::db::now();
        let mut n = 0;
        for rel in &files {
            let Ok(content) = safe_fs::read_to_string_inside(&dir, Path::new(rel)) else {
                continue;
            };
            tx.execute(
                "INSERT INTO workflow_artifacts (skill_name, step_id, relative_path, content, size_bytes,
                                                 created_at, updated_at, workflow_run_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
                params![skill, id, rel, content, content.len() as i64, now, run],
            )?;
            n += 1;
        }
        Ok(n)
    })
}

/// What happens when a step's agent ends: the strict output check, then step + run status,
/// artifacts and a git commit. Never panics; failures are logged and the step marked `error`.
fn complete_step(
    app: &App,
    skill: &str,
    id: u32,
    outcome: &AgentOutcome,
) -> std::result::Result<(), String> {
    let Ok(Some(run)) = run_id(&app.db.conn(), skill) else {
        return Err(format!("skill '{skill}' disappeared while its step ran"));
    };
    let verdict = if outcome.success {
        steps::step_complete(&skill_dir(app, skill), id)
    } else {
        Err(outcome
            .error
            .clone()
            .unwrap_or_else(|| "the agent failed".into()))
    };
    let conn = app.db.conn();
    match &verdict {
        Ok(()) => {
            let _ = set_step(&conn, skill, run, id as i32, "completed");
            let (next, status) = if id == 3 {
                (3, "completed")
            } else {
                (id as i32 + 1, "pending")
            };
            let _ = set_run(&conn, run, next, status);
            drop(conn);
            if let Err(e) = store_artifacts(app, skill, run, id) {
                tracing::warn!("could not store artifacts of {skill} step {id}: {e}");
            }
            crate::history::commit_skill(
                app,
                skill,
                &format!("{skill}: {} completed", labels::step_label(id as i32)),
            );
            crate::installs::after_library_change(app, skill);
            tracing::info!("{skill}: {} completed", labels::step_label(id as i32));
        }
        Err(why) => {
            let _ = set_step(&conn, skill, run, id as i32, "error");
            let _ = set_run(&conn, run, id as i32, "pending");
            tracing::warn!("{skill}: {} failed: {why}", labels::step_label(id as i32));
        }
    }
    verdict
}

/// The open workflow session of this process for a skill, if any.
fn open_session(app: &App, skill: &str) -> Option<String> {
    app.db
        .conn()
        .query_row(
            // The start time tells our sessions from those of an earlier process that had
            // the same PID.
            "SELECT session_id FROM workflow_sessions WHERE skill_name = ?1 AND pid = ?2 AND ended_at IS NULL
               AND (pid_started_at IS NULL OR pid_started_at IS ?3)
             ORDER BY started_at DESC LIMIT 1",
            params![skill, app.pid, app.pid_started_at],
            |r| r.get(0),
        )
        .ok()
}

/// The API key for agent runs; not needed in mock mode.
fn agent_key(app: &App) -> Result<Option<String>> {
    if app.mock_agents() {
        return Ok(None);
    }
    crate::anthropic::require_api_key(app).map(Some)
}

fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

fn p(path: &Path) -> String {
    path.display().to_string()
}

/// The user prompt of a step: every folder and output file by its full path.
fn step_prompt(
    app: &App,
    skill: &str,
    id: u32,
    settings: &crate::settings::AppSettings,
) -> Result<String> {
    let ws_dir = app.workspace_path().join(skill);
    let out = skill_dir(app, skill);
    let ctx = out.join("context");
    let def = step(id)?;
    let outputs: Vec<String> = match id {
        1 => vec![p(&ctx.join("clarifications.json"))],
        3 => vec![
            p(&out.join("SKILL.md")),
            format!(
                "{}/ (3–8 kebab-case topic files)",
                p(&out.join("references"))
            ),
            p(&ctx.join("evaluations.md")),
        ],
        _ => def.outputs.iter().map(|f| p(&out.join(f))).collect(),
    };
    let (author, created): (Option<String>, Option<String>) = app
        .db
        .conn()
        .query_row(
            "SELECT author_login, created_at FROM workflow_runs WHERE skill_name = ?1",
            [skill],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap_or((None, None));
    let mut s = format!(
        "Step: {id} ({name}) for the skill \"{skill}\".\n\n\
         The skill name is: {skill}\n\
         The workspace directory is: {ws}\n\
         The context directory is: {ctx}\n\
         The skill output directory is: {out}\n\
         All directories already exist. Do not create directories, do not list directories, and read only the files named here.\n\
         Read {uc} first; ignore every other file in the workspace directory.\n",
        name = def.name,
        ws = p(&ws_dir),
        ctx = p(&ctx),
        out = p(&out),
        uc = p(&ws_dir.join("user-context.md")),
    );
    if id == 1 {
        s.push_str(&format!(
            "The answer evaluation file is: {}\n",
            p(&ws_dir.join("answer-evaluation.json"))
        ));
    }
    if let Some(a) = author.filter(|a| !a.is_empty()) {
        s.push_str(&format!("The author is: {a}\n"));
        if let Some(c) = created {
            s.push_str(&format!(
                "The created date is: {}\n",
                c.chars().take(10).collect::<String>()
            ));
        }
        s.push_str(&format!(
            "The modified date is: {}\n",
            chrono::Utc::now().format("%Y-%m-%d")
        ));
    }
    s.push_str(&format!(
        "The maximum number of research dimensions (max_dimensions) is: {}\n",
        settings.max_dimensions
    ));
    s.push_str("Output files:\n");
    for o in &outputs {
        s.push_str(&format!("- {o}\n"));
    }
    Ok(s)
}

/// Which agent runs and how: the parts that differ between a step and the answer evaluator.
struct AgentSpec<'a> {
    agent: &'a str,
    tools: &'a [&'a str],
    max_turns: u32,
    thinking: Option<u32>,
    /// The mock scenario replayed when no key is used.
    mock_step: Value,
    step_id: i32,
}

/// Step 3's refusal while `decisions.md` says `contradictory_inputs: true`. It names both ways
/// out that keep the research, so nobody starts over from step 0.
fn contradictory_decisions_error(skill: &str) -> Error {
    Error::invalid(format!(
        "Step 4 (Generate Skill) of '{skill}' is blocked: context/decisions.md has contradictory inputs \
         (contradictory_inputs: true). Either edit the decisions and change that line to \
         'contradictory_inputs: revised', or change the contradicting answers in \
         context/clarifications.json and re-run step 3 (Confirm Decisions) (reset_workflow_step and \
         run_workflow_step with step id 2); both keep the research and your answers."
    ))
}

/// The sidecar config shared by workflow-style requests.
fn sidecar_config(
    app: &App,
    skill: &str,
    prompt: String,
    model: &str,
    spec: AgentSpec<'_>,
    key: &Option<String>,
) -> Value {
    let out = skill_dir(app, skill);
    let mut c = json!({
        "prompt": prompt,
        "cwd": p(&app.workspace_path()),
        "model": model,
        "agentName": spec.agent,
        "allowedTools": spec.tools,
        "maxTurns": spec.max_turns,
        "permissionMode": "acceptEdits",
        "skillName": skill,
        "stepId": spec.step_id,
        "skillDir": p(&out),
        "contextDir": p(&out.join("context")),
        "workspaceDir": p(&app.workspace_path().join(skill)),
    });
    if let Some(k) = key {
        c["apiKey"] = json!(k);
    } else {
        c["mock"] = json!(true);
        c["mockStep"] = spec.mock_step;
    }
    if let Some(t) = spec.thinking {
        c["maxThinkingTokens"] = json!(t);
        if !model.contains("opus") {
            c["betas"] = json!(["interleaved-thinking-2025-05-14"]);
        }
    }
    c
}

/// Starts a workflow step on the skill's sidecar and returns its handle. Completion (outputs,
/// status, artifacts, commit) is recorded before the handle resolves.
pub async fn start_step(
    app: &Arc<App>,
    skill: &str,
    id: u32,
    session: Option<String>,
) -> Result<AgentHandle> {
    let def = step(id)?;
    let run = require_run(app, skill)?;
    crate::locks::ensure_not_locked_by_other(app, skill)?;
    let key = agent_key(app)?;
    let dir = skill_dir(app, skill);
    if id >= 1 && steps::scope_too_broad(&dir) {
        return Err(Error::invalid(format!(
            "The research found the scope of '{skill}' too broad, so {} is blocked. Narrow the skill and reset to {}.",
            labels::step_label(id as i32),
            labels::step_label(0)
        )));
    }
    if id == 3 {
        let decisions =
            std::fs::read_to_string(dir.join("context/decisions.md")).unwrap_or_default();
        if decisions.trim().is_empty() {
            return Err(Error::invalid(
                "Step 4 (Generate Skill) needs context/decisions.md; run step 3 (Confirm Decisions) first",
            ));
        }
        if steps::contradictory(&dir) {
            return Err(contradictory_decisions_error(skill));
        }
    }
    let prefix = format!("{skill}-step{id}-");
    let running = app.db.conn().query_row(
        "SELECT agent_id FROM agent_runs WHERE skill_name = ?1 AND status = 'running' AND agent_id LIKE ?2 || '%'",
        params![skill, prefix],
        |r| r.get::<_, String>(0),
    );
    if let Ok(a) = running {
        if app.agents.has_pending(Some(std::slice::from_ref(&a))) {
            return Err(Error::conflict(format!(
                "Step {id} of '{skill}' is already running ({a})"
            )));
        }
    }
    let settings = crate::settings::load(app)?;
    let app2 = app.clone();
    tokio::task::spawn_blocking({
        let app = app2.clone();
        let skill = skill.to_string();
        move || -> Result<()> {
            deploy::prepare_workspace(&app)?;
            if id == 0 {
                // A linked skill folder is refused; a linked context/ goes as a link.
                safe_fs::remove_inside(&app.skills_path(), &Path::new(&skill).join("context"))?;
                let ctx = skill_dir(&app, &skill).join("context");
                std::fs::create_dir_all(&ctx).with_path(&ctx)?;
            }
            std::fs::create_dir_all(skill_dir(&app, &skill).join("references")).ok();
            if let Err(e) = context::write(&app, &skill) {
                tracing::warn!("could not write user-context.md for {skill}: {e}");
            }
            let conn = app.db.conn();
            set_step(&conn, &skill, run, id as i32, "in_progress")?;
            conn.execute(
                "UPDATE workflow_runs SET current_step = ?1, status = 'in_progress', updated_at = ?2 WHERE id = ?3",
                params![id, crate::db::now(), run],
            )?;
            Ok(())
        }
    })
    .await
    .map_err(|e| Error::internal(e.to_string()))??;
    let over = settings
        .step_overrides
        .get(&id.to_string())
        .cloned()
        .unwrap_or_default();
    let model = steps::model_for(&settings, id);
    let thinking = settings
        .extended_thinking
        .then(|| over.thinking_budget.unwrap_or(def.thinking_budget));
    let prompt = step_prompt(app, skill, id, &settings)?;
    let agent_id = format!("{skill}-step{id}-{}", now_ms());
    let config = sidecar_config(
        app,
        skill,
        prompt,
        &model,
        AgentSpec {
            agent: def.agent,
            tools: &steps::TOOLS,
            max_turns: over.max_turns.unwrap_or(def.max_turns),
            thinking,
            mock_step: json!(id),
            step_id: id as i32,
        },
        &key,
    );
    let skill_owned = skill.to_string();
    let req = AgentRequest {
        agent_id,
        skill_name: skill.to_string(),
        pool_key: None,
        step_id: id as i32,
        model,
        config,
        transcript: Some((
            app.workspace_path().join(skill).join("logs"),
            format!("step{id}"),
        )),
        workflow_session_id: Some(match session.or_else(|| open_session(app, skill)) {
            Some(s) => s,
            None => {
                // Every step runs inside a session of this process, so another instance's
                // start-up reconciliation sees it as live and leaves the skill alone.
                let id = uuid::Uuid::new_v4().to_string();
                sessions::create_workflow_session(
                    app,
                    sessions::CreateSessionArgs {
                        session_id: id.clone(),
                        skill_name: skill.to_string(),
                    },
                )?;
                id
            }
        }),
        kind: RequestKind::OneShot,
        on_finish: Some(Box::new(move |app: &Arc<App>, outcome: &AgentOutcome| {
            if let Err(why) = complete_step(app, &skill_owned, id, outcome) {
                if outcome.success {
                    app.events.emit(crate::events::Event::agent_message(
                        &outcome.agent_id,
                        json!({"type": "error", "request_id": outcome.agent_id, "error": format!("{} did not produce its outputs: {why}", labels::step_label(id as i32))}),
                    ));
                }
            }
        })),
    };
    match app.agents.send(app, req).await {
        Ok(h) => Ok(h),
        Err(e) => {
            let conn = app.db.conn();
            let _ = set_step(&conn, skill, run, id as i32, "error");
            let _ = set_run(&conn, run, id as i32, "pending");
            Err(e)
        }
    }
}

// ---- commands ----

/// Starts a step and returns its agent id at once; progress arrives as events.
pub async fn run_workflow_step(app: &Arc<App>, a: RunStepArgs) -> Result<String> {
    Ok(
        start_step(app, &a.skill_name, a.step_id, a.workflow_session_id)
            .await?
            .agent_id,
    )
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
                        version: r.get(12)?,
                        model: r.get(13)?,
                        argument_hint: r.get(14)?,
                        user_invocable: r.get(15)?,
                        disable_model_invocation: r.get(16)?,
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
        tx.execute("UPDATE skills SET purpose = ?1, updated_at = ?2 WHERE id = ?3", params![a.purpose, crate::db::now(), sid])?;
        tx.execute(
            "INSERT INTO workflow_runs (skill_name, current_step, status, purpose, skill_id) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(skill_name) DO UPDATE SET current_step = excluded.current_step, status = excluded.status,
               purpose = excluded.purpose, updated_at = ?6",
            params![a.skill_name, a.current_step, status, a.purpose, sid, crate::db::now()],
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
        tx.execute(
            "UPDATE workflow_steps SET status = 'pending', started_at = NULL, completed_at = NULL
             WHERE skill_name = ?1 AND step_id >= ?2",
            params![skill, a.from_step_id],
        )?;
        tx.execute(
            "DELETE FROM workflow_artifacts WHERE skill_name = ?1 AND step_id >= ?2",
            params![skill, a.from_step_id],
        )?;
        set_run(tx, run, a.from_step_id as i32, "pending")
    })
}

/// Fills every unanswered question (or refinement) with its recommended choice, else the
/// first choice that is not "Other". Returns how many were filled; writes only when > 0.
fn autofill(app: &App, skill: &str, refinements: bool) -> Result<u32> {
    validate_skill_name(skill)?;
    let path = skill_dir(app, skill).join("context/clarifications.json");
    let text = std::fs::read_to_string(&path).map_err(|_| {
        Error::not_found(format!(
            "{} not found; run step 0 (Research) first",
            path.display()
        ))
    })?;
    let Ok(mut doc) = serde_json::from_str::<Value>(&text) else {
        return Ok(0);
    };
    let mut n = 0;
    let fill = |q: &mut Value, n: &mut u32| {
        let answered = !q["answer_choice"].is_null()
            || q["answer_text"]
                .as_str()
                .is_some_and(|t| !t.trim().is_empty());
        if answered {
            return;
        }
        let choices = q["choices"].as_array().cloned().unwrap_or_default();
        let rec = q["recommendation"]
            .as_str()
            .and_then(|r| r.split([' ', '—', '-', ':']).next())
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned);
        let pick = rec
            .and_then(|r| {
                choices
                    .iter()
                    .find(|c| c["id"] == r.as_str() && c["is_other"] != true)
            })
            .or_else(|| choices.iter().find(|c| c["is_other"] != true));
        if let Some(c) = pick {
            q["answer_choice"] = c["id"].clone();
            q["answer_text"] = c["text"].clone();
            *n += 1;
        }
    };
    if let Some(sections) = doc["sections"].as_array_mut() {
        for s in sections {
            for q in s["questions"].as_array_mut().into_iter().flatten() {
                if refinements {
                    for r in q["refinements"].as_array_mut().into_iter().flatten() {
                        fill(r, &mut n);
                    }
                } else {
                    fill(q, &mut n);
                }
            }
        }
    }
    if n > 0 {
        let pretty =
            serde_json::to_string_pretty(&doc).map_err(|e| Error::internal(e.to_string()))?;
        std::fs::write(&path, pretty).with_path(&path)?;
    }
    Ok(n)
}

pub fn autofill_clarifications(app: &App, a: SkillArgs) -> Result<u32> {
    autofill(app, &a.skill_name, false)
}

pub fn autofill_refinements(app: &App, a: SkillArgs) -> Result<u32> {
    autofill(app, &a.skill_name, true)
}

/// The overall verdicts the answer evaluator writes.
pub const EVALUATOR_VERDICTS: [&str; 3] = ["sufficient", "mixed", "insufficient"];

/// What an answer gate records when the evaluator failed (the gate is fail-open).
pub const GATE_VERDICT_UNAVAILABLE: &str = "unavailable";

/// The overall verdict in `{workspace}/{skill}/answer-evaluation.json`, if it parses.
fn evaluator_verdict(ws_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(ws_dir.join("answer-evaluation.json")).ok()?;
    let v: Value = serde_json::from_str(&text).ok()?;
    v["verdict"]
        .as_str()
        .filter(|s| EVALUATOR_VERDICTS.contains(s))
        .map(str::to_owned)
}

/// The verdict an answer gate records: the evaluator's own when its file says otherwise, so
/// the log and `gate-result.json` never carry a verdict the evaluator did not give.
fn recorded_verdict(skill: &str, given: &str, evaluated: Option<String>) -> String {
    match evaluated {
        Some(ev) if given != GATE_VERDICT_UNAVAILABLE && ev != given => {
            tracing::warn!(
                "gate decision for {skill}: the caller reported verdict={given} but answer-evaluation.json says {ev}; recording {ev}"
            );
            ev
        }
        _ => given.to_string(),
    }
}

/// Logs a gate decision. At an answer gate (an evaluator verdict, or `unavailable` when the
/// evaluator failed) the decision is also written to `{workspace}/{skill}/gate-result.json`
/// as `{decision, verdict, timestamp}`. Never fails: bookkeeping must not block a gate.
pub fn log_gate_decision(app: &App, a: GateArgs) -> Result<()> {
    if let Err(e) = validate_skill_name(&a.skill_name) {
        tracing::warn!("gate decision not recorded: {e}");
        return Ok(());
    }
    let ws = app.workspace_path().join(&a.skill_name);
    let answer_gate =
        EVALUATOR_VERDICTS.contains(&a.verdict.as_str()) || a.verdict == GATE_VERDICT_UNAVAILABLE;
    let verdict = if answer_gate {
        recorded_verdict(&a.skill_name, &a.verdict, evaluator_verdict(&ws))
    } else {
        a.verdict.clone()
    };
    tracing::info!(
        "gate decision for {}: verdict={} decision={}",
        a.skill_name,
        verdict,
        a.decision
    );
    if answer_gate {
        if let Err(e) = write_gate_result(&ws, &verdict, &a.decision) {
            tracing::warn!("could not write gate-result.json of {}: {e}", a.skill_name);
        }
    }
    Ok(())
}

fn write_gate_result(ws_dir: &Path, verdict: &str, decision: &str) -> Result<()> {
    let path = ws_dir.join("gate-result.json");
    safe_fs::refuse_symlink(ws_dir, "write gate-result.json")?;
    safe_fs::refuse_symlink(&path, "write gate-result.json")?;
    std::fs::create_dir_all(ws_dir).with_path(ws_dir)?;
    let body = json!({
        "decision": decision,
        "verdict": verdict,
        "timestamp": chrono::Utc::now().to_rfc3339(),
    });
    let text = serde_json::to_string_pretty(&body).map_err(|e| Error::internal(e.to_string()))?;
    std::fs::write(&path, text + "\n").with_path(&path)
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
            tx.execute("UPDATE workflow_steps SET status = 'pending', started_at = NULL, completed_at = NULL WHERE skill_name = ?1", [n])?;
            tx.execute(
                "UPDATE workflow_runs SET current_step = 0, status = 'pending', updated_at = ?2 WHERE skill_name = ?1",
                params![n, crate::db::now()],
            )?;
            Ok(())
        })?;
    }
    Ok(())
}

/// The answer-evaluator gate: haiku, Read + Write, 20 turns, no thinking.
pub async fn run_answer_evaluator(app: &Arc<App>, a: SkillArgs) -> Result<String> {
    require_run(app, &a.skill_name)?;
    let key = agent_key(app)?;
    let skill = a.skill_name.clone();
    {
        let app = app.clone();
        let skill = skill.clone();
        tokio::task::spawn_blocking(move || -> Result<()> {
            deploy::prepare_workspace(&app)?;
            context::write(&app, &skill).map(|_| ())
        })
        .await
        .map_err(|e| Error::internal(e.to_string()))??;
    }
    let ws = app.workspace_path().join(&skill);
    let ctx = skill_dir(app, &skill).join("context");
    let prompt = format!(
        "Evaluate the answers for the skill \"{skill}\".\n\nWorkspace directory: {}\nContext directory: {}\n\
         User context file: {} — read it first.\nRead: {}\nWrite exactly: {}\nCreate no folders.\n",
        p(&ws),
        p(&ctx),
        p(&ws.join("user-context.md")),
        p(&ctx.join("clarifications.json")),
        p(&ws.join("answer-evaluation.json")),
    );
    let agent_id = format!("{skill}-gate-eval-{}", now_ms());
    let config = sidecar_config(
        app,
        &skill,
        prompt,
        crate::anthropic::HAIKU,
        AgentSpec {
            agent: "answer-evaluator",
            tools: &["Read", "Write"],
            max_turns: 20,
            thinking: None,
            mock_step: json!("answer-evaluator"),
            step_id: 0,
        },
        &key,
    );
    let req = AgentRequest {
        agent_id,
        skill_name: skill.clone(),
        pool_key: None,
        step_id: 0,
        model: crate::anthropic::HAIKU.into(),
        config,
        transcript: Some((ws.join("logs"), "gate-eval".into())),
        workflow_session_id: open_session(app, &skill),
        kind: RequestKind::OneShot,
        on_finish: None,
    };
    Ok(app.agents.send(app, req).await?.agent_id)
}

/// Writes `<data dir>/exports/<skill>.skill`: SKILL.md at the root plus the skill's other
/// deployable files ([`safe_fs::deployable_files`]). Symbolic links are never packed: they are
/// listed in `skipped`, and a skill folder or SKILL.md that is a link is refused.
pub fn package_skill(app: &App, a: SkillArgs) -> Result<PackageResult> {
    validate_skill_name(&a.skill_name)?;
    let dir = skill_dir(app, &a.skill_name);
    if std::fs::symlink_metadata(dir.join("SKILL.md")).is_err() {
        return Err(Error::not_found(format!(
            "{} has no SKILL.md yet; finish step 3 (Generate Skill) first",
            dir.display()
        )));
    }
    let real = safe_fs::guarded_dir(&app.skills_path(), &dir)?;
    let skill_md = real.join("SKILL.md");
    safe_fs::refuse_symlink(&skill_md, &format!("package the skill '{}'", a.skill_name))?;
    if !safe_fs::is_real_file(&skill_md) {
        return Err(Error::not_found(format!(
            "{} is not a file; finish step 3 (Generate Skill) first",
            skill_md.display()
        )));
    }
    let found = safe_fs::deployable_files(&real)?;
    let skipped: Vec<String> = found
        .skipped_links
        .iter()
        .map(|p| safe_fs::slash_path(p))
        .collect();
    for link in &skipped {
        tracing::warn!(
            "package of {}: skipping the symbolic link {link} (links are never packed)",
            a.skill_name
        );
    }
    let exports = app.paths.exports_dir();
    std::fs::create_dir_all(&exports).with_path(&exports)?;
    let dest = exports.join(format!("{}.skill", a.skill_name));
    let tmp = exports.join(format!(".{}.skill.{}", a.skill_name, uuid::Uuid::new_v4()));
    let res = write_package(&real, &found.files, &tmp)
        .and_then(|_| std::fs::rename(&tmp, &dest).with_path(&dest));
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let size_bytes = std::fs::metadata(&dest).with_path(&dest)?.len();
    Ok(PackageResult {
        file_path: p(&dest),
        size_bytes,
        skipped,
    })
}

/// `files` (relative to `skill_dir`) into a ZIP at `dest`, SKILL.md first. Every read goes
/// through the path guard of the skill folder.
fn write_package(skill_dir: &Path, files: &[PathBuf], dest: &Path) -> Result<()> {
    use std::io::Write;
    let file = std::fs::File::create(dest).with_path(dest)?;
    let mut zip = zip::ZipWriter::new(file);
    let skill_md = Path::new("SKILL.md");
    let ordered = std::iter::once(skill_md).chain(
        files
            .iter()
            .map(PathBuf::as_path)
            .filter(|f| *f != skill_md),
    );
    for rel in ordered {
        let bytes = safe_fs::read_inside(skill_dir, rel)?;
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(file_mode(&skill_dir.join(rel)));
        zip.start_file(safe_fs::slash_path(rel), opts)
            .map_err(|e| Error::io(format!("zip: {e}")))?;
        zip.write_all(&bytes).with_path(dest)?;
    }
    zip.finish().map_err(|e| Error::io(format!("zip: {e}")))?;
    Ok(())
}

fn file_mode(p: &Path) -> u32 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::symlink_metadata(p)
            .map(|m| m.permissions().mode() & 0o777)
            .unwrap_or(0o644)
    }
    #[cfg(not(unix))]
    {
        let _ = p;
        0o644
    }
}
