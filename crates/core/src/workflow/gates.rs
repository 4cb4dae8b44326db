//! The answer gates: filling unanswered questions, the answer evaluator, the gate decision log.

use super::run::{agent_key, now_ms, open_session, p, sidecar_config, AgentSpec};
use super::state::{require_run, skill_dir, SkillArgs};
use super::{context, deploy};
use crate::agents::{AgentRequest, RequestKind};
use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::ingest::names::validate_skill_name;
use crate::safe_fs;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GateArgs {
    pub skill_name: String,
    pub verdict: String,
    pub decision: String,
}

/// Fills every unanswered question (or refinement) with its recommended choice, else the
/// first choice that is not "Other". Returns how many were filled; writes only when > 0.
pub(super) fn autofill(app: &App, skill: &str, refinements: bool) -> Result<u32> {
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
