//! Start-up reconciliation (lifecycle.md §2): the database is the list of skills, the disk is
//! the judge of how far each skill's workflow got. Plus the commands that resolve what it
//! reports (`resolve_orphan`, `resolve_discovery`) and `clear_workspace`.
//!
//! Only `skills_path` is scanned. `{workspace}/.claude/skills` (plugin and bundled workspace
//! skills) and the per-skill workspace folders are never scanned or touched by discovery.
//!
//! Where the reference is wrong (lifecycle.md §8) this module does better:
//! - orphans (a builder skill whose whole folder is gone) are reported, not silently reset
//!   (D12), and `auto_cleaned` counts what was cleaned up without asking;
//! - detection is a pure function; files it would have deleted (partial or out-of-order step
//!   outputs) are moved to `{skills}/.trash/{name}-{timestamp}/` and reported (D8);
//! - unknown folders without `SKILL.md` (9a; a folder whose name is not a valid skill name
//!   is left to Pass 3) and Pass-3 leftovers go to
//!   `{skills}/.trash/{name}` (replacing an older entry) instead of being deleted (D11);
//!   `.trash/` entries older than 30 days are purged;
//! - a step left `in_progress` by a crash is reported, its partial output moved to the trash,
//!   and the skill resumes at that step (steps completed before it stay completed);
//! - scenario 10 recreates the workspace marker before detecting and keeps the purpose (D7);
//! - non-detectable steps are marked over `d+1 .. c` (exclusive), steps 0–3 only (D9);
//! - Pass 2 never touches a discovered folder, and undecided discoveries are not committed
//!   (D6); the trash commit happens only when something was moved, scoped to those folders
//!   (D3); git goes through `history` (libgit2), never the git binary (D13);
//! - the marketplace row of scenario 12 is dropped with its `imported_skills` rows in one
//!   transaction, and `master_names` is recomputed after Pass 1 (D15, database.md defect 6);
//! - orphaned sessions end at the latest `completed_at` of their agent runs, joined on
//!   `workflow_session_id` (database.md defect 3);
//! - the DB state is read first, disk and git work happen without holding the connection, and
//!   the DB changes of Pass 1 and 2 land in one transaction (D14).
//!
//! `current_step` is the step to run next in this backend (a finished step `n` leaves the run
//! at `n + 1`, `pending`), so "the DB claims step `c`" only when step `c`'s row (or the run) is
//! `completed`; otherwise the DB claims `c - 1`. Scenario 2 compares the disk with that claim,
//! so a skill waiting to start step 2 is not reset just because `decisions.md` does not exist yet.

use crate::app::App;
use crate::args::NoArgs;
use crate::error::{Error, IoContext, Result};
use crate::ingest::names::{is_valid_skill_name, validate_skill_name};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

// ---- result types (contract, snake_case) ----

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReconciliationResult {
    pub orphans: Vec<OrphanSkill>,
    pub notifications: Vec<String>,
    pub auto_cleaned: u32,
    pub discovered_skills: Vec<DiscoveredSkill>,
}

/// A builder skill whose folder in `skills_path` is gone; the UI offers delete / keep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrphanSkill {
    pub skill_name: String,
    pub purpose: String,
}

/// An unknown folder in `skills_path` with a `SKILL.md`, waiting for the user's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiscoveredSkill {
    pub name: String,
    /// Furthest step proven on disk, -1 = none.
    pub detected_step: i32,
    /// `"9b"` (step 3 proven) or `"9c"`.
    pub scenario: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolveArgs {
    pub skill_name: String,
    pub action: String,
}

/// Name of the trash folder inside `skills_path` (ignored by git).
pub const TRASH_DIR: &str = ".trash";
/// `.trash/` entries older than this are deleted at start-up.
pub const TRASH_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
/// Message of the commit that records folders moved to `.trash` (contract first line).
pub const TRASH_COMMIT_MESSAGE: &str = "reconcile: move orphaned folders to .trash";

// ---- step evidence and detection ----

/// Steps whose completion can be proven from files (step 1 edits a step-0 file in place).
pub const DETECTABLE_STEPS: [u32; 3] = [0, 2, 3];

/// Evidence files of a step, relative to `{skills}/{name}/` (all are required).
pub fn evidence_files(step: u32) -> &'static [&'static str] {
    match step {
        0 => &["context/research-plan.md", "context/clarifications.json"],
        2 => &["context/decisions.md"],
        3 => &["SKILL.md"],
        _ => &[],
    }
}

fn step_proven(skill_dir: &Path, step: u32) -> bool {
    let files = evidence_files(step);
    !files.is_empty() && files.iter().all(|f| skill_dir.join(f).is_file())
}

/// Furthest step proven by the files of one skill folder (steps 0, 2, 3 in that order; the
/// walk stops at the first step that is not complete). Pure: reads only.
pub fn detect_in(skill_dir: &Path) -> Option<u32> {
    let mut furthest = None;
    for step in DETECTABLE_STEPS {
        if !step_proven(skill_dir, step) {
            break;
        }
        furthest = Some(step);
    }
    furthest
}

