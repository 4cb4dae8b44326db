//! Folders the app did not create (issue 12, items 1 and 2): a skills-folder target that
//! holds anything, or lies in a git repository, is refused; a workspace that is a user's
//! project is used only when adopted, and then nothing of the user's is removed, overwritten
//! or pruned — the app touches only what its manifest says it wrote.

use crate::support::{self, call};

use serde_json::{json, Value};
use skill_builder_core::workflow::deploy::{MANIFEST, SECTION_BEGIN};
use skill_builder_core::{catalog, startup, App, ErrorKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

const BUNDLED_AGENT: &str = include_str!("../../assets/agents/confirm-decisions.md");

/// An app whose data dir is `<temp>/data`, so the temp dir has room for folders outside it.
fn open() -> (tempfile::TempDir, Arc<App>) {
    let dir = tempfile::tempdir().unwrap();
    let app = support::open_at(&dir.path().join("data"), |_| {});
    (dir, app)
}

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn make_old(p: &Path) {
    let past = SystemTime::now() - Duration::from_secs(31 * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(p)
        .unwrap()
        .set_modified(past)
        .unwrap();
}

/// Every file under `root` (relative path → bytes).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if e.file_type().unwrap().is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

fn settings_path(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap().to_string()
}

// ---- item 1: the skills folder ----

#[tokio::test]
async fn a_skills_target_holding_only_hidden_entries_is_refused_and_kept() {
    let (d, app) = open();
    call(&app, "create_skill", json!({"name": "one"})).await;
    let target = d.path().join("my-repo");
    write(&target, ".git/HEAD", "ref: refs/heads/main\n");
    write(&target, ".git/config", "[core]\n");
    write(&target, ".env", "SECRET=1\n");
    let before = snapshot(&target);

    let e = catalog::call(
        &app,
        "save_settings",
        json!({"settings": {"skills_path": target}}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict, "{e:?}");
    assert!(e.message.contains("pick an empty folder"), "{}", e.message);
    assert!(
        e.message.contains(".env"),
        "names what is there: {}",
        e.message
    );
    assert_eq!(snapshot(&target), before, "the user's files are untouched");
    assert!(app.skills_path().join("one").is_dir(), "nothing moved");
    assert_ne!(app.skills_path(), target);
}

#[tokio::test]
async fn a_skills_target_inside_a_git_repository_is_refused() {
    let (d, app) = open();
    call(&app, "create_skill", json!({"name": "one"})).await;
    let repo = d.path().join("project");
    write(&repo, ".git/HEAD", "ref: refs/heads/main\n");
    write(&repo, "README.md", "mine\n");
    let before = snapshot(&repo);
    let target = repo.join("docs/skills");

    let e = catalog::call(
        &app,
        "save_settings",
        json!({"settings": {"skills_path": target}}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict, "{e:?}");
    assert!(e.message.contains("git repository"), "{}", e.message);
    assert!(e.message.contains("pick an empty folder"), "{}", e.message);
    assert!(!repo.join("docs").exists(), "nothing created in the repo");
    assert_eq!(snapshot(&repo), before);
    assert!(app.skills_path().join("one").is_dir());
}

#[tokio::test]
async fn an_existing_empty_skills_target_receives_the_library() {
    let (d, app) = open();
    call(&app, "create_skill", json!({"name": "one"})).await;
    write(&app.skills_path(), "one/SKILL.md", "body");
    let target = d.path().join("empty");
    std::fs::create_dir_all(&target).unwrap();

    call(
        &app,
        "save_settings",
        json!({"settings": {"skills_path": target}}),
    )
    .await;
    assert_eq!(read(&target, "one/SKILL.md"), "body");
    assert_eq!(app.skills_path(), target);
    assert!(!d.path().join("data/skills/one").exists());
}

// ---- item 2: the workspace ----

/// A user's project with files at every place the app used to clean up.
fn user_project(root: &Path) -> String {
    let claude_md = "# My project\r\n\nUser text, no trailing newline";
    write(root, "CLAUDE.md", "my root instructions\n");
    write(root, "agents/x.md", "my agent\n");
    write(root, "references/r.md", "my reference\n");
    write(root, ".claude/agents/mine.md", "my claude agent\n");
    // Same name as a bundled agent, different text: still the user's.
    write(
        root,
        ".claude/agents/generate-skill.md",
        "my own generator\n",
    );
    write(root, ".claude/CLAUDE.md", claude_md);
    write(root, "some/logs/old.jsonl", "{\"mine\":true}\n");
    write(root, ".claude/old.jsonl", "{}\n");
    make_old(&root.join("some/logs/old.jsonl"));
    make_old(&root.join(".claude/old.jsonl"));
    claude_md.to_string()
}

#[tokio::test]
async fn a_non_empty_workspace_is_refused_without_adopt_existing() {
    let (d, app) = open();
    let project = d.path().join("project");
    user_project(&project);
    let before = snapshot(&project);
    let old_ws = app.workspace_path();

    let e = catalog::call(
        &app,
        "save_settings",
        json!({"settings": {"workspace_path": project}}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict, "{e:?}");
    assert!(e.message.contains("adoptExisting"), "{}", e.message);
    assert!(e.message.contains("pick an empty folder"), "{}", e.message);
    assert_eq!(app.workspace_path(), old_ws);
    let s = call(&app, "get_settings", json!({})).await;
    assert_eq!(
        settings_path(&s, "workspace_path"),
        old_ws.to_str().unwrap()
    );
    assert_eq!(snapshot(&project), before);
}

#[tokio::test]
async fn an_adopted_project_keeps_every_user_file_through_clear_and_startup() {
    let (d, app) = open();
    let project = d.path().join("project");
    let user_claude_md = user_project(&project);
    let before = snapshot(&project);

    call(
        &app,
        "save_settings",
        json!({"settings": {"workspace_path": project}, "adoptExisting": true}),
    )
    .await;
    assert_eq!(app.workspace_path(), project);
    call(&app, "clear_workspace", json!({})).await;
    let report = startup::run_startup(&app).unwrap();
    assert!(
        report.legacy_removed.is_empty(),
        "{:?}",
        report.legacy_removed
    );
    assert_eq!(report.transcripts_pruned, 0);
    call(&app, "clear_workspace", json!({})).await;

    let after = snapshot(&project);
    for (rel, bytes) in &before {
        if rel == Path::new(".claude/CLAUDE.md") {
            continue;
        }
        assert_eq!(after.get(rel), Some(bytes), "{} changed", rel.display());
    }
    let md = read(&project, ".claude/CLAUDE.md");
    assert!(md.starts_with(SECTION_BEGIN), "{md}");
    assert!(md.contains("## Custom Skills"), "{md}");
    assert!(md.ends_with(&user_claude_md), "user text kept: {md}");
    assert_eq!(md.matches(SECTION_BEGIN).count(), 1, "section written once");
    // The app's own files are there.
    assert_eq!(
        read(&project, ".claude/agents/confirm-decisions.md"),
        BUNDLED_AGENT
    );
    assert!(project.join(MANIFEST).is_file());

    // Back to the default and in again: the folder now carries the manifest, so it is the
    // app's workspace and needs no adoptExisting.
    call(
        &app,
        "save_settings",
        json!({"settings": {"workspace_path": d.path().join("data/workspace")}}),
    )
    .await;
    call(
        &app,
        "save_settings",
        json!({"settings": {"workspace_path": project}}),
    )
    .await;
    assert_eq!(app.workspace_path(), project);
}

#[tokio::test]
async fn an_agent_file_the_user_edited_survives_clear_workspace() {
    let (_d, app) = open();
    startup::run_startup(&app).unwrap();
    let ws = app.workspace_path();
    let edited = format!("{BUNDLED_AGENT}\nMy extra rule.\n");
    write(&ws, ".claude/agents/confirm-decisions.md", &edited);
    std::fs::remove_file(ws.join(".claude/agents/test-plan.md")).unwrap();

    call(&app, "clear_workspace", json!({})).await;
    assert_eq!(read(&ws, ".claude/agents/confirm-decisions.md"), edited);
    assert!(
        ws.join(".claude/agents/test-plan.md").is_file(),
        "redeployed"
    );
    startup::run_startup(&app).unwrap();
    assert_eq!(read(&ws, ".claude/agents/confirm-decisions.md"), edited);
}

#[tokio::test]
async fn legacy_files_go_only_when_the_app_recognises_them_as_its_own() {
    let (d, app) = open();
    let ws = app.workspace_path();
    write(&ws, "agents/confirm-decisions.md", BUNDLED_AGENT);
    write(&ws, "agents/mine.md", "mine\n");
    write(&ws, "references/r.md", "my reference\n");
    write(&ws, "CLAUDE.md", "my root instructions\n");
    // A database of someone else's with the app's file name.
    {
        let c = rusqlite::Connection::open(ws.join("skill-builder.db")).unwrap();
        c.execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('x');")
            .unwrap();
    }
    // An old database of the app's own, closed cleanly.
    let old_data = d.path().join("old-data");
    drop(support::open_at(&old_data, |_| {}));
    let legacy_db = std::fs::read(old_data.join("skill-builder.db")).unwrap();

    call(&app, "clear_workspace", json!({})).await;
    assert!(
        !ws.join("agents/confirm-decisions.md").exists(),
        "a bundled copy"
    );
    assert_eq!(read(&ws, "agents/mine.md"), "mine\n");
    assert_eq!(read(&ws, "references/r.md"), "my reference\n");
    assert_eq!(read(&ws, "CLAUDE.md"), "my root instructions\n");
    assert!(
        ws.join("skill-builder.db").is_file(),
        "not the app's database"
    );

    std::fs::remove_file(ws.join("skill-builder.db")).unwrap();
    std::fs::write(ws.join("skill-builder.db"), &legacy_db).unwrap();
    std::fs::remove_file(ws.join("agents/mine.md")).unwrap();
    write(
        &ws,
        "agents/research-orchestrator.md",
        &read_asset("agents/research-orchestrator.md"),
    );
    let report = startup::run_startup(&app).unwrap();
    assert!(
        !ws.join("skill-builder.db").exists(),
        "the app's old database"
    );
    assert!(
        !ws.join("agents").exists(),
        "emptied by removing the app's files"
    );
    assert!(
        report.legacy_removed.contains(&"agents/".to_string()),
        "{:?}",
        report.legacy_removed
    );
}

fn read_asset(rel: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets")
            .join(rel),
    )
    .unwrap()
}

#[tokio::test]
async fn only_known_skills_transcripts_are_pruned() {
    let (_d, app) = open();
    call(&app, "create_skill", json!({"name": "known-skill"})).await;
    let ws = app.workspace_path();
    write(&ws, "known-skill/logs/0-old.jsonl", "{}\n");
    write(&ws, "known-skill/logs/0-new.jsonl", "{}\n");
    write(&ws, "stranger/logs/0-old.jsonl", "{\"mine\":true}\n");
    make_old(&ws.join("known-skill/logs/0-old.jsonl"));
    make_old(&ws.join("stranger/logs/0-old.jsonl"));

    let report = startup::run_startup(&app).unwrap();
    assert_eq!(report.transcripts_pruned, 1);
    assert!(!ws.join("known-skill/logs/0-old.jsonl").exists());
    assert!(ws.join("known-skill/logs/0-new.jsonl").is_file());
    assert_eq!(read(&ws, "stranger/logs/0-old.jsonl"), "{\"mine\":true}\n");
}
