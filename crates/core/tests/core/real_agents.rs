//! Every agent kind through the REAL sidecar and the real Claude Agent SDK, against a scripted
//! fake Anthropic Messages API that uses its tools the way Claude does
//! ([`skill_builder_testkit::claude_like`]): it loads a listed skill with the `Skill` tool, reads
//! the files it is pointed at before it writes, and makes at least one tool call before it
//! answers. Each test covers a defect that only such a model shows (issue 13, "Agents with a
//! real model").
//!
//! Each app has its own HOME and fake API (its options); each test takes a `sdk_slot` to
//! bound the load of the Claude Code processes it starts.

use crate::support::*;
use serde_json::{json, Value};
use skill_builder_core::agents::PoolConfig;
use skill_builder_core::events::Event;
use skill_builder_core::{catalog, history, refine, workflow, workspace_skills, App};
use skill_builder_testkit::claude_like::{claude_like_script, Task};
use skill_builder_testkit::fake_messages::{FakeMessages, Reply, Script};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedReceiver;

const KEY: &str = "sk-ant-api03-real-agents-test-key-0123456789abcdef";

/// An app through the real SDK with the API key saved, offline ([`SdkApp`], no mock).
/// `None` when Node is missing.
async fn open_app() -> Option<SdkApp> {
    SdkApp::open(json!({"anthropic_api_key": KEY})).await
}

/// Waits for the `agent-exit` of `id`; returns its `success`.
async fn exit_of(rx: &mut UnboundedReceiver<Event>, id: &str) -> bool {
    let wait = async {
        while let Some(e) = rx.recv().await {
            if e.name == "agent-exit" && e.payload["agent_id"] == id {
                return e.payload["success"] == true;
            }
        }
        false
    };
    tokio::time::timeout(Duration::from_secs(120), wait)
        .await
        .unwrap_or_else(|_| panic!("no agent-exit for {id}"))
}

/// Text of the `result` of an agent (from its events).
fn result_of(sink: &ChannelSink, id: &str) -> Value {
    sink.events()
        .into_iter()
        .filter(|e| e.name == "agent-message" && e.payload["agent_id"] == id)
        .map(|e| e.payload["message"].clone())
        .find(|m| m["type"] == "result")
        .unwrap_or(Value::Null)
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every text the fake received (prompts, tool inputs and results, loaded skills).
fn everything_sent(fake: &FakeMessages) -> String {
    fake.messages_requests()
        .iter()
        .map(|r| r.all_text())
        .collect::<Vec<_>>()
        .join("\n")
}

async fn shut_down(app: &Arc<App>) {
    call(app, "graceful_shutdown", json!({})).await;
}

/// A user's research skill with the purpose `research`, next to the seeded bundled one.
fn install_research_replacement(app: &App) -> String {
    let body = "---\nname: acme-research\ndescription: Acme's own research method. Use when researching a skill domain.\n---\n# Acme research\nACME-RESEARCH-METHOD: interview the order desk first.\n";
    let dir = workspace_skills::skills_root(app).join("acme-research");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("SKILL.md"), body).unwrap();
    app.db
        .conn()
        .execute(
            "INSERT INTO workspace_skills (skill_id, skill_name, description, is_active, is_bundled,
                disk_path, purpose)
             VALUES ('acme-research', 'acme-research', 'Acme research', 1, 0, ?1, 'research')",
            [dir.to_string_lossy().to_string()],
        )
        .unwrap();
    body.to_string()
}

