//! Placing a skill into the Skills Library, shared by the GitHub import and the ZIP upload:
//! ownership rules, the folder swap ([`crate::placing`]), the `skills` and `imported_skills`
//! rows, the history commit and the auto-sync of installs.

use super::fetch::{same_files, STAGING};
use super::{empty_none, millis, ImportStatus, SkillMetadataOverride};
use crate::app::App;
use crate::db::imports_store::{self, ImportedRow};
use crate::db::skills_store::{self, NewSkill};
use crate::error::{Error, Result};
use crate::ingest::frontmatter::Frontmatter;
use crate::paths::path_string;
use crate::placing::{place_skill_folder, FolderMoves, PlaceMeta};
use crate::skill_meta::SkillMeta;
use rusqlite::OptionalExtension;
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LibRow {
    // skills (master)
    pub(crate) purpose: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) meta: SkillMeta,
    // imported_skills
    pub(crate) skill_id: String,
    pub(crate) is_active: bool,
    pub(crate) is_bundled: bool,
    pub(crate) disk_path: String,
    pub(crate) imported_at: String,
    pub(crate) content_hash: Option<String>,
    pub(crate) marketplace_source_url: Option<String>,
}

struct LibExisting {
    master: Option<(i64, String)>, // (id, skill_source)
    row: Option<LibRow>,
}

fn lib_find(app: &App, name: &str) -> Result<LibExisting> {
    let conn = app.db.conn();
    let master: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, skill_source FROM skills WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let row = conn
        .query_row(
            "SELECT s.purpose, s.description, i.version, i.model, i.argument_hint,
                    i.user_invocable, i.disable_model_invocation, i.skill_id, i.is_active,
                    i.is_bundled, i.disk_path, i.imported_at, i.content_hash,
                    i.marketplace_source_url
             FROM imported_skills i LEFT JOIN skills s ON s.name = i.skill_name
             WHERE i.skill_name = ?1",
            [name],
            |r| {
                Ok(LibRow {
                    purpose: r.get(0)?,
                    description: r.get(1)?,
                    meta: SkillMeta {
                        version: r.get(2)?,
                        model: r.get(3)?,
                        argument_hint: r.get(4)?,
                        user_invocable: r.get(5)?,
                        disable_model_invocation: r.get(6)?,
                    },
                    skill_id: r.get(7)?,
                    is_active: r.get(8)?,
                    is_bundled: r.get(9)?,
                    disk_path: r.get(10)?,
                    imported_at: r.get(11)?,
                    content_hash: r.get(12)?,
                    marketplace_source_url: r.get(13)?,
                })
            },
        )
        .optional()?;
    Ok(LibExisting { master, row })
}

/// Where a library skill came from: its `skills.skill_source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LibrarySource {
    /// A GitHub repository or marketplace.
    Marketplace,
    /// A ZIP uploaded by the user.
    Imported,
}

impl LibrarySource {
    fn as_str(self) -> &'static str {
        match self {
            LibrarySource::Marketplace => "marketplace",
            LibrarySource::Imported => "imported",
        }
    }
}

/// The Skills Library's rows of one skill, read before placing it.
pub(crate) struct LibraryExisting(LibExisting);

/// Ownership (defect 5): a library skill of another source, or a folder without a library
/// row, is never replaced by an import. Returns what is there now.
pub(crate) fn library_owner_check(
    app: &App,
    root: &Path,
    name: &str,
    source: LibrarySource,
) -> Result<LibraryExisting> {
    let existing = lib_find(app, name)?;
    let dest = root.join(name);
    match &existing.master {
        Some((_, src)) if src != source.as_str() => Err(Error::conflict(format!(
            "Skill '{name}' already exists in the library as a '{src}' skill; an import never replaces it. Rename or delete that skill first, or import under another name"
        ))),
        None if dest.exists() => Err(Error::conflict(format!(
            "A folder '{}' exists that is not a library skill; remove it or rename the skill",
            dest.display()
        ))),
        _ => Ok(LibraryExisting(existing)),
    }
}

/// A skill whose files are ready in a staging folder under the library root.
pub(crate) struct LibraryCandidate<'a> {
    pub name: &'a str,
    /// The folder holding the skill's files; renamed to `<root>/<name>`.
    pub staged: &'a Path,
    pub fm: &'a Frontmatter,
    /// SHA-256 of the SKILL.md as placed (the customisation baseline).
    pub skill_md_hash: String,
    pub source: LibrarySource,
    pub source_url: Option<&'a str>,
    pub overrides: Option<&'a SkillMetadataOverride>,
    pub commit_message: String,
}

/// What placing a skill did, and the `imported_skills` row it now has.
pub(crate) struct PlacedInLibrary {
    pub status: ImportStatus,
    pub row: LibRow,
}

