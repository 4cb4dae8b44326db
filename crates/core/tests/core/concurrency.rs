//! Concurrency and fault tests (issue 9, item 3): two app instances on one data dir, many
//! concurrent writers with no surfaced SQLITE_BUSY, failing disk writes that leave the
//! database and the disk consistent, and a crash after step 3 that start-up repairs.

use crate::support;

use serde_json::{json, Value};
use skill_builder_core::{catalog, App, ErrorKind};
use std::path::Path;
use std::sync::Arc;

/// Mock agents that do not pause between messages.
fn mock_fast(o: &mut skill_builder_core::options::Options) {
    o.mock = true;
    o.mock_delay_ms = Some(0);
}

fn count(app: &App, sql: &str, name: &str) -> i64 {
    app.db.conn().query_row(sql, [name], |r| r.get(0)).unwrap()
}

/// Entries of a folder (names), empty when it does not exist.
fn entries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

// ---- two instances on one data dir ----

#[tokio::test(flavor = "multi_thread")]
async fn second_editor_gets_a_clear_locked_error_and_reads_still_work() {
    let dir = tempfile::tempdir().unwrap();
    let a = support::open_at(dir.path(), mock_fast);
    let b = support::open_at(dir.path(), mock_fast);
    assert_ne!(a.instance_id, b.instance_id);
    catalog::call(&a, "create_skill", json!({"name": "shared", "tags": ["x"]}))
        .await
        .unwrap();
    catalog::call(&a, "acquire_lock", json!({"skillName": "shared"}))
        .await
        .unwrap();

    // Every editing command of the second instance is refused with `locked`, naming the holder.
    let edits: [(&str, Value); 5] = [
        ("acquire_lock", json!({"skillName": "shared"})),
        (
            "rename_skill",
            json!({"oldName": "shared", "newName": "renamed"}),
        ),
        ("delete_skill", json!({"name": "shared"})),
        (
            "run_workflow_step",
            json!({"skillName": "shared", "stepId": 0}),
        ),
        (
            "reset_workflow_step",
            json!({"skillName": "shared", "fromStepId": 0}),
        ),
    ];
    for (cmd, args) in edits {
        let e = catalog::call(&b, cmd, args)
            .await
            .expect_err(&format!("{cmd} must be refused"));
        assert_eq!(e.kind, ErrorKind::Locked, "{cmd}: {e}");
        assert!(
            e.message.contains("another instance") && e.message.contains(&a.pid.to_string()),
            "{cmd}: unclear message: {}",
            e.message
        );
    }
    // Nothing was changed by the refused calls.
    assert_eq!(
        count(&a, "SELECT COUNT(*) FROM skills WHERE name = ?1", "shared"),
        1
    );
    assert!(a.skills_path().join("shared").is_dir());

    // Reads of the second instance still work.
    let list = catalog::call(&b, "list_skills", json!({})).await.unwrap();
    assert_eq!(list[0]["name"], "shared");
    let state = catalog::call(&b, "get_workflow_state", json!({"skillName": "shared"}))
        .await
        .unwrap();
    assert_eq!(state["run"]["status"], "pending");
    catalog::call(&b, "list_skill_files", json!({"skillName": "shared"}))
        .await
        .unwrap();
    catalog::call(&b, "get_skill_history", json!({"skillName": "shared"}))
        .await
        .unwrap();
    assert_eq!(
        catalog::call(&b, "check_lock", json!({"skillName": "shared"}))
            .await
            .unwrap(),
        json!(true)
    );
    let locks = catalog::call(&b, "get_locked_skills", json!({}))
        .await
        .unwrap();
    assert_eq!(locks[0]["instance_id"], json!(a.instance_id));

    // Once the holder releases, the second instance may edit.
    a.shutdown();
    catalog::call(
        &b,
        "rename_skill",
        json!({"oldName": "shared", "newName": "renamed"}),
    )
    .await
    .unwrap();
}

// ---- many concurrent writers on two apps ----

