//! `get_skill_content` and `export_skill` (through the one ZIP writer, [`crate::skill_zip`]).

use super::{checked_name, find_by_name, skill_location, skills_root, Row};
use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::paths::path_string;
use crate::skill_zip::ZipEntry;
use serde::Deserialize;
use std::fs;
use std::path::{Path, PathBuf};

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