/// Moves `c.staged` to `<root>/<name>` and writes the `skills` and `imported_skills` rows
/// in one transaction (a DB failure puts the previous folder back). Identical files and rows
/// are `skipped` (nothing changes); otherwise the change is committed to the skill's history
/// and its installs into agents are synced when the setting says so.
pub(crate) fn place_in_library(
    app: &App,
    root: &Path,
    existing: LibraryExisting,
    c: &LibraryCandidate<'_>,
) -> Result<PlacedInLibrary> {
    let existing = existing.0;
    let name = c.name;
    let dest = root.join(name);
    let fm = c.fm;
    let ov = c.overrides;
    let ex = existing.row.as_ref();
    let pick = |new: &Option<String>, old: Option<&Option<String>>| -> Option<String> {
        empty_none(new.clone()).or_else(|| old.cloned().flatten())
    };
    let row = LibRow {
        purpose: ov
            .and_then(|o| empty_none(o.purpose.clone()))
            .or_else(|| ex.and_then(|e| e.purpose.clone()))
            .or_else(|| Some("domain".into())),
        description: pick(&fm.description, ex.map(|e| &e.description)),
        meta: SkillMeta {
            version: empty_none(fm.version.clone()),
            model: if ov
                .and_then(|o| o.meta.model.as_deref())
                .is_some_and(|m| m.trim().is_empty())
            {
                None
            } else {
                pick(&fm.model, ex.map(|e| &e.meta.model))
            },
            argument_hint: pick(&fm.argument_hint, ex.map(|e| &e.meta.argument_hint)),
            user_invocable: fm.user_invocable.or(ex.and_then(|e| e.meta.user_invocable)),
            disable_model_invocation: fm
                .disable_model_invocation
                .or(ex.and_then(|e| e.meta.disable_model_invocation)),
        },
        skill_id: ex
            .map(|e| e.skill_id.clone())
            .unwrap_or_else(|| format!("imp-{name}-{}", millis())),
        is_active: ex.map(|e| e.is_active).unwrap_or(true),
        is_bundled: ex.map(|e| e.is_bundled).unwrap_or(false),
        disk_path: path_string(&dest)?,
        imported_at: ex
            .map(|e| e.imported_at.clone())
            .unwrap_or_else(crate::db::now),
        content_hash: Some(c.skill_md_hash.clone()),
        marketplace_source_url: c.source_url.map(str::to_string),
    };
    let files_same = dest.exists() && same_files(c.staged, &dest);
    if files_same && existing.master.is_some() && ex == Some(&row) {
        return Ok(PlacedInLibrary {
            status: ImportStatus::Skipped,
            row,
        });
    }
    let mut moves = FolderMoves::new(root.join(STAGING));
    if !files_same {
        let meta = PlaceMeta {
            name,
            dest: &dest,
            replace: existing.master.is_some(),
        };
        place_skill_folder(&mut moves, c.staged, &meta)?;
    }
    let db = write_library_rows(app, name, c.source, existing.master.as_ref(), &row);
    if let Err(e) = db {
        moves.undo();
        return Err(e);
    }
    moves.keep();
    if !files_same {
        crate::history::commit_skill(app, name, &c.commit_message);
        crate::installs::after_library_change(app, name);
    }
    let status = if existing.master.is_some() {
        ImportStatus::Updated
    } else {
        ImportStatus::Imported
    };
    Ok(PlacedInLibrary { status, row })
}

/// Upserts the `skills` (master) and `imported_skills` rows of a placed library skill.
fn write_library_rows(
    app: &App,
    name: &str,
    source: LibrarySource,
    master: Option<&(i64, String)>,
    row: &LibRow,
) -> Result<()> {
    app.db.write(|tx| {
        let master_id: i64 = match master {
            Some((id, _)) => {
                skills_store::replace_metadata(
                    tx,
                    *id,
                    row.purpose.as_deref(),
                    row.description.as_deref(),
                    &row.meta,
                    &crate::db::now(),
                )?;
                *id
            }
            None => skills_store::insert(
                tx,
                &NewSkill {
                    name,
                    skill_source: source.as_str(),
                    purpose: row.purpose.as_deref(),
                    description: row.description.as_deref(),
                    meta: &row.meta,
                    created_at: None,
                },
            )?,
        };
        imports_store::upsert_library_import(
            tx,
            &ImportedRow {
                skill_id: &row.skill_id,
                skill_name: name,
                is_active: row.is_active,
                disk_path: &row.disk_path,
                imported_at: &row.imported_at,
                is_bundled: row.is_bundled,
                purpose: row.purpose.as_deref(),
                meta: &row.meta,
                skill_master_id: master_id,
                content_hash: row.content_hash.as_deref(),
                marketplace_source_url: row.marketplace_source_url.as_deref(),
            },
        )?;
        Ok(())
    })
}
