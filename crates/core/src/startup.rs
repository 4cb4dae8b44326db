//! The start-up sequence every shell runs once after [`App::open`] (lifecycle.md §1), in its
//! order: database and migrations (done by `App::open`), settings, folders, bundled files,
//! transcript pruning, stale skill-test folders, stale locks, orphaned sessions, and the
//! reconciliation of the skills folder. Only the database is fatal (it fails `App::open`);
//! every later step logs its failure, records it in the report and the next step runs.

use crate::app::App;
use crate::reconcile::ReconciliationResult;
use serde::Serialize;
use std::path::Path;
use std::time::{Duration, SystemTime};

/// Transcripts older than this (by modification time) are deleted (architecture.md).
pub const TRANSCRIPT_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
/// Skill-test sandboxes older than this are deleted (lifecycle.md D21).
pub const SKILL_TEST_RETENTION: Duration = Duration::from_secs(24 * 3600);

/// What each start-up step did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct StartupReport {
    /// Log level applied from the settings.
    pub log_level: String,
    pub workspace_path: String,
    pub skills_path: String,
    /// The skills folder is a git repository.
    pub skills_repo: bool,
    /// Bundled agent prompts written to `.claude/agents/`.
    pub agents_deployed: bool,
    /// `.claude/CLAUDE.md` rebuilt.
    pub claude_md_written: bool,
    /// Bundled workspace skills seeded (names whose folder or row changed).
    pub bundled_skills_changed: Vec<String>,
    /// Legacy root-level workspace files removed.
    pub legacy_removed: Vec<String>,
    pub transcripts_pruned: usize,
    pub skill_test_dirs_removed: usize,
    /// Staging folders left by a process that no longer runs (killed uploads, imports, moves).
    pub staging_removed: usize,
    pub stale_locks_reclaimed: usize,
    pub orphaned_sessions_closed: usize,
    pub reconciliation: Option<ReconciliationResult>,
    /// Steps that failed (start-up went on).
    pub warnings: Vec<String>,
}

/// Runs the start-up sequence once. Never fails: each step's problem is logged and listed in
/// `warnings`. The reconciliation's notifications are also kept for the UI's first
/// `reconcile_startup` call.
pub fn run_startup(app: &App) -> crate::Result<StartupReport> {
    let mut r = StartupReport::default();
    let warn = |r: &mut StartupReport, what: &str, e: &dyn std::fmt::Display| {
        tracing::warn!("start-up: {what}: {e}");
        r.warnings.push(format!("{what}: {e}"));
    };

    // Settings: log level, paths.
    match crate::settings::load(app) {
        Ok(s) => {
            crate::logging::set_level(&s.log_level);
            r.log_level = s.log_level;
        }
        Err(e) => {
            crate::logging::set_level("info");
            r.log_level = "info".into();
            warn(&mut r, "reading settings (using defaults)", &e);
        }
    }
    let ws = app.workspace_path();
    let skills = app.skills_path();
    r.workspace_path = ws.display().to_string();
    r.skills_path = skills.display().to_string();
    tracing::info!("workspace: {}; skills: {}", r.workspace_path, r.skills_path);

    // Folders (App::open created them; a folder removed since is made again) and the repo.
    for d in [&ws, &skills] {
        if let Err(e) = std::fs::create_dir_all(d) {
            warn(&mut r, &format!("creating {}", d.display()), &e);
        }
    }
    match crate::history::ensure_repo(&skills) {
        Ok(_) => r.skills_repo = true,
        Err(e) => warn(&mut r, "initialising the skills history", &e),
    }

    // Bundled files.
    match crate::workflow::deploy::deploy_agents(app) {
        Ok(()) => r.agents_deployed = true,
        Err(e) => warn(&mut r, "deploying the bundled agents", &e),
    }
    match crate::workspace_skills::seed_bundled_skills(app) {
        Ok(report) => {
            r.bundled_skills_changed = report
                .outcomes
                .iter()
                .filter(|o| {
                    !matches!(
                        o.status,
                        crate::workspace_skills::SeedStatus::Unchanged
                            | crate::workspace_skills::SeedStatus::Skipped
                    )
                })
                .map(|o| o.name.clone())
                .collect()
        }
        Err(e) => warn(&mut r, "seeding the bundled workspace skills", &e),
    }
    match crate::workflow::deploy::write_claude_md(app) {
        Ok(()) => r.claude_md_written = true,
        Err(e) => warn(&mut r, "writing .claude/CLAUDE.md", &e),
    }
    r.legacy_removed = crate::reconcile::remove_legacy_workspace_files(app);

    // Transcripts, then stale skill-test sandboxes.
    r.transcripts_pruned = crate::agents::transcript::prune_known(app, TRANSCRIPT_RETENTION);
    if r.transcripts_pruned > 0 {
        tracing::info!("pruned {} transcript files", r.transcripts_pruned);
    }
    r.skill_test_dirs_removed = sweep_skill_test_dirs(&std::env::temp_dir(), SKILL_TEST_RETENTION);
    r.staging_removed = crate::staging::sweep(app);

    // Stale locks: dead holders, and our own PID under another instance id (a previous run).
    match crate::locks::reclaim_stale(app) {
        Ok(n) => r.stale_locks_reclaimed = n,
        Err(e) => warn(&mut r, "reclaiming stale locks", &e),
    }
    match crate::db::locks_store::delete_of_pid_except_instance(
        &app.db.conn(),
        app.pid,
        &app.instance_id,
    ) {
        Ok(n) => r.stale_locks_reclaimed += n,
        Err(e) => warn(&mut r, "reclaiming locks of a previous run", &e),
    }

    // Orphaned sessions, then the reconciliation (which would close them too).
    match crate::reconcile::close_orphaned_sessions(app) {
        Ok(n) => r.orphaned_sessions_closed = n,
        Err(e) => warn(&mut r, "closing orphaned sessions", &e),
    }
    match crate::reconcile::reconcile_startup(app) {
        Ok(res) => {
            crate::reconcile::keep_for_ui(app, &res);
            r.reconciliation = Some(res);
        }
        Err(e) => warn(&mut r, "reconciling the skills folder", &e),
    }
    Ok(r)
}

/// Deletes `{temp}/skill-builder-test-*` folders last modified more than `max_age` ago.
pub fn sweep_skill_test_dirs(temp: &Path, max_age: Duration) -> usize {
    let Ok(rd) = std::fs::read_dir(temp) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut n = 0;
    for e in rd.flatten() {
        if !e
            .file_name()
            .to_string_lossy()
            .starts_with("skill-builder-test-")
        {
            continue;
        }
        let Ok(meta) = std::fs::symlink_metadata(e.path()) else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > max_age);
        if old && meta.is_dir() && std::fs::remove_dir_all(e.path()).is_ok() {
            n += 1;
        }
    }
    n
}