/// `detect_furthest_step` of lifecycle.md §2.3: `None` at once when the workspace marker
/// `{workspace}/{name}` is missing, else [`detect_in`] on `{skills}/{name}`. Unlike the
/// reference it never deletes anything (D8).
pub fn detect_furthest_step(workspace: &Path, name: &str, skills: &Path) -> Option<u32> {
    if !workspace.join(name).is_dir() {
        return None;
    }
    detect_in(&skills.join(name))
}

/// `SKILL.md` exists, or `references/` or `context/` is a folder.
pub fn has_skill_output(skill_dir: &Path) -> bool {
    skill_dir.join("SKILL.md").is_file()
        || skill_dir.join("references").is_dir()
        || skill_dir.join("context").is_dir()
}

/// Files a step owns, as (absolute path, path inside a trash entry). Steps 0–2: their
/// evidence files in `{skills}/{name}/` and legacy copies in `{workspace}/{name}/`; step 3:
/// `SKILL.md` and every entry of `references/` (the empty folder stays).
fn step_files(skill_dir: &Path, ws_dir: &Path, step: u32) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = Vec::new();
    let mut push = |p: PathBuf, rel: String| {
        if std::fs::symlink_metadata(&p).is_ok() {
            out.push((p, rel));
        }
    };
    match step {
        0 | 2 => {
            for f in evidence_files(step) {
                push(skill_dir.join(f), f.to_string());
                if ws_dir != skill_dir {
                    push(ws_dir.join(f), format!("workspace/{f}"));
                }
            }
        }
        3 => {
            push(skill_dir.join("SKILL.md"), "SKILL.md".into());
            if let Ok(rd) = std::fs::read_dir(skill_dir.join("references")) {
                let mut entries: Vec<_> = rd.flatten().map(|e| e.file_name()).collect();
                entries.sort();
                for n in entries {
                    let n = n.to_string_lossy().into_owned();
                    push(
                        skill_dir.join("references").join(&n),
                        format!("references/{n}"),
                    );
                }
            }
        }
        _ => {}
    }
    out
}

// ---- trash ----

fn trash_root(skills: &Path) -> PathBuf {
    skills.join(TRASH_DIR)
}

/// Marks a trash entry as "trashed now" (a rename keeps the old mtime), for the purge.
fn touch(p: &Path) {
    if let Ok(f) = std::fs::File::open(p) {
        let _ = f.set_modified(SystemTime::now());
    }
}

fn move_path(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).with_path(parent)?;
    }
    match std::fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(_) if from.is_file() => {
            // Another file system (a legacy workspace copy): copy, then remove.
            std::fs::copy(from, to).with_path(to)?;
            std::fs::remove_file(from).with_path(from)
        }
        Err(e) => Err(Error::from(e).context(from.display())),
    }
}

fn remove_any(p: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(p),
        Ok(_) => std::fs::remove_file(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Moves the whole folder `{skills}/{name}` to `{skills}/.trash/{name}`, replacing an older
/// entry of that name.
pub fn trash_folder(skills: &Path, name: &str) -> Result<PathBuf> {
    let root = trash_root(skills);
    std::fs::create_dir_all(&root).with_path(&root)?;
    let dest = root.join(name);
    remove_any(&dest).with_path(&dest)?;
    let src = skills.join(name);
    std::fs::rename(&src, &dest).with_path(&src)?;
    touch(&dest);
    Ok(dest)
}

/// Moves some files of a skill into a new entry `{skills}/.trash/{name}-{timestamp}/`
/// (never overwriting an older entry). Returns the entry's name, `None` when nothing moved.
fn trash_files(skills: &Path, name: &str, files: &[(PathBuf, String)]) -> Option<String> {
    if files.is_empty() {
        return None;
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let root = trash_root(skills);
    let mut entry = format!("{name}-{stamp}");
    let mut n = 1;
    while root.join(&entry).exists() {
        n += 1;
        entry = format!("{name}-{stamp}-{n}");
    }
    let dest = root.join(&entry);
    let mut moved = 0;
    for (src, rel) in files {
        match move_path(src, &dest.join(rel)) {
            Ok(()) => moved += 1,
            Err(e) => tracing::warn!("could not move {} to the trash: {e}", src.display()),
        }
    }
    if moved == 0 {
        let _ = std::fs::remove_dir_all(&dest);
        return None;
    }
    touch(&dest);
    Some(entry)
}

/// Deletes `.trash/` entries whose mtime is older than `max_age`. Returns how many.
pub fn purge_trash(skills: &Path, max_age: Duration) -> usize {
    let Ok(rd) = std::fs::read_dir(trash_root(skills)) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut n = 0;
    for e in rd.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > max_age);
        if old && remove_any(&e.path()).is_ok() {
            n += 1;
        }
    }
    n
}

/// Appends `.trash/` to `{skills}/.gitignore` unless a (trimmed) line already names it.
fn ensure_trash_ignored(skills: &Path) -> Result<()> {
    let path = skills.join(".gitignore");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::from(e).context(path.display())),
    };
    if text
        .lines()
        .map(str::trim)
        .any(|l| matches!(l, ".trash/" | ".trash" | "/.trash/" | "/.trash"))
    {
        return Ok(());
    }
    let mut out = text;
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(".trash/\n");
    std::fs::write(&path, out).with_path(&path)
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

// ---- sessions ----

