//! Start-up reconciliation (lifecycle.md §2): one test per scenario of the §2.7 table, each
//! building the disk + DB state in a fresh data dir, reconciling, and checking the result,
//! the rows and the files. Then the resolve commands, `.trash`, plugin skills, sessions,
//! start-up, and a crash (SIGKILL) in the middle of a step followed by a resumed build.

use crate::support;

use crate::support::open;
use rusqlite::params;
use serde_json::json;
use skill_builder_core::reconcile::{self, DiscoveredSkill, ReconciliationResult, ResolveArgs};
use skill_builder_core::{catalog, App, ErrorKind};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

// ---- fixtures ----

fn sql(app: &App, q: &str, p: impl rusqlite::Params) {
    app.db.conn().execute(q, p).unwrap();
}

fn count(app: &App, q: &str) -> i64 {
    app.db.conn().query_row(q, [], |r| r.get(0)).unwrap()
}

/// A master row of `source` (returns its id).
fn master(app: &App, name: &str, source: &str, purpose: &str) -> i64 {
    sql(
        app,
        "INSERT INTO skills (name, skill_source, purpose) VALUES (?1, ?2, ?3)",
        params![name, source, purpose],
    );
    app.db.conn().last_insert_rowid()
}

/// A builder skill at DB step `c` with `status`, its output folder and its workspace marker.
fn builder(app: &App, name: &str, c: i32, status: &str) -> i64 {
    let id = master(app, name, "skill-builder", "domain");
    sql(
        app,
        "INSERT INTO workflow_runs (skill_name, current_step, status, purpose, skill_id) VALUES (?1, ?2, ?3, 'domain', ?4)",
        params![name, c, status, id],
    );
    std::fs::create_dir_all(skill_dir(app, name).join("context")).unwrap();
    std::fs::create_dir_all(app.workspace_path().join(name)).unwrap();
    id
}

fn set_step(app: &App, name: &str, step: i32, status: &str) {
    sql(
        app,
        "INSERT INTO workflow_steps (skill_name, step_id, status, completed_at, workflow_run_id)
         VALUES (?1, ?2, ?3, CASE WHEN ?3 = 'completed' THEN '2024-01-01T00:00:00.000Z' END,
                 (SELECT id FROM workflow_runs WHERE skill_name = ?1))
         ON CONFLICT(skill_name, step_id) DO UPDATE SET status = excluded.status",
        params![name, step, status],
    );
}