/// The four steps and the answer evaluator, each reading its inputs before it writes; step 0
/// loads the `research` skill, which the user replaced by purpose (item 5).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workflow_steps_and_the_answer_evaluator_with_a_claude_like_model() {
    let _slot = sdk_slot().await;
    let Some(mut env) = open_app().await else {
        return;
    };
    let app = env.app.clone();
    let skill = "orders-domain";
    call(
        &app,
        "create_skill",
        json!({"name": skill, "description": "Order handling"}),
    )
    .await;
    workspace_skills::seed_bundled_skills(&app).unwrap();
    let research_role = workspace_skills::skills_root(&app).join("research/SKILL.md");
    assert!(research_role.is_file(), "bundled research seeded");
    let replacement = install_research_replacement(&app);

    let s = app.skills_path().join(skill);
    let ctx = s.join("context");
    let ws = app.workspace_path().join(skill);
    let uc = ws.join("user-context.md");
    let eval_file = ws.join("answer-evaluation.json");
    let skill_md = "---\nname: orders-domain\ndescription: Order handling rules. Use when answering order questions.\n---\n# Orders\nSee references/overview.md\n";
    let decisions = "---\ndecision_count: 1\nconflicts_resolved: 0\nround: 1\n---\n### D1: Regions\n- **Decision**: EMEA\n";
    let evaluation = json!({"verdict": "sufficient", "answered_count": 1, "empty_count": 0, "vague_count": 0,
        "total_count": 1, "reasoning": "All clear.", "per_question": [{"question_id": "Q1", "verdict": "clear"}]})
    .to_string();
    let fake = env.serve(claude_like_script(vec![
        Task::new("Step: 0 (")
            .skill("research")
            .read(&uc)
            .write(
                ctx.join("research-plan.md"),
                "---\npurpose: domain\n---\n# Plan\n",
            )
            .write(ctx.join("clarifications.json"), clarifications(None))
            .answer("Research complete: 1 question."),
        Task::new("Evaluate the answers for the skill")
            .read(&uc)
            .read(ctx.join("clarifications.json"))
            .write(&eval_file, evaluation.clone())
            .answer("Verdict: sufficient."),
        Task::new("Step: 1 (")
            .read(&uc)
            .read(ctx.join("clarifications.json"))
            .read(&eval_file)
            .write(ctx.join("clarifications.json"), clarifications(Some("A")))
            .answer("0 refinements."),
        Task::new("Step: 2 (")
            .read(&uc)
            .read(ctx.join("clarifications.json"))
            .write(ctx.join("decisions.md"), decisions)
            .answer("1 decision."),
        Task::new("Step: 3 (")
            .skill("skill-builder-practices")
            .read(&uc)
            .read(ctx.join("decisions.md"))
            .write(s.join("SKILL.md"), skill_md)
            .write(s.join("references/overview.md"), "# Overview\n")
            .write(
                ctx.join("evaluations.md"),
                "# Evaluations\n1. a\n2. b\n3. c\n",
            )
            .answer("Skill written: 1 reference."),
    ]));

    let session = uuid_like("sess");
    call(
        &app,
        "create_workflow_session",
        json!({"sessionId": session, "skillName": skill}),
    )
    .await;
    for id in 0..=3u32 {
        let handle = workflow::start_step(&app, skill, id, Some(session.clone()))
            .await
            .unwrap_or_else(|e| panic!("step {id}: {e}"));
        let agent = handle.agent_id.clone();
        let outcome = handle.wait().await;
        assert!(outcome.success, "step {id}: {outcome:?}");
        assert!(
            result_of(&env.sink, &agent)["num_turns"]
                .as_u64()
                .unwrap_or(0)
                >= 2,
            "step {id} used tools before answering"
        );
        if id == 0 {
            let gate = call(&app, "run_answer_evaluator", json!({"skillName": skill})).await;
            let gate = gate.as_str().unwrap().to_string();
            assert!(exit_of(&mut env.rx, &gate).await, "answer evaluator");
            assert_eq!(read(&eval_file), evaluation);
        }
    }
    let state = call(&app, "get_workflow_state", json!({"skillName": skill})).await;
    let completed = state["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["status"] == "completed")
        .count();
    assert_eq!(completed, 4, "{state}");
    assert_eq!(read(&s.join("SKILL.md")), skill_md);
    assert_eq!(read(&ctx.join("decisions.md")), decisions);
    // What the real SDK built passes the product's own default (open-spec) lint.
    let lint = skill_builder_core::ingest::lint::lint_skill_dir(
        &s,
        skill_builder_core::ingest::lint::LintMode::Spec,
    );
    assert!(lint.ok, "{:?}", lint.findings);

    // The research step loaded the user's replacement under the role name the prompts use.
    assert_eq!(read(&research_role), replacement);
    assert!(
        everything_sent(&fake).contains("ACME-RESEARCH-METHOD"),
        "the Skill tool did not load the replacement"
    );
    // Every request went to the fake with the key; none was answered by the mock.
    assert!(fake
        .messages_requests()
        .iter()
        .all(|r| r.api_key.as_deref() == Some(KEY)));
    shut_down(&app).await;
}

