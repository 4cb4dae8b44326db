//! The one writer of `skill_locks`. Whether a lock may be taken or is stale is decided in
//! [`crate::locks`]; this file only reads and writes rows. Every function takes a connection
//! (a `&Transaction` derefs to one), so a caller's transaction stays the caller's.

use crate::error::Result;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

/// One `skill_locks` row, as the lock commands return it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SkillLock {
    pub skill_name: String,
    pub instance_id: String,
    pub pid: u32,
    pub acquired_at: String,
    /// Start time of the holder process (see [`crate::locks::process_start_time`]); internal,
    /// not shown.
    #[serde(skip)]
    pub pid_started_at: Option<i64>,
}

/// A lock to insert: the row plus the id of the skill it belongs to.
pub struct NewLock<'a> {
    pub skill_name: &'a str,
    pub skill_id: i64,
    pub instance_id: &'a str,
    pub pid: u32,
    pub pid_started_at: Option<i64>,
    pub acquired_at: &'a str,
}

const COLUMNS: &str = "skill_name, instance_id, pid, acquired_at, pid_started_at";

fn row_to_lock(r: &rusqlite::Row<'_>) -> rusqlite::Result<SkillLock> {
    Ok(SkillLock {
        skill_name: r.get(0)?,
        instance_id: r.get(1)?,
        pid: r.get(2)?,
        acquired_at: r.get(3)?,
        pid_started_at: r.get(4)?,
    })
}

/// The lock on `skill`, if any.
pub fn holder(conn: &Connection, skill: &str) -> Result<Option<SkillLock>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM skill_locks WHERE skill_name = ?1"),
            [skill],
            row_to_lock,
        )
        .optional()?)
}

/// Every lock, by skill name.
pub fn all(conn: &Connection) -> Result<Vec<SkillLock>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM skill_locks ORDER BY skill_name"
    ))?;
    let rows = stmt.query_map([], row_to_lock)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn insert(conn: &Connection, l: &NewLock<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO skill_locks (skill_name, instance_id, pid, acquired_at, skill_id, pid_started_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![
            l.skill_name,
            l.instance_id,
            l.pid,
            l.acquired_at,
            l.skill_id,
            l.pid_started_at
        ],
    )?;
    Ok(())
}

/// Removes the lock on `skill`, whoever holds it.
pub fn delete_for_skill_name(conn: &Connection, skill: &str) -> Result<usize> {
    Ok(conn.execute("DELETE FROM skill_locks WHERE skill_name = ?1", [skill])?)
}

/// Removes the lock on `skill` only if `instance_id` holds it.
pub fn delete_held(conn: &Connection, skill: &str, instance_id: &str) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM skill_locks WHERE skill_name = ?1 AND instance_id = ?2",
        params![skill, instance_id],
    )?)
}

/// Removes exactly the lock `l` (same skill, instance and PID).
pub fn delete_exact(conn: &Connection, l: &SkillLock) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM skill_locks WHERE skill_name = ?1 AND instance_id = ?2 AND pid = ?3",
        params![l.skill_name, l.instance_id, l.pid],
    )?)
}

/// Removes every lock `instance_id` holds.
pub fn delete_of_instance(conn: &Connection, instance_id: &str) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM skill_locks WHERE instance_id = ?1",
        [instance_id],
    )?)
}

/// Removes the locks recorded under `pid` by any instance but `instance_id`.
pub fn delete_of_pid_except_instance(
    conn: &Connection,
    pid: u32,
    instance_id: &str,
) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM skill_locks WHERE pid = ?1 AND instance_id <> ?2",
        params![pid, instance_id],
    )?)
}

/// Removes the locks of a skill, linked by id or (older rows) only by name.
pub fn delete_for_skill(conn: &Connection, skill_id: i64, skill: &str) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM skill_locks WHERE skill_id = ?1 OR skill_name = ?2",
        params![skill_id, skill],
    )?)
}

/// Carries the locks of `old` over to the name `new`.
pub fn rename(conn: &Connection, old: &str, new: &str) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE skill_locks SET skill_name = ?1 WHERE skill_name = ?2",
        params![new, old],
    )?)
}