fn skill_dir(app: &App, name: &str) -> PathBuf {
    app.skills_path().join(name)
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

/// Evidence of the given steps in `dir` (0: plan + clarifications, 2: decisions, 3: SKILL.md).
fn evidence(dir: &Path, steps: &[u32]) {
    for s in steps {
        match s {
            0 => {
                write(dir, "context/research-plan.md", "# plan\n");
                write(dir, "context/clarifications.json", "{}");
            }
            2 => write(dir, "context/decisions.md", "# decisions\n"),
            3 => {
                let name = dir.file_name().unwrap().to_string_lossy();
                write(
                    dir,
                    "SKILL.md",
                    &format!("---\nname: {name}\ndescription: test skill\n---\nbody\n"),
                );
                write(dir, "references/topic.md", "topic\n");
            }
            _ => unreachable!(),
        }
    }
}

fn run_of(app: &App, name: &str) -> Option<(i32, String)> {
    app.db
        .conn()
        .query_row(
            "SELECT current_step, status FROM workflow_runs WHERE skill_name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok()
}

/// Step ids whose row is `completed`.
fn completed(app: &App, name: &str) -> Vec<i32> {
    let conn = app.db.conn();
    let mut stmt = conn
        .prepare("SELECT step_id FROM workflow_steps WHERE skill_name = ?1 AND status = 'completed' ORDER BY step_id")
        .unwrap();
    let rows = stmt.query_map([name], |r| r.get(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

fn reconcile(app: &App) -> ReconciliationResult {
    reconcile::reconcile_startup(app).unwrap()
}

/// A PID that belonged to a process which has exited and been reaped.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

fn session(app: &App, id: &str, skill: &str, pid: u32, started: &str) {
    sql(
        app,
        "INSERT INTO workflow_sessions (session_id, skill_name, pid, started_at, skill_id)
         VALUES (?1, ?2, ?3, ?4, (SELECT id FROM skills WHERE name = ?2))",
        params![id, skill, pid, started],
    );
}

fn trash(app: &App) -> PathBuf {
    app.skills_path().join(".trash")
}

/// Trash entries named `{name}-{timestamp}` (moved step files).
fn file_trash_entries(app: &App, name: &str) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(trash(app)) else {
        return Vec::new();
    };
    rd.flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(&format!("{name}-2"))
        })
        .collect()
}

fn head_message(app: &App) -> String {
    let repo = git2::Repository::open(app.skills_path()).unwrap();
    let c = repo.head().unwrap().peel_to_commit().unwrap();
    c.message().unwrap().to_string()
}

fn head_has(app: &App, path: &str) -> bool {
    let repo = git2::Repository::open(app.skills_path()).unwrap();
    let c = repo.head().unwrap().peel_to_commit().unwrap();
    let found = c.tree().unwrap().get_path(Path::new(path)).is_ok();
    found
}

fn resolve_args(name: &str, action: &str) -> ResolveArgs {
    ResolveArgs {
        skill_name: name.into(),
        action: action.into(),
    }
}

// ---- pre-pass: orphaned sessions ----

#[test]
fn scenario_pre_orphaned_session_closed_at_latest_agent_run_of_its_workflow_session() {
    let (_d, app) = open();
    builder(&app, "s", 0, "pending");
    let dead = dead_pid();
    session(&app, "wf-1", "s", dead, "2024-05-01T10:00:00.000Z");
    session(&app, "wf-2", "s", dead, "2024-05-02T10:00:00.000Z");
    // Runs of wf-1, linked by workflow_session_id; the SDK session_id column is a decoy.
    for (agent, wf, sdk, done) in [
        ("a1", "wf-1", "sdk-x", "2024-05-01T10:05:00.000Z"),
        ("a2", "wf-1", "sdk-y", "2024-05-01T10:30:00.000Z"),
        ("a3", "other", "wf-1", "2024-09-09T09:09:09.000Z"),
    ] {
        sql(
            &app,
            "INSERT INTO agent_runs (agent_id, skill_name, step_id, model, status, session_id, started_at,
                                     completed_at, workflow_session_id)
             VALUES (?1, 's', 0, 'm', 'completed', ?2, '2024-05-01T10:00:00.000Z', ?3, ?4)",
            params![agent, sdk, done, wf],
        );
    }
    let r = reconcile(&app);
    assert!(r.notifications.is_empty(), "{r:?}");
    let ended = |id: &str| -> Option<String> {
        app.db
            .conn()
            .query_row(
                "SELECT ended_at FROM workflow_sessions WHERE session_id = ?1",
                [id],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert_eq!(ended("wf-1").as_deref(), Some("2024-05-01T10:30:00.000Z"));
    assert_eq!(
        ended("wf-2").as_deref(),
        Some("2024-05-02T10:00:00.000Z"),
        "no runs → started_at"
    );
}

// ---- pass 1, builder skills ----

#[test]
fn scenario_7_live_session_skips_the_skill_entirely() {
    let (_d, app) = open();
    builder(&app, "busy", 3, "pending");
    set_step(&app, "busy", 2, "in_progress");
    write(&skill_dir(&app, "busy"), "SKILL.md", "x");
    session(
        &app,
        "live",
        "busy",
        std::process::id(),
        "2024-01-01T00:00:00.000Z",
    );
    let r = reconcile(&app);
    assert_eq!(
        r.notifications,
        ["'busy' skipped — active session running in another instance"]
    );
    assert_eq!(run_of(&app, "busy"), Some((3, "pending".into())));
    let st: String = app
        .db
        .conn()
        .query_row(
            "SELECT status FROM workflow_steps WHERE skill_name = 'busy' AND step_id = 2",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(st, "in_progress", "a live session's step is not touched");
    assert!(skill_dir(&app, "busy").join("SKILL.md").is_file());
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM workflow_sessions WHERE ended_at IS NULL"
        ),
        1
    );
}

#[test]
fn scenario_7_dead_session_does_not_skip_and_is_closed() {
    let (_d, app) = open();
    builder(&app, "empty-skill", 3, "pending");
    session(
        &app,
        "gone",
        "empty-skill",
        dead_pid(),
        "2024-01-01T00:00:00.000Z",
    );
    let r = reconcile(&app);
    assert_eq!(
        r.notifications,
        ["'empty-skill' was reset from step 4 (Generate Skill) to step 1 (Research) (no output files found)"]
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM workflow_sessions WHERE ended_at IS NULL"
        ),
        0
    );
}

#[test]
fn scenario_crash_recovery_in_progress_steps_reset_and_reported() {
    let (_d, app) = open();
    builder(&app, "half", 0, "in_progress");
    set_step(&app, "half", 0, "in_progress");
    // Half of step 0 was written before the crash.
    write(
        &skill_dir(&app, "half"),
        "context/research-plan.md",
        "# partial",
    );
    let r = reconcile(&app);
    assert_eq!(r.notifications.len(), 1, "{r:?}");
    assert!(r.notifications[0].starts_with(
        "'half' was interrupted during step 1 (Research) — the app stopped before the step finished."
    ));
    assert!(r.notifications[0].contains("The workflow continues at step 1 (Research)"));
    assert_eq!(r.auto_cleaned, 1);
    assert_eq!(run_of(&app, "half"), Some((0, "pending".into())));
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM workflow_steps WHERE status = 'in_progress'"
        ),
        0
    );
    assert!(!skill_dir(&app, "half")
        .join("context/research-plan.md")
        .exists());
    let entries = file_trash_entries(&app, "half");
    assert_eq!(entries.len(), 1);
    assert_eq!(
        std::fs::read_to_string(entries[0].join("context/research-plan.md")).unwrap(),
        "# partial"
    );
}

