//! The question gate and the decisions review through the real Node sidecar in mock mode:
//! contradictory decisions are resolved without redoing the research, and an answer gate
//! records the verdict the answer evaluator actually gave.

use crate::support::*;
use serde_json::{json, Value};
use skill_builder_core::events::Event;
use skill_builder_core::{catalog, workflow, App, ErrorKind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::mpsc::UnboundedReceiver;

const CONTRADICTORY: &str = "---\ndecision_count: 2\nconflicts_resolved: 0\nround: 1\ncontradictory_inputs: true\n---\n\
# Decisions\n\n### D1: Primary use case\n- **Decision**: Operational reporting only\n- **Status**: needs-review\n\n\
### D2: Source of truth\n- **Decision**: Analytical modelling only\n- **Status**: needs-review\n";

async fn create(app: &Arc<App>, skill: &str) {
    catalog::call(
        app,
        "create_skill",
        json!({"name": skill, "purpose": "domain", "description": "Revenue recognition"}),
    )
    .await
    .unwrap();
}

/// Runs one step to its end and checks the backend recorded it completed.
async fn run_step(app: &Arc<App>, skill: &str, id: u32) {
    let outcome = workflow::start_step(app, skill, id, None)
        .await
        .unwrap()
        .wait()
        .await;
    assert!(outcome.success, "step {id}: {:?}", outcome.error);
    assert_eq!(step_status(app, skill, id).await, "completed", "step {id}");
}

async fn step_status(app: &Arc<App>, skill: &str, id: u32) -> String {
    let state = catalog::call(app, "get_workflow_state", json!({"skillName": skill}))
        .await
        .unwrap();
    state["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step_id"] == id)
        .map(|s| s["status"].as_str().unwrap().to_string())
        .unwrap_or_else(|| "pending".into())
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&read(p)).unwrap()
}