/// Unique enough for a session id in one test.
fn uuid_like(prefix: &str) -> String {
    format!(
        "{prefix}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

fn write_finished_skill(app: &App, name: &str) -> PathBuf {
    let skill = app.skills_path().join(name);
    std::fs::create_dir_all(skill.join("context")).unwrap();
    std::fs::write(
        skill.join("SKILL.md"),
        format!("---\nname: {name}\ndescription: Pricing rules. Use for price questions.\n---\n# Pricing\nVolume discounts start at 100 units.\n"),
    )
    .unwrap();
    std::fs::write(
        skill.join("context/evaluations.md"),
        "EXPECTED-ANSWER: 10% off at 250 units\n",
    )
    .unwrap();
    history::commit_skill(
        app,
        name,
        &format!("{name}: step 4 (Generate Skill) completed"),
    );
    skill
}

/// The skill test: the with-skill plan loads the skill, the baseline cannot, and the evaluator
/// reads its rubric before it answers — which a one-turn evaluator cannot do (item 1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_skill_test_plans_and_the_evaluator_use_their_tools() {
    let _slot = sdk_slot().await;
    let Some(env) = open_app().await else {
        return;
    };
    let app = env.app.clone();
    call(&app, "create_skill", json!({"name": "pricing"})).await;
    write_finished_skill(&app, "pricing");
    let verdict = "## Verdict\n**Better plan: A (with pricing)**\nA 24/30 vs B 17/30\n\n## Recommendations\n1. Add the volume tiers.";
    let fake = env.serve(claude_like_script(vec![
        Task::new("Plan the following task")
            .skill("pricing")
            .read(".claude/skills/skill-test/SKILL.md")
            .answer("## Plan\n1. Price it."),
        Task::new("Plan A (with the skill")
            .read(".claude/skills/skill-test/SKILL.md")
            .read(".claude/skills/skill-test/references/evaluation-rubric.md")
            .answer(verdict),
    ]));

    let r = catalog::call(
        &app,
        "run_skill_test",
        json!({"skillName": "pricing", "prompt": "Price 250 units"}),
    )
    .await
    .unwrap_or_else(|e| panic!("run_skill_test: {e}"));
    assert_eq!(
        r["with_skill_output"],
        "## Plan\n1. Price it. [skills: pricing]"
    );
    assert_eq!(r["baseline_output"], "## Plan\n1. Price it.");
    assert_eq!(r["evaluation"], verdict);
    let sent = everything_sent(&fake);
    assert!(sent.contains("Volume discounts start at 100 units."));
    // The expected answers stay out of the sandbox (item 3).
    assert!(!sent.contains("EXPECTED-ANSWER"));
    let failed = count(
        &app,
        "SELECT COUNT(*) FROM agent_runs WHERE status <> 'completed'",
    );
    assert_eq!(failed, 0);
    shut_down(&app).await;
}

/// Refine: two turns with an idle gap longer than the pool's idle timeout. The open session is
/// not reaped (an idle sidecar without a session is), the second turn works and has its own
/// transcript (item 4).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refine_session_survives_an_idle_gap_and_every_turn_has_a_transcript() {
    let _slot = sdk_slot().await;
    let Some(mut env) = open_app().await else {
        return;
    };
    let app = env.app.clone();
    app.agents.set_config(PoolConfig {
        idle_timeout: Duration::from_millis(300),
        heartbeat_interval: Duration::from_millis(50),
        ..PoolConfig::default()
    });
    call(&app, "create_skill", json!({"name": "pricing"})).await;
    call(&app, "create_skill", json!({"name": "other-skill"})).await;
    let skill = write_finished_skill(&app, "pricing");
    let md = skill.join("SKILL.md");
    let v2 = "---\nname: pricing\ndescription: Pricing rules. Use for price questions.\n---\n# Pricing\n\n## Discounts\nVolume discounts start at 100 units.\n";
    let v3 = "---\nname: pricing\ndescription: Pricing rules. Use for price questions.\n---\n# Pricing\nDiscounts from 100 units.\n";
    let fake = env.serve(claude_like_script(vec![
        Task::new("Current request: Add the discount rules")
            .read(&md)
            .write(&md, v2)
            .answer("Added 1 section."),
        Task::new("Current request: Shorten the overview")
            .read(&md)
            .write(&md, v3)
            .answer("Shortened 1 section."),
        Task::new("Say hello").answer("Hello."),
    ]));

    let info = call(
        &app,
        "start_refine_session",
        json!({"skillName": "pricing"}),
    )
    .await;
    let sid = info["session_id"].as_str().unwrap().to_string();
    let send = |msg: &str| -> refine::SendArgs {
        serde_json::from_value(json!({"sessionId": sid, "userMessage": msg})).unwrap()
    };
    let first = refine::send_and_wait(&app, send("Add the discount rules"))
        .await
        .unwrap();
    assert!(first.success, "{first:?}");
    assert_eq!(read(&md), v2);
    let refine_pid = app.agents.pid_of("pricing").expect("refine sidecar");

    // An idle sidecar without a session, to show the reaper runs during the gap.
    let other = call(
        &app,
        "start_agent",
        json!({"agentId": "other-skill-hello", "prompt": "Say hello", "model": "claude-haiku-4-5",
               "cwd": app.workspace_path().to_string_lossy(), "skillName": "other-skill",
               "allowedTools": ["Read", "Glob"], "maxTurns": 5}),
    )
    .await;
    assert!(exit_of(&mut env.rx, other.as_str().unwrap()).await);
    assert!(app.agents.pid_of("other-skill").is_some());
    let reaped = async {
        while app.agents.pid_of("other-skill").is_some() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    tokio::time::timeout(Duration::from_secs(20), reaped)
        .await
        .expect("the idle sidecar without a session is reaped");
    // The refine sidecar has been idle longer than the one just reaped.
    assert_eq!(
        app.agents.pid_of("pricing"),
        Some(refine_pid),
        "the open refine session was reaped"
    );

    let second = refine::send_and_wait(&app, send("Shorten the overview"))
        .await
        .unwrap();
    assert!(second.success, "{second:?}");
    assert_eq!(read(&md), v3);
    let logs: Vec<PathBuf> = transcripts(&app, "pricing")
        .into_iter()
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("refine-")
        })
        .collect();
    assert_eq!(logs.len(), 2, "{logs:?}");
    let last = read(logs.last().unwrap());
    assert!(last.contains("Shortened 1 section."), "{last}");
    assert!(last.lines().any(|l| l.contains("\"type\":\"result\"")));
    assert!(!last.contains(KEY));
    let sent = everything_sent(&fake);
    assert!(sent.contains("Current request: Shorten the overview"));
    call(&app, "close_refine_session", json!({"sessionId": sid})).await;
    shut_down(&app).await;
}

