//! The one writer of the skills library's master rows: `skills` and `skill_tags`. Validation
//! (names, purposes, tags) and the disk side stay with the callers ([`crate::skills`],
//! [`crate::reconcile`], [`crate::github`], [`crate::workflow`]); this file only writes rows,
//! through the caller's connection or transaction.

use crate::error::Result;
use crate::skill_meta::SkillMeta;
use rusqlite::{params, Connection};

/// A new `skills` row.
pub struct NewSkill<'a> {
    pub name: &'a str,
    /// `skill-builder`, `marketplace` or `imported`.
    pub skill_source: &'a str,
    pub purpose: Option<&'a str>,
    pub description: Option<&'a str>,
    pub meta: &'a SkillMeta,
    /// Also its `updated_at`; `None` leaves both to the column default (SQLite's now).
    pub created_at: Option<&'a str>,
}

/// Inserts a skill (an existing name is an error); returns its id.
pub fn insert(conn: &Connection, s: &NewSkill<'_>) -> Result<i64> {
    conn.execute(
        "INSERT INTO skills (name, skill_source, purpose, created_at, updated_at, description,
                             version, model, argument_hint, user_invocable, disable_model_invocation)
         VALUES (?1, ?2, ?3,
                 COALESCE(?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                 COALESCE(?4, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
                 ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            s.name,
            s.skill_source,
            s.purpose,
            s.created_at,
            s.description,
            s.meta.version,
            s.meta.model,
            s.meta.argument_hint,
            s.meta.user_invocable,
            s.meta.disable_model_invocation
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Overwrites every metadata column of skill `id` (an import's new version).
pub fn replace_metadata(
    conn: &Connection,
    id: i64,
    purpose: Option<&str>,
    description: Option<&str>,
    meta: &SkillMeta,
    now: &str,
) -> Result<()> {
    conn.execute(
        "UPDATE skills SET purpose = ?2, description = ?3, version = ?4, model = ?5,
            argument_hint = ?6, user_invocable = ?7, disable_model_invocation = ?8,
            updated_at = ?9
         WHERE id = ?1",
        params![
            id,
            purpose,
            description,
            meta.version,
            meta.model,
            meta.argument_hint,
            meta.user_invocable,
            meta.disable_model_invocation,
            now
        ],
    )?;
    Ok(())
}

/// One metadata column of `skills` with its new value (`None` clears it).
pub enum Field<'a> {
    Purpose(Option<&'a str>),
    Description(Option<&'a str>),
    Version(Option<&'a str>),
    Model(Option<&'a str>),
    ArgumentHint(Option<&'a str>),
    UserInvocable(Option<bool>),
    DisableModelInvocation(Option<bool>),
}

/// Sets one metadata column of skill `id` (`updated_at` is left to [`touch`]).
pub fn set_field(conn: &Connection, id: i64, f: Field<'_>) -> Result<()> {
    match f {
        Field::Purpose(v) => conn.execute(
            "UPDATE skills SET purpose = ?1 WHERE id = ?2",
            params![v, id],
        ),
        Field::Description(v) => conn.execute(
            "UPDATE skills SET description = ?1 WHERE id = ?2",
            params![v, id],
        ),
        Field::Version(v) => conn.execute(
            "UPDATE skills SET version = ?1 WHERE id = ?2",
            params![v, id],
        ),
        Field::Model(v) => {
            conn.execute("UPDATE skills SET model = ?1 WHERE id = ?2", params![v, id])
        }
        Field::ArgumentHint(v) => conn.execute(
            "UPDATE skills SET argument_hint = ?1 WHERE id = ?2",
            params![v, id],
        ),
        Field::UserInvocable(v) => conn.execute(
            "UPDATE skills SET user_invocable = ?1 WHERE id = ?2",
            params![v, id],
        ),
        Field::DisableModelInvocation(v) => conn.execute(
            "UPDATE skills SET disable_model_invocation = ?1 WHERE id = ?2",
            params![v, id],
        ),
    }?;
    Ok(())
}

/// Sets the purpose of skill `id` and stamps `updated_at`.
pub fn set_purpose(conn: &Connection, id: i64, purpose: &str, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE skills SET purpose = ?1, updated_at = ?2 WHERE id = ?3",
        params![purpose, now, id],
    )?;
    Ok(())
}

/// Stamps `updated_at` of skill `id`.
pub fn touch(conn: &Connection, id: i64, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE skills SET updated_at = ?1 WHERE id = ?2",
        params![now, id],
    )?;
    Ok(())
}

/// Stamps `updated_at` of the skill named `name`.
pub fn touch_named(conn: &Connection, name: &str, now: &str) -> Result<()> {
    conn.execute(
        "UPDATE skills SET updated_at = ?1 WHERE name = ?2",
        params![now, name],
    )?;
    Ok(())
}

/// Deletes the skill named `name` (rows linked to it by id go with it: foreign keys).
pub fn delete_named(conn: &Connection, name: &str) -> Result<()> {
    conn.execute("DELETE FROM skills WHERE name = ?1", [name])?;
    Ok(())
}

/// Deletes skill `id` (rows linked to it by id go with it: foreign keys).
pub fn delete_by_id(conn: &Connection, id: i64) -> Result<()> {
    conn.execute("DELETE FROM skills WHERE id = ?1", [id])?;
    Ok(())
}

/// Renames skill `old` to `new`, its tags included.
pub fn rename(conn: &Connection, old: &str, new: &str) -> Result<()> {
    conn.execute(
        "UPDATE skills SET name = ?1 WHERE name = ?2",
        params![new, old],
    )?;
    conn.execute(
        "UPDATE skill_tags SET skill_name = ?1 WHERE skill_name = ?2",
        params![new, old],
    )?;
    Ok(())
}

// ---- skill_tags ----

/// Replaces the tags of skill `id` (named `name`) with `tags`, already validated.
pub fn replace_tags(
    conn: &Connection,
    id: i64,
    name: &str,
    tags: &[String],
    now: &str,
) -> Result<()> {
    conn.execute("DELETE FROM skill_tags WHERE skill_id = ?1", [id])?;
    for t in tags {
        conn.execute(
            "INSERT INTO skill_tags (skill_name, tag, created_at, skill_id) VALUES (?1, ?2, ?3, ?4)",
            params![name, t, now, id],
        )?;
    }
    Ok(())
}

/// Deletes the tags that carry the name `name`.
pub fn delete_tags_named(conn: &Connection, name: &str) -> Result<()> {
    conn.execute("DELETE FROM skill_tags WHERE skill_name = ?1", [name])?;
    Ok(())
}

/// Deletes the tags of a skill, linked by id or (older rows) only by name.
pub fn delete_tags_of_skill(conn: &Connection, id: i64, name: &str) -> Result<()> {
    conn.execute(
        "DELETE FROM skill_tags WHERE skill_id = ?1 OR skill_name = ?2",
        params![id, name],
    )?;
    Ok(())
}
