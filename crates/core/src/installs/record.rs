//! The `agent_installs` table: the only code that reads or writes it. A row means "the app
//! wrote this folder, and this is what it wrote"; a folder without a row is never touched.

use super::agents::Scope;
use crate::app::App;
use crate::error::{Error, Result};
use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

/// One recorded install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallRecord {
    pub id: i64,
    pub skill_name: String,
    pub agent: String,
    pub scope: Scope,
    /// The installed folder (`<agent skills folder>/<skill>`).
    pub path: String,
    /// Last commit of the skill in the skills repository when it was copied (`None` without
    /// history).
    pub version: Option<String>,
    /// [`super::content::ContentHash`] of what was written.
    pub content_hash: String,
    pub installed_at: String,
}

/// What a fresh or refreshed install writes into its row.
pub struct NewInstall<'a> {
    pub skill_name: &'a str,
    pub agent: &'a str,
    pub scope: Scope,
    pub path: &'a str,
    pub version: Option<&'a str>,
    pub content_hash: &'a str,
}

const COLUMNS: &str = "id, skill_name, agent, scope, path, version, content_hash, installed_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<InstallRecord> {
    let scope: String = r.get(3)?;
    Ok(InstallRecord {
        id: r.get(0)?,
        skill_name: r.get(1)?,
        agent: r.get(2)?,
        // The CHECK constraint keeps other values out; a hand-edited row reads as `dir`.
        scope: Scope::parse(&scope).unwrap_or(Scope::Dir),
        path: r.get(4)?,
        version: r.get(5)?,
        content_hash: r.get(6)?,
        installed_at: r.get(7)?,
    })
}

/// The install recorded at `path`, if any.
pub fn find_by_path(app: &App, path: &str) -> Result<Option<InstallRecord>> {
    let conn = app.db.conn();
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM agent_installs WHERE path = ?1"),
            [path],
            from_row,
        )
        .optional()?)
}

/// Every install, or those of one skill, ordered by skill, agent and path.
pub fn list(app: &App, skill: Option<&str>) -> Result<Vec<InstallRecord>> {
    let conn = app.db.conn();
    let mut st = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM agent_installs WHERE ?1 IS NULL OR skill_name = ?1
         ORDER BY skill_name, agent, path"
    ))?;
    let rows = st
        .query_map([skill], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Records what was just written at `n.path`, replacing any earlier row for that folder.
pub fn upsert(app: &App, n: &NewInstall<'_>) -> Result<InstallRecord> {
    let now = crate::db::now();
    app.db.write(|tx| {
        tx.execute(
            "INSERT INTO agent_installs
               (skill_name, agent, scope, path, version, content_hash, installed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT(path) DO UPDATE SET skill_name = excluded.skill_name,
               agent = excluded.agent, scope = excluded.scope, version = excluded.version,
               content_hash = excluded.content_hash, installed_at = excluded.installed_at",
            params![
                n.skill_name,
                n.agent,
                n.scope.as_str(),
                n.path,
                n.version,
                n.content_hash,
                now
            ],
        )?;
        tx.query_row(
            &format!("SELECT {COLUMNS} FROM agent_installs WHERE path = ?1"),
            [n.path],
            from_row,
        )
        .map_err(Error::from)
    })
}

/// Forgets an install (after its folder was removed or moved to a backup).
pub fn delete(app: &App, id: i64) -> Result<()> {
    app.db
        .conn()
        .execute("DELETE FROM agent_installs WHERE id = ?1", [id])?;
    Ok(())
}
