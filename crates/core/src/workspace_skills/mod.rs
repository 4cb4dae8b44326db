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

use crate::app::App;
use crate::error::{Error, IoContext, Result};
pub use crate::hashing::sha256_hex;
use crate::ingest::frontmatter::{parse_skill_md, Frontmatter};
use crate::ingest::lint::{lint_skill_dir, LintMode, LintReport};
use crate::ingest::names::{is_valid_skill_name, validate_skill_name};
use crate::ingest::zip_extract::{extract_skill_zip_with_name, ZipLimits};
use crate::paths::path_string;
use crate::placing::{place_skill_folder, FolderMoves, PlaceMeta};
use crate::skill_zip::ZipEntry;
use rusqlite::{params, OptionalExtension, Transaction, TransactionBehavior};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
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
    pub version: Option<String>,
    pub model: Option<String>,
    pub argument_hint: Option<String>,
    pub user_invocable: Option<bool>,
    pub disable_model_invocation: Option<bool>,
    pub marketplace_source_url: Option<String>,
    /// Beyond the reference: lint findings (Claude Code mode) and frontmatter warnings of an
    /// upload. Never a reason to refuse.
    #[serde(default)]
    pub warnings: Vec<String>,
}

/// A row with the columns the API does not show.
#[derive(Debug, Clone)]
struct Row {
    skill: WorkspaceSkill,
    content_hash: Option<String>,
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
            version: r.get(8)?,
            model: r.get(9)?,
            argument_hint: r.get(10)?,
            user_invocable: r.get(11)?,
            disable_model_invocation: r.get(12)?,
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

fn find_by_name(app: &App, name: &str) -> Result<Option<Row>> {
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

fn bool_col(v: Option<bool>) -> Option<i64> {
    v.map(i64::from)
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
    tx.execute(
        "UPDATE workspace_skills SET is_active = ?1, disk_path = ?2 WHERE skill_id = ?3",
        params![active, path_string(&to)?, row.skill.skill_id],
    )?;
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

// ---------------------------------------------------------------------------------
// upload_skill

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadSkillArgs {
    /// The ZIP (`.zip`/`.skill`; the content is sniffed, not the extension).
    pub file_path: String,
    /// Replaces the frontmatter `name` (validated, written into SKILL.md).
    #[serde(default)]
    pub name_override: Option<String>,
    /// `workspace` (default): a workspace skill for the agents; `library`: a Skills Library
    /// skill (source `imported`), committed to its history.
    #[serde(default)]
    pub target: Option<String>,
}

/// Where an uploaded ZIP goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UploadTarget {
    Workspace,
    Library,
}

fn upload_target(t: Option<&str>) -> Result<UploadTarget> {
    match t.map(str::trim).filter(|t| !t.is_empty()) {
        None | Some("workspace") => Ok(UploadTarget::Workspace),
        Some("library") => Ok(UploadTarget::Library),
        Some(other) => Err(Error::invalid(format!(
            "invalid upload target '{}': use 'workspace' (the agents' skills) or 'library' (the Skills Library)",
            crate::error::shorten(other, 40)
        ))),
    }
}

/// Checks the upload source: an absolute path to a regular file (after following
/// symlinks). Not path-guarded on purpose — see the module documentation.
fn check_upload_source(p: &str) -> Result<PathBuf> {
    if p.trim().is_empty() {
        return Err(Error::invalid("file path is empty"));
    }
    if p.contains('\0') {
        return Err(Error::invalid("file path contains a NUL byte"));
    }
    let path = Path::new(p);
    if !path.is_absolute() {
        return Err(Error::invalid(format!("file path must be absolute: {p}")));
    }
    let meta = fs::metadata(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::not_found(format!("file not found: {p}"))
        } else {
            Error::from(e).context(p)
        }
    })?;
    if !meta.is_file() {
        let what = if meta.is_dir() {
            "a folder"
        } else {
            "a device, FIFO or socket"
        };
        return Err(Error::invalid(format!(
            "not a ZIP archive: '{p}' is {what}, not a regular file"
        )));
    }
    Ok(path.to_path_buf())
}

