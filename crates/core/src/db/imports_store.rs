//! The one writer of the rows of skills that came from elsewhere: `imported_skills` (library
//! skills imported from GitHub, a marketplace or a ZIP), `workspace_skills` (the agents'
//! skills in the workspace, bundled ones included) and `git_sources` (the repository, ref and
//! pinned commit of skills imported from a git URL). Ownership rules, folder moves and
//! purpose slots stay with the callers ([`crate::github`], [`crate::workspace_skills`],
//! [`crate::reconcile`], [`crate::skills`]); this file only writes rows, through the caller's
//! connection or transaction.

use crate::error::Result;
use crate::skill_meta::SkillMeta;
use rusqlite::{params, Connection};

// ---- imported_skills ----

/// An `imported_skills` row, every column.
pub struct ImportedRow<'a> {
    pub skill_id: &'a str,
    pub skill_name: &'a str,
    pub is_active: bool,
    pub disk_path: &'a str,
    pub imported_at: &'a str,
    pub is_bundled: bool,
    pub purpose: Option<&'a str>,
    pub meta: &'a SkillMeta,
    /// The `skills` row it belongs to.
    pub skill_master_id: i64,
    pub content_hash: Option<&'a str>,
    pub marketplace_source_url: Option<&'a str>,
}

fn imported_params<'a>(r: &'a ImportedRow<'_>) -> [&'a dyn rusqlite::ToSql; 15] {
    [
        &r.skill_id,
        &r.skill_name,
        &r.is_active,
        &r.disk_path,
        &r.imported_at,
        &r.is_bundled,
        &r.purpose,
        &r.meta.version,
        &r.meta.model,
        &r.meta.argument_hint,
        &r.meta.user_invocable,
        &r.meta.disable_model_invocation,
        &r.skill_master_id,
        &r.content_hash,
        &r.marketplace_source_url,
    ]
}

/// A library import: inserts the row, or refreshes an existing one of the same name (its
/// id, `is_active`, `is_bundled` and `imported_at` are kept).
pub fn upsert_library_import(conn: &Connection, r: &ImportedRow<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO imported_skills (skill_id, skill_name, is_active, disk_path, imported_at,
            is_bundled, purpose, version, model, argument_hint, user_invocable,
            disable_model_invocation, skill_master_id, content_hash, marketplace_source_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT(skill_name) DO UPDATE SET
            disk_path = excluded.disk_path, purpose = excluded.purpose,
            version = excluded.version, model = excluded.model,
            argument_hint = excluded.argument_hint, user_invocable = excluded.user_invocable,
            disable_model_invocation = excluded.disable_model_invocation,
            skill_master_id = excluded.skill_master_id, content_hash = excluded.content_hash,
            marketplace_source_url = excluded.marketplace_source_url",
        imported_params(r).as_slice(),
    )?;
    Ok(())
}

/// A folder adopted into the library as an imported skill: inserts the row, or only points
/// an existing one of the same name at this folder and skill.
pub fn adopt_imported(conn: &Connection, r: &ImportedRow<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO imported_skills (skill_id, skill_name, is_active, disk_path, imported_at,
            is_bundled, purpose, version, model, argument_hint, user_invocable,
            disable_model_invocation, skill_master_id, content_hash, marketplace_source_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT(skill_name) DO UPDATE SET disk_path = excluded.disk_path,
           skill_master_id = excluded.skill_master_id",
        imported_params(r).as_slice(),
    )?;
    Ok(())
}

/// Deletes the row that carries the name `name`.
pub fn delete_imported_named(conn: &Connection, name: &str) -> Result<()> {
    conn.execute("DELETE FROM imported_skills WHERE skill_name = ?1", [name])?;
    Ok(())
}

/// Deletes the rows of a skill, linked by id or (older rows) only by name.
pub fn delete_imported_of_skill(conn: &Connection, skill_id: i64, name: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM imported_skills WHERE skill_master_id = ?1 OR skill_name = ?2",
        params![skill_id, name],
    )?;
    Ok(())
}

/// Carries the row of `old` over to the name `new`, whose folder is `new_disk_path`.
pub fn rename_imported(conn: &Connection, old: &str, new: &str, new_disk_path: &str) -> Result<()> {
    conn.execute(
        "UPDATE imported_skills SET skill_name = ?1 WHERE skill_name = ?2",
        params![new, old],
    )?;
    conn.execute(
        "UPDATE imported_skills SET disk_path = ?1 WHERE skill_name = ?2",
        params![new_disk_path, new],
    )?;
    Ok(())
}

// ---- workspace_skills ----

/// A `workspace_skills` row, every column.
pub struct WorkspaceRow<'a> {
    pub skill_id: &'a str,
    pub skill_name: &'a str,
    pub description: Option<&'a str>,
    pub is_active: bool,
    pub is_bundled: bool,
    pub disk_path: &'a str,
    pub imported_at: &'a str,
    pub purpose: Option<&'a str>,
    pub meta: &'a SkillMeta,
    pub content_hash: Option<&'a str>,
    pub marketplace_source_url: Option<&'a str>,
}

fn workspace_params<'a>(r: &'a WorkspaceRow<'_>) -> [&'a dyn rusqlite::ToSql; 15] {
    [
        &r.skill_id,
        &r.skill_name,
        &r.description,
        &r.is_active,
        &r.is_bundled,
        &r.disk_path,
        &r.imported_at,
        &r.purpose,
        &r.meta.version,
        &r.meta.model,
        &r.meta.argument_hint,
        &r.meta.user_invocable,
        &r.meta.disable_model_invocation,
        &r.content_hash,
        &r.marketplace_source_url,
    ]
}