#[test]
fn scenario_10_missing_run_is_recreated_at_detected_step_after_marker() {
    let (_d, app) = open();
    master(&app, "found-skill", "skill-builder", "platform");
    evidence(&skill_dir(&app, "found-skill"), &[0]);
    // No workspace marker: it is recreated before detection (D7).
    let r = reconcile(&app);
    assert_eq!(
        r.notifications,
        ["'found-skill' workflow record recreated at step 1 (Research)"]
    );
    assert_eq!(run_of(&app, "found-skill"), Some((0, "pending".into())));
    let purpose: String = app
        .db
        .conn()
        .query_row(
            "SELECT purpose FROM workflow_runs WHERE skill_name = 'found-skill'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(purpose, "platform", "stored purpose kept (D7)");
    assert_eq!(completed(&app, "found-skill"), [0]);
    assert!(app.workspace_path().join("found-skill").is_dir());

    // With every artifact the run is recreated completed at step 3.
    master(&app, "full-skill", "skill-builder", "domain");
    evidence(&skill_dir(&app, "full-skill"), &[0, 2, 3]);
    let r = reconcile(&app);
    assert_eq!(
        r.notifications,
        ["'full-skill' workflow record recreated at step 4 (Generate Skill)"]
    );
    assert_eq!(run_of(&app, "full-skill"), Some((3, "completed".into())));
    assert_eq!(completed(&app, "full-skill"), [0, 1, 2, 3]);
}

#[test]
fn scenario_5_missing_workspace_folder_is_recreated() {
    let (_d, app) = open();
    builder(&app, "ws-gone", 2, "pending");
    set_step(&app, "ws-gone", 0, "completed");
    set_step(&app, "ws-gone", 1, "completed");
    evidence(&skill_dir(&app, "ws-gone"), &[0, 2]);
    std::fs::remove_dir_all(app.workspace_path().join("ws-gone")).unwrap();
    let r = reconcile(&app);
    assert!(r.notifications.is_empty(), "{r:?}");
    assert!(app.workspace_path().join("ws-gone/context").is_dir());
    assert_eq!(run_of(&app, "ws-gone"), Some((2, "pending".into())));
    assert_eq!(completed(&app, "ws-gone"), [0, 1, 2]);
}

#[test]
fn scenario_1_db_matches_disk_marks_proven_steps() {
    let (_d, app) = open();
    builder(&app, "same", 2, "pending");
    evidence(&skill_dir(&app, "same"), &[0, 2]);
    let r = reconcile(&app);
    assert!(r.notifications.is_empty(), "{r:?}");
    assert_eq!(r.auto_cleaned, 0);
    assert_eq!(run_of(&app, "same"), Some((2, "pending".into())));
    assert_eq!(completed(&app, "same"), [0, 1, 2]);
    assert!(skill_dir(&app, "same")
        .join("context/decisions.md")
        .is_file());
}

#[test]
fn scenario_2_db_ahead_of_disk_is_reset_and_later_files_go_to_trash() {
    let (_d, app) = open();
    builder(&app, "ahead-skill", 5, "completed");
    evidence(&skill_dir(&app, "ahead-skill"), &[0]);
    builder(&app, "behind", 3, "pending");
    for s in 0..3 {
        set_step(&app, "behind", s, "completed");
    }
    let dir = skill_dir(&app, "behind");
    evidence(&dir, &[0]);
    // A SKILL.md without decisions.md does not prove step 3.
    write(&dir, "SKILL.md", "stray");
    let r = reconcile(&app);
    assert!(r.notifications.contains(
        &"'ahead-skill' was reset from step 6 to step 1 (Research) (disk state behind DB)"
            .to_string()
    ));
    assert!(r
        .notifications
        .contains(&"'behind' was reset from step 4 (Generate Skill) to step 1 (Research) (disk state behind DB)".to_string()));
    assert_eq!(run_of(&app, "behind"), Some((0, "pending".into())));
    assert_eq!(completed(&app, "behind"), [0], "only step 0 completed");
    // The stray SKILL.md went to the trash, reported (D8).
    assert!(!dir.join("SKILL.md").exists());
    let entries = file_trash_entries(&app, "behind");
    assert_eq!(entries.len(), 1);
    assert_eq!(
        std::fs::read_to_string(entries[0].join("SKILL.md")).unwrap(),
        "stray"
    );
    assert!(r
        .notifications
        .iter()
        .any(|n| n.starts_with("'behind': SKILL.md moved to .trash/behind-")));
    assert_eq!(r.auto_cleaned, 1);
    assert!(dir.join("context/research-plan.md").is_file());
}

#[test]
fn scenario_2prime_db_ahead_but_last_detectable_step_proven_is_accepted() {
    let (_d, app) = open();
    // DB 1 / disk 0.
    builder(&app, "one", 1, "pending");
    evidence(&skill_dir(&app, "one"), &[0]);
    // DB 4 / disk 0, 2, 3 (legacy step id).
    builder(&app, "four", 4, "completed");
    evidence(&skill_dir(&app, "four"), &[0, 2, 3]);
    // Step 1 finished, step 2 not started yet: current_step 2 is the *next* step.
    builder(&app, "next", 2, "pending");
    set_step(&app, "next", 0, "completed");
    set_step(&app, "next", 1, "completed");
    evidence(&skill_dir(&app, "next"), &[0]);
    let r = reconcile(&app);
    assert!(r.notifications.is_empty(), "{r:?}");
    assert_eq!(run_of(&app, "one"), Some((1, "pending".into())));
    assert_eq!(
        completed(&app, "one"),
        [0],
        "the current step is not marked done (D9)"
    );
    assert_eq!(run_of(&app, "four"), Some((4, "completed".into())));
    assert_eq!(completed(&app, "four"), [0, 1, 2, 3]);
    assert_eq!(run_of(&app, "next"), Some((2, "pending".into())));
    assert_eq!(completed(&app, "next"), [0, 1]);
}

#[test]
fn scenario_3_disk_ahead_advances_the_run() {
    let (_d, app) = open();
    builder(&app, "quick", 0, "pending");
    evidence(&skill_dir(&app, "quick"), &[0, 2, 3]);
    builder(&app, "mid", 0, "pending");
    evidence(&skill_dir(&app, "mid"), &[0, 2]);
    let r = reconcile(&app);
    assert_eq!(
        r.notifications,
        [
            "'mid' was advanced from step 1 (Research) to step 3 (Confirm Decisions) (disk state ahead of DB)",
            "'quick' was advanced from step 1 (Research) to step 4 (Generate Skill) (disk state ahead of DB)"
        ]
    );
    assert_eq!(run_of(&app, "quick"), Some((3, "completed".into())));
    assert_eq!(completed(&app, "quick"), [0, 1, 2, 3]);
    assert_eq!(run_of(&app, "mid"), Some((2, "pending".into())));
    assert_eq!(completed(&app, "mid"), [0, 1, 2]);
    assert!(skill_dir(&app, "quick").join("SKILL.md").is_file());
}

#[test]
fn scenario_4_no_output_with_db_past_step_0_resets_to_0() {
    let (_d, app) = open();
    builder(&app, "empty-skill", 3, "pending");
    for s in 0..3 {
        set_step(&app, "empty-skill", s, "completed");
    }
    // Only half of step 0 and a stray decisions.md: nothing is proven.
    let dir = skill_dir(&app, "empty-skill");
    write(&dir, "context/clarifications.json", "{}");
    write(&dir, "context/decisions.md", "d");
    let r = reconcile(&app);
    assert_eq!(
        r.notifications[0],
        "'empty-skill' was reset from step 4 (Generate Skill) to step 1 (Research) (no output files found)"
    );
    assert_eq!(run_of(&app, "empty-skill"), Some((0, "pending".into())));
    assert!(completed(&app, "empty-skill").is_empty());
    assert!(!dir.join("context/clarifications.json").exists());
    assert!(!dir.join("context/decisions.md").exists());
    let entries = file_trash_entries(&app, "empty-skill");
    assert_eq!(entries.len(), 1);
    assert!(entries[0].join("context/decisions.md").is_file());
}

#[test]
fn scenario_6_completed_run_without_skill_md_falls_back_to_scenario_2() {
    let (_d, app) = open();
    builder(&app, "lost-md", 3, "completed");
    for s in 0..4 {
        set_step(&app, "lost-md", s, "completed");
    }
    evidence(&skill_dir(&app, "lost-md"), &[0, 2]);
    let r = reconcile(&app);
    assert_eq!(
        r.notifications,
        ["'lost-md' was reset from step 4 (Generate Skill) to step 3 (Confirm Decisions) (disk state behind DB)"]
    );
    assert_eq!(run_of(&app, "lost-md"), Some((2, "pending".into())));
    assert_eq!(completed(&app, "lost-md"), [0, 1, 2]);
}

#[test]
fn scenario_8_fresh_skill_clears_stray_completions_without_touching_files() {
    let (_d, app) = open();
    builder(&app, "fresh", 0, "pending");
    set_step(&app, "fresh", 0, "completed");
    write(
        &app.workspace_path().join("fresh"),
        "user-context.md",
        "ctx",
    );
    let r = reconcile(&app);
    assert!(r.notifications.is_empty(), "{r:?}");
    assert_eq!(r.auto_cleaned, 0);
    assert!(completed(&app, "fresh").is_empty());
    assert_eq!(run_of(&app, "fresh"), Some((0, "pending".into())));
    assert!(app.workspace_path().join("fresh/user-context.md").is_file());
    assert!(skill_dir(&app, "fresh").join("context").is_dir());
}

#[test]
fn scenario_step3_proven_completes_a_pending_run() {
    let (_d, app) = open();
    builder(&app, "almost", 3, "pending");
    evidence(&skill_dir(&app, "almost"), &[0, 2, 3]);
    let r = reconcile(&app);
    assert!(r.notifications.is_empty(), "{r:?}");
    assert_eq!(run_of(&app, "almost"), Some((3, "completed".into())));
    assert_eq!(completed(&app, "almost"), [0, 1, 2, 3]);
}

#[test]
fn scenario_d12_builder_skill_without_folder_is_reported_as_orphan() {
    let (_d, app) = open();
    builder(&app, "vanished", 2, "pending");
    std::fs::remove_dir_all(skill_dir(&app, "vanished")).unwrap();
    let r = reconcile(&app);
    assert_eq!(r.orphans.len(), 1);
    assert_eq!(r.orphans[0].skill_name, "vanished");
    assert_eq!(r.orphans[0].purpose, "domain");
    assert!(r.notifications.is_empty(), "{r:?}");
    assert_eq!(
        run_of(&app, "vanished"),
        Some((2, "pending".into())),
        "left for the user"
    );
    assert!(!skill_dir(&app, "vanished").exists());
}

// ---- pass 1, other sources ----

#[test]
fn scenario_11_marketplace_skill_with_skill_md_is_untouched() {
    let (_d, app) = open();
    master(&app, "mkt", "marketplace", "domain");
    write(&skill_dir(&app, "mkt"), "SKILL.md", "---\nname: mkt\n---\n");
    let r = reconcile(&app);
    assert_eq!(r, ReconciliationResult::default());
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM skills WHERE name = 'mkt'"),
        1
    );
}

