//! Running a step on an agent: its prompt and sidecar config, and recording its completion.

use super::state::{require_run, run_id, set_run, set_step, skill_dir};
use super::steps::{self, step};
use super::{context, deploy, labels, sessions};
use crate::agents::{AgentHandle, AgentOutcome, AgentRequest, RequestKind};
use crate::app::App;
use crate::db::workflow_store::{self, NewArtifact};
use crate::error::{Error, IoContext, Result};
use crate::safe_fs;
use rusqlite::params;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;

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

/// Stores the step's output files in `workflow_artifacts` (text files only).
fn store_artifacts(app: &App, skill: &str, run: i64, id: u32) -> Result<usize> {
    let dir = skill_dir(app, skill);
    let files = steps::produced_files(&dir, id);
    app.db.write(|tx| {
        workflow_store::delete_step_artifacts(tx, skill, id)?;
        let now = crate::db::now();
        let mut n = 0;
        for rel in &files {
            let Ok(content) = safe_fs::read_to_string_inside(&dir, Path::new(rel)) else {
                continue;
            };
            workflow_store::insert_artifact(
                tx,
                &NewArtifact {
                    skill_name: skill,
                    step_id: id,
                    relative_path: rel,
                    content: &content,
                    workflow_run_id: run,
                    created_at: &now,
                },
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
pub(super) fn open_session(app: &App, skill: &str) -> Option<String> {
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
pub(super) fn agent_key(app: &App) -> Result<Option<String>> {
    if app.mock_agents() {
        return Ok(None);
    }
    crate::anthropic::require_api_key(app).map(Some)
}

pub(super) fn now_ms() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

pub(super) fn p(path: &Path) -> String {
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
pub(super) struct AgentSpec<'a> {
    pub(super) agent: &'a str,
    pub(super) tools: &'a [&'a str],
    pub(super) max_turns: u32,
    pub(super) thinking: Option<u32>,
    /// The mock scenario replayed when no key is used.
    pub(super) mock_step: Value,
    pub(super) step_id: i32,
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
pub(super) fn sidecar_config(
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
            set_run(&conn, run, id as i32, "in_progress")?;
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

/// Starts a step and returns its agent id at once; progress arrives as events.
pub async fn run_workflow_step(app: &Arc<App>, a: RunStepArgs) -> Result<String> {
    Ok(
        start_step(app, &a.skill_name, a.step_id, a.workflow_session_id)
            .await?
            .agent_id,
    )
}