/// Ends every open workflow session whose process is gone, at the latest `completed_at` of
/// its agent runs (joined on `workflow_session_id`), else its `started_at`, else now.
/// Returns how many were closed.
pub fn close_orphaned_sessions(app: &App) -> Result<usize> {
    let open: Vec<(String, u32, Option<i64>)> = {
        let conn = app.db.conn();
        let mut stmt = conn.prepare(
            "SELECT session_id, pid, pid_started_at FROM workflow_sessions WHERE ended_at IS NULL",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let dead: Vec<String> = open
        .into_iter()
        .filter(|(_, pid, started)| !crate::locks::holder_alive(*pid, *started))
        .map(|(s, _, _)| s)
        .collect();
    if dead.is_empty() {
        return Ok(0);
    }
    app.db.write(|tx| {
        let now = crate::db::now();
        let mut n = 0;
        for s in &dead {
            n += tx.execute(
                "UPDATE workflow_sessions SET ended_at = COALESCE(
                    (SELECT MAX(completed_at) FROM agent_runs WHERE workflow_session_id = ?1),
                    started_at, ?2)
                 WHERE session_id = ?1 AND ended_at IS NULL",
                params![s, now],
            )?;
        }
        Ok(n)
    })
}

/// Names of skills with an open session of a live process (our own PID counts as live).
fn live_session_skills(conn: &rusqlite::Connection) -> Result<HashSet<String>> {
    let mut stmt = conn.prepare(
        "SELECT COALESCE(k.name, s.skill_name), s.pid, s.pid_started_at FROM workflow_sessions s
         LEFT JOIN skills k ON k.id = s.skill_id
         WHERE s.ended_at IS NULL",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?, r.get(2)?)))?;
    let mut out = HashSet::new();
    for row in rows {
        let (name, pid, started) = row?;
        if crate::locks::holder_alive(pid, started) {
            out.insert(name);
        }
    }
    Ok(out)
}

// ---- snapshot of the DB ----

struct SkillRow {
    id: i64,
    name: String,
    source: String,
    purpose: Option<String>,
}

struct RunRow {
    current_step: i32,
    status: String,
}

struct Snapshot {
    skills: Vec<SkillRow>,
    runs: HashMap<String, RunRow>,
    /// skill → (step id → status)
    steps: HashMap<String, HashMap<i32, String>>,
    live: HashSet<String>,
}

fn read_snapshot(app: &App) -> Result<Snapshot> {
    let conn = app.db.conn();
    let skills = {
        let mut stmt =
            conn.prepare("SELECT id, name, skill_source, purpose FROM skills ORDER BY name")?;
        let rows = stmt.query_map([], |r| {
            Ok(SkillRow {
                id: r.get(0)?,
                name: r.get(1)?,
                source: r.get(2)?,
                purpose: r.get(3)?,
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let mut runs = HashMap::new();
    {
        let mut stmt =
            conn.prepare("SELECT skill_name, current_step, status FROM workflow_runs")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                RunRow {
                    current_step: r.get(1)?,
                    status: r.get(2)?,
                },
            ))
        })?;
        for row in rows {
            let (k, v) = row?;
            runs.insert(k, v);
        }
    }
    let mut steps: HashMap<String, HashMap<i32, String>> = HashMap::new();
    {
        let mut stmt = conn.prepare("SELECT skill_name, step_id, status FROM workflow_steps")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i32>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (k, id, st) = row?;
            steps.entry(k).or_default().insert(id, st);
        }
    }
    let live = live_session_skills(&conn)?;
    Ok(Snapshot {
        skills,
        runs,
        steps,
        live,
    })
}

// ---- DB changes, applied in one transaction ----

enum Op {
    /// Crash recovery: `in_progress` steps (and run) back to `pending`.
    ResetInProgress {
        skill: String,
    },
    CreateRun {
        skill: String,
        skill_id: i64,
        step: i32,
        status: &'static str,
        purpose: String,
    },
    SetRun {
        skill: String,
        step: i32,
        status: &'static str,
    },
    /// Steps `>= from` back to `pending`, timestamps cleared.
    ResetStepsFrom {
        skill: String,
        from: i32,
    },
    CompleteStep {
        skill: String,
        step: i32,
    },
    /// Scenario 12: the master row and every row that hangs on it by id or name.
    DeleteMaster {
        skill: String,
        id: i64,
    },
    /// 9a: an `imported_skills` row left for a folder that is gone.
    DeleteImportedRow {
        skill: String,
    },
}

fn apply_ops(tx: &rusqlite::Transaction<'_>, ops: &[Op]) -> Result<()> {
    let now = crate::db::now();
    let run_id = |skill: &str| -> Result<Option<i64>> {
        Ok(tx
            .query_row(
                "SELECT id FROM workflow_runs WHERE skill_name = ?1",
                [skill],
                |r| r.get(0),
            )
            .optional()?)
    };
    for op in ops {
        match op {
            Op::ResetInProgress { skill } => {
                tx.execute(
                    "UPDATE workflow_steps SET status = 'pending', started_at = NULL
                     WHERE skill_name = ?1 AND status = 'in_progress'",
                    [skill],
                )?;
                tx.execute(
                    "UPDATE workflow_runs SET status = 'pending', updated_at = ?2
                     WHERE skill_name = ?1 AND status = 'in_progress'",
                    params![skill, now],
                )?;
            }
            Op::CreateRun {
                skill,
                skill_id,
                step,
                status,
                purpose,
            } => {
                tx.execute(
                    "INSERT INTO workflow_runs (skill_name, current_step, status, purpose, created_at, updated_at, skill_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)",
                    params![skill, step, status, purpose, now, skill_id],
                )?;
            }
            Op::SetRun {
                skill,
                step,
                status,
            } => {
                tx.execute(
                    "UPDATE workflow_runs SET current_step = ?2, status = ?3, updated_at = ?4 WHERE skill_name = ?1",
                    params![skill, step, status, now],
                )?;
            }
            Op::ResetStepsFrom { skill, from } => {
                tx.execute(
                    "UPDATE workflow_steps SET status = 'pending', started_at = NULL, completed_at = NULL
                     WHERE skill_name = ?1 AND step_id >= ?2",
                    params![skill, from],
                )?;
            }
            Op::CompleteStep { skill, step } => {
                let run = run_id(skill)?;
                tx.execute(
                    "INSERT INTO workflow_steps (skill_name, step_id, status, completed_at, workflow_run_id)
                     VALUES (?1, ?2, 'completed', ?3, ?4)
                     ON CONFLICT(skill_name, step_id) DO UPDATE SET
                       status = 'completed',
                       completed_at = CASE WHEN workflow_steps.status = 'completed'
                                      THEN COALESCE(workflow_steps.completed_at, excluded.completed_at)
                                      ELSE excluded.completed_at END,
                       workflow_run_id = COALESCE(excluded.workflow_run_id, workflow_steps.workflow_run_id)",
                    params![skill, step, now, run],
                )?;
            }
            Op::DeleteMaster { skill, id } => {
                tx.execute(
                    "DELETE FROM imported_skills WHERE skill_master_id = ?1 OR skill_name = ?2",
                    params![id, skill],
                )?;
                tx.execute(
                    "DELETE FROM skill_tags WHERE skill_id = ?1 OR skill_name = ?2",
                    params![id, skill],
                )?;
                tx.execute(
                    "DELETE FROM skill_locks WHERE skill_id = ?1 OR skill_name = ?2",
                    params![id, skill],
                )?;
                tx.execute("DELETE FROM workflow_steps WHERE skill_name = ?1", [skill])?;
                tx.execute(
                    "DELETE FROM workflow_runs WHERE skill_id = ?1 OR skill_name = ?2",
                    params![id, skill],
                )?;
                tx.execute("DELETE FROM skills WHERE id = ?1", [id])?;
            }
            Op::DeleteImportedRow { skill } => {
                tx.execute("DELETE FROM imported_skills WHERE skill_name = ?1", [skill])?;
            }
        }
    }
    Ok(())
}

// ---- the passes ----

struct Ctx<'a> {
    workspace: &'a Path,
    skills: &'a Path,
    ops: Vec<Op>,
    result: ReconciliationResult,
}

/// "step 1 (Research)": one-based with the name, as people read it (`step` is the 0-based id).
fn label(step: i32) -> String {
    crate::workflow::labels::step_label(step)
}

fn files_note(files: &[(PathBuf, String)]) -> String {
    let names: Vec<&str> = files.iter().map(|(_, r)| r.as_str()).collect();
    names.join(", ")
}

/// Pass 1 for one builder skill (lifecycle.md §2.4, with the fixes listed at the top).
fn reconcile_builder(ctx: &mut Ctx<'_>, snap: &Snapshot, skill: &SkillRow) {
    let name = skill.name.as_str();
    // Scenario 7: another live instance (or this one) is working on it.
    if snap.live.contains(name) {
        ctx.result.notifications.push(format!(
            "'{name}' skipped — active session running in another instance"
        ));
        return;
    }
    let run = snap.runs.get(name);
    let step_rows = snap.steps.get(name);
    let row_status = |id: i32| step_rows.and_then(|m| m.get(&id)).map(String::as_str);
    let mut interrupted: Vec<i32> = step_rows
        .map(|m| {
            m.iter()
                .filter(|(_, s)| s.as_str() == "in_progress")
                .map(|(id, _)| *id)
                .collect()
        })
        .unwrap_or_default();
    interrupted.sort_unstable();
    if !interrupted.is_empty() || run.is_some_and(|r| r.status == "in_progress") {
        ctx.ops.push(Op::ResetInProgress { skill: name.into() });
    }

    let skill_dir = ctx.skills.join(name);
    let ws_dir = ctx.workspace.join(name);
    // D12: the whole output folder is gone → the user decides (delete or keep).
    if !skill_dir.is_dir() {
        ctx.result.orphans.push(OrphanSkill {
            skill_name: name.into(),
            purpose: skill.purpose.clone().unwrap_or_else(|| "domain".into()),
        });
        return;
    }
    // Scenario 5, before anything detects (D7).
    if !ws_dir.is_dir() {
        let ctx_dir = ws_dir.join("context");
        if let Err(e) = std::fs::create_dir_all(&ctx_dir) {
            tracing::warn!("could not recreate {}: {e}", ctx_dir.display());
        }
    }

    // A step left in progress by a crash: its output is partial, whatever is on disk.
    let mut interrupted_trash: Option<String> = None;
    if !interrupted.is_empty() {
        let files: Vec<(PathBuf, String)> = interrupted
            .iter()
            .filter(|s| DETECTABLE_STEPS.contains(&(**s as u32)))
            .flat_map(|s| step_files(&skill_dir, &ws_dir, *s as u32))
            .collect();
        interrupted_trash = trash_files(ctx.skills, name, &files).map(|e| {
            ctx.result.auto_cleaned += 1;
            format!("{e} ({})", files_note(&files))
        });
    }

    let d = detect_furthest_step(ctx.workspace, name, ctx.skills);
    let Some(run) = run else {
        // Scenario 10: master row without a run.
        let step = d.map(|d| d as i32).unwrap_or(0);
        let status = if step >= 3 { "completed" } else { "pending" };
        ctx.ops.push(Op::CreateRun {
            skill: name.into(),
            skill_id: skill.id,
            step,
            status,
            purpose: skill.purpose.clone().unwrap_or_else(|| "domain".into()),
        });
        if let Some(d) = d {
            for s in 0..=d as i32 {
                ctx.ops.push(Op::CompleteStep {
                    skill: name.into(),
                    step: s,
                });
            }
        }
        ctx.result.notifications.push(format!(
            "'{name}' workflow record recreated at {}",
            label(step)
        ));
        push_interrupted_note(ctx, name, &interrupted, &interrupted_trash, step);
        return;
    };

    let c = run.current_step;
    let status_before = if run.status == "in_progress" {
        "pending"
    } else {
        run.status.as_str()
    };
    // What the DB claims is done: `c` itself only when its row (or the run) is completed.
    let claimed = if status_before == "completed" || row_status(c) == Some("completed") {
        c
    } else {
        c - 1
    };
    let mut final_step = c;
    let mut final_status = status_before.to_string();
    let mut future_from: Option<u32> = None;
    match d {
        Some(d) => {
            let d_i = d as i32;
            let mut reset = false;
            if d_i > c {
                // Scenario 3: the disk is ahead.
                ctx.ops.push(Op::SetRun {
                    skill: name.into(),
                    step: d_i,
                    status: "pending",
                });
                final_step = d_i;
                final_status = "pending".into();
                ctx.result.notifications.push(format!(
                    "'{name}' was advanced from {} to {} (disk state ahead of DB)",
                    label(c),
                    label(d_i)
                ));
            } else if c > d_i {
                let last_expected = DETECTABLE_STEPS
                    .iter()
                    .map(|s| *s as i32)
                    .filter(|s| *s <= claimed)
                    .max();
                if last_expected.is_some_and(|le| d_i < le) {
                    // Scenario 2 (and 6): the DB is ahead of what the disk proves.
                    ctx.ops.push(Op::SetRun {
                        skill: name.into(),
                        step: d_i,
                        status: "pending",
                    });
                    ctx.ops.push(Op::ResetStepsFrom {
                        skill: name.into(),
                        from: d_i,
                    });
                    final_step = d_i;
                    final_status = "pending".into();
                    reset = true;
                    ctx.result.notifications.push(format!(
                        "'{name}' was reset from {} to {} (disk state behind DB)",
                        label(c),
                        label(d_i)
                    ));
                }
                // Otherwise scenario 2′: the DB is accepted as is.
            }
            // Every step up to `d` is proven (step 1 is implied by step 2).
            for s in 0..=d_i {
                ctx.ops.push(Op::CompleteStep {
                    skill: name.into(),
                    step: s,
                });
            }
            if !reset {
                // Non-detectable steps between the proof and the DB step (exclusive, D9).
                for s in (d_i + 1)..c.min(4) {
                    if !DETECTABLE_STEPS.contains(&(s as u32)) {
                        ctx.ops.push(Op::CompleteStep {
                            skill: name.into(),
                            step: s,
                        });
                    }
                }
            }
            if d >= 3 && status_before != "completed" {
                final_step = final_step.max(d_i).max(c);
                final_status = "completed".into();
                ctx.ops.push(Op::SetRun {
                    skill: name.into(),
                    step: final_step,
                    status: "completed",
                });
            }
            if d < 3 {
                future_from = Some(d + 1);
            }
        }
        None if c > 0 => {
            // Scenario 4: nothing proven although the DB is past step 0.
            ctx.ops.push(Op::SetRun {
                skill: name.into(),
                step: 0,
                status: "pending",
            });
            ctx.ops.push(Op::ResetStepsFrom {
                skill: name.into(),
                from: 0,
            });
            final_step = 0;
            final_status = "pending".into();
            future_from = Some(0);
            ctx.result.notifications.push(format!(
                "'{name}' was reset from {} to {} (no output files found)",
                label(c),
                label(0)
            ));
        }
        None => {
            // Scenario 8: a fresh skill; clear stray completions. Only a half-written step 0
            // is moved aside.
            ctx.ops.push(Op::ResetStepsFrom {
                skill: name.into(),
                from: 0,
            });
            let partial = step_files(&skill_dir, &ws_dir, 0);
            if let Some(entry) = trash_files(ctx.skills, name, &partial) {
                ctx.result.auto_cleaned += 1;
                ctx.result.notifications.push(format!(
                    "'{name}': an incomplete {} ({}) was moved to .trash/{entry}. Run it again.",
                    label(0),
                    files_note(&partial)
                ));
            }
        }
    }
    // Outputs of steps the disk does not prove go to the trash (cleanup_future_steps, D8).
    if let Some(from) = future_from {
        let files: Vec<(PathBuf, String)> = (from..=3)
            .flat_map(|s| step_files(&skill_dir, &ws_dir, s))
            .collect();
        if let Some(entry) = trash_files(ctx.skills, name, &files) {
            ctx.result.auto_cleaned += 1;
            ctx.result.notifications.push(format!(
                "'{name}': {} moved to .trash/{entry} — they belong to steps the skill has not \
                 completed. Restore them from there if you need them; the workflow continues at {}.",
                files_note(&files),
                label(final_step)
            ));
        }
    }
    push_interrupted_note(ctx, name, &interrupted, &interrupted_trash, final_step);
    if final_status == "completed" && !has_skill_output(&skill_dir) {
        tracing::warn!("'{name}' is completed but has no SKILL.md, references/ or context/");
    }
}

fn push_interrupted_note(
    ctx: &mut Ctx<'_>,
    name: &str,
    interrupted: &[i32],
    trashed: &Option<String>,
    resume: i32,
) {
    let Some(&step) = interrupted.first() else {
        return;
    };
    let moved = match trashed {
        Some(entry) => format!(" Its partial output was moved to .trash/{entry}."),
        None => String::new(),
    };
    ctx.result.notifications.push(format!(
        "'{name}' was interrupted during {} — the app stopped before the step finished.{moved} \
         The workflow continues at {}; run it again.",
        label(step),
        label(resume)
    ));
}

/// Pass 1 for a marketplace skill: scenario 11 (nothing) or 12 (row dropped).
fn reconcile_marketplace(ctx: &mut Ctx<'_>, skill: &SkillRow) {
    if ctx.skills.join(&skill.name).join("SKILL.md").is_file() {
        return;
    }
    ctx.ops.push(Op::DeleteMaster {
        skill: skill.name.clone(),
        id: skill.id,
    });
    ctx.result.auto_cleaned += 1;
    ctx.result.notifications.push(format!(
        "'{}' marketplace skill removed — SKILL.md not found on disk",
        skill.name
    ));
}

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

// ---- resolving (UI-driven, lifecycle.md §2.8) ----

/// `parent/name` must stay inside `parent` once symlinks are resolved; a missing child passes.
fn contained(parent: &Path, name: &str) -> Result<PathBuf> {
    let child = parent.join(name);
    if std::fs::symlink_metadata(&child).is_err() {
        return Ok(child);
    }
    let p = parent.canonicalize().with_path(parent)?;
    let c = child.canonicalize().with_path(&child)?;
    if !c.starts_with(&p) {
        return Err(Error::invalid(format!(
            "{} resolves outside {}: path traversal not allowed",
            child.display(),
            parent.display()
        )));
    }
    Ok(child)
}

/// `resolve_orphan`: `delete` removes the skill everywhere (works without a run row);
/// `keep` puts it back at step 0 with an empty folder so it is not reported again.
pub fn resolve_orphan(app: &App, a: ResolveArgs) -> Result<()> {
    validate_skill_name(&a.skill_name)?;
    let name = a.skill_name.as_str();
    match a.action.as_str() {
        "delete" => crate::skills::delete_skill(
            app,
            crate::skills::DeleteSkillArgs {
                workspace_path: None,
                name: name.into(),
            },
        ),
        "keep" => {
            let skills = app.skills_path();
            let dir = contained(&skills, name)?;
            let ws = contained(&app.workspace_path(), name)?;
            app.db.write(|tx| {
                let (id, purpose): (i64, Option<String>) = tx
                    .query_row(
                        "SELECT id, purpose FROM skills WHERE name = ?1",
                        [name],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?
                    .ok_or_else(|| Error::not_found(format!("Skill '{name}' not found")))?;
                let now = crate::db::now();
                tx.execute(
                    "INSERT INTO workflow_runs (skill_name, current_step, status, purpose, created_at, updated_at, skill_id)
                     VALUES (?1, 0, 'pending', ?2, ?3, ?3, ?4)
                     ON CONFLICT(skill_name) DO UPDATE SET current_step = 0, status = 'pending', updated_at = ?3",
                    params![name, purpose.unwrap_or_else(|| "domain".into()), now, id],
                )?;
                tx.execute(
                    "UPDATE workflow_steps SET status = 'pending', started_at = NULL, completed_at = NULL
                     WHERE skill_name = ?1",
                    [name],
                )?;
                for d in [dir.join("context"), dir.join("references"), ws.clone()] {
                    std::fs::create_dir_all(&d).with_path(&d)?;
                }
                Ok(())
            })
        }
        other => Err(Error::invalid(format!(
            "Invalid orphan resolution action: '{other}'. Expected 'delete' or 'keep'."
        ))),
    }
}

/// Frontmatter fields of a folder's SKILL.md (all `None` when it cannot be read or parsed).
fn frontmatter_of(dir: &Path) -> crate::ingest::frontmatter::Frontmatter {
    std::fs::read_to_string(dir.join("SKILL.md"))
        .ok()
        .and_then(|t| crate::ingest::frontmatter::parse_skill_md(&t).ok())
        .map(|m| m.frontmatter)
        .unwrap_or_default()
}

/// `resolve_discovery`: adopt a discovered folder as a builder skill or an imported skill,
/// or remove it (moved to `.trash/{name}`). Adoption and removal are committed (D6).
pub fn resolve_discovery(app: &App, a: ResolveArgs) -> Result<()> {
    validate_skill_name(&a.skill_name)?;
    let name = a.skill_name.as_str();
    let action = a.action.as_str();
    if !matches!(action, "add-skill-builder" | "add-imported" | "remove") {
        return Err(Error::invalid(format!(
            "Invalid discovery action: '{action}'. Expected 'add-skill-builder', 'add-imported', or 'remove'."
        )));
    }
    let skills = app.skills_path();
    let dir = contained(&skills, name)?;
    if !dir.is_dir() {
        return Err(Error::not_found(format!(
            "'{name}' is not a folder in {}; reconcile again to refresh the list",
            skills.display()
        )));
    }
    if action != "remove" && crate::skills::skill_id(&app.db.conn(), name)?.is_some() {
        return Err(Error::conflict(format!(
            "'{name}' is already in the library"
        )));
    }
    match action {
        "add-skill-builder" => {
            let ws = contained(&app.workspace_path(), name)?;
            let d = detect_in(&dir);
            let step = d.map(|d| d as i32).unwrap_or(0);
            let status = if d == Some(3) { "completed" } else { "pending" };
            let fm = frontmatter_of(&dir);
            std::fs::create_dir_all(&ws).with_path(&ws)?;
            app.db.write(|tx| {
                let now = crate::db::now();
                tx.execute(
                    "INSERT INTO skills (name, skill_source, purpose, created_at, updated_at, description, version,
                                         model, argument_hint, user_invocable, disable_model_invocation)
                     VALUES (?1, 'skill-builder', 'domain', ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![name, now, fm.description, fm.version, fm.model, fm.argument_hint,
                            fm.user_invocable, fm.disable_model_invocation],
                )?;
                let id = tx.last_insert_rowid();
                tx.execute(
                    "INSERT INTO workflow_runs (skill_name, current_step, status, purpose, created_at, updated_at,
                                                description, version, skill_id)
                     VALUES (?1, ?2, ?3, 'domain', ?4, ?4, ?5, COALESCE(?6, '1.0.0'), ?7)",
                    params![name, step, status, now, fm.description, fm.version, id],
                )?;
                let run = tx.last_insert_rowid();
                if let Some(d) = d {
                    for s in 0..=d as i32 {
                        tx.execute(
                            "INSERT INTO workflow_steps (skill_name, step_id, status, completed_at, workflow_run_id)
                             VALUES (?1, ?2, 'completed', ?3, ?4)
                             ON CONFLICT(skill_name, step_id) DO UPDATE SET status = 'completed',
                               completed_at = excluded.completed_at, workflow_run_id = excluded.workflow_run_id",
                            params![name, s, now, run],
                        )?;
                    }
                }
                Ok(())
            })?;
            crate::history::commit_skill(app, name, &format!("{name}: added to library"));
        }
        "add-imported" => {
            let fm = frontmatter_of(&dir);
            let context = dir.join("context");
            if context.is_dir() {
                // Research notes are not part of an imported skill; kept in the trash.
                trash_files(&skills, name, &[(context, "context".into())]);
            }
            let disk_path = crate::paths::path_string(&dir)?;
            app.db.write(|tx| {
                let now = crate::db::now();
                tx.execute(
                    "INSERT INTO skills (name, skill_source, purpose, created_at, updated_at, description, version,
                                         model, argument_hint, user_invocable, disable_model_invocation)
                     VALUES (?1, 'imported', 'domain', ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![name, now, fm.description, fm.version, fm.model, fm.argument_hint,
                            fm.user_invocable, fm.disable_model_invocation],
                )?;
                let id = tx.last_insert_rowid();
                let millis = chrono::Utc::now().timestamp_millis();
                tx.execute(
                    "INSERT INTO imported_skills (skill_id, skill_name, is_active, disk_path, imported_at, purpose,
                                                  version, model, argument_hint, user_invocable,
                                                  disable_model_invocation, skill_master_id)
                     VALUES (?1, ?2, 1, ?3, ?4, 'domain', ?5, ?6, ?7, ?8, ?9, ?10)
                     ON CONFLICT(skill_name) DO UPDATE SET disk_path = excluded.disk_path,
                       skill_master_id = excluded.skill_master_id",
                    params![format!("imp-{name}-{millis}"), name, disk_path, now, fm.version, fm.model,
                            fm.argument_hint, fm.user_invocable, fm.disable_model_invocation, id],
                )?;
                Ok(())
            })?;
            crate::history::commit_skill(app, name, &format!("{name}: added to library"));
        }
        _ => {
            trash_folder(&skills, name)?;
            crate::history::commit_skill(app, name, &format!("{name}: removed"));
        }
    }
    tracing::info!("discovery '{name}' resolved: {action}");
    Ok(())
}