/// Sets one top-level question's answer in clarifications.json, as the gate's save does.
fn answer(clarifications: &Path, question: &str, choice: &str) {
    let mut doc = read_json(clarifications);
    for s in doc["sections"].as_array_mut().unwrap() {
        for q in s["questions"].as_array_mut().unwrap() {
            if q["id"] == question {
                let text = q["choices"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|c| c["id"] == choice)
                    .unwrap()["text"]
                    .clone();
                q["answer_choice"] = json!(choice);
                q["answer_text"] = text;
            }
        }
    }
    std::fs::write(clarifications, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
}

/// Steps 0 and 1 with the user's answers, step 2 ending in contradictory decisions.
async fn research_with_contradiction(app: &Arc<App>, skill: &str) -> PathBuf {
    let dir = app.skills_path().join(skill);
    run_step(app, skill, 0).await;
    answer(&dir.join("context/clarifications.json"), "Q1", "A");
    catalog::call(app, "autofill_clarifications", json!({"skillName": skill}))
        .await
        .unwrap();
    run_step(app, skill, 1).await;
    catalog::call(app, "autofill_refinements", json!({"skillName": skill}))
        .await
        .unwrap();
    run_step(app, skill, 2).await;
    // What confirm-decisions writes when two answers cannot both hold.
    std::fs::write(dir.join("context/decisions.md"), CONTRADICTORY).unwrap();
    dir
}

async fn assert_step3_blocked(app: &Arc<App>, skill: &str) -> String {
    assert_eq!(
        catalog::call(app, "get_disabled_steps", json!({"skillName": skill}))
            .await
            .unwrap(),
        json!([3])
    );
    let e = catalog::call(
        app,
        "run_workflow_step",
        json!({"skillName": skill, "stepId": 3}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    e.message
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changed_answers_and_a_rerun_of_confirm_decisions_keep_the_research() {
    let (_d, app) = open_mock();
    create(&app, "revenue").await;
    let dir = research_with_contradiction(&app, "revenue").await;
    let message = assert_step3_blocked(&app, "revenue").await;
    assert!(
        message.contains("clarifications.json")
            && message.contains("re-run step 3 (Confirm Decisions)"),
        "the refusal names the way out that keeps the research: {message}"
    );

    // The user changes the contradicting answer, then re-runs Confirm Decisions.
    let clar = dir.join("context/clarifications.json");
    answer(&clar, "Q2", "C");
    let plan_before = read(&dir.join("context/research-plan.md"));
    let answers_before = read(&clar);
    catalog::call(
        &app,
        "reset_workflow_step",
        json!({"skillName": "revenue", "fromStepId": 2}),
    )
    .await
    .unwrap();
    assert_eq!(read(&dir.join("context/research-plan.md")), plan_before);
    assert_eq!(read(&clar), answers_before, "answers and refinements kept");
    assert!(read_json(&clar)["metadata"]["refinement_count"].as_u64() > Some(0));
    for id in [0, 1] {
        assert_eq!(step_status(&app, "revenue", id).await, "completed");
    }
    run_step(&app, "revenue", 2).await;

    let decisions = read(&dir.join("context/decisions.md"));
    assert!(!decisions.contains("contradictory_inputs: true"));
    assert!(
        decisions.contains("A curated warehouse layer"),
        "the re-run used the changed answer:\n{decisions}"
    );
    assert!(decisions.contains("Operational reporting"), "Q1 kept");
    assert_eq!(read(&dir.join("context/research-plan.md")), plan_before);
    run_step(&app, "revenue", 3).await;
    assert!(dir.join("SKILL.md").is_file());
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decisions_edited_as_the_refusal_says_unblock_generate() {
    let (_d, app) = open_mock();
    create(&app, "ledger").await;
    let dir = research_with_contradiction(&app, "ledger").await;
    let message = assert_step3_blocked(&app, "ledger").await;
    assert!(
        message.contains("contradictory_inputs: revised"),
        "the refusal says how to mark edited decisions: {message}"
    );

    // The user resolves the contradiction by hand, as the message says.
    let path = dir.join("context/decisions.md");
    let edited = read(&path)
        .replace(
            "contradictory_inputs: true",
            "contradictory_inputs: revised",
        )
        .replace(
            "Analytical modelling only",
            "Operational reporting; analytics later",
        );
    std::fs::write(&path, edited).unwrap();
    assert_eq!(
        catalog::call(&app, "get_disabled_steps", json!({"skillName": "ledger"}))
            .await
            .unwrap(),
        json!([])
    );
    run_step(&app, "ledger", 3).await;
    assert!(read(&dir.join("context/clarifications.json")).contains("\"refinements\""));
    assert!(dir.join("context/research-plan.md").is_file());
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
}

/// Runs the answer evaluator and waits for its `agent-exit`.
async fn evaluate(app: &Arc<App>, rx: &mut UnboundedReceiver<Event>, skill: &str) -> Value {
    let id = catalog::call(app, "run_answer_evaluator", json!({"skillName": skill}))
        .await
        .unwrap();
    let id = id.as_str().unwrap().to_string();
    assert!(id.starts_with(&format!("{skill}-gate-eval-")), "{id}");
    loop {
        let e = tokio::time::timeout(std::time::Duration::from_secs(60), rx.recv())
            .await
            .expect("the evaluator ends")
            .unwrap();
        if e.name == "agent-exit" && e.payload["agent_id"] == id.as_str() {
            assert_eq!(e.payload["success"], true, "{}", e.payload);
            break;
        }
    }
    read_json(
        &app.workspace_path()
            .join(skill)
            .join("answer-evaluation.json"),
    )
}

async fn log_gate(app: &Arc<App>, skill: &str, verdict: &str, decision: &str) -> Value {
    catalog::call(
        app,
        "log_gate_decision",
        json!({"skillName": skill, "verdict": verdict, "decision": decision}),
    )
    .await
    .unwrap();
    read_json(&app.workspace_path().join(skill).join("gate-result.json"))
}

fn verdict_of(eval: &Value, question: &str) -> String {
    eval["per_question"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["question_id"] == question)
        .map(|p| p["verdict"].as_str().unwrap().to_string())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answer_gate_records_the_evaluators_verdict() {
    let (_d, app) = open_mock();
    let (_sink, mut rx) = ChannelSink::attach(&app);
    create(&app, "billing").await;
    run_step(&app, "billing", 0).await;
    let clar = app
        .skills_path()
        .join("billing/context/clarifications.json");

    // Only the required questions answered: the evaluator says "mixed".
    answer(&clar, "Q1", "C");
    answer(&clar, "Q2", "A");
    let eval = evaluate(&app, &mut rx, "billing").await;
    assert_eq!(eval["verdict"], "mixed");
    assert_eq!(verdict_of(&eval, "Q1"), "clear");
    assert_eq!(verdict_of(&eval, "Q3"), "not_answered");
    // A verdict the evaluator did not give is never recorded.
    let gate = log_gate(&app, "billing", "sufficient", "skip").await;
    assert_eq!(gate["verdict"], "mixed");
    assert_eq!(gate["decision"], "skip");
    assert!(gate["timestamp"].as_str().is_some_and(|t| !t.is_empty()));

    // All answered: "sufficient", and the user skips Detailed Research.
    catalog::call(
        &app,
        "autofill_clarifications",
        json!({"skillName": "billing"}),
    )
    .await
    .unwrap();
    let eval = evaluate(&app, &mut rx, "billing").await;
    assert_eq!(eval["verdict"], "sufficient");
    assert!(eval["per_question"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["verdict"] == "clear"));
    let gate = log_gate(&app, "billing", "sufficient", "skip").await;
    assert_eq!(
        (gate["verdict"].as_str(), gate["decision"].as_str()),
        (Some("sufficient"), Some("skip"))
    );
    let clarifications = read(&clar);
    run_step(&app, "billing", 2).await;
    assert_eq!(read(&clar), clarifications, "no refinements were added");

    // The decisions review is not an answer gate: its log leaves the gate result alone, and
    // a failed evaluator (fail-open) is recorded as such.
    let gate = log_gate(&app, "billing", "decisions-reviewed", "continue").await;
    assert_eq!(gate["decision"], "skip");
    let gate = log_gate(&app, "billing", "unavailable", "continue").await;
    assert_eq!(
        (gate["verdict"].as_str(), gate["decision"].as_str()),
        (Some("unavailable"), Some("continue"))
    );
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
}