/// Inserts a row (an existing name or id is an error).
pub fn insert_workspace(conn: &Connection, r: &WorkspaceRow<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO workspace_skills (skill_id, skill_name, description, is_active,
            is_bundled, disk_path, imported_at, purpose, version, model, argument_hint,
            user_invocable, disable_model_invocation, content_hash, marketplace_source_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        workspace_params(r).as_slice(),
    )?;
    Ok(())
}

/// A GitHub import into the workspace: inserts the row, or refreshes an existing one of the
/// same name (its id, `is_active`, `is_bundled` and `imported_at` are kept).
pub fn upsert_workspace_import(conn: &Connection, r: &WorkspaceRow<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO workspace_skills (skill_id, skill_name, description, is_active, is_bundled,
            disk_path, imported_at, purpose, version, model, argument_hint, user_invocable,
            disable_model_invocation, content_hash, marketplace_source_url)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
         ON CONFLICT(skill_name) DO UPDATE SET
            description = excluded.description, disk_path = excluded.disk_path,
            purpose = excluded.purpose, version = excluded.version, model = excluded.model,
            argument_hint = excluded.argument_hint, user_invocable = excluded.user_invocable,
            disable_model_invocation = excluded.disable_model_invocation,
            content_hash = excluded.content_hash,
            marketplace_source_url = excluded.marketplace_source_url",
        workspace_params(r).as_slice(),
    )?;
    Ok(())
}

/// Marks the row named `name` as the bundled copy now at `disk_path` with `content_hash`;
/// returns how many rows changed (0: there is none yet).
pub fn refresh_bundled(
    conn: &Connection,
    name: &str,
    content_hash: &str,
    disk_path: &str,
    imported_at: &str,
) -> Result<usize> {
    Ok(conn.execute(
        "UPDATE workspace_skills SET content_hash = ?2, disk_path = ?3, is_bundled = 1,
            imported_at = ?4 WHERE skill_name = ?1",
        params![name, content_hash, disk_path, imported_at],
    )?)
}

/// Overwrites the description and metadata of the row named `name`.
pub fn set_workspace_metadata(
    conn: &Connection,
    name: &str,
    description: Option<&str>,
    meta: &SkillMeta,
) -> Result<()> {
    conn.execute(
        "UPDATE workspace_skills SET description = ?2, version = ?3, model = ?4,
            argument_hint = ?5, user_invocable = ?6, disable_model_invocation = ?7
         WHERE skill_name = ?1",
        params![
            name,
            description,
            meta.version,
            meta.model,
            meta.argument_hint,
            meta.user_invocable,
            meta.disable_model_invocation,
        ],
    )?;
    Ok(())
}

/// The row stops being a bundled skill (it stays, as an ordinary one).
pub fn release_bundled(conn: &Connection, skill_id: &str) -> Result<()> {
    conn.execute(
        "UPDATE workspace_skills SET is_bundled = 0 WHERE skill_id = ?1",
        [skill_id],
    )?;
    Ok(())
}

/// Sets (or clears, `None`) the purpose slot of row `skill_id`.
pub fn set_workspace_purpose(
    conn: &Connection,
    skill_id: &str,
    purpose: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE workspace_skills SET purpose = ?1 WHERE skill_id = ?2",
        params![purpose, skill_id],
    )?;
    Ok(())
}

/// Sets whether row `skill_id` is active and where its folder now is.
pub fn set_workspace_active(
    conn: &Connection,
    skill_id: &str,
    active: bool,
    disk_path: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE workspace_skills SET is_active = ?1, disk_path = ?2 WHERE skill_id = ?3",
        params![active, disk_path, skill_id],
    )?;
    Ok(())
}

/// Deletes row `skill_id`.
pub fn delete_workspace(conn: &Connection, skill_id: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM workspace_skills WHERE skill_id = ?1",
        [skill_id],
    )?;
    Ok(())
}

// ---- git_sources ----

/// Where a skill imported from a git URL came from.
pub struct GitSourceRow<'a> {
    /// `workspace` or `library`.
    pub target: &'a str,
    pub skill_name: &'a str,
    /// Without credentials.
    pub url: &'a str,
    /// The ref asked for; `None`: the remote's HEAD.
    pub ref_name: Option<&'a str>,
    pub commit_sha: &'a str,
    /// The skill's folder in the repository.
    pub path: &'a str,
    /// That folder's tree id at `commit_sha`.
    pub tree_sha: Option<&'a str>,
    pub imported_at: &'a str,
}

/// Records (or replaces) the source of the skill `skill_name` in `target`.
pub fn upsert_git_source(conn: &Connection, r: &GitSourceRow<'_>) -> Result<()> {
    conn.execute(
        "INSERT INTO git_sources
            (target, skill_name, url, ref_name, commit_sha, path, tree_sha, imported_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT(target, skill_name) DO UPDATE SET
            url = excluded.url, ref_name = excluded.ref_name, commit_sha = excluded.commit_sha,
            path = excluded.path, tree_sha = excluded.tree_sha,
            imported_at = excluded.imported_at",
        params![
            r.target,
            r.skill_name,
            r.url,
            r.ref_name,
            r.commit_sha,
            r.path,
            r.tree_sha,
            r.imported_at
        ],
    )?;
    Ok(())
}