const THREADS: usize = 8;
const ROUNDS: usize = 25;

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn eight_writers_on_two_apps_never_surface_sqlite_busy() {
    let dir = tempfile::tempdir().unwrap();
    let apps = [
        support::open_at(dir.path(), mock_fast),
        support::open_at(dir.path(), mock_fast),
    ];
    let mut tasks = Vec::new();
    for t in 0..THREADS {
        let app: Arc<App> = apps[t % 2].clone();
        tasks.push(tokio::spawn(async move {
            let mut errors: Vec<String> = Vec::new();
            let mut calls = 0;
            for r in 0..ROUNDS {
                let name = format!("w{t}-{r}");
                let ops: Vec<(&str, Value)> = vec![
                    ("create_skill", json!({"name": name, "tags": ["c"]})),
                    ("acquire_lock", json!({"skillName": name})),
                    (
                        "update_skill_tags",
                        json!({"skillName": name, "tags": [format!("t{r}"), "c"]}),
                    ),
                    (
                        "update_skill_metadata",
                        json!({"skillName": name, "description": format!("round {r}")}),
                    ),
                    ("list_skills", json!({})),
                    (
                        "save_workflow_state",
                        json!({"skillName": name, "currentStep": 1, "status": "pending", "purpose": "domain",
                               "stepStatuses": [{"step_id": 0, "status": "completed"}]}),
                    ),
                    ("get_workflow_state", json!({"skillName": name})),
                    ("release_lock", json!({"skillName": name})),
                    ("get_locked_skills", json!({})),
                ];
                for (cmd, args) in ops {
                    calls += 1;
                    if let Err(e) = catalog::call(&app, cmd, args).await {
                        errors.push(format!("{cmd} {name}: {} ({:?})", e.message, e.kind));
                    }
                }
                // Every other skill is deleted again (delete + commit while others write).
                if r % 2 == 1 {
                    calls += 1;
                    if let Err(e) = catalog::call(&app, "delete_skill", json!({"name": name})).await
                    {
                        errors.push(format!("delete_skill {name}: {}", e.message));
                    }
                }
            }
            (calls, errors)
        }));
    }
    let mut calls = 0;
    let mut errors = Vec::new();
    for t in tasks {
        let (c, e) = t.await.unwrap();
        calls += c;
        errors.extend(e);
    }
    let busy: Vec<&String> = errors
        .iter()
        .filter(|e| {
            let l = e.to_lowercase();
            l.contains("database is locked") || l.contains("busy")
        })
        .collect();
    assert!(busy.is_empty(), "SQLITE_BUSY surfaced: {busy:?}");
    assert!(
        errors.is_empty(),
        "{} of {calls} calls failed: {errors:?}",
        errors.len()
    );
    // Both instances see the same, complete result.
    let kept = THREADS * ROUNDS.div_ceil(2);
    for app in &apps {
        let list = catalog::call(app, "list_skills", json!({})).await.unwrap();
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|s| s["name"].as_str())
            .collect();
        let extra: Vec<&&str> = names
            .iter()
            .filter(|n| n.rsplit('-').next().unwrap().parse::<usize>().unwrap() % 2 == 1)
            .collect();
        assert!(extra.is_empty(), "deleted skills still listed: {extra:?}");
        assert_eq!(names.len(), kept);
    }
    let ok: String = apps[0]
        .db
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

// ---- failing disk writes ----

/// Makes creating anything inside `dir` fail, also as root: with permissions when not root,
/// else by replacing the folder with a regular file (ENOTDIR). Returns how.
fn make_unwritable(dir: &Path) -> &'static str {
    if !is_root() {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        return "chmod 0555";
    }
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::write(dir, b"not a folder").unwrap();
    "folder replaced by a file (tests run as root)"
}

fn restore_writable(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if dir.is_file() {
        std::fs::remove_file(dir).unwrap();
        std::fs::create_dir_all(dir).unwrap();
    } else {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn create_skill_on_an_unwritable_skills_dir_leaves_no_row_and_no_folder() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::open_at(&dir.path().join("data"), mock_fast);
    // Only the skills folder fails; the data dir (database) stays writable.
    let skills = app.skills_path();
    let how = make_unwritable(&skills);
    let e = catalog::call(&app, "create_skill", json!({"name": "doomed"}))
        .await
        .expect_err(&format!("create_skill must fail ({how})"));
    assert_ne!(e.kind, ErrorKind::Internal, "{e}");
    restore_writable(&skills);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM skills WHERE name = ?1",
            "doomed"
        ),
        0,
        "row left behind ({how})"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM workflow_runs WHERE skill_name = ?1",
            "doomed"
        ),
        0
    );
    assert!(
        !app.workspace_path().join("doomed").exists(),
        "workspace folder left behind ({how})"
    );
    assert!(!skills.join("doomed").exists());
    // The same name works once the disk is writable again.
    catalog::call(&app, "create_skill", json!({"name": "doomed"}))
        .await
        .unwrap();
}

