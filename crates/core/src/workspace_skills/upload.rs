//! `upload_skill`: a skill ZIP into the skills workspace or the Skills Library.

use super::{
    present, refresh_claude_md, skill_location, staging_root, write_with_moves, TempFolder,
    WorkspaceSkill,
};
use crate::app::App;
use crate::db::imports_store::{self, WorkspaceRow};
use crate::error::{Error, IoContext, Result};
use crate::hashing::sha256_hex;
use crate::ingest::frontmatter::Frontmatter;
use crate::ingest::lint::{lint_skill_dir, LintMode};
use crate::ingest::names::validate_skill_name;
use crate::ingest::zip_extract::{extract_skill_zip_with_name, ZipLimits};
use crate::paths::path_string;
use crate::placing::{place_skill_folder, PlaceMeta};
use crate::skill_meta::SkillMeta;
use rusqlite::OptionalExtension;
use serde::Deserialize;
use std::fs;
use std::path::{Path, PathBuf};

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
        meta: SkillMeta {
            version: fm.version.clone(),
            model: fm.model.clone(),
            argument_hint: fm.argument_hint.clone(),
            user_invocable: fm.user_invocable,
            disable_model_invocation: fm.disable_model_invocation,
        },
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
        imports_store::insert_workspace(
            tx,
            &WorkspaceRow {
                skill_id: &skill.skill_id,
                skill_name: &skill.skill_name,
                description: skill.description.as_deref(),
                is_active: true,
                is_bundled: false,
                disk_path: &skill.disk_path,
                imported_at: &skill.imported_at,
                purpose: None,
                meta: &skill.meta,
                content_hash: Some(&hash),
                marketplace_source_url: None,
            },
        )
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
        meta: r.meta,
        marketplace_source_url: r.marketplace_source_url,
        warnings: import_warnings(&dest, &x.frontmatter),
    })
}
