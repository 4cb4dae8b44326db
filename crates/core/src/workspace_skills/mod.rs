//! Settings→Skills: the skills deployed for the *agents* (ingestion.md §2–3, commands.md
//! "Workspace skills"), plus `lint_skill` and the seeding of the bundled skills.
//!
//! Layout (all direct children, so agents load exactly the active skills):
//!
//! | folder | what |
//! |---|---|
//! | `<workspace>/.claude/skills/<name>/` | active skill (agents run with cwd = workspace) |
//! | `<workspace>/.claude/skills/.inactive/<name>/` | deactivated skill (hidden from agents) |
//! | `<workspace>/.claude/skills/.staging/…` | temporary folders (extraction, seeding, trash) |
//! | `<workspace>/.claude/skills/.bundled-updates/<name>/` | a newer bundled copy that was **not** installed because the user changed the deployed one |
//!
//! Decisions (where the specs leave a choice, or disagree):
//!
//! - **Upload source**: `upload_skill` does not apply the path guard to its input. A user
//!   uploads what they picked in a file dialog (e.g. `~/Downloads/x.zip`), which is outside the
//!   app's roots by design. The input must be an absolute path to something that *is* a
//!   regular file once symlinks are followed (folders, devices, FIFOs and sockets are refused
//!   before the file is opened); it is only ever read. Every write stays under the skills
//!   workspace.
//! - **Upload purpose**: NULL (ingestion.md §2.4 / D7; commands.md's forced `skill-builder`
//!   is the reference defect). `imported_at` is RFC 3339 UTC (D24). `content_hash` is the
//!   lowercase hex SHA-256 of the installed SKILL.md (as GitHub imports store it).
//! - **Upload atomicity**: the archive is extracted into `.staging/`, then — holding the DB
//!   write lock — duplicates are checked (DB row → `conflict` "Skill '<n>' has already been
//!   imported"; an untracked folder in the active or inactive store → `conflict` "Skill '<n>'
//!   already exists at '<p>'"), the folder is renamed into place and the row inserted. Any
//!   failure renames it back and removes it: no folder, no row.
//! - **Lint at import**: findings (Claude Code mode) come back as `warnings`, never refusals.
//! - **Purpose slots** (D8): `research`, `validate`, `skill-building`, `test-context`; at most
//!   one *active* skill holds each. Activating a skill, or giving an active skill a slot,
//!   deactivates the other active holder (its folder moves to `.inactive/`) in the same
//!   transaction; if any folder move fails, every move is undone and the rows roll back.
//!   `set_workspace_skill_purpose` refuses other values (`invalid_input`); `null`/`""`
//!   clears; an unknown id stays a silent no-op (reference).
//! - **Moves and deletes** only ever touch `<root>/<name>` and `<root>/.inactive/<name>` for a
//!   name that passes the skill-name rule (D2), never a path read from the DB. A stale
//!   destination or a deleted folder is first renamed into `.staging/` ("trash") and removed
//!   only after the DB commit, so a failure can put everything back.
//! - **Export** writes `<data dir>/exports/<name>.zip` (through a unique temp name, then an
//!   atomic rename), entries prefixed `<name>/`, Deflate, Unix modes kept, symlinks skipped
//!   (D20).
//! - **Bundled skills** ([`seed_bundled_skills`]): see its documentation.
//!
//! | file | what |
//! |---|---|
//! | `upload.rs` | `upload_skill` (workspace or library), the ZIP limits |
//! | `toggle.rs` | list, activate/deactivate, purpose slots, delete |
//! | `export.rs` | `get_skill_content`, `export_skill` |
//! | `lint.rs` | `lint_skill` |
//! | `seed.rs` | seeding the bundled skills |

mod export;
mod lint;
mod seed;
mod toggle;
mod upload;

pub use export::{export_skill, get_skill_content, write_skill_zip, SkillNameArgs};
pub use lint::{lint_skill, parse_lint_mode, LintSkillArgs, LintSkillResult};
pub use seed::{seed_bundled_skills, SeedOutcome, SeedReport, SeedStatus};
pub use toggle::{
    delete_imported_skill, list_workspace_skills, set_workspace_skill_purpose, toggle_skill_active,
    SetWorkspaceSkillPurposeArgs, SkillIdArgs, ToggleSkillActiveArgs,
};
pub use upload::{upload_skill, zip_limits, UploadSkillArgs};

use crate::app::App;
use crate::error::Result;
pub use crate::hashing::sha256_hex;
use crate::ingest::names::validate_skill_name;
use crate::placing::FolderMoves;
use crate::skill_meta::SkillMeta;
use rusqlite::{OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Path, PathBuf};

/// The purpose slots: at most one active workspace skill holds each.
pub const PURPOSE_SLOTS: [&str; 4] = ["research", "validate", "skill-building", "test-context"];

/// `imported_at` of bundled rows (so they sort last).
pub const BUNDLED_IMPORTED_AT: &str = "2000-01-01T00:00:00Z";

// ---------------------------------------------------------------------------------
// Types and paths