// ---- clear_workspace ----

/// Removes legacy root-level files of the workspace (lifecycle.md §1.1 e) that the app
/// recognises as its own, keeping everything else (the workspace may be a user's project):
/// files in `agents/` and `references/` that are byte-identical to a bundled file (a folder
/// goes only when that left it empty), an old database `skill-builder.db` with the app's
/// tables that no process has open, and a root `CLAUDE.md` written by an earlier version
/// whose `## Customization` text is in `.claude/CLAUDE.md`. A folder that is some skill's
/// workspace folder, and the app's own database, are kept. Returns what was removed
/// (workspace-relative).
pub fn remove_legacy_workspace_files(app: &App) -> Vec<String> {
    let ws = app.workspace_path();
    let mut removed = Vec::new();
    if ws == app.skills_path() {
        return removed;
    }
    let known: BTreeSet<String> = {
        let conn = app.db.conn();
        conn.prepare("SELECT name FROM skills")
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<BTreeSet<_>>>()
            })
            .unwrap_or_default()
    };
    for d in ["agents", "references"] {
        let p = ws.join(d);
        if known.contains(d) || !is_real_dir(&p) {
            continue;
        }
        if remove_bundled_copies(&ws, &p, &mut removed) > 0 && std::fs::remove_dir(&p).is_ok() {
            removed.push(format!("{d}/"));
        }
    }
    let db = ws.join("skill-builder.db");
    if db != app.db.path() && is_legacy_database(&db) && std::fs::remove_file(&db).is_ok() {
        removed.push("skill-builder.db".into());
    }
    let root_md = ws.join("CLAUDE.md");
    if is_real_file(&root_md) {
        let current = std::fs::read_to_string(ws.join(".claude/CLAUDE.md"));
        let text = std::fs::read_to_string(&root_md);
        if let (Ok(current), Ok(text)) = (current, text) {
            if crate::workflow::deploy::is_stale_app_claude_md(&text, &current)
                && std::fs::remove_file(&root_md).is_ok()
            {
                removed.push("CLAUDE.md".into());
            }
        }
    }
    removed
}