fn skill_zip(path: &Path, name: &str, extra_bytes: usize) {
    use std::io::Write;
    use zip::write::SimpleFileOptions;
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let o = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    w.start_file(format!("{name}/SKILL.md"), o).unwrap();
    write!(
        w,
        "---\nname: {name}\ndescription: A test skill. Use when testing.\n---\n\n# {name}\n"
    )
    .unwrap();
    for i in 0..4 {
        w.start_file(format!("{name}/references/r{i}.md"), o)
            .unwrap();
        w.write_all(&vec![b'a'; extra_bytes]).unwrap();
    }
    w.finish().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_with_an_unwritable_staging_dir_leaves_no_row_and_no_folder() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::open_at(&dir.path().join("data"), mock_fast);
    let zip = dir.path().join("up.zip");
    skill_zip(&zip, "uploaded", 1000);
    let root = skill_builder_core::workspace_skills::skills_root(&app);
    let staging = skill_builder_core::workspace_skills::staging_root(&app);
    std::fs::create_dir_all(&staging).unwrap();
    let before = entries(&root);
    let how = make_unwritable(&staging);
    let e = catalog::call(
        &app,
        "upload_skill",
        json!({"filePath": zip.display().to_string()}),
    )
    .await
    .expect_err(&format!("upload must fail ({how})"));
    assert_ne!(e.kind, ErrorKind::Internal, "{e}");
    restore_writable(&staging);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM workspace_skills WHERE skill_name = ?1",
            "uploaded"
        ),
        0
    );
    assert_eq!(entries(&root), before, "skills workspace changed ({how})");
    assert!(entries(&staging).is_empty(), "staging not empty ({how})");
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_that_runs_out_of_space_midway_leaves_nothing_behind() {
    // "Full temp dir": the extraction quota (zip_max_total_bytes) runs out after some files
    // were written; the partial extraction must be removed and no row inserted.
    let dir = tempfile::tempdir().unwrap();
    let app = support::open_at(&dir.path().join("data"), mock_fast);
    catalog::call(
        &app,
        "save_settings",
        json!({"settings": {"zip_max_total_bytes": 10_000}}),
    )
    .await
    .unwrap();
    let zip = dir.path().join("big.zip");
    skill_zip(&zip, "too-big", 4_000);
    let root = skill_builder_core::workspace_skills::skills_root(&app);
    let staging = skill_builder_core::workspace_skills::staging_root(&app);
    let before = entries(&root);
    let e = catalog::call(
        &app,
        "upload_skill",
        json!({"filePath": zip.display().to_string()}),
    )
    .await
    .expect_err("the quota must stop the upload");
    assert!(
        e.message.to_lowercase().contains("limit") || e.message.contains("bytes"),
        "{e}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM workspace_skills WHERE skill_name = ?1",
            "too-big"
        ),
        0
    );
    let visible =
        |v: Vec<String>| -> Vec<String> { v.into_iter().filter(|n| n != ".staging").collect() };
    assert_eq!(visible(entries(&root)), visible(before));
    assert!(
        entries(&staging).is_empty(),
        "partial extraction left in staging"
    );
}

// ---- crash after step 3 (found by the crash soak) ----

#[tokio::test(flavor = "multi_thread")]
async fn skill_completed_by_startup_reconciliation_is_committed() {
    let dir = tempfile::tempdir().unwrap();
    let app = support::open_at(dir.path(), mock_fast);
    catalog::call(&app, "create_skill", json!({"name": "late"}))
        .await
        .unwrap();
    skill_builder_core::workflow::build::build_skill(&app, "late", |_| {})
        .await
        .unwrap();
    app.agents.shutdown_all(&app).await;
    let skills = app.skills_path();
    // The state a kill between "step 3 wrote its files" and "step 3 recorded + committed"
    // leaves: the run at step 3, not completed, and HEAD without the step-3 files.
    {
        let conn = app.db.conn();
        conn.execute(
            "UPDATE workflow_runs SET current_step = 3, status = 'pending' WHERE skill_name = 'late'",
            [],
        )
        .unwrap();
        conn.execute(
            "UPDATE workflow_steps SET status = 'error', completed_at = NULL WHERE skill_name = 'late' AND step_id = 3",
            [],
        )
        .unwrap();
    }
    let repo = git2::Repository::open(&skills).unwrap();
    {
        let head = repo.head().unwrap().peel_to_commit().unwrap();
        let mut index = repo.index().unwrap();
        index.read_tree(&head.tree().unwrap()).unwrap();
        index.remove_path(Path::new("late/SKILL.md")).unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = git2::Signature::now("t", "t@example.invalid").unwrap();
        repo.commit(Some("HEAD"), &sig, &sig, "before step 3", &tree, &[&head])
            .unwrap();
        index.write().unwrap();
    }
    assert!(skills.join("late/SKILL.md").is_file());
    let in_head = |repo: &git2::Repository| {
        repo.head()
            .unwrap()
            .peel_to_tree()
            .unwrap()
            .get_path(Path::new("late/SKILL.md"))
            .is_ok()
    };
    assert!(!in_head(&repo));

    skill_builder_core::reconcile::reconcile_startup(&app).unwrap();

    let state = catalog::call(&app, "get_workflow_state", json!({"skillName": "late"}))
        .await
        .unwrap();
    assert_eq!(state["run"]["status"], "completed");
    assert!(
        in_head(&repo),
        "the finished skill's SKILL.md must be committed by start-up"
    );
}
