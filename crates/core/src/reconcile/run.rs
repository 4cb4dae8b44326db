//! The start-up run: the three passes, repo housekeeping, and the result kept for the UI.

use super::apply::{apply_ops, Op};
use super::detect::detect_in;
use super::known::{reconcile_builder, reconcile_marketplace, Ctx};
use super::sessions::close_orphaned_sessions;
use super::snapshot::read_snapshot;
use super::trash::{
    ensure_trash_ignored, purge_trash, trash_folder, TRASH_COMMIT_MESSAGE, TRASH_RETENTION,
};
use super::{DiscoveredSkill, ReconciliationResult};
use crate::app::App;
use crate::args::NoArgs;
use crate::error::Result;
use crate::ingest::names::is_valid_skill_name;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Non-dot folders directly in `skills`, sorted by name.
fn skill_folders(skills: &Path) -> Vec<String> {
    let Ok(rd) = std::fs::read_dir(skills) else {
        return Vec::new();
    };
    let mut out: Vec<String> = rd
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| !n.starts_with('.'))
        .collect();
    out.sort();
    out
}

/// Results of the latest start-up reconciliation, kept for the first `reconcile_startup`
/// call of the UI (keyed by database file, so several `App`s in one process stay apart).
static UNDELIVERED: Mutex<Vec<(PathBuf, ReconciliationResult)>> = Mutex::new(Vec::new());

/// Keeps the result of the start-up run for the UI's first `reconcile_startup` call.
pub fn keep_for_ui(app: &App, r: &ReconciliationResult) {
    if r.notifications.is_empty() && r.auto_cleaned == 0 {
        return;
    }
    let mut g = UNDELIVERED.lock().unwrap_or_else(|p| p.into_inner());
    g.retain(|(p, _)| p != app.db.path());
    g.push((app.db.path().to_path_buf(), r.clone()));
}

fn take_undelivered(app: &App) -> Option<ReconciliationResult> {
    let mut g = UNDELIVERED.lock().unwrap_or_else(|p| p.into_inner());
    let i = g.iter().position(|(p, _)| p == app.db.path())?;
    Some(g.remove(i).1)
}