fn is_real_dir(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir())
}

fn is_real_file(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
}

/// Removes the regular files under `dir` that are byte-identical to a bundled file, and the
/// sub-folders that left empty; links are never followed. Returns how many files went.
fn remove_bundled_copies(ws: &Path, dir: &Path, removed: &mut Vec<String>) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in rd.flatten() {
        let p = e.path();
        let Ok(ty) = e.file_type() else { continue };
        if ty.is_dir() {
            let inner = remove_bundled_copies(ws, &p, removed);
            if inner > 0 {
                let _ = std::fs::remove_dir(&p);
            }
            n += inner;
        } else if ty.is_file()
            && std::fs::read(&p).is_ok_and(|b| crate::workflow::deploy::is_bundled_content(&b))
            && std::fs::remove_file(&p).is_ok()
        {
            removed.push(relative_display(ws, &p));
            n += 1;
        }
    }
    n
}

fn relative_display(ws: &Path, p: &Path) -> String {
    p.strip_prefix(ws)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// An old Skill Builder database left in the workspace: an SQLite file with the app's tables
/// and no `-wal`/`-shm` beside it (so no process has it open and nothing is unflushed).
fn is_legacy_database(p: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    let is_sqlite = is_real_file(p)
        && std::fs::File::open(p)
            .and_then(|mut f| f.read_exact(&mut head))
            .is_ok()
        && &head == b"SQLite format 3\0";
    let sidecar = |suffix: &str| {
        let mut s = p.as_os_str().to_owned();
        s.push(suffix);
        std::fs::symlink_metadata(PathBuf::from(s)).is_ok()
    };
    is_sqlite && !sidecar("-wal") && !sidecar("-shm") && has_app_tables(p)
}

/// Reads the schema without writing anything (SQLite's `immutable` mode creates no
/// journal or shared-memory file).
fn has_app_tables(p: &Path) -> bool {
    use rusqlite::OpenFlags;
    let Some(uri) = sqlite_immutable_uri(p) else {
        return false;
    };
    let Ok(conn) = rusqlite::Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    ) else {
        return false;
    };
    conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'
         AND name IN ('skills', 'workflow_runs', 'workflow_steps', 'agent_runs')",
        [],
        |r| r.get::<_, i64>(0),
    )
    .is_ok_and(|n| n == 4)
}