/// A row of `workspace_skills` as the UI receives it (commands.md, Types), plus `warnings`
/// (lint findings of an upload; empty elsewhere).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceSkill {
    pub skill_id: String,
    pub skill_name: String,
    pub description: Option<String>,
    pub is_active: bool,
    pub is_bundled: bool,
    pub disk_path: String,
    pub imported_at: String,
    pub purpose: Option<String>,
    #[serde(flatten)]
    pub meta: SkillMeta,
    pub marketplace_source_url: Option<String>,
    /// Beyond the reference: lint findings (Claude Code mode) and frontmatter warnings of an
    /// upload. Never a reason to refuse.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// A row with the columns the API does not show.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) skill: WorkspaceSkill,
    pub(crate) content_hash: Option<String>,
}

const COLS: &str = "skill_id, skill_name, description, is_active, is_bundled, disk_path, \
    imported_at, purpose, version, model, argument_hint, user_invocable, \
    disable_model_invocation, marketplace_source_url, content_hash";

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    Ok(Row {
        skill: WorkspaceSkill {
            skill_id: r.get(0)?,
            skill_name: r.get(1)?,
            description: r.get(2)?,
            is_active: r.get(3)?,
            is_bundled: r.get(4)?,
            disk_path: r.get(5)?,
            imported_at: r.get(6)?,
            purpose: r.get(7)?,
            meta: SkillMeta {
                version: r.get(8)?,
                model: r.get(9)?,
                argument_hint: r.get(10)?,
                user_invocable: r.get(11)?,
                disable_model_invocation: r.get(12)?,
            },
            marketplace_source_url: r.get(13)?,
            warnings: Vec::new(),
        },
        content_hash: r.get(14)?,
    })
}

fn find_where(conn: &rusqlite::Connection, col: &str, value: &str) -> Result<Option<Row>> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLS} FROM workspace_skills WHERE {col} = ?1"),
            [value],
            read_row,
        )
        .optional()?)
}

fn find_by_id(app: &App, id: &str) -> Result<Option<Row>> {
    find_where(&app.db.conn(), "skill_id", id)
}

pub(crate) fn find_by_name(app: &App, name: &str) -> Result<Option<Row>> {
    find_where(&app.db.conn(), "skill_name", name)
}

/// `<workspace>/.claude/skills` — the skills workspace.
pub fn skills_root(app: &App) -> PathBuf {
    app.workspace_path().join(".claude").join("skills")
}

/// `<workspace>/.claude/skills/.inactive` — the inactive store.
pub fn inactive_root(app: &App) -> PathBuf {
    skills_root(app).join(".inactive")
}

/// `<workspace>/.claude/skills/.staging` — temporary folders (two levels below the skills
/// workspace, so agents never load them).
pub fn staging_root(app: &App) -> PathBuf {
    skills_root(app).join(".staging")
}

/// `<workspace>/.claude/skills/.bundled-updates` — newer bundled copies that were not
/// installed over a user-modified one.
pub fn bundled_updates_root(app: &App) -> PathBuf {
    skills_root(app).join(".bundled-updates")
}

/// Where a skill's folder lives for the given state. `name` must be a valid skill name.
pub fn skill_location(app: &App, name: &str, active: bool) -> PathBuf {
    if active {
        skills_root(app).join(name)
    } else {
        inactive_root(app).join(name)
    }
}

/// True when something (even a dangling symlink) exists at `p`.
fn present(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

fn hash_of_skill_md(dir: &Path) -> Option<String> {
    fs::read(dir.join("SKILL.md")).ok().map(|b| sha256_hex(&b))
}

fn refresh_claude_md(app: &App) {
    if let Err(e) = crate::workflow::deploy::write_claude_md(app) {
        tracing::warn!("could not rebuild the workspace CLAUDE.md: {e}");
    }
}

/// A name that came from the DB, checked before it becomes a path (D2).
fn checked_name(row: &Row) -> Result<&str> {
    let n = row.skill.skill_name.as_str();
    validate_skill_name(n).map_err(|e| {
        e.context(format!(
            "workspace skill '{}' has a name that cannot be used as a folder name",
            row.skill.skill_id
        ))
    })?;
    Ok(n)
}

// ---------------------------------------------------------------------------------
// Reversible folder moves under one DB transaction

/// Removes `p` without following it: a linked skill folder goes as a link.
fn remove_path(p: &Path) {
    if let Err(e) = crate::safe_fs::remove_no_follow(p) {
        tracing::warn!("could not remove {}: {e}", p.display());
    }
}

/// Runs `f` in one IMMEDIATE transaction (the DB write lock) with a [`FolderMoves`] journal:
/// if `f` fails or the commit fails, the folder moves are undone and the rows roll back.
/// Folders set aside ("trash", in `.staging/`) are removed only once the commit succeeded.
fn write_with_moves<T>(
    app: &App,
    f: impl FnOnce(&Transaction<'_>, &mut FolderMoves) -> Result<T>,
) -> Result<T> {
    let mut moves = FolderMoves::new(staging_root(app));
    let mut conn = app.db.conn();
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let out = match f(&tx, &mut moves) {
        Ok(v) => v,
        Err(e) => {
            drop(tx);
            moves.undo();
            return Err(e);
        }
    };
    if let Err(e) = tx.commit() {
        moves.undo();
        return Err(e.into());
    }
    drop(conn);
    moves.keep();
    Ok(out)
}

/// Removes a temporary folder on drop (if it still exists).
struct TempFolder(PathBuf);

impl Drop for TempFolder {
    fn drop(&mut self) {
        remove_path(&self.0);
    }
}