/// The `reconcile_startup` command: reconciles now. When the shell already reconciled at
/// start-up ([`crate::startup::run_startup`]), what that run did is reported here too (once),
/// so the UI's acknowledgement dialog still shows it.
pub fn reconcile_startup_cmd(app: &App, _: NoArgs) -> Result<ReconciliationResult> {
    let mut now = reconcile_startup(app)?;
    if let Some(earlier) = take_undelivered(app) {
        let mut notes = earlier.notifications;
        for n in now.notifications.drain(..) {
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
        now.notifications = notes;
        now.auto_cleaned += earlier.auto_cleaned;
    }
    Ok(now)
}

/// Start-up reconciliation (lifecycle.md §2): orphaned sessions, the three passes, then the
/// repo housekeeping. See the module docs for what differs from the reference.
pub fn reconcile_startup(app: &App) -> Result<ReconciliationResult> {
    let workspace = app.workspace_path();
    let skills = app.skills_path();
    crate::staging::sweep(app);
    if let Err(e) = close_orphaned_sessions(app) {
        tracing::warn!("closing orphaned workflow sessions failed: {e}");
    }
    let snap = read_snapshot(app)?;
    let mut ctx = Ctx {
        workspace: &workspace,
        skills: &skills,
        ops: Vec::new(),
        result: ReconciliationResult::default(),
    };

    // Pass 1: every DB skill by source.
    let mut dropped: HashSet<String> = HashSet::new();
    for skill in &snap.skills {
        match skill.source.as_str() {
            "skill-builder" => reconcile_builder(&mut ctx, &snap, skill),
            "marketplace" => {
                let before = ctx.ops.len();
                reconcile_marketplace(&mut ctx, skill);
                if ctx.ops.len() > before {
                    dropped.insert(skill.name.clone());
                }
            }
            "imported" => {}
            other => tracing::warn!("'{}' has an unknown skill_source '{other}'", skill.name),
        }
    }
    // D15: names dropped by Pass 1 are unknown to Passes 2 and 3.
    let master: HashSet<&str> = snap
        .skills
        .iter()
        .map(|s| s.name.as_str())
        .filter(|n| !dropped.contains(*n))
        .collect();

    // Pass 2: unknown folders. Read-only for folders with a SKILL.md (D6).
    let mut trashed: Vec<String> = Vec::new();
    let mut left_alone: HashSet<String> = HashSet::new();
    let folders = skill_folders(&skills);
    for name in folders.iter().filter(|n| !master.contains(n.as_str())) {
        let dir = skills.join(name);
        let valid = is_valid_skill_name(name);
        if !dir.join("SKILL.md").is_file() {
            if !valid {
                // Not even a skill name (`My Notes`, `old.bak`): left to the safety net.
                continue;
            }
            // 9a: not a skill. Moved aside rather than deleted (D11).
            match trash_folder(&skills, name) {
                Ok(_) => {
                    trashed.push(name.clone());
                    ctx.ops.push(Op::DeleteImportedRow {
                        skill: name.clone(),
                    });
                    ctx.result.auto_cleaned += 1;
                    ctx.result
                        .notifications
                        .push(format!("'{name}' removed — no SKILL.md found on disk"));
                }
                Err(e) => tracing::warn!("could not move '{name}' to .trash: {e}"),
            }
            continue;
        }
        if !valid {
            // It cannot be added under this name, and it is not ours to move.
            left_alone.insert(name.clone());
            ctx.result.notifications.push(format!(
                "'{name}' in the skills folder has a SKILL.md but its folder name is not a valid skill \
                 name (lowercase letters, digits and single hyphens, at most 64 characters). Rename \
                 the folder and restart to add it to the library; it was left untouched."
            ));
            continue;
        }
        let d = detect_in(&dir);
        ctx.result.discovered_skills.push(DiscoveredSkill {
            name: name.clone(),
            detected_step: d.map(|d| d as i32).unwrap_or(-1),
            scenario: if d == Some(3) { "9b" } else { "9c" }.into(),
        });
    }

    // Pass 1 and 2 DB changes in one transaction.
    if !ctx.ops.is_empty() {
        app.db.write(|tx| apply_ops(tx, &ctx.ops))?;
    }

    // Pass 3: whatever is still unknown (a folder whose name cannot be a skill's, or a 9a
    // folder that could not be moved).
    let discovered: HashSet<&str> = ctx
        .result
        .discovered_skills
        .iter()
        .map(|d| d.name.as_str())
        .collect();
    for name in skill_folders(&skills) {
        if master.contains(name.as_str())
            || discovered.contains(name.as_str())
            || left_alone.contains(&name)
        {
            continue;
        }
        match trash_folder(&skills, &name) {
            Ok(_) => {
                ctx.result
                    .notifications
                    .push(format!("'{name}' moved to .trash — not in skills catalog"));
                ctx.result.auto_cleaned += 1;
                trashed.push(name);
            }
            Err(e) => tracing::warn!("could not move '{name}' to .trash: {e}"),
        }
    }

    // Repo housekeeping.
    if skills.is_dir() {
        if let Err(e) = ensure_trash_ignored(&skills) {
            tracing::warn!("could not add .trash/ to .gitignore: {e}");
        }
        let purged = purge_trash(&skills, TRASH_RETENTION);
        if purged > 0 {
            tracing::info!("deleted {purged} .trash entries older than 30 days");
        }
        if !trashed.is_empty() {
            let msg = format!("{TRASH_COMMIT_MESSAGE}\n\nMoved: {}\n", trashed.join(", "));
            if let Err(e) = crate::history::commit_paths(&skills, &trashed, &msg) {
                tracing::warn!("reconcile commit failed: {e}");
            }
        }
        // Known skills whose folders have files but are not in HEAD yet.
        let tracked = crate::history::head_folders(&skills);
        let mut new: Vec<String> = master
            .iter()
            .filter(|n| !tracked.contains(**n))
            .filter(|n| has_any_file(&skills.join(n)))
            .map(|n| n.to_string())
            .collect();
        new.sort();
        if !new.is_empty() {
            let msg = format!("auto-commit new skill folders: {}", new.join(", "));
            if let Err(e) = crate::history::commit_paths(&skills, &new, &msg) {
                tracing::warn!("auto-commit of new skill folders failed: {e}");
            }
        }
        // Skills this pass marked completed from their files (e.g. the app or its agent was
        // killed after step 3 wrote its output): commit those files, or the finished
        // version never reaches the history (found by the crash soak, crates/soak).
        let mut finished: Vec<String> = ctx
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::SetRun {
                    skill,
                    status: "completed",
                    ..
                } if !new.contains(skill) => Some(skill.clone()),
                _ => None,
            })
            .collect();
        finished.sort();
        finished.dedup();
        if !finished.is_empty() {
            let msg = format!(
                "auto-commit skills completed at start-up: {}",
                finished.join(", ")
            );
            if let Err(e) = crate::history::commit_paths(&skills, &finished, &msg) {
                tracing::warn!("auto-commit of completed skills failed: {e}");
            }
        }
    }
    let r = ctx.result;
    tracing::info!(
        "reconciliation: {} notification(s), {} orphan(s), {} discovered, {} cleaned",
        r.notifications.len(),
        r.orphans.len(),
        r.discovered_skills.len(),
        r.auto_cleaned
    );
    Ok(r)
}

/// Whether a folder holds at least one file anywhere below it (git ignores empty dirs, D26).
fn has_any_file(dir: &Path) -> bool {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return false;
    };
    rd.flatten().any(|e| match e.file_type() {
        Ok(t) if t.is_dir() => has_any_file(&e.path()),
        Ok(_) => true,
        Err(_) => false,
    })
}
