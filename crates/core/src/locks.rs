//! Skill edit locks (advisory, database.md › skill_locks): keyed by instance id + PID, a dead
//! holder's lock is reclaimed, and an instance releases everything it holds on exit.

use crate::app::App;
use crate::error::{Error, Result};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillLock {
    pub skill_name: String,
    pub instance_id: String,
    pub pid: u32,
    pub acquired_at: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillNameArgs {
    pub skill_name: String,
}

/// Whether a process with this PID exists. A process of another user counts as alive
/// (EPERM): treating it as dead would steal a live lock.
pub fn pid_alive(pid: u32) -> bool {
    if pid == 0 || pid > i32::MAX as u32 {
        return false;
    }
    #[cfg(unix)]
    {
        // SAFETY: kill with signal 0 only checks for existence and permission.
        let rc = unsafe { libc::kill(pid as libc::pid_t, 0) };
        rc == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let out = std::process::Command::new("tasklist")
            .args(["/FI", &format!("PID eq {pid}"), "/NH"])
            .output();
        out.map(|o| String::from_utf8_lossy(&o.stdout).contains(&pid.to_string()))
            .unwrap_or(false)
    }
}

fn holder(tx: &rusqlite::Connection, skill: &str) -> Result<Option<SkillLock>> {
    Ok(tx
        .query_row(
            "SELECT skill_name, instance_id, pid, acquired_at FROM skill_locks WHERE skill_name = ?1",
            [skill],
            row_to_lock,
        )
        .optional()?)
}

fn row_to_lock(r: &rusqlite::Row<'_>) -> rusqlite::Result<SkillLock> {
    Ok(SkillLock {
        skill_name: r.get(0)?,
        instance_id: r.get(1)?,
        pid: r.get(2)?,
        acquired_at: r.get(3)?,
    })
}

fn locked_error(skill: &str, l: &SkillLock) -> Error {
    Error::locked(format!(
        "Skill '{skill}' is being edited in another instance (process {}, instance {}, since {}). \
         Close it there, or wait until that process exits.",
        l.pid, l.instance_id, l.acquired_at
    ))
}

/// Takes the edit lock for this instance (idempotent for our own lock).
pub fn acquire_lock(app: &App, args: SkillNameArgs) -> Result<()> {
    acquire(app, &args.skill_name)
}

pub fn acquire(app: &App, skill: &str) -> Result<()> {
    app.db.write(|tx| {
        let skill_id: i64 = tx
            .query_row("SELECT id FROM skills WHERE name = ?1", [skill], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| {
                Error::not_found(format!("Skill '{skill}' not found in the skills library"))
            })?;
        if let Some(l) = holder(tx, skill)? {
            if l.instance_id == app.instance_id {
                return Ok(());
            }
            if pid_alive(l.pid) {
                return Err(locked_error(skill, &l));
            }
            tracing::info!(
                "reclaiming stale lock on '{skill}' (process {} is gone)",
                l.pid
            );
            tx.execute("DELETE FROM skill_locks WHERE skill_name = ?1", [skill])?;
        }
        tx.execute(
            "INSERT INTO skill_locks (skill_name, instance_id, pid, acquired_at, skill_id)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![skill, app.instance_id, app.pid, crate::db::now(), skill_id],
        )?;
        Ok(())
    })
}

/// Deletes the lock only if this instance holds it.
pub fn release_lock(app: &App, args: SkillNameArgs) -> Result<()> {
    app.db.conn().execute(
        "DELETE FROM skill_locks WHERE skill_name = ?1 AND instance_id = ?2",
        params![args.skill_name, app.instance_id],
    )?;
    Ok(())
}

/// Deletes every lock this instance holds (exit, graceful shutdown).
pub fn release_all(app: &App) -> Result<usize> {
    Ok(app.db.conn().execute(
        "DELETE FROM skill_locks WHERE instance_id = ?1",
        [&app.instance_id],
    )?)
}

/// Deletes locks whose holder process is gone; returns how many.
pub fn reclaim_stale(app: &App) -> Result<usize> {
    app.db.write(|tx| {
        let locks = all_locks(tx)?;
        let mut n = 0;
        for l in locks.iter().filter(|l| !pid_alive(l.pid)) {
            n += tx.execute(
                "DELETE FROM skill_locks WHERE skill_name = ?1 AND pid = ?2",
                params![l.skill_name, l.pid],
            )?;
        }
        Ok(n)
    })
}

fn all_locks(conn: &rusqlite::Connection) -> Result<Vec<SkillLock>> {
    let mut stmt = conn.prepare(
        "SELECT skill_name, instance_id, pid, acquired_at FROM skill_locks ORDER BY skill_name",
    )?;
    let rows = stmt.query_map([], row_to_lock)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Live locks (dead holders are removed first), ours included.
pub fn get_locked_skills(app: &App, _: crate::catalog::NoArgs) -> Result<Vec<SkillLock>> {
    reclaim_stale(app)?;
    all_locks(&app.db.conn())
}

/// True only when another live instance holds the lock.
pub fn check_lock(app: &App, args: SkillNameArgs) -> Result<bool> {
    let l = holder(&app.db.conn(), &args.skill_name)?;
    match l {
        None => Ok(false),
        Some(l) if l.instance_id == app.instance_id => Ok(false),
        Some(l) if pid_alive(l.pid) => Ok(true),
        Some(l) => {
            app.db.conn().execute(
                "DELETE FROM skill_locks WHERE skill_name = ?1 AND instance_id = ?2",
                params![l.skill_name, l.instance_id],
            )?;
            Ok(false)
        }
    }
}

/// Fails with `locked` when another live instance holds the skill (used before edits).
pub fn ensure_not_locked_by_other(app: &App, skill: &str) -> Result<()> {
    let l = holder(&app.db.conn(), skill)?;
    match l {
        Some(l) if l.instance_id != app.instance_id && pid_alive(l.pid) => {
            Err(locked_error(skill, &l))
        }
        _ => Ok(()),
    }
}