/// The ZIP limits from settings (a 0 means "the default").
pub fn zip_limits(app: &App) -> Result<ZipLimits> {
    let s = crate::settings::load(app)?;
    let d = ZipLimits::default();
    Ok(ZipLimits {
        max_entries: match s.zip_max_entries {
            0 => d.max_entries,
            n => usize::try_from(n).unwrap_or(usize::MAX),
        },
        max_total_bytes: match s.zip_max_total_bytes {
            0 => d.max_total_bytes,
            n => n,
        },
        max_file_bytes: match s.zip_max_file_bytes {
            0 => d.max_file_bytes,
            n => n,
        },
    })
}

/// Lint findings of an installed skill as import warnings (never refusals).
fn import_warnings(dir: &Path, fm: &Frontmatter) -> Vec<String> {
    let mut w = fm.warnings.clone();
    w.extend(
        lint_skill_dir(dir, LintMode::ClaudeCode)
            .findings
            .into_iter()
            .map(|f| format!("{}: {}", f.code, f.message)),
    );
    w
}

/// Removes a temporary folder on drop (if it still exists).
struct TempFolder(PathBuf);

impl Drop for TempFolder {
    fn drop(&mut self) {
        remove_path(&self.0);
    }
}

/// Command `upload_skill` (sync): installs a skill ZIP into the skills workspace (active),
/// or with `target: "library"` into the Skills Library (the result is then its
/// `imported_skills` row, in the same shape).
pub fn upload_skill(app: &App, a: UploadSkillArgs) -> Result<WorkspaceSkill> {
    let target = upload_target(a.target.as_deref())?;
    let src = check_upload_source(&a.file_path)?;
    let name_override = a
        .name_override
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if let Some(n) = name_override {
        validate_skill_name(n)?;
    }
    let limits = zip_limits(app)?;
    if target == UploadTarget::Library {
        return upload_to_library(app, &src, name_override, limits);
    }
    let x = extract_skill_zip_with_name(&src, &staging_root(app), limits, name_override)?;
    let _tmp = TempFolder(x.dir.clone());
    let name = x.name.clone();
    let skill_md = x.dir.join("SKILL.md");
    let hash = sha256_hex(&fs::read(&skill_md).with_path(&skill_md)?);
    let dest = skill_location(app, &name, true);
    let inactive = skill_location(app, &name, false);
    let fm = &x.frontmatter;
    let skill = WorkspaceSkill {
        skill_id: format!("imp-{name}-{}", chrono::Utc::now().timestamp_millis()),
        skill_name: name.clone(),
        description: fm.description.clone(),
        is_active: true,
        is_bundled: false,
        disk_path: path_string(&dest)?,
        imported_at: crate::db::now(),
        purpose: None,
        version: fm.version.clone(),
        model: fm.model.clone(),
        argument_hint: fm.argument_hint.clone(),
        user_invocable: fm.user_invocable,
        disable_model_invocation: fm.disable_model_invocation,
        marketplace_source_url: None,
        warnings: Vec::new(),
    };
    write_with_moves(app, |tx, moves| {
        let known: Option<String> = tx
            .query_row(
                "SELECT skill_id FROM workspace_skills WHERE skill_name = ?1",
                [&name],
                |r| r.get(0),
            )
            .optional()?;
        if known.is_some() {
            return Err(Error::conflict(format!(
                "Skill '{name}' has already been imported"
            )));
        }
        for d in [&dest, &inactive] {
            if present(d) {
                return Err(Error::conflict(format!(
                    "Skill '{name}' already exists at '{}'",
                    d.display()
                )));
            }
        }
        place_skill_folder(
            moves,
            &x.dir,
            &PlaceMeta {
                name: &name,
                dest: &dest,
                replace: false,
            },
        )?;
        tx.execute(
            "INSERT INTO workspace_skills (skill_id, skill_name, description, is_active,
                is_bundled, disk_path, imported_at, purpose, version, model, argument_hint,
                user_invocable, disable_model_invocation, content_hash, marketplace_source_url)
             VALUES (?1, ?2, ?3, 1, 0, ?4, ?5, NULL, ?6, ?7, ?8, ?9, ?10, ?11, NULL)",
            params![
                skill.skill_id,
                skill.skill_name,
                skill.description,
                skill.disk_path,
                skill.imported_at,
                skill.version,
                skill.model,
                skill.argument_hint,
                bool_col(skill.user_invocable),
                bool_col(skill.disable_model_invocation),
                hash,
            ],
        )?;
        Ok(())
    })?;
    tracing::info!("uploaded workspace skill '{name}' from {}", src.display());
    refresh_claude_md(app);
    let mut out = skill;
    out.warnings = import_warnings(&dest, fm);
    Ok(out)
}

