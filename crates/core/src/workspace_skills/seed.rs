//! Seeding the bundled skills into the skills workspace ([`seed_bundled_skills`]).

use super::{
    bundled_updates_root, find_by_name, hash_of_skill_md, present, read_row, refresh_claude_md,
    skill_location, staging_root, write_with_moves, Row, TempFolder, BUNDLED_IMPORTED_AT, COLS,
};
use crate::app::App;
use crate::db::imports_store::{self, WorkspaceRow};
use crate::error::{Error, IoContext, Result};
use crate::hashing::sha256_hex;
use crate::ingest::frontmatter::{parse_skill_md, Frontmatter};
use crate::ingest::names::{is_valid_skill_name, validate_skill_name};
use crate::paths::path_string;
use crate::placing::{place_skill_folder, FolderMoves, PlaceMeta};
use crate::skill_meta::SkillMeta;
use rusqlite::Transaction;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

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
    let meta = SkillMeta {
        version: fm.version.clone(),
        model: fm.model.clone(),
        argument_hint: fm.argument_hint.clone(),
        user_invocable: fm.user_invocable,
        disable_model_invocation: fm.disable_model_invocation,
    };
    let disk = path_string(disk_path)?;
    let n = imports_store::refresh_bundled(tx, &b.name, &b.hash, &disk, BUNDLED_IMPORTED_AT)?;
    if n == 0 {
        imports_store::insert_workspace(
            tx,
            &WorkspaceRow {
                skill_id: &format!("bundled-{}", b.name),
                skill_name: &b.name,
                description: fm.description.as_deref(),
                is_active: active,
                is_bundled: true,
                disk_path: &disk,
                imported_at: BUNDLED_IMPORTED_AT,
                purpose: None,
                meta: &meta,
                content_hash: Some(&b.hash),
                marketplace_source_url: None,
            },
        )?;
    } else if refresh_fields {
        imports_store::set_workspace_metadata(tx, &b.name, fm.description.as_deref(), &meta)?;
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
        app.db
            .write(|tx| imports_store::release_bundled(tx, &r.skill.skill_id))?;
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
        app.db
            .write(|tx| imports_store::release_bundled(tx, &r.skill.skill_id))?;
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
        imports_store::delete_workspace(tx, &r.skill.skill_id)
    })?;
    report.push(&name, SeedStatus::Removed, None);
    Ok(())
}