#[test]
fn scenario_12_marketplace_without_skill_md_drops_rows_in_one_transaction() {
    let (_d, app) = open();
    let id = master(&app, "gone-mkt", "marketplace", "domain");
    sql(
        &app,
        "INSERT INTO imported_skills (skill_id, skill_name, disk_path, skill_master_id) VALUES ('imp-1', 'gone-mkt', '/x', ?1)",
        [id],
    );
    sql(
        &app,
        "INSERT INTO skill_tags (skill_name, tag, skill_id) VALUES ('gone-mkt', 't', ?1)",
        [id],
    );
    // The folder is left without its SKILL.md.
    write(&skill_dir(&app, "gone-mkt"), "references/a.md", "a");
    let r = reconcile(&app);
    assert_eq!(
        r.notifications[0],
        "'gone-mkt' marketplace skill removed — SKILL.md not found on disk"
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM skills WHERE name = 'gone-mkt'"),
        0
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM imported_skills"), 0);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM skill_tags"), 0);
    // D15: the folder is unknown now and handled in the same run (9a).
    assert_eq!(
        r.notifications[1],
        "'gone-mkt' removed — no SKILL.md found on disk"
    );
    assert_eq!(r.auto_cleaned, 2);
    assert!(trash(&app).join("gone-mkt/references/a.md").is_file());
}

