//! The SQLite file: opening connections with the project's pragmas and applying the
//! numbered migrations. It owns the schema; it must never hold business rules.
//!
//! The `*_store` modules are the one writer of each table group (one owner per table: every
//! INSERT, UPDATE and DELETE of a group is there, with typed rows). They take a connection
//! (a `&Transaction` derefs to one), so a caller's transaction stays the caller's; what may be
//! written is still decided by the domain modules that call them.

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

pub mod imports_store;
pub mod locks_store;
pub mod runs_store;
pub mod sessions_store;
pub mod skills_store;
pub mod workflow_store;

/// Numbered migrations. Released entries are never edited: a change is a new entry.
pub const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("0001_initial.sql")),
    (2, include_str!("0002_skill_test_results.sql")),
    (3, include_str!("0003_holder_start_time.sql")),
    (4, include_str!("0004_agent_installs.sql")),
    (5, include_str!("0005_eval_runs.sql")),
    (6, include_str!("0006_git_sources.sql")),
    (7, include_str!("0007_git_source_trees.sql")),
];

/// The schema version this binary writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|m| m.0).unwrap_or(0)
}

/// Opens a connection with WAL, a 5 s busy timeout and enforced foreign keys. The file is
/// owner-only (see [`make_private`]).
pub fn open_connection(path: &Path) -> Result<Connection> {
    if let Some(parent) = path.parent() {
        crate::paths::create_private_dir_all(parent)
            .map_err(|e| Error::io(format!("cannot create {}: {e}", parent.display())))?;
    }
    make_private(path)
        .map_err(|e| Error::io(format!("cannot create database {}: {e}", path.display())))?;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::io(format!("cannot open database {}: {e}", path.display())))?;
    conn.busy_timeout(Duration::from_millis(5000))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Creates the database file owner-only before SQLite opens it, and tightens the files an
/// older version left readable (a file system without modes is only warned about). SQLite
/// gives the `-wal` and `-shm` files it creates the mode of the main file, so they are
/// owner-only too.
fn make_private(path: &Path) -> std::io::Result<()> {
    crate::paths::private_file(std::fs::OpenOptions::new().write(true).create(true)).open(path)?;
    for p in [
        path.to_path_buf(),
        sidecar_file(path, "-wal"),
        sidecar_file(path, "-shm"),
    ] {
        if let Err(e) = crate::paths::restrict_to_owner(&p) {
            tracing::warn!("cannot make {} private: {e}", p.display());
        }
    }
    Ok(())
}

/// `x.db` → `x.db-wal` / `x.db-shm`.
fn sidecar_file(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Applies every migration not yet recorded in `schema_migrations`, each in its own
/// transaction together with its record, so a crash never leaves a half-applied version.
/// Returns the versions applied by this call.
pub fn migrate(conn: &mut Connection) -> Result<Vec<i64>> {
    migrate_to(conn, latest_version())
}

/// Like [`migrate`] but stops at `target` (tests use it to build older databases).
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<Vec<i64>> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );",
    )?;
    let newest: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    if newest > latest_version() {
        return Err(Error::conflict(format!(
            "the database is at schema version {newest}, newer than this app understands ({}); \
             update Skill Builder",
            latest_version()
        )));
    }
    let mut applied = Vec::new();
    for &(version, sql) in MIGRATIONS.iter().filter(|m| m.0 <= target) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let done: bool = tx.query_row(
            "SELECT EXISTS(SELECT 1 FROM schema_migrations WHERE version = ?1)",
            [version],
            |r| r.get(0),
        )?;
        if done {
            continue;
        }
        tx.execute_batch(sql)
            .map_err(|e| Error::internal(format!("migration {version} failed: {e}")))?;
        tx.execute(
            "INSERT INTO schema_migrations (version) VALUES (?1)",
            [version],
        )?;
        tx.commit()?;
        applied.push(version);
    }
    Ok(applied)
}

/// The process's connection to the database, behind a mutex (the reference design; every
/// command is short, and WAL lets other processes read meanwhile).
pub struct Db {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl Db {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Db> {
        let mut conn = open_connection(path)?;
        migrate(&mut conn)?;
        Ok(Db {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Locks the connection. A poisoned mutex only means a panic elsewhere; the
    /// connection itself is still usable, so we take it back.
    pub fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` inside one IMMEDIATE transaction: all of it lands or none of it.
    pub fn write<T>(&self, f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.conn();
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}

/// Current time in the one timestamp format the database stores.
pub fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// Milliseconds since the Unix epoch (agent ids).
pub fn now_millis() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}
