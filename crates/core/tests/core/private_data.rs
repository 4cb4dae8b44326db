//! Private data at rest (issue 12, items 5, 6 and 8): without a keychain the database holds
//! the API key and the GitHub token, so the data dir is owner-only and the database, its WAL
//! files and the logs are 0600; no secret reaches the log, whatever the mode; staging folders
//! left by a killed process are removed at the next start while a live instance's are kept.

use crate::support;

use serde_json::json;
use skill_builder_core::agents::{AgentRequest, RequestKind};
use skill_builder_core::options::Options;
use skill_builder_core::{catalog, App};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

const KEY: &str = "sk-ant-api03-PRIVATE-DATA-0123456789abcdef";
const TOKEN: &str = "gho_PRIVATEDATA0123456789abcdefABCDEF";
const ENV_KEY: &str = "sk-ant-api03-FROM-THE-ENVIRONMENT-0123456789";

/// The options of every app here: mock agents without pauses, an API key from the
/// environment (`ANTHROPIC_API_KEY`) and an API that is never reached.
fn private(o: &mut Options) {
    o.mock = true;
    o.mock_delay_ms = Some(0);
    o.anthropic_base_url = Some("http://127.0.0.1:9".into());
    o.anthropic_api_key = Some(ENV_KEY.into());
}

/// The app whose log is the process's log, for a test that runs alone in its process
/// ([`support::in_own_process!`]: a process has one logger and one umask): no keychain, mock
/// agents, a typical umask (022) so the old 0644/0755 defaults would show, and both secrets
/// saved the way the UI and the GitHub sign-in save them.
fn logged_app() -> &'static Arc<App> {
    static APP: OnceLock<Arc<App>> = OnceLock::new();
    APP.get_or_init(|| {
        // SAFETY: umask only sets the process's file-creation mask; this process runs one test.
        unsafe { libc::umask(0o022) };
        let root = tempfile::tempdir().unwrap().keep();
        let app = support::open_at(&root.join("data"), private);
        skill_builder_core::logging::init(&app.paths.log_file(), "debug", None);
        save(
            &app,
            json!({"anthropic_api_key": KEY, "log_level": "debug"}),
        );
        skill_builder_core::settings::update(&app, |s| s.github_oauth_token = Some(TOKEN.into()))
            .unwrap();
        app
    })
}

fn save(app: &App, settings: serde_json::Value) {
    let args = serde_json::from_value(json!({ "settings": settings })).unwrap();
    skill_builder_core::settings::save_settings(app, args).unwrap();
}

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .permissions()
        .mode()
        & 0o777
}

fn with_suffix(p: &Path, suffix: &str) -> PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

#[test]
fn data_dir_is_0700_and_database_wal_shm_and_log_are_0600_with_the_database_fallback() {
    if !support::in_own_process!() {
        return;
    }
    let app = logged_app();
    tracing::info!("private-data: a line so the log file has content");
    let stored: String = app
        .db
        .conn()
        .query_row("SELECT value FROM settings", [], |r| r.get(0))
        .unwrap();
    assert!(
        stored.contains(KEY),
        "the fallback stores the key in the DB"
    );

    assert_eq!(mode(&app.paths.data_dir), 0o700, "data dir");
    let db = app.paths.db_file();
    for f in [
        db.clone(),
        with_suffix(&db, "-wal"),
        with_suffix(&db, "-shm"),
        app.paths.log_file(),
    ] {
        assert_eq!(mode(&f) & 0o077, 0, "{} is {:o}", f.display(), mode(&f));
    }
    assert_eq!(mode(&app.paths.log_dir()) & 0o077, 0, "log folder");
}

#[test]
fn a_data_dir_an_older_version_left_readable_is_tightened_on_open() {
    if !support::in_own_process!() {
        return;
    }
    // The umask 022 of this process, so a file created with default modes would show.
    logged_app();
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    std::fs::create_dir_all(data.join("logs")).unwrap();
    let db = data.join("skill-builder.db");
    drop(skill_builder_core::db::open_connection(&db).unwrap());
    let loose =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    loose(&data, 0o755);
    loose(&db, 0o644);
    let wal = with_suffix(&db, "-wal");
    std::fs::write(&wal, b"").unwrap();
    loose(&wal, 0o644);

    let app = support::open_at(&data, private);
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&wal) & 0o077, 0);
    assert_eq!(mode(&with_suffix(&db, "-shm")) & 0o077, 0);
    drop(app);
}

/// A mock agent run whose prompt holds the pasted key: the config carries no `apiKey` in mock
/// mode, so only a log that scrubs every line keeps the key out.
#[tokio::test(flavor = "multi_thread")]
async fn secrets_never_reach_the_log_in_mock_mode_at_debug_level() {
    if !support::in_own_process!() {
        return;
    }
    let app = logged_app();
    catalog::call(app, "create_skill", json!({"name": "paste-skill"}))
        .await
        .unwrap();
    let req = AgentRequest {
        agent_id: "paste-agent-1".into(),
        skill_name: "paste-skill".into(),
        pool_key: None,
        step_id: -1,
        model: "claude-sonnet-4-6".into(),
        config: json!({
            "prompt": format!("use this key: {KEY} and this token: {TOKEN}"),
            "cwd": app.workspace_path().display().to_string(),
            "model": "claude-sonnet-4-6",
            "maxTurns": 3,
            "permissionMode": "acceptEdits",
            "skillName": "paste-skill",
            "mock": true,
            "mockStep": "generic",
        }),
        transcript: None,
        workflow_session_id: None,
        kind: RequestKind::OneShot,
        on_finish: None,
    };
    let outcome = app.agents.send(app, req).await.unwrap().wait().await;
    assert!(outcome.success, "{:?}", outcome.error);
    app.agents.shutdown_all(app).await;
    tracing::debug!("a debug line quoting the key {KEY} twice {KEY}");
    tracing::warn!("an error message quoting the token {TOKEN}");
    tracing::error!("the environment's key {ENV_KEY}");

    let log = std::fs::read_to_string(app.paths.log_file()).unwrap();
    assert!(
        log.contains("paste-agent-1 prompt: use this key: [REDACTED]"),
        "the prompt line is logged, scrubbed"
    );
    assert!(log.contains("twice [REDACTED]"));
    for secret in [KEY, TOKEN, ENV_KEY] {
        assert!(!log.contains(secret), "{secret} reached the log");
    }
}

