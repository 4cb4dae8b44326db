//! Listing the workspace skills, activating and deactivating them, purpose slots, deleting.

use super::{
    checked_name, find_by_id, present, read_row, refresh_claude_md, skill_location,
    write_with_moves, Row, WorkspaceSkill, COLS, PURPOSE_SLOTS,
};
use crate::app::App;
use crate::db::imports_store;
use crate::error::{Error, Result};
use crate::paths::path_string;
use crate::placing::FolderMoves;
use rusqlite::{params, Transaction};
use serde::Deserialize;

/// Command `list_workspace_skills` (sync): every row, newest first (bundled rows last).
pub fn list_workspace_skills(app: &App, _: crate::args::NoArgs) -> Result<Vec<WorkspaceSkill>> {
    let conn = app.db.conn();
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLS} FROM workspace_skills ORDER BY imported_at DESC, skill_name"
    ))?;
    let rows = stmt.query_map([], read_row)?;
    Ok(rows
        .map(|r| r.map(|r| r.skill))
        .collect::<rusqlite::Result<_>>()?)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToggleSkillActiveArgs {
    pub skill_id: String,
    pub active: bool,
}

fn not_found_id(id: &str) -> Error {
    Error::not_found(format!("Workspace skill with id '{id}' not found"))
}

/// Command `toggle_skill_active` (sync). See the module documentation (purpose slots).
pub fn toggle_skill_active(app: &App, a: ToggleSkillActiveArgs) -> Result<()> {
    let row = find_by_id(app, &a.skill_id)?.ok_or_else(|| not_found_id(&a.skill_id))?;
    checked_name(&row)?;
    let freed = write_with_moves(app, |tx, moves| {
        set_active(app, tx, moves, &row, a.active)?;
        match is_slot(row.skill.purpose.as_deref()) {
            Some(p) if a.active => free_slot(app, tx, moves, p, &row.skill.skill_id),
            _ => Ok(Vec::new()),
        }
    })?;
    for other in freed {
        tracing::info!(
            "'{other}' deactivated: '{}' now holds its purpose",
            row.skill.skill_name
        );
    }
    refresh_claude_md(app);
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SetWorkspaceSkillPurposeArgs {
    pub skill_id: String,
    #[serde(default)]
    pub purpose: Option<String>,
}

/// Command `set_workspace_skill_purpose` (sync): sets or clears a purpose slot.
pub fn set_workspace_skill_purpose(app: &App, a: SetWorkspaceSkillPurposeArgs) -> Result<()> {
    let purpose = a
        .purpose
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    if let Some(p) = purpose {
        if !PURPOSE_SLOTS.contains(&p) {
            return Err(Error::invalid(format!(
                "invalid purpose '{p}': use one of {} (or none)",
                PURPOSE_SLOTS.join(", ")
            )));
        }
    }
    let Some(row) = find_by_id(app, &a.skill_id)? else {
        return Ok(()); // reference: an unknown id is a silent no-op
    };
    let changed = write_with_moves(app, |tx, moves| {
        imports_store::set_workspace_purpose(tx, &row.skill.skill_id, purpose)?;
        match purpose {
            Some(p) if row.skill.is_active => free_slot(app, tx, moves, p, &row.skill.skill_id),
            _ => Ok(Vec::new()),
        }
    })?;
    if !changed.is_empty() {
        tracing::info!(
            "deactivated {} so that '{}' holds the purpose",
            changed.join(", "),
            row.skill.skill_name
        );
        refresh_claude_md(app);
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillIdArgs {
    pub skill_id: String,
}

/// Command `delete_imported_skill` (sync): removes both folders and the row. Bundled skills
/// cannot be deleted (`conflict`).
pub fn delete_imported_skill(app: &App, a: SkillIdArgs) -> Result<()> {
    let row = find_by_id(app, &a.skill_id)?.ok_or_else(|| not_found_id(&a.skill_id))?;
    if row.skill.is_bundled {
        return Err(Error::conflict(format!(
            "Cannot delete bundled skill '{}'. Deactivate it instead.",
            row.skill.skill_name
        )));
    }
    let name = checked_name(&row)?.to_string();
    write_with_moves(app, |tx, moves| {
        for active in [true, false] {
            let d = skill_location(app, &name, active);
            if present(&d) {
                moves.set_aside(&d)?;
            }
        }
        imports_store::delete_workspace(tx, &row.skill.skill_id)
    })?;
    tracing::info!("deleted workspace skill '{name}'");
    refresh_claude_md(app);
    Ok(())
}

/// Sets a row's `is_active` (and `disk_path`) and moves its folder accordingly: a stale copy
/// at the destination is trashed first; a missing source only changes the DB.
fn set_active(
    app: &App,
    tx: &Transaction<'_>,
    moves: &mut FolderMoves,
    row: &Row,
    active: bool,
) -> Result<()> {
    let name = checked_name(row)?;
    let to = skill_location(app, name, active);
    imports_store::set_workspace_active(tx, &row.skill.skill_id, active, &path_string(&to)?)?;
    if row.skill.is_active == active {
        return Ok(());
    }
    let from = skill_location(app, name, !active);
    if present(&from) {
        if present(&to) {
            moves.set_aside(&to)?;
        }
        moves.rename(&from, &to)?;
    } else if !present(&to) {
        tracing::warn!(
            "workspace skill '{name}' has no folder in {} or {}; only the database changed",
            from.display(),
            to.display()
        );
    }
    Ok(())
}

/// Deactivates every other active skill holding `purpose` (a slot).
fn free_slot(
    app: &App,
    tx: &Transaction<'_>,
    moves: &mut FolderMoves,
    purpose: &str,
    except_id: &str,
) -> Result<Vec<String>> {
    let others: Vec<Row> = {
        let mut stmt = tx.prepare(&format!(
            "SELECT {COLS} FROM workspace_skills
             WHERE purpose = ?1 AND is_active = 1 AND skill_id <> ?2 ORDER BY skill_name"
        ))?;
        let rows = stmt.query_map(params![purpose, except_id], read_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut names = Vec::new();
    for o in &others {
        set_active(app, tx, moves, o, false)?;
        names.push(o.skill.skill_name.clone());
    }
    Ok(names)
}

fn is_slot(p: Option<&str>) -> Option<&str> {
    p.filter(|p| PURPOSE_SLOTS.contains(p))
}