/// The library half of `upload_skill`: extracted into the library's staging folder, then
/// placed and recorded exactly as a GitHub library import places its skills (ownership
/// rules, `skills` + `imported_skills` rows, commit, auto-sync of installs). A skill of
/// another source, or a folder the library does not know, is never replaced (`conflict`);
/// re-uploading an uploaded skill updates it (its history keeps the previous version).
fn upload_to_library(
    app: &App,
    src: &Path,
    name_override: Option<&str>,
    limits: ZipLimits,
) -> Result<WorkspaceSkill> {
    use crate::github::import::{
        library_owner_check, place_in_library, LibraryCandidate, LibrarySource, Staging,
    };
    let root = app.skills_path();
    fs::create_dir_all(&root).with_path(&root)?;
    let staging = Staging::empty(&root)?;
    let x = extract_skill_zip_with_name(src, &staging.base, limits, name_override)?;
    let name = x.name.clone();
    let existing = library_owner_check(app, &root, &name, LibrarySource::Imported)?;
    let skill_md = x.dir.join("SKILL.md");
    let placed = place_in_library(
        app,
        &root,
        existing,
        &LibraryCandidate {
            name: &name,
            staged: &x.dir,
            fm: &x.frontmatter,
            skill_md_hash: sha256_hex(&fs::read(&skill_md).with_path(&skill_md)?),
            source: LibrarySource::Imported,
            source_url: None,
            overrides: None,
            commit_message: format!("{name}: imported"),
        },
    )?;
    drop(staging);
    let dest = root.join(&name);
    tracing::info!(
        "uploaded '{name}' into the Skills Library from {} ({:?})",
        src.display(),
        placed.status
    );
    let r = placed.row;
    Ok(WorkspaceSkill {
        skill_id: r.skill_id,
        skill_name: name,
        description: r.description,
        is_active: r.is_active,
        is_bundled: r.is_bundled,
        disk_path: r.disk_path,
        imported_at: r.imported_at,
        purpose: r.purpose,
        version: r.version,
        model: r.model,
        argument_hint: r.argument_hint,
        user_invocable: r.user_invocable,
        disable_model_invocation: r.disable_model_invocation,
        marketplace_source_url: r.marketplace_source_url,
        warnings: import_warnings(&dest, &x.frontmatter),
    })
}

// ---------------------------------------------------------------------------------
// list / toggle / purpose / delete / content / export

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
        tx.execute(
            "UPDATE workspace_skills SET purpose = ?1 WHERE skill_id = ?2",
            params![purpose, row.skill.skill_id],
        )?;
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
        tx.execute(
            "DELETE FROM workspace_skills WHERE skill_id = ?1",
            [&row.skill.skill_id],
        )?;
        Ok(())
    })?;
    tracing::info!("deleted workspace skill '{name}'");
    refresh_claude_md(app);
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillNameArgs {
    pub skill_name: String,
}

/// The folder of a workspace skill: where its state says, else the other store.
fn existing_dir(app: &App, row: &Row) -> Result<PathBuf> {
    let name = checked_name(row)?;
    let want = skill_location(app, name, row.skill.is_active);
    if want.is_dir() {
        return Ok(want);
    }
    let other = skill_location(app, name, !row.skill.is_active);
    if other.is_dir() {
        return Ok(other);
    }
    Err(Error::not_found(format!(
        "Skill directory not found: {}",
        want.display()
    )))
}

/// Command `get_skill_content` (sync): the text of the workspace skill's SKILL.md. A skill
/// folder or SKILL.md that is a symbolic link leading out of the skills store is refused.
pub fn get_skill_content(app: &App, a: SkillNameArgs) -> Result<String> {
    let row = find_by_name(app, &a.skill_name)?
        .ok_or_else(|| Error::not_found(format!("Workspace skill '{}' not found", a.skill_name)))?;
    let dir = crate::safe_fs::guarded_dir(&skills_root(app), &existing_dir(app, &row)?)?;
    let p = crate::safe_fs::guard_inside(&dir, Path::new("SKILL.md"))?;
    let meta = fs::metadata(&p).map_err(|e| Error::from(e).context("Failed to read SKILL.md"))?;
    if meta.len() > crate::ingest::frontmatter::MAX_SKILL_MD_BYTES as u64 {
        return Err(Error::invalid(format!(
            "Failed to read SKILL.md: {} is larger than {} bytes",
            p.display(),
            crate::ingest::frontmatter::MAX_SKILL_MD_BYTES
        )));
    }
    fs::read_to_string(&p).map_err(|e| Error::from(e).context("Failed to read SKILL.md"))
}

