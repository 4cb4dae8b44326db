//! Skill edit locks (advisory, database.md › skill_locks): keyed by instance id + PID, a dead
//! holder's lock is reclaimed, and an instance releases everything it holds on exit.
//!
//! A PID alone does not identify a process: once the holder is gone the OS may give its PID to
//! another program, and that program would keep the lock forever. So a lock also records the
//! holder's start time ([`process_start_time`]); a live PID with another start time is a
//! different process and its lock is stale. Rows written before the start time was recorded
//! (NULL) keep the PID-only judgement.

use crate::app::App;
use crate::db::locks_store::{self, NewLock};
use crate::error::{Error, Result};
use rusqlite::OptionalExtension;
use serde::Deserialize;

pub use crate::db::locks_store::SkillLock;

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

/// When process `pid` started, in an OS-specific unit that only needs to be compared with
/// itself: Linux clock ticks since boot (`/proc/<pid>/stat` field 22), macOS microseconds since
/// the epoch. `None` when the process does not exist, cannot be inspected, or on other systems
/// (Windows: judged by PID only).
pub fn process_start_time(pid: u32) -> Option<i64> {
    if pid == 0 || pid > i32::MAX as u32 {
        return None;
    }
    start_time_of(pid)
}

#[cfg(target_os = "linux")]
fn start_time_of(pid: u32) -> Option<i64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_proc_stat_start(&stat)
}

/// Field 22 of `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may
/// itself hold spaces and parentheses, so fields are counted after its last `)`.
#[cfg(any(target_os = "linux", test))]
fn parse_proc_stat_start(stat: &str) -> Option<i64> {
    let (_, rest) = stat.rsplit_once(')')?;
    // `rest` starts at field 3 (state), so field 22 is the 20th.
    rest.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(target_os = "macos")]
fn start_time_of(pid: u32) -> Option<i64> {
    // SAFETY: proc_bsdinfo is plain integers and arrays; all-zero is a valid value.
    let mut info: libc::proc_bsdinfo = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<libc::proc_bsdinfo>() as libc::c_int;
    // SAFETY: `info` is a writable buffer of exactly `size` bytes for PROC_PIDTBSDINFO.
    let n = unsafe {
        libc::proc_pidinfo(
            pid as libc::c_int,
            libc::PROC_PIDTBSDINFO,
            0,
            (&mut info as *mut libc::proc_bsdinfo).cast(),
            size,
        )
    };
    if n != size {
        return None;
    }
    let micros = info
        .pbi_start_tvsec
        .checked_mul(1_000_000)?
        .checked_add(info.pbi_start_tvusec)?;
    i64::try_from(micros).ok()
}

#[cfg(not(any(target_os = "linux", target_os = "macos")))]
fn start_time_of(_pid: u32) -> Option<i64> {
    None
}

/// This process's start time, read once.
pub fn own_start_time() -> Option<i64> {
    static OWN: std::sync::OnceLock<Option<i64>> = std::sync::OnceLock::new();
    *OWN.get_or_init(|| process_start_time(std::process::id()))
}

/// Whether the process that recorded (`pid`, `started_at`) still runs. Without a recorded
/// start time, or when the live process's start time cannot be read, the PID decides: a live
/// lock must never be stolen on a guess.
pub fn holder_alive(pid: u32, started_at: Option<i64>) -> bool {
    if !pid_alive(pid) {
        return false;
    }
    match (started_at, process_start_time(pid)) {
        (Some(recorded), Some(now)) => recorded == now,
        _ => true,
    }
}

fn lock_alive(l: &SkillLock) -> bool {
    holder_alive(l.pid, l.pid_started_at)
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
        if let Some(l) = locks_store::holder(tx, skill)? {
            if l.instance_id == app.instance_id {
                return Ok(());
            }
            if lock_alive(&l) {
                return Err(locked_error(skill, &l));
            }
            tracing::info!(
                "reclaiming stale lock on '{skill}' (process {} is gone)",
                l.pid
            );
            locks_store::delete_for_skill_name(tx, skill)?;
        }
        locks_store::insert(
            tx,
            &NewLock {
                skill_name: skill,
                skill_id,
                instance_id: &app.instance_id,
                pid: app.pid,
                pid_started_at: app.pid_started_at,
                acquired_at: &crate::db::now(),
            },
        )
    })
}

/// Deletes the lock only if this instance holds it.
pub fn release_lock(app: &App, args: SkillNameArgs) -> Result<()> {
    locks_store::delete_held(&app.db.conn(), &args.skill_name, &app.instance_id)?;
    Ok(())
}

/// Deletes every lock this instance holds (exit, graceful shutdown).
pub fn release_all(app: &App) -> Result<usize> {
    locks_store::delete_of_instance(&app.db.conn(), &app.instance_id)
}

/// Deletes locks whose holder process is gone (or whose PID now belongs to another
/// process); returns how many.
pub fn reclaim_stale(app: &App) -> Result<usize> {
    app.db.write(|tx| {
        let locks = locks_store::all(tx)?;
        let mut n = 0;
        for l in locks.iter().filter(|l| !lock_alive(l)) {
            n += locks_store::delete_exact(tx, l)?;
        }
        Ok(n)
    })
}

/// Live locks (dead holders are removed first), ours included.
pub fn get_locked_skills(app: &App, _: crate::args::NoArgs) -> Result<Vec<SkillLock>> {
    reclaim_stale(app)?;
    locks_store::all(&app.db.conn())
}

/// True only when another live instance holds the lock.
pub fn check_lock(app: &App, args: SkillNameArgs) -> Result<bool> {
    let l = locks_store::holder(&app.db.conn(), &args.skill_name)?;
    match l {
        None => Ok(false),
        Some(l) if l.instance_id == app.instance_id => Ok(false),
        Some(l) if lock_alive(&l) => Ok(true),
        Some(l) => {
            locks_store::delete_held(&app.db.conn(), &l.skill_name, &l.instance_id)?;
            Ok(false)
        }
    }
}

/// Fails with `locked` when another live instance holds the skill (used before edits).
pub fn ensure_not_locked_by_other(app: &App, skill: &str) -> Result<()> {
    let l = locks_store::holder(&app.db.conn(), skill)?;
    match l {
        Some(l) if l.instance_id != app.instance_id && lock_alive(&l) => {
            Err(locked_error(skill, &l))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_time_is_field_22_even_when_the_command_name_has_spaces_and_parens() {
        let stat = "4242 (a (b) c) S 1 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 \
                    1000 10 18446744073709551615";
        assert_eq!(parse_proc_stat_start(stat), Some(987654));
        assert_eq!(parse_proc_stat_start("4242 (x) S 1"), None);
    }

    #[cfg(any(target_os = "linux", target_os = "macos"))]
    #[test]
    fn our_own_start_time_is_readable_and_stable() {
        let a = process_start_time(std::process::id());
        assert!(a.is_some());
        assert_eq!(a, own_start_time());
        assert!(holder_alive(std::process::id(), a));
        assert!(!holder_alive(std::process::id(), a.map(|t| t + 1)));
        assert!(holder_alive(std::process::id(), None), "old rows: PID only");
    }
}
