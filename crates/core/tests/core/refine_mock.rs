//! Refine sessions and skill tests through the real sidecar in mock mode, and the git history
//! of a skill across create → build → refine → restore.

use crate::support::*;
use serde_json::json;
use skill_builder_core::{catalog, history, refine, workflow, App, ErrorKind};
use std::sync::Arc;

async fn built(name: &str) -> (tempfile::TempDir, Arc<App>) {
    let (dir, app) = open_mock();
    catalog::call(&app, "create_skill", json!({"name": name}))
        .await
        .unwrap();
    workflow::build::build_skill(&app, name, |_| {})
        .await
        .unwrap();
    (dir, app)
}

fn send_args(session: &str, msg: &str) -> refine::SendArgs {
    serde_json::from_value(json!({"sessionId": session, "userMessage": msg})).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_follows_create_build_refine_restore() {
    let (_d, app) = built("hist-skill").await;
    let root = app.skills_path();
    let skill_md = root.join("hist-skill/SKILL.md");
    let built_text = std::fs::read_to_string(&skill_md).unwrap();

    let info = catalog::call(
        &app,
        "start_refine_session",
        json!({"skillName": "hist-skill"}),
    )
    .await
    .unwrap();
    let sid = info["session_id"].as_str().unwrap().to_string();
    let e = catalog::call(
        &app,
        "start_refine_session",
        json!({"skillName": "hist-skill"}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict, "one session per skill");
    assert_eq!(
        catalog::call(&app, "get_refine_diff", json!({"skillName": "hist-skill"}))
            .await
            .unwrap()["stat"],
        "no changes"
    );

    let o = refine::send_and_wait(&app, send_args(&sid, "Add a glossary of pipeline stages"))
        .await
        .unwrap();
    assert!(o.success, "{o:?}");
    let refined_text = std::fs::read_to_string(&skill_md).unwrap();
    assert_ne!(refined_text, built_text);
    let diff = catalog::call(&app, "get_refine_diff", json!({"skillName": "hist-skill"}))
        .await
        .unwrap();
    assert_eq!(diff["files"][0]["path"], "hist-skill/SKILL.md");
    assert_eq!(diff["files"][0]["status"], "modified");
    assert!(diff["stat"]
        .as_str()
        .unwrap()
        .starts_with("1 file(s) changed"));
    // A second turn goes into the open stream on the same sidecar.
    let pid = app.agents.pid_of("hist-skill").unwrap();
    assert!(
        refine::send_and_wait(&app, send_args(&sid, "Shorten the overview"))
            .await
            .unwrap()
            .success
    );
    assert_eq!(app.agents.pid_of("hist-skill"), Some(pid));
    catalog::call(&app, "close_refine_session", json!({"sessionId": sid}))
        .await
        .unwrap();
    let after_refine = std::fs::read_to_string(&skill_md).unwrap();

    let log = history::skill_history(&root, "hist-skill", 100).unwrap();
    let msgs: Vec<&str> = log.iter().map(|c| c.message.trim()).collect();
    assert_eq!(msgs[0], "hist-skill: refined");
    assert_eq!(msgs[1], "hist-skill: step 4 (Generate Skill) completed");
    let step3 = log[1].sha.clone();

    // Restore the built version: a new commit, nothing rewritten, the built text is back.
    catalog::call(
        &app,
        "restore_skill_version",
        json!({"skillName": "hist-skill", "sha": step3}),
    )
    .await
    .unwrap();
    assert_eq!(std::fs::read_to_string(&skill_md).unwrap(), built_text);
    let log2 = history::skill_history(&root, "hist-skill", 100).unwrap();
    assert_eq!(log2.len(), log.len() + 1);
    assert!(log2[0]
        .message
        .starts_with(&format!("hist-skill: restored to {}", &step3[..8])));
    let d = catalog::call(
        &app,
        "get_skill_diff",
        json!({"skillName": "hist-skill", "shaA": log[1].sha, "shaB": log[0].sha}),
    )
    .await
    .unwrap();
    let f = d["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "hist-skill/SKILL.md")
        .unwrap();
    assert_eq!(f["old_content"], json!(built_text));
    assert_eq!(f["new_content"], json!(after_refine));
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discarding_a_refine_session_restores_the_snapshot_and_commits_nothing() {
    let (_d, app) = built("discard-me").await;
    let root = app.skills_path();
    let before = std::fs::read_to_string(root.join("discard-me/SKILL.md")).unwrap();
    let commits = history::skill_history(&root, "discard-me", 100)
        .unwrap()
        .len();
    let info = catalog::call(
        &app,
        "start_refine_session",
        json!({"skillName": "discard-me"}),
    )
    .await
    .unwrap();
    let sid = info["session_id"].as_str().unwrap().to_string();
    assert!(
        refine::send_and_wait(&app, send_args(&sid, "Rewrite everything"))
            .await
            .unwrap()
            .success
    );
    std::fs::write(root.join("discard-me/references/new-file.md"), "added").unwrap();
    catalog::call(
        &app,
        "close_refine_session",
        json!({"sessionId": sid, "discard": true}),
    )
    .await
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(root.join("discard-me/SKILL.md")).unwrap(),
        before
    );
    assert!(!root.join("discard-me/references/new-file.md").exists());
    assert_eq!(
        history::skill_history(&root, "discard-me", 100)
            .unwrap()
            .len(),
        commits
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM workflow_sessions WHERE ended_at IS NULL"
        ),
        0,
        "session row closed"
    );
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refine_bad_input_is_refused() {
    let (_d, app) = built("refine-bad").await;
    let e = catalog::call(
        &app,
        "send_refine_message",
        json!({"sessionId": "nope", "userMessage": "x"}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(e.message.contains("No refine session found"));
    let e = catalog::call(&app, "start_refine_session", json!({"skillName": "../x"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let info = catalog::call(
        &app,
        "start_refine_session",
        json!({"skillName": "refine-bad"}),
    )
    .await
    .unwrap();
    let sid = info["session_id"].as_str().unwrap();
    let e = catalog::call(
        &app,
        "send_refine_message",
        json!({"sessionId": sid, "userMessage": "x", "targetFiles": ["../../etc/passwd"]}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = catalog::call(
        &app,
        "send_refine_message",
        json!({"sessionId": sid, "userMessage": "x", "command": "explode"}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let files = catalog::call(
        &app,
        "get_skill_content_for_refine",
        json!({"skillName": "refine-bad"}),
    )
    .await
    .unwrap();
    assert_eq!(files[0]["path"], "SKILL.md");
    assert!(files
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["path"].as_str().unwrap().starts_with("references/")));
    catalog::call(
        &app,
        "close_refine_session",
        json!({"sessionId": "unknown"}),
    )
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skill_test_runs_both_agents_and_stores_the_result_with_the_version() {
    let (_d, app) = built("tested").await;
    let r = catalog::call(
        &app,
        "run_skill_test",
        json!({"skillName": "tested", "prompt": "Plan the monthly churn report"}),
    )
    .await
    .unwrap();
    assert!(!r["with_skill_output"].as_str().unwrap().is_empty());
    assert!(!r["baseline_output"].as_str().unwrap().is_empty());
    assert!(!r["evaluation"].as_str().unwrap().is_empty());
    assert_eq!(
        r["skill_version"],
        json!(history::head_sha(&app.skills_path()))
    );
    let test_dir =
        std::env::temp_dir().join(format!("skill-builder-test-{}", r["id"].as_str().unwrap()));
    assert!(!test_dir.exists(), "test workspaces removed");
    let list = catalog::call(
        &app,
        "list_skill_test_results",
        json!({"skillName": "tested"}),
    )
    .await
    .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["prompt"], "Plan the monthly churn report");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM agent_runs WHERE skill_name = 'tested' AND step_id = 11"
        ),
        3
    );

    // prepare / cleanup lay out the two workspaces exactly.
    let p = catalog::call(&app, "prepare_skill_test", json!({"skillName": "tested"}))
        .await
        .unwrap();
    let with = std::path::PathBuf::from(p["with_skill_cwd"].as_str().unwrap());
    let base = std::path::PathBuf::from(p["baseline_cwd"].as_str().unwrap());
    assert_eq!(
        std::fs::read_to_string(base.join(".claude/CLAUDE.md")).unwrap(),
        "# Test Workspace"
    );
    assert!(with.join(".claude/skills/tested/SKILL.md").is_file());
    assert!(!base.join(".claude/skills/tested").exists());
    assert!(with.join(".claude/skills/skill-test/SKILL.md").is_file());
    catalog::call(&app, "cleanup_skill_test", json!({"testId": p["test_id"]}))
        .await
        .unwrap();
    assert!(!with.exists() && !base.exists());
    let e = catalog::call(&app, "cleanup_skill_test", json!({"testId": "../../home"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = catalog::call(
        &app,
        "run_skill_test",
        json!({"skillName": "tested", "prompt": "  "}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    catalog::call(&app, "graceful_shutdown", json!({}))
        .await
        .unwrap();
}