/// Command `export_skill` (sync): zips the workspace skill into
/// `<data dir>/exports/<name>.zip` (entries prefixed `<name>/`) and returns that path. A skill
/// folder that is a link out of the skills store is refused; links inside it are skipped.
pub fn export_skill(app: &App, a: SkillNameArgs) -> Result<String> {
    let row = find_by_name(app, &a.skill_name)?
        .ok_or_else(|| Error::not_found(format!("Skill '{}' not found", a.skill_name)))?;
    let dir = crate::safe_fs::guarded_dir(&skills_root(app), &existing_dir(app, &row)?)?;
    let name = row.skill.skill_name.clone();
    let exports = app.paths.exports_dir();
    fs::create_dir_all(&exports).with_path(&exports)?;
    let dest = exports.join(format!("{name}.zip"));
    let tmp = exports.join(format!(".{name}.zip.{}", uuid::Uuid::new_v4()));
    let res =
        write_skill_zip(&dir, &name, &tmp).and_then(|_| fs::rename(&tmp, &dest).with_path(&dest));
    if let Err(e) = res {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    path_string(&dest)
}

/// Writes `dir` as a ZIP at `dest` with every entry under `<prefix>/`. Symlinks are skipped.
pub fn write_skill_zip(dir: &Path, prefix: &str, dest: &Path) -> Result<()> {
    let mut entries = Vec::new();
    walk(dir, Path::new(""), &mut entries)?;
    entries.sort();
    crate::skill_zip::write_zip(dir, Some(prefix), &entries, dest)
}

/// Everything under `dir` (relative paths, folders flagged), not following symlinks.
fn walk(dir: &Path, rel: &Path, out: &mut Vec<ZipEntry>) -> Result<()> {
    let here = dir.join(rel);
    for e in fs::read_dir(&here).with_path(&here)? {
        let e = e.with_path(&here)?;
        let ty = e.file_type().with_path(&e.path())?;
        let r = rel.join(e.file_name());
        if ty.is_dir() {
            out.push(ZipEntry {
                rel: r.clone(),
                is_dir: true,
            });
            walk(dir, &r, out)?;
        } else if ty.is_file() {
            out.push(ZipEntry::file(r));
        } else {
            tracing::warn!(
                "export: skipping {} (not a regular file)",
                e.path().display()
            );
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------
// lint_skill

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LintSkillArgs {
    /// A skill folder inside the app's roots (path guard).
    #[serde(default)]
    pub path: Option<String>,
    /// A Skills Library skill (`<skills_path>/<name>`).
    #[serde(default)]
    pub skill_name: Option<String>,
    /// `spec` (default) or `claude-code`.
    #[serde(default)]
    pub mode: Option<String>,
    /// First move non-spec frontmatter keys under `metadata` (`lint --fix`); a library
    /// skill's rewrite is committed.
    #[serde(default)]
    pub fix: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LintSkillResult {
    /// The folder that was linted.
    pub path: String,
    pub mode: LintMode,
    #[serde(flatten)]
    pub report: LintReport,
    /// What `fix` did (absent without `fix`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<crate::ingest::FixOutcome>,
}

/// `spec` / `claude-code` (also `claude_code`); empty or absent → `spec`.
pub fn parse_lint_mode(mode: Option<&str>) -> Result<LintMode> {
    match mode.map(|m| m.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("spec") => Ok(LintMode::Spec),
        Some("claude-code") | Some("claude_code") | Some("claudecode") => Ok(LintMode::ClaudeCode),
        Some(other) => Err(Error::invalid(format!(
            "invalid lint mode '{other}': use 'spec' or 'claude-code'"
        ))),
    }
}

/// Command `lint_skill` (sync, beyond the reference): lints a folder (`path`, inside the
/// app's roots) or a Skills Library skill (`skillName`) → findings with severity.
pub fn lint_skill(app: &App, a: LintSkillArgs) -> Result<LintSkillResult> {
    let mode = parse_lint_mode(a.mode.as_deref())?;
    let dir = match (a.path.as_deref(), a.skill_name.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "lint_skill takes either 'path' or 'skillName', not both",
            ))
        }
        (None, None) => {
            return Err(Error::invalid(
                "lint_skill needs 'path' (a skill folder) or 'skillName' (a library skill)",
            ))
        }
        (Some(p), None) => crate::path_guard::guard(
            p,
            &crate::files::app_roots(app),
            crate::path_guard::Intent::Read,
        )?,
        (None, Some(n)) => {
            validate_skill_name(n)?;
            let d = app.skills_path().join(n);
            if !d.is_dir() {
                return Err(Error::not_found(format!(
                    "skill '{n}' not found in the Skills Library ({})",
                    d.display()
                )));
            }
            d
        }
    };
    let fix = match a.fix {
        Some(true) => Some(crate::ingest::fix_skill_dir(Some(app), &dir)?),
        _ => None,
    };
    let report = lint_skill_dir(&dir, mode);
    Ok(LintSkillResult {
        path: path_string(&dir)?,
        mode,
        report,
        fix,
    })
}

// ---------------------------------------------------------------------------------
// Bundled skills

/// What seeding did with one bundled skill.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeedStatus {
    /// First installation (or an identical untracked copy adopted).
    Installed,
    /// The app ships a new version; the unmodified deployed copy was replaced.
    Updated,
    /// The deployed folder was missing and was written again.
    Restored,
    /// Nothing to do.
    Unchanged,
    /// The user changed the deployed copy and the app's version did not change: kept.
    Modified,
    /// The app ships a new version but the user changed the deployed copy: the user's copy
    /// is kept and the new one written to `.bundled-updates/<name>/` (see `detail`).
    KeptUserCopy,
    /// A user skill (not bundled) has this name: left alone, bundled skill not installed.
    Conflict,
    /// The bundled folder is unusable (no description, bad name…): see `detail`.
    Skipped,
    /// No longer shipped and unmodified: folder and row removed.
    Removed,
    /// No longer shipped but modified by the user: kept, now an ordinary (deletable) skill.
    Released,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedOutcome {
    pub name: String,
    pub status: SeedStatus,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedReport {
    pub outcomes: Vec<SeedOutcome>,
}

impl SeedReport {
    pub fn status_of(&self, name: &str) -> Option<SeedStatus> {
        self.outcomes
            .iter()
            .find(|o| o.name == name)
            .map(|o| o.status)
    }
    /// True when a folder or row changed.
    pub fn changed(&self) -> bool {
        self.outcomes.iter().any(|o| {
            !matches!(
                o.status,
                SeedStatus::Unchanged
                    | SeedStatus::Modified
                    | SeedStatus::Skipped
                    | SeedStatus::Conflict
            )
        })
    }
    fn push(&mut self, name: &str, status: SeedStatus, detail: Option<String>) {
        self.outcomes.push(SeedOutcome {
            name: name.to_string(),
            status,
            detail,
        });
    }
}

/// A bundled skill as embedded in the binary.
struct Bundled<'a> {
    name: String,
    dir: &'a include_dir::Dir<'a>,
    fm: Frontmatter,
    hash: String,
}

fn bundled_skills(report: &mut SeedReport) -> Vec<Bundled<'static>> {
    let Some(root) = crate::workflow::deploy::ASSETS.get_dir("skills") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for d in root.dirs() {
        let folder = d
            .path()
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(md) = d.get_file(d.path().join("SKILL.md")) else {
            continue;
        };
        let parsed = std::str::from_utf8(md.contents())
            .map_err(|_| Error::invalid("SKILL.md is not UTF-8"))
            .and_then(parse_skill_md);
        let fm = match parsed {
            Ok(p) => p.frontmatter,
            Err(e) => {
                tracing::error!("bundled skill '{folder}': {e}");
                report.push(&folder, SeedStatus::Skipped, Some(e.message));
                continue;
            }
        };
        let name = fm.name.clone().unwrap_or_else(|| folder.clone());
        if let Err(e) = validate_skill_name(&name) {
            tracing::error!("bundled skill '{folder}': {e}");
            report.push(&folder, SeedStatus::Skipped, Some(e.message));
            continue;
        }
        if fm.description.is_none() {
            tracing::error!("bundled skill '{folder}' has no description; skipped");
            report.push(
                &name,
                SeedStatus::Skipped,
                Some("missing_mandatory_fields:description".into()),
            );
            continue;
        }
        out.push(Bundled {
            name,
            dir: d,
            hash: sha256_hex(md.contents()),
            fm,
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Writes an embedded folder into a fresh temp folder in `.staging/`.
fn stage_bundled(app: &App, b: &Bundled<'_>) -> Result<TempFolder> {
    let t = staging_root(app).join(crate::staging::unique_name("seed-"));
    let guard = TempFolder(t.clone());
    fs::create_dir_all(&t).with_path(&t)?;
    crate::workflow::deploy::write_dir(b.dir, &t)?;
    Ok(guard)
}

/// Inserts or refreshes a bundled row; `purpose`, `is_active` and `marketplace_source_url`
/// of an existing row are kept.
fn upsert_bundled_row(
    tx: &Transaction<'_>,
    b: &Bundled<'_>,
    active: bool,
    disk_path: &Path,
    refresh_fields: bool,
) -> Result<()> {
    let fm = &b.fm;
    let disk = path_string(disk_path)?;
    let n = tx.execute(
        "UPDATE workspace_skills SET content_hash = ?2, disk_path = ?3, is_bundled = 1,
            imported_at = ?4 WHERE skill_name = ?1",
        params![b.name, b.hash, disk, BUNDLED_IMPORTED_AT],
    )?;
    if n == 0 {
        tx.execute(
            "INSERT INTO workspace_skills (skill_id, skill_name, description, is_active,
                is_bundled, disk_path, imported_at, purpose, version, model, argument_hint,
                user_invocable, disable_model_invocation, content_hash, marketplace_source_url)
             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, NULL, ?7, ?8, ?9, ?10, ?11, ?12, NULL)",
            params![
                format!("bundled-{}", b.name),
                b.name,
                fm.description,
                active,
                disk,
                BUNDLED_IMPORTED_AT,
                fm.version,
                fm.model,
                fm.argument_hint,
                bool_col(fm.user_invocable),
                bool_col(fm.disable_model_invocation),
                b.hash,
            ],
        )?;
    } else if refresh_fields {
        tx.execute(
            "UPDATE workspace_skills SET description = ?2, version = ?3, model = ?4,
                argument_hint = ?5, user_invocable = ?6, disable_model_invocation = ?7
             WHERE skill_name = ?1",
            params![
                b.name,
                fm.description,
                fm.version,
                fm.model,
                fm.argument_hint,
                bool_col(fm.user_invocable),
                bool_col(fm.disable_model_invocation),
            ],
        )?;
    }
    Ok(())
}

/// Seeds the bundled skills into the skills workspace (called once at start-up by the shell
/// set-up; safe to call any number of times).
///
/// Per bundled skill (`assets/skills/<folder>/`, name = frontmatter `name` or the folder):
///
/// - no row: install it active at `.claude/skills/<name>/` with a row `bundled-<name>`
///   (`is_bundled = 1`, `imported_at = 2000-01-01T00:00:00Z`, purpose NULL,
///   `content_hash` = SHA-256 of the embedded SKILL.md). An untracked folder already there
///   is adopted when its SKILL.md is identical, otherwise kept (the new copy goes to
///   `.bundled-updates/<name>/`).
/// - a bundled row: its folder is where `is_active` says (active or `.inactive/`);
///   `purpose`, `is_active` and `marketplace_source_url` are never changed.
///   - embedded hash = stored hash: nothing to do (`unchanged`), or `modified` when the
///     user edited the deployed SKILL.md; a missing folder is written again (`restored`).
///   - embedded hash ≠ stored hash (the app's version changed; a NULL stored hash from an
///     older database counts as "not modified"): the deployed copy is replaced
///     (`updated`) when its SKILL.md still matches the stored hash; when the user changed it
///     the user's copy is **kept** and the new version written to
///     `.claude/skills/.bundled-updates/<name>/` (`kept_user_copy`, logged, listed in the
///     report); the stored hash then becomes the new version's so this happens once.
/// - a user (non-bundled) row with the same name is never taken over (`conflict`).
/// - bundled rows the app no longer ships: removed when unmodified, otherwise turned into
///   ordinary skills the user can delete (`released`).
///
/// Only SKILL.md is hashed (the stored `content_hash` is the SKILL.md hash everywhere), so a
/// change limited to other files of a bundled skill neither triggers re-seeding nor counts
/// as a user modification.
pub fn seed_bundled_skills(app: &App) -> Result<SeedReport> {
    let mut report = SeedReport::default();
    let bundled = bundled_skills(&mut report);
    for b in &bundled {
        if let Err(e) = seed_one(app, b, &mut report) {
            tracing::error!("seeding bundled skill '{}' failed: {e}", b.name);
            report.push(&b.name, SeedStatus::Skipped, Some(e.message));
        }
    }
    let shipped: BTreeSet<&str> = bundled.iter().map(|b| b.name.as_str()).collect();
    let rows: Vec<Row> = {
        let conn = app.db.conn();
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLS} FROM workspace_skills WHERE is_bundled = 1"
        ))?;
        let rows = stmt.query_map([], read_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let skipped: BTreeSet<String> = report
        .outcomes
        .iter()
        .filter(|o| o.status == SeedStatus::Skipped)
        .map(|o| o.name.clone())
        .collect();
    for r in rows {
        let name = r.skill.skill_name.clone();
        if shipped.contains(name.as_str()) || skipped.contains(&name) {
            continue;
        }
        if let Err(e) = prune_one(app, &r, &mut report) {
            tracing::error!("removing the retired bundled skill '{name}' failed: {e}");
            report.push(&name, SeedStatus::Skipped, Some(e.message));
        }
    }
    if report.changed() {
        refresh_claude_md(app);
    }
    for o in &report.outcomes {
        if o.status == SeedStatus::KeptUserCopy {
            tracing::warn!(
                "bundled skill '{}': {}",
                o.name,
                o.detail.as_deref().unwrap_or_default()
            );
        }
    }
    Ok(report)
}

fn seed_one(app: &App, b: &Bundled<'_>, report: &mut SeedReport) -> Result<()> {
    let name = b.name.as_str();
    let row = find_by_name(app, name)?;
    if let Some(r) = &row {
        if !r.skill.is_bundled {
            let msg = format!(
                "a workspace skill named '{name}' ({}) is not the bundled one; it is left alone and the bundled skill is not installed",
                r.skill.skill_id
            );
            tracing::warn!("{msg}");
            report.push(name, SeedStatus::Conflict, Some(msg));
            return Ok(());
        }
    }
    let active = row.as_ref().map(|r| r.skill.is_active).unwrap_or(true);
    let dest = skill_location(app, name, active);
    let stored = row.as_ref().and_then(|r| r.content_hash.clone());

    if row.is_none() {
        // First seeding.
        let (existing, ex_active) = if present(&dest) {
            (Some(dest.clone()), true)
        } else {
            let other = skill_location(app, name, false);
            (present(&other).then_some(other), false)
        };
        return match existing {
            Some(ex) if hash_of_skill_md(&ex).as_deref() == Some(b.hash.as_str()) => {
                write_with_moves(app, |tx, _| upsert_bundled_row(tx, b, ex_active, &ex, true))?;
                report.push(
                    name,
                    SeedStatus::Installed,
                    Some("adopted the identical folder already deployed".into()),
                );
                Ok(())
            }
            Some(ex) => {
                let upd = write_bundled_update(app, b)?;
                write_with_moves(app, |tx, _| upsert_bundled_row(tx, b, ex_active, &ex, true))?;
                report.push(
                    name,
                    SeedStatus::KeptUserCopy,
                    Some(format!(
                        "a different folder already existed at {}; it was kept and the bundled version written to {}",
                        ex.display(),
                        upd.display()
                    )),
                );
                Ok(())
            }
            None => {
                let staged = stage_bundled(app, b)?;
                write_with_moves(app, |tx, moves| {
                    place_bundled(moves, &staged, name, &dest, false)?;
                    upsert_bundled_row(tx, b, true, &dest, true)
                })?;
                report.push(name, SeedStatus::Installed, None);
                Ok(())
            }
        };
    }

    let disk = hash_of_skill_md(&dest);
    if !present(&dest) {
        let staged = stage_bundled(app, b)?;
        write_with_moves(app, |tx, moves| {
            place_bundled(moves, &staged, name, &dest, false)?;
            upsert_bundled_row(tx, b, active, &dest, true)
        })?;
        report.push(name, SeedStatus::Restored, None);
        return Ok(());
    }
    if stored.as_deref() == Some(b.hash.as_str()) {
        if disk.as_deref() == Some(b.hash.as_str()) {
            report.push(name, SeedStatus::Unchanged, None);
        } else {
            report.push(
                name,
                SeedStatus::Modified,
                Some(format!(
                    "the deployed copy at {} was changed by the user; kept",
                    dest.display()
                )),
            );
        }
        return Ok(());
    }
    // The app's version differs from what was deployed.
    if disk.as_deref() == Some(b.hash.as_str()) {
        write_with_moves(app, |tx, _| upsert_bundled_row(tx, b, active, &dest, true))?;
        report.push(
            name,
            SeedStatus::Updated,
            Some("the deployed copy already matched".into()),
        );
        return Ok(());
    }
    let user_modified = stored.is_some() && disk != stored;
    if user_modified {
        let upd = write_bundled_update(app, b)?;
        write_with_moves(app, |tx, _| upsert_bundled_row(tx, b, active, &dest, false))?;
        report.push(
            name,
            SeedStatus::KeptUserCopy,
            Some(format!(
                "the deployed copy at {} was changed by the user and was kept; the new bundled version is in {}",
                dest.display(),
                upd.display()
            )),
        );
        return Ok(());
    }
    let staged = stage_bundled(app, b)?;
    write_with_moves(app, |tx, moves| {
        place_bundled(moves, &staged, name, &dest, true)?;
        upsert_bundled_row(tx, b, active, &dest, true)
    })?;
    report.push(name, SeedStatus::Updated, None);
    Ok(())
}

/// Writes the embedded skill to `.bundled-updates/<name>/` (replacing an older one there).
fn write_bundled_update(app: &App, b: &Bundled<'_>) -> Result<PathBuf> {
    let target = bundled_updates_root(app).join(&b.name);
    let staged = stage_bundled(app, b)?;
    let mut moves = FolderMoves::new(staging_root(app));
    if let Err(e) = place_bundled(&mut moves, &staged, &b.name, &target, true) {
        moves.undo();
        return Err(e);
    }
    moves.keep();
    Ok(target)
}

/// Places a staged bundled skill at `dest`; a folder there is set aside when `replace`.
fn place_bundled(
    moves: &mut FolderMoves,
    staged: &TempFolder,
    name: &str,
    dest: &Path,
    replace: bool,
) -> Result<()> {
    let meta = PlaceMeta {
        name,
        dest,
        replace,
    };
    place_skill_folder(moves, &staged.0, &meta)
}

fn prune_one(app: &App, r: &Row, report: &mut SeedReport) -> Result<()> {
    let name = r.skill.skill_name.clone();
    if !is_valid_skill_name(&name) {
        app.db.write(|tx| {
            tx.execute(
                "UPDATE workspace_skills SET is_bundled = 0 WHERE skill_id = ?1",
                [&r.skill.skill_id],
            )?;
            Ok(())
        })?;
        report.push(
            &name,
            SeedStatus::Released,
            Some("no longer shipped".into()),
        );
        return Ok(());
    }
    let dirs: Vec<PathBuf> = [true, false]
        .into_iter()
        .map(|a| skill_location(app, &name, a))
        .filter(|d| present(d))
        .collect();
    let modified = dirs.iter().any(|d| {
        let h = hash_of_skill_md(d);
        r.content_hash.is_none() || h != r.content_hash
    });
    if modified {
        app.db.write(|tx| {
            tx.execute(
                "UPDATE workspace_skills SET is_bundled = 0 WHERE skill_id = ?1",
                [&r.skill.skill_id],
            )?;
            Ok(())
        })?;
        report.push(
            &name,
            SeedStatus::Released,
            Some(
                "no longer shipped with the app; the changed copy was kept as an ordinary skill"
                    .into(),
            ),
        );
        return Ok(());
    }
    write_with_moves(app, |tx, moves| {
        for d in &dirs {
            moves.set_aside(d)?;
        }
        tx.execute(
            "DELETE FROM workspace_skills WHERE skill_id = ?1",
            [&r.skill.skill_id],
        )?;
        Ok(())
    })?;
    report.push(&name, SeedStatus::Removed, None);
    Ok(())
}