/// Mock mode switched off in Settings takes effect at once: the next request of the same
/// skill reaches the API, although its sidecar was started in mock mode (item 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn turning_mock_off_sends_the_next_request_to_the_api() {
    let _slot = sdk_slot().await;
    let Some(mut env) = open_app().await else {
        return;
    };
    let app = env.app.clone();
    call(&app, "create_skill", json!({"name": "switcher"})).await;
    let ctx = app.skills_path().join("switcher/context");
    let uc = app.workspace_path().join("switcher/user-context.md");
    let plan = "---\npurpose: domain\n---\n# Real plan\n";
    let fake = env.serve(claude_like_script(vec![Task::new("Step: 0 (")
        .read(&uc)
        .write(ctx.join("research-plan.md"), plan)
        .write(ctx.join("clarifications.json"), clarifications(None))
        .answer("Research complete.")]));

    call(
        &app,
        "save_settings",
        json!({"settings": {"mock_agents": true}}),
    )
    .await;
    let mocked = workflow::start_step(&app, "switcher", 0, None)
        .await
        .unwrap()
        .wait()
        .await;
    assert!(mocked.success, "{mocked:?}");
    assert!(fake.messages_requests().is_empty(), "mock reached the API");
    let mock_pid = app.agents.pid_of("switcher");
    assert!(mock_pid.is_some());

    call(
        &app,
        "save_settings",
        json!({"settings": {"mock_agents": false}}),
    )
    .await;
    let real = workflow::start_step(&app, "switcher", 0, None)
        .await
        .unwrap();
    let id = real.agent_id.clone();
    let outcome = real.wait().await;
    assert!(outcome.success, "{outcome:?}");
    assert!(
        !fake.messages_requests().is_empty(),
        "the real request never reached the API"
    );
    assert_eq!(read(&ctx.join("research-plan.md")), plan);
    assert_ne!(
        app.agents.pid_of("switcher"),
        mock_pid,
        "sidecar not restarted"
    );
    let config = env
        .sink
        .events()
        .into_iter()
        .find(|e| e.payload["agent_id"] == id.as_str() && e.payload["message"]["type"] == "config")
        .expect("config event");
    assert_eq!(config.payload["message"]["config"]["mock"], false);
    while env.rx.try_recv().is_ok() {}
    shut_down(&app).await;
}

