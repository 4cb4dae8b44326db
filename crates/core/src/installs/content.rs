//! What an install holds and how it is compared: the skill's deployable files (the one walker,
//! `safe_fs::deployable_files`) and one hash over their relative paths and bytes.

use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::hashing::sha256_hex;
use crate::ingest::names::validate_skill_name;
use crate::safe_fs;
use std::path::{Path, PathBuf};

/// Top-level folders a skill keeps to itself (architecture.md "Deployable files"). An
/// installed copy that has one was changed by hand: the app never writes them there.
const NEVER_INSTALLED_TOP: [&str; 3] = ["context", "evals", "logs"];

/// The library folder of `skill`: inside the skills folder (a link out of it is refused) and
/// with a `SKILL.md`, since an agent ignores a folder without one.
pub fn library_dir(app: &App, skill: &str) -> Result<PathBuf> {
    validate_skill_name(skill)?;
    let root = app.skills_path();
    let dir = root.join(skill);
    if std::fs::symlink_metadata(&dir).is_err() {
        return Err(Error::not_found(format!(
            "skill '{skill}' is not in the library; build or import it first \
             (`skill-builder list` shows the library)"
        )));
    }
    let dir = safe_fs::guarded_dir(&root, &dir)?;
    if !safe_fs::is_real_file(&dir.join("SKILL.md")) {
        return Err(Error::not_found(format!(
            "skill '{skill}' has no SKILL.md yet, so no agent could load it; finish its build first"
        )));
    }
    Ok(dir)
}

/// SHA-256 over each deployable file's `/`-separated relative path and the SHA-256 of its
/// bytes, in path order: equal hashes mean the same files with the same content.
pub fn content_hash(dir: &Path, files: &[PathBuf]) -> Result<String> {
    let mut manifest = String::new();
    for rel in files {
        let p = dir.join(rel);
        let bytes = std::fs::read(&p).with_path(&p)?;
        manifest.push_str(&safe_fs::slash_path(rel));
        manifest.push('\0');
        manifest.push_str(&sha256_hex(&bytes));
        manifest.push('\n');
    }
    Ok(sha256_hex(manifest.as_bytes()))
}

/// The hash of what an install of `dir` would hold.
pub fn deployable_hash(dir: &Path) -> Result<String> {
    let d = safe_fs::deployable_files(dir)?;
    content_hash(dir, &d.files)
}

/// What is on disk where an install was (or would be) written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnDisk {
    /// Nothing there.
    Missing,
    /// A file or a symbolic link: not something the app writes.
    NotAFolder,
    /// A real folder; `extras` when it holds what an install never has (links, `context/`,
    /// `evals/`, `logs/`), which no hash of deployable files would show.
    Folder { hash: String, extras: bool },
}

impl OnDisk {
    /// Whether this is exactly what the app recorded writing (`recorded` hash).
    pub fn matches(&self, recorded: &str) -> bool {
        matches!(self, OnDisk::Folder { hash, extras: false } if hash == recorded)
    }
}

/// Looks at `folder` without following links. Junk (`.DS_Store`, `__pycache__`…) is ignored,
/// so a file manager or an interpreter touching the copy does not count as a change.
pub fn on_disk(folder: &Path) -> Result<OnDisk> {
    let meta = match std::fs::symlink_metadata(folder) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(OnDisk::Missing),
        Err(e) => return Err(Error::from(e).context(folder.display())),
    };
    if !meta.file_type().is_dir() {
        return Ok(OnDisk::NotAFolder);
    }
    let d = safe_fs::deployable_files(folder)?;
    let extras = !d.skipped_links.is_empty()
        || NEVER_INSTALLED_TOP
            .iter()
            .any(|t| std::fs::symlink_metadata(folder.join(t)).is_ok());
    Ok(OnDisk::Folder {
        hash: content_hash(folder, &d.files)?,
        extras,
    })
}

/// Copies the deployable files of `src` into the empty folder `dest`, keeping modes (the
/// executable bit of `scripts/`). Returns the hash of what was written.
pub fn copy_deployable(src: &Path, dest: &Path) -> Result<String> {
    let d = safe_fs::deployable_files(src)?;
    for rel in &d.files {
        let to = dest.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).with_path(parent)?;
        }
        let from = src.join(rel);
        std::fs::copy(&from, &to).with_path(&from)?;
    }
    // Hashed from the copy, so the record describes what is there even if the library
    // changed while it was copied.
    content_hash(dest, &d.files)
}