fn sqlite_immutable_uri(p: &Path) -> Option<String> {
    let s = p.to_str()?.replace('\\', "/");
    let s = if s.starts_with('/') {
        s
    } else {
        format!("/{s}")
    };
    let mut uri = String::from("file:");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    Some(uri)
}

/// `clear_workspace`: removes the agent files the app deployed (only those still exactly as
/// it wrote them; files the user added or edited stay), redeploys the bundled agents,
/// rebuilds the app's section of `.claude/CLAUDE.md` (the user's text, including the
/// `## Customization` section, is kept) and removes legacy root-level files the app
/// recognises as its own. Skills and user data are not touched.
pub fn clear_workspace(app: &App, _: NoArgs) -> Result<()> {
    let ws = app.workspace_path();
    let r = crate::workflow::deploy::remove_deployed(&ws)?;
    if !r.kept_edited.is_empty() {
        tracing::warn!(
            "clear_workspace kept files you edited after Skill Builder wrote them: {}",
            r.kept_edited.join(", ")
        );
    }
    crate::workflow::deploy::deploy_agents(app)?;
    crate::workflow::deploy::write_claude_md(app)?;
    let removed = remove_legacy_workspace_files(app);
    if !removed.is_empty() {
        tracing::info!("removed legacy workspace files: {}", removed.join(", "));
    }
    Ok(())
}