// ---- staging folders ----

const DEAD_ID: &str = "0b8f2a4e-6c1d-4e2f-9a3b-5d7e8f9a0b1c";

/// A PID that belongs to no process: a child we started and reaped.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

struct Leftovers {
    dead: Vec<PathBuf>,
    live: PathBuf,
    kept: Vec<PathBuf>,
}

/// Staging folders of a killed upload, import, seed and move (legacy names without an owner,
/// and names of a process that is gone or whose PID now belongs to another start time), one
/// folder of this live app, and entries that are not the app's (kept whatever their owner).
fn leave_staging(app: &App, outside: &Path) -> Leftovers {
    let ws_staging = skill_builder_core::workspace_skills::staging_root(app);
    let lib_staging = app.skills_path().join(".staging");
    let gone = format!(".pid{}-1", dead_pid());
    let reused = format!(
        ".pid{}-{}",
        std::process::id(),
        skill_builder_core::locks::own_start_time().unwrap() + 1
    );
    let dead = vec![
        ws_staging.join(format!(".zip-extract-{DEAD_ID}")),
        ws_staging.join(format!(".zip-extract-{DEAD_ID}{gone}")),
        ws_staging.join(format!("seed-{DEAD_ID}{reused}")),
        ws_staging.join(format!("trash-{DEAD_ID}{gone}")),
        ws_staging.join(format!("{DEAD_ID}{gone}")),
        lib_staging.join(DEAD_ID),
        app.paths.data_dir.join(format!(".skills.moving-{DEAD_ID}")),
    ];
    for d in &dead {
        std::fs::create_dir_all(d.join("sub")).unwrap();
        std::fs::write(d.join("sub/SKILL.md"), "x").unwrap();
    }
    let live = ws_staging.join(skill_builder_core::staging::unique_name(".zip-extract-"));
    std::fs::create_dir_all(&live).unwrap();
    std::fs::write(live.join("SKILL.md"), "in progress").unwrap();
    std::fs::create_dir_all(outside).unwrap();
    std::fs::write(outside.join("keep.txt"), "the user's").unwrap();
    let link = ws_staging.join(format!("trash-{}", uuid_like(7)));
    std::os::unix::fs::symlink(outside, &link).unwrap();
    let notes = ws_staging.join("notes");
    std::fs::create_dir_all(&notes).unwrap();
    Leftovers {
        dead,
        live,
        kept: vec![link, notes, lib_staging.join(".gitignore")],
    }
}

fn uuid_like(n: u8) -> String {
    format!("{n}b8f2a4e-6c1d-4e2f-9a3b-5d7e8f9a0b1c")
}

fn check_swept(l: &Leftovers, outside: &Path) {
    for d in &l.dead {
        assert!(!d.exists(), "{} is left", d.display());
    }
    assert!(
        l.live.join("SKILL.md").is_file(),
        "the live instance's folder is kept"
    );
    for k in &l.kept {
        assert!(
            std::fs::symlink_metadata(k).is_ok(),
            "{} is not the app's",
            k.display()
        );
    }
    assert!(
        outside.join("keep.txt").is_file(),
        "a link is never followed"
    );
}

#[test]
fn staging_of_a_dead_owner_is_removed_at_start_up_and_a_live_ones_is_kept() {
    let root = tempfile::tempdir().unwrap();
    let app = support::open_at(&root.path().join("data"), private);
    std::fs::create_dir_all(app.skills_path().join(".staging")).unwrap();
    std::fs::write(app.skills_path().join(".staging/.gitignore"), "*\n").unwrap();
    let outside = root.path().join("outside");
    let l = leave_staging(&app, &outside);

    let report = skill_builder_core::startup::run_startup(&app).unwrap();
    assert_eq!(
        report.staging_removed,
        l.dead.len(),
        "{:?}",
        report.warnings
    );
    check_swept(&l, &outside);
}

#[test]
fn reconcile_startup_removes_staging_of_a_dead_owner_and_keeps_a_live_ones() {
    let root = tempfile::tempdir().unwrap();
    let app = support::open_at(&root.path().join("data"), private);
    std::fs::create_dir_all(app.skills_path().join(".staging")).unwrap();
    std::fs::write(app.skills_path().join(".staging/.gitignore"), "*\n").unwrap();
    let outside = root.path().join("outside");
    let l = leave_staging(&app, &outside);

    skill_builder_core::reconcile::reconcile_startup(&app).unwrap();
    check_swept(&l, &outside);
}