/// `has_running_agents` without a session id answers for the whole app (item 6).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn has_running_agents_without_a_session_counts_every_agent() {
    let _slot = sdk_slot().await;
    let Some(mut env) = open_app().await else {
        return;
    };
    let app = env.app.clone();
    call(&app, "create_skill", json!({"name": "busy-skill"})).await;
    // The answer is held back, so the agent is surely running while we ask.
    let _fake = env.serve(Script::new(|req| {
        if req.is_side_request() {
            return skill_builder_testkit::fake_messages::side_reply(req);
        }
        if req.tool_result_count() == 0 {
            Reply::tool_use("Glob", json!({"pattern": "*"}))
        } else {
            Reply::text("Done.").delayed(Duration::from_secs(2))
        }
    }));
    assert_eq!(call(&app, "has_running_agents", json!({})).await, false);
    let id = call(
        &app,
        "start_agent",
        json!({"agentId": "busy-skill-free-1", "prompt": "Look around", "model": "claude-haiku-4-5",
               "cwd": app.workspace_path().to_string_lossy(), "skillName": "busy-skill",
               "allowedTools": ["Glob"], "maxTurns": 5}),
    )
    .await;
    assert_eq!(call(&app, "has_running_agents", json!({})).await, true);
    assert_eq!(
        call(
            &app,
            "has_running_agents",
            json!({"workflowSessionId": "no-such-session"})
        )
        .await,
        false
    );
    assert!(exit_of(&mut env.rx, id.as_str().unwrap()).await);
    assert_eq!(call(&app, "has_running_agents", json!({})).await, false);
    shut_down(&app).await;
}