#[test]
fn scenario_imported_skill_is_skipped() {
    let (_d, app) = open();
    master(&app, "imp", "imported", "domain");
    std::fs::create_dir_all(skill_dir(&app, "imp")).unwrap();
    let r = reconcile(&app);
    assert_eq!(r, ReconciliationResult::default());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM skills"), 1);
    assert!(skill_dir(&app, "imp").is_dir());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM workflow_runs"), 0);
}

// ---- pass 2 ----

#[test]
fn scenario_9a_folder_without_skill_md_is_moved_to_trash() {
    let (_d, app) = open();
    let dir = skill_dir(&app, "junk");
    write(&dir, "notes.md", "n");
    skill_builder_core::history::commit_all(&app.skills_path(), "junk added").unwrap();
    assert!(head_has(&app, "junk/notes.md"));
    let r = reconcile(&app);
    assert_eq!(
        r.notifications,
        ["'junk' removed — no SKILL.md found on disk"]
    );
    assert_eq!(r.auto_cleaned, 1);
    assert!(r.discovered_skills.is_empty());
    assert!(!dir.exists());
    assert_eq!(
        std::fs::read_to_string(trash(&app).join("junk/notes.md")).unwrap(),
        "n"
    );
    // The removal is committed with libgit2, scoped to the moved folder.
    assert!(!head_has(&app, "junk"));
    assert!(head_message(&app).starts_with("reconcile: move orphaned folders to .trash"));
    assert!(head_message(&app).contains("junk"));
}

#[test]
fn scenario_9b_folder_with_complete_skill_is_discovered() {
    let (_d, app) = open();
    let dir = skill_dir(&app, "complete");
    evidence(&dir, &[0, 2, 3]);
    let r = reconcile(&app);
    assert_eq!(
        r.discovered_skills,
        [DiscoveredSkill {
            name: "complete".into(),
            detected_step: 3,
            scenario: "9b".into()
        }]
    );
    assert!(r.notifications.is_empty());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM skills"), 0);
    assert!(dir.join("SKILL.md").is_file());
    assert!(
        !app.workspace_path().join("complete").exists(),
        "no marker left behind"
    );
    assert!(
        !head_has(&app, "complete"),
        "undecided discoveries are not committed (D6)"
    );
}

#[test]
fn scenario_9c_folder_with_partial_skill_is_discovered_read_only() {
    let (_d, app) = open();
    write(&skill_dir(&app, "only-md"), "SKILL.md", "x");
    let s0 = skill_dir(&app, "step-zero");
    evidence(&s0, &[0]);
    write(&s0, "SKILL.md", "x");
    // A half step 0 is not deleted by discovery (D6).
    let half = skill_dir(&app, "half-zero");
    write(&half, "SKILL.md", "x");
    write(&half, "context/research-plan.md", "p");
    let r = reconcile(&app);
    let mut found = r.discovered_skills.clone();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    let got: Vec<(&str, i32, &str)> = found
        .iter()
        .map(|d| (d.name.as_str(), d.detected_step, d.scenario.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("half-zero", -1, "9c"),
            ("only-md", -1, "9c"),
            ("step-zero", 0, "9c")
        ]
    );
    assert!(half.join("context/research-plan.md").is_file());
    assert!(r.notifications.is_empty());
}

#[test]
fn scenario_9_dot_folders_and_workspace_only_folders_are_ignored() {
    let (_d, app) = open();
    std::fs::create_dir_all(app.skills_path().join(".hidden/x")).unwrap();
    std::fs::create_dir_all(trash(&app).join("old")).unwrap();
    write(
        &app.workspace_path().join("ws-only"),
        "user-context.md",
        "c",
    );
    let r = reconcile(&app);
    assert_eq!(r, ReconciliationResult::default());
    assert!(app.skills_path().join(".hidden/x").is_dir());
    assert!(app.skills_path().join(".git").is_dir());
    assert!(app
        .workspace_path()
        .join("ws-only/user-context.md")
        .is_file());
}

// ---- pass 3 ----

#[test]
fn scenario_p3_unknown_folder_that_cannot_be_a_skill_moves_to_trash() {
    let (_d, app) = open();
    write(&app.skills_path().join("My Notes"), "a.txt", "a");
    // An invalid name *with* a SKILL.md is left alone, with advice.
    write(&app.skills_path().join("Bad_Name"), "SKILL.md", "x");
    let r = reconcile(&app);
    assert!(r
        .notifications
        .contains(&"'My Notes' moved to .trash — not in skills catalog".to_string()));
    assert!(trash(&app).join("My Notes/a.txt").is_file());
    assert!(!app.skills_path().join("My Notes").exists());
    assert!(r.notifications.iter().any(|n| n
        .starts_with("'Bad_Name' in the skills folder has a SKILL.md")
        && n.contains("Rename the folder")));
    assert!(app.skills_path().join("Bad_Name/SKILL.md").is_file());
    assert!(r.discovered_skills.is_empty());
    assert_eq!(r.auto_cleaned, 1);
    let gi = std::fs::read_to_string(app.skills_path().join(".gitignore")).unwrap();
    assert!(gi.lines().any(|l| l.trim() == ".trash/"));
}

// ---- .trash, .gitignore, plugin skills, same folder, commits ----

