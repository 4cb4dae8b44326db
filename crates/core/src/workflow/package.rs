//! Packaging a finished skill as a `.skill` ZIP in the exports folder.

use super::run::p;
use super::state::{skill_dir, SkillArgs};
use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::ingest::names::validate_skill_name;
use crate::safe_fs;
use crate::skill_zip::ZipEntry;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackageResult {
    pub file_path: String,
    pub size_bytes: u64,
    /// Beyond the reference: symbolic links of the skill folder left out of the package
    /// (relative, `/`-separated). Links are never packed.
    #[serde(default)]
    pub skipped: Vec<String>,
}

/// Writes `<data dir>/exports/<skill>.skill`: SKILL.md at the root plus the skill's other
/// deployable files ([`safe_fs::deployable_files`]). Symbolic links are never packed: they are
/// listed in `skipped`, and a skill folder or SKILL.md that is a link is refused.
pub fn package_skill(app: &App, a: SkillArgs) -> Result<PackageResult> {
    validate_skill_name(&a.skill_name)?;
    let dir = skill_dir(app, &a.skill_name);
    if std::fs::symlink_metadata(dir.join("SKILL.md")).is_err() {
        return Err(Error::not_found(format!(
            "{} has no SKILL.md yet; finish step 3 (Generate Skill) first",
            dir.display()
        )));
    }
    let real = safe_fs::guarded_dir(&app.skills_path(), &dir)?;
    let skill_md = real.join("SKILL.md");
    safe_fs::refuse_symlink(&skill_md, &format!("package the skill '{}'", a.skill_name))?;
    if !safe_fs::is_real_file(&skill_md) {
        return Err(Error::not_found(format!(
            "{} is not a file; finish step 3 (Generate Skill) first",
            skill_md.display()
        )));
    }
    let found = safe_fs::deployable_files(&real)?;
    let skipped: Vec<String> = found
        .skipped_links
        .iter()
        .map(|p| safe_fs::slash_path(p))
        .collect();
    for link in &skipped {
        tracing::warn!(
            "package of {}: skipping the symbolic link {link} (links are never packed)",
            a.skill_name
        );
    }
    let exports = app.paths.exports_dir();
    std::fs::create_dir_all(&exports).with_path(&exports)?;
    let dest = exports.join(format!("{}.skill", a.skill_name));
    let tmp = exports.join(format!(".{}.skill.{}", a.skill_name, uuid::Uuid::new_v4()));
    let res = write_package(&real, &found.files, &tmp)
        .and_then(|_| std::fs::rename(&tmp, &dest).with_path(&dest));
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let size_bytes = std::fs::metadata(&dest).with_path(&dest)?.len();
    Ok(PackageResult {
        file_path: p(&dest),
        size_bytes,
        skipped,
    })
}

/// `files` (relative to `skill_dir`) into a ZIP at `dest`, SKILL.md first, through the one
/// ZIP writer (which never reads through a link).
fn write_package(skill_dir: &Path, files: &[PathBuf], dest: &Path) -> Result<()> {
    let skill_md = Path::new("SKILL.md");
    let entries: Vec<ZipEntry> = std::iter::once(skill_md)
        .chain(
            files
                .iter()
                .map(PathBuf::as_path)
                .filter(|f| *f != skill_md),
        )
        .map(ZipEntry::file)
        .collect();
    crate::skill_zip::write_zip(skill_dir, None, &entries, dest)
}