#[test]
fn trash_entry_of_the_same_name_is_replaced_and_old_entries_are_purged() {
    let (_d, app) = open();
    write(&trash(&app).join("junk"), "old.md", "old");
    write(&skill_dir(&app, "junk"), "new.md", "new");
    write(&trash(&app).join("ancient"), "a.md", "a");
    let past = SystemTime::now() - Duration::from_secs(40 * 24 * 3600);
    std::fs::File::open(trash(&app).join("ancient"))
        .unwrap()
        .set_modified(past)
        .unwrap();
    reconcile(&app);
    assert!(trash(&app).join("junk/new.md").is_file());
    assert!(
        !trash(&app).join("junk/old.md").exists(),
        "older entry replaced"
    );
    assert!(
        !trash(&app).join("ancient").exists(),
        "entries older than 30 days purged"
    );
}

#[test]
fn missing_trash_line_is_appended_to_an_existing_gitignore() {
    let (_d, app) = open();
    std::fs::write(app.skills_path().join(".gitignore"), "custom\n").unwrap();
    reconcile(&app);
    let gi = std::fs::read_to_string(app.skills_path().join(".gitignore")).unwrap();
    assert_eq!(gi, "custom\n.trash/\n");
    reconcile(&app);
    let gi2 = std::fs::read_to_string(app.skills_path().join(".gitignore")).unwrap();
    assert_eq!(gi2, gi, "added once");
}

#[test]
fn plugin_skills_in_workspace_claude_skills_are_never_touched() {
    let (_d, app) = open();
    let plugins = app.workspace_path().join(".claude/skills");
    write(
        &plugins.join("plugin-a"),
        "SKILL.md",
        "---\nname: plugin-a\n---\n",
    );
    write(&plugins.join("no-md"), "notes.md", "n");
    write(&plugins.join(".inactive/plugin-b"), "SKILL.md", "b");
    let r = reconcile(&app);
    assert_eq!(r, ReconciliationResult::default());
    assert!(plugins.join("plugin-a/SKILL.md").is_file());
    assert!(plugins.join("no-md/notes.md").is_file());
    assert!(plugins.join(".inactive/plugin-b/SKILL.md").is_file());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM skills"), 0);
}

#[test]
fn workspace_equal_to_skills_folder_still_reconciles() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("both");
    {
        let app = support::open_at(dir.path(), |_| {});
        skill_builder_core::settings::update(&app, |s| {
            s.workspace_path = Some(shared.display().to_string());
            s.skills_path = Some(shared.display().to_string());
        })
        .unwrap();
    }
    let app = support::open_at(dir.path(), |_| {});
    assert_eq!(app.workspace_path(), app.skills_path());
    builder(&app, "same-dir", 0, "pending");
    evidence(&skill_dir(&app, "same-dir"), &[0, 2]);
    write(
        &app.workspace_path().join(".claude/skills/p"),
        "SKILL.md",
        "p",
    );
    let r = reconcile(&app);
    assert_eq!(
        r.notifications,
        ["'same-dir' was advanced from step 1 (Research) to step 3 (Confirm Decisions) (disk state ahead of DB)"]
    );
    assert!(r.discovered_skills.is_empty());
    assert!(shared.join(".claude/skills/p/SKILL.md").is_file());
}

#[test]
fn known_skill_folders_not_in_head_are_auto_committed() {
    let (_d, app) = open();
    builder(&app, "alpha", 0, "pending");
    builder(&app, "beta", 0, "pending");
    builder(&app, "gamma", 0, "pending"); // only empty folders: nothing to commit (D26)
    evidence(&skill_dir(&app, "alpha"), &[0]);
    evidence(&skill_dir(&app, "beta"), &[0]);
    write(&skill_dir(&app, "stranger"), "SKILL.md", "x"); // undecided discovery
    reconcile(&app);
    assert_eq!(
        head_message(&app),
        "auto-commit new skill folders: alpha, beta"
    );
    assert!(head_has(&app, "alpha/context/research-plan.md"));
    assert!(!head_has(&app, "stranger"));
    assert!(!head_has(&app, "gamma"));
    let before = head_message(&app);
    reconcile(&app);
    assert_eq!(head_message(&app), before, "nothing new → no commit");
}

// ---- resolve commands ----

#[test]
fn resolve_orphan_delete_works_without_a_run_and_keep_restores_step_0() {
    let (_d, app) = open();
    master(&app, "no-run", "skill-builder", "domain");
    builder(&app, "kept", 2, "pending");
    set_step(&app, "kept", 0, "completed");
    std::fs::remove_dir_all(skill_dir(&app, "kept")).unwrap();
    let r = reconcile(&app);
    let names: Vec<&str> = r.orphans.iter().map(|o| o.skill_name.as_str()).collect();
    assert_eq!(names, ["kept", "no-run"]);

    reconcile::resolve_orphan(&app, resolve_args("no-run", "delete")).unwrap();
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM skills WHERE name = 'no-run'"),
        0
    );

    reconcile::resolve_orphan(&app, resolve_args("kept", "keep")).unwrap();
    assert_eq!(run_of(&app, "kept"), Some((0, "pending".into())));
    assert!(completed(&app, "kept").is_empty());
    assert!(skill_dir(&app, "kept").join("context").is_dir());
    let r = reconcile(&app);
    assert!(
        r.orphans.is_empty(),
        "kept skill is not reported again: {r:?}"
    );

    let e = reconcile::resolve_orphan(&app, resolve_args("kept", "archive")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert_eq!(
        e.message,
        "Invalid orphan resolution action: 'archive'. Expected 'delete' or 'keep'."
    );
    let e = reconcile::resolve_orphan(&app, resolve_args("../x", "delete")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = reconcile::resolve_orphan(&app, resolve_args("nobody", "delete")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}

#[test]
fn resolve_discovery_add_skill_builder_stores_step_3_completed() {
    let (_d, app) = open();
    evidence(&skill_dir(&app, "adopt"), &[0, 2, 3]);
    let r = reconcile(&app);
    assert_eq!(r.discovered_skills[0].scenario, "9b");
    reconcile::resolve_discovery(&app, resolve_args("adopt", "add-skill-builder")).unwrap();
    let src: String = app
        .db
        .conn()
        .query_row(
            "SELECT skill_source FROM skills WHERE name = 'adopt'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(src, "skill-builder");
    assert_eq!(run_of(&app, "adopt"), Some((3, "completed".into())));
    assert_eq!(completed(&app, "adopt"), [0, 1, 2, 3]);
    assert!(app.workspace_path().join("adopt").is_dir());
    assert_eq!(head_message(&app), "adopt: added to library");
    // Now a known, consistent skill: nothing to report.
    let r = reconcile(&app);
    assert_eq!(r, ReconciliationResult::default());
    let e = reconcile::resolve_discovery(&app, resolve_args("adopt", "add-imported")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Conflict);
}

#[test]
fn resolve_discovery_add_imported_creates_the_imported_row() {
    let (_d, app) = open();
    let dir = skill_dir(&app, "foreign");
    write(
        &dir,
        "SKILL.md",
        "---\nname: foreign\ndescription: From elsewhere\n---\nbody\n",
    );
    write(&dir, "context/notes.md", "n");
    reconcile::resolve_discovery(&app, resolve_args("foreign", "add-imported")).unwrap();
    let (src, desc): (String, Option<String>) = app
        .db
        .conn()
        .query_row(
            "SELECT skill_source, description FROM skills WHERE name = 'foreign'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(src, "imported");
    assert_eq!(desc.as_deref(), Some("From elsewhere"));
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM imported_skills WHERE skill_name = 'foreign' AND skill_master_id IS NOT NULL"),
        1
    );
    assert!(!dir.join("context").exists());
    assert_eq!(file_trash_entries(&app, "foreign").len(), 1);
    assert!(head_has(&app, "foreign/SKILL.md"));
    assert_eq!(reconcile(&app), ReconciliationResult::default());
}

#[test]
fn resolve_discovery_remove_and_bad_input() {
    let (_d, app) = open();
    write(&skill_dir(&app, "unwanted"), "SKILL.md", "x");
    reconcile::resolve_discovery(&app, resolve_args("unwanted", "remove")).unwrap();
    assert!(!skill_dir(&app, "unwanted").exists());
    assert!(trash(&app).join("unwanted/SKILL.md").is_file());
    assert_eq!(count(&app, "SELECT COUNT(*) FROM skills"), 0);

    let e = reconcile::resolve_discovery(&app, resolve_args("unwanted", "keep")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    assert_eq!(
        e.message,
        "Invalid discovery action: 'keep'. Expected 'add-skill-builder', 'add-imported', or 'remove'."
    );
    for bad in ["", "a/b", "..", "x\\y", "Upper"] {
        let e = reconcile::resolve_discovery(&app, resolve_args(bad, "remove")).unwrap_err();
        assert_eq!(e.kind, ErrorKind::InvalidInput, "{bad:?}");
    }
    let e =
        reconcile::resolve_discovery(&app, resolve_args("missing", "add-imported")).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound);
}

#[cfg(unix)]
#[test]
fn resolve_discovery_refuses_a_symlink_out_of_the_skills_folder() {
    let (d, app) = open();
    let outside = d.path().join("outside");
    write(&outside, "SKILL.md", "x");
    std::os::unix::fs::symlink(&outside, skill_dir(&app, "linked")).unwrap();
    let e = reconcile::resolve_discovery(&app, resolve_args("linked", "remove")).unwrap_err();
    assert!(e.message.contains("path traversal not allowed"), "{e}");
    assert!(outside.join("SKILL.md").is_file());
}

// ---- commands through the catalog, clear_workspace, start-up ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_are_in_the_catalog_and_clear_workspace_keeps_user_text() {
    let (_d, app) = open();
    let ws = app.workspace_path();
    write(
        &ws,
        ".claude/CLAUDE.md",
        "# old\n\n## Customization\n\nMy rules.\n",
    );
    // Files the app did not write are the user's (issue 12): clear_workspace keeps them.
    write(&ws, ".claude/agents/stale.md", "old agent");
    write(&ws.join("agents"), "legacy.md", "legacy");
    write(&ws, "CLAUDE.md", "root legacy");
    catalog::call(&app, "clear_workspace", json!({}))
        .await
        .unwrap();
    assert!(ws.join(".claude/agents/stale.md").is_file());
    assert!(
        std::fs::read_dir(ws.join(".claude/agents"))
            .unwrap()
            .count()
            > 1
    );
    let md = std::fs::read_to_string(ws.join(".claude/CLAUDE.md")).unwrap();
    assert!(md.contains("## Custom Skills"));
    assert!(md.ends_with("## Customization\n\nMy rules.\n"), "{md}");
    assert!(ws.join("agents/legacy.md").is_file() && ws.join("CLAUDE.md").is_file());

    let r = catalog::call(&app, "reconcile_startup", json!(null))
        .await
        .unwrap();
    assert_eq!(
        r,
        json!({"orphans": [], "notifications": [], "auto_cleaned": 0, "discovered_skills": []})
    );
    let e = catalog::call(
        &app,
        "resolve_discovery",
        json!({"skillName": "x", "action": "nope"}),
    )
    .await
    .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput);
    let e = catalog::call(&app, "resolve_orphan", json!({"skillName": "x"}))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput, "missing action");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_startup_reports_each_step_and_hands_notifications_to_the_ui() {
    let (_d, app) = open();
    builder(&app, "empty-skill", 3, "pending");
    let ws = app.workspace_path();
    // Only a known skill's transcripts are pruned (issue 12).
    write(&ws.join("empty-skill/logs"), "0-old.jsonl", "{}");
    write(&ws.join("empty-skill/logs"), "0-new.jsonl", "{}");
    let past = SystemTime::now() - Duration::from_secs(31 * 24 * 3600);
    std::fs::File::options()
        .write(true)
        .open(ws.join("empty-skill/logs/0-old.jsonl"))
        .unwrap()
        .set_modified(past)
        .unwrap();
    sql(
        &app,
        "INSERT INTO skill_locks (skill_name, instance_id, pid, skill_id) VALUES ('empty-skill', 'x', ?1, NULL)",
        [dead_pid()],
    );
    session(
        &app,
        "dead",
        "empty-skill",
        dead_pid(),
        "2024-01-01T00:00:00.000Z",
    );

    let report = skill_builder_core::startup::run_startup(&app).unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert!(report.agents_deployed && report.claude_md_written && report.skills_repo);
    assert_eq!(report.transcripts_pruned, 1);
    assert!(ws.join("empty-skill/logs/0-new.jsonl").is_file());
    assert_eq!(report.stale_locks_reclaimed, 1);
    assert_eq!(report.orphaned_sessions_closed, 1);
    let rec = report.reconciliation.clone().unwrap();
    let expected = "'empty-skill' was reset from step 4 (Generate Skill) to step 1 (Research) (no output files found)";
    assert_eq!(rec.notifications, [expected]);
    assert!(ws.join(".claude/CLAUDE.md").is_file());

    // The UI's first reconcile_startup call still shows what start-up did, once.
    let r = catalog::call(&app, "reconcile_startup", json!({}))
        .await
        .unwrap();
    assert_eq!(r["notifications"], json!([expected]));
    let r = catalog::call(&app, "reconcile_startup", json!({}))
        .await
        .unwrap();
    assert_eq!(r["notifications"], json!([]));
}

// ---- crash in the middle of a step (SIGKILL story) ----

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_step_2_is_reported_reset_and_the_build_resumes_at_step_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    // The run that gets killed: steps 0 and 1 done, step 2 running when the process died.
    {
        let app = support::open_at(&data, |o| o.mock = true);
        catalog::call(&app, "create_skill", json!({"name": "crash-skill"}))
            .await
            .unwrap();
        let out = skill_dir(&app, "crash-skill");
        evidence(&out, &[0]);
        set_step(&app, "crash-skill", 0, "completed");
        set_step(&app, "crash-skill", 1, "completed");
        set_step(&app, "crash-skill", 2, "in_progress");
        sql(
            &app,
            "UPDATE workflow_runs SET current_step = 2, status = 'in_progress' WHERE skill_name = 'crash-skill'",
            [],
        );
        // Half-written decisions.md of the interrupted agent.
        write(
            &out,
            "context/decisions.md",
            "---\ndecision_count: 4\n---\n## D1\nWe will",
        );
        session(
            &app,
            "killed",
            "crash-skill",
            dead_pid(),
            "2024-06-01T08:00:00.000Z",
        );
        sql(
            &app,
            "INSERT INTO agent_runs (agent_id, skill_name, step_id, model, status, started_at, completed_at, workflow_session_id)
             VALUES ('crash-skill-step1-1', 'crash-skill', 1, 'm', 'completed', '2024-06-01T08:01:00.000Z',
                     '2024-06-01T08:09:00.000Z', 'killed'),
                    ('crash-skill-step2-2', 'crash-skill', 2, 'm', 'running', '2024-06-01T08:10:00.000Z', NULL, 'killed')",
            [],
        );
    }
    // The next start: the DB opens, start-up reconciles.
    let app = support::open_at(&data, |o| o.mock = true);
    let report = skill_builder_core::startup::run_startup(&app).unwrap();
    let rec = report.reconciliation.unwrap();
    assert_eq!(rec.notifications.len(), 1, "{rec:?}");
    let note = &rec.notifications[0];
    assert!(
        note.starts_with("'crash-skill' was interrupted during step 3 (Confirm Decisions)"),
        "{note}"
    );
    assert!(
        note.contains("The workflow continues at step 3 (Confirm Decisions)"),
        "{note}"
    );
    assert_eq!(rec.auto_cleaned, 1);
    let out = skill_dir(&app, "crash-skill");
    assert!(
        !out.join("context/decisions.md").exists(),
        "partial output removed"
    );
    let entries = file_trash_entries(&app, "crash-skill");
    assert_eq!(entries.len(), 1);
    assert!(
        std::fs::read_to_string(entries[0].join("context/decisions.md"))
            .unwrap()
            .ends_with("We will")
    );
    assert!(out.join("context/clarifications.json").is_file());
    assert_eq!(run_of(&app, "crash-skill"), Some((2, "pending".into())));
    assert_eq!(completed(&app, "crash-skill"), [0, 1]);
    let ended: String = app
        .db
        .conn()
        .query_row(
            "SELECT ended_at FROM workflow_sessions WHERE session_id = 'killed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(ended, "2024-06-01T08:09:00.000Z");

    // Resume: the build starts at step 2 and finishes.
    let build = skill_builder_core::workflow::build::build_skill(&app, "crash-skill", |_| {})
        .await
        .unwrap();
    let ids: Vec<u32> = build.steps.iter().map(|s| s.step_id).collect();
    assert_eq!(ids, [2, 3], "steps 0 and 1 are not run again");
    assert_eq!(run_of(&app, "crash-skill"), Some((3, "completed".into())));
    assert_eq!(completed(&app, "crash-skill"), [0, 1, 2, 3]);
    assert!(out.join("SKILL.md").is_file());
    let r = reconcile(&app);
    assert_eq!(r, ReconciliationResult::default());
}
