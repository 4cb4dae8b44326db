//! File I/O commands (commands.md › Files, ingestion.md §7). Every path goes through the one
//! path guard of [`crate::path_guard`]; nothing here touches a path the guard did not return.
//!
//! Allowed roots ([`app_roots`]): the workspace, the skills path, the data dir (which holds
//! the exports folder) and `<temp>/skill-builder-attachments`.
//!
//! Decisions:
//! - `copy_file` is the UI's "save as…" after a save dialog, so its `dest` may also be under
//!   the user's home directory (besides the app roots). `src` must be inside the app roots.
//!   The home directory is never accepted when it is `/` (or otherwise has no parent), and a
//!   dest outside the app roots must end in `.zip` or `.skill` (the export formats, as in
//!   ingestion.md §7.2), so the command cannot overwrite `~/.bashrc` or `~/.ssh/…`.
//! - Writes are atomic: a temporary file is written in the target's folder, flushed, and
//!   renamed over the target, so a failure leaves the old file intact. They never follow a
//!   final-component symlink, are capped at 10 MiB, and refuse the app's own files: the
//!   database (with its `-wal`/`-shm`/`-journal`), the log folder, and the skills repository's
//!   `.git/` folder (its history is changed only by the app's git commands).
//! - A path that ends in `/` names a folder: the file commands refuse it (`read_file("a.md/")`
//!   would otherwise read `a.md`).
//! - `list_skill_files` reports symlinks (with `is_symlink: true`, an extra field) without
//!   following them; their `absolute_path` is the link itself, never its target. The skill
//!   name there is checked for separators and `..` only (not the full kebab-case rule), so
//!   skills made by older versions with other names can still be listed.
//! - `read_file` is capped at 5 MiB and must be UTF-8.

use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::path_guard::{self, Intent};
use crate::paths::path_string;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Largest file `read_file` and `read_file_as_base64` return (5 MiB).
pub const MAX_READ_BYTES: u64 = 5 * 1024 * 1024;
/// Largest content a write command accepts (10 MiB).
pub const MAX_WRITE_BYTES: usize = 10 * 1024 * 1024;

/// `<temp dir>/skill-builder-attachments`, where `write_base64_to_temp_file` writes.
pub fn attachments_dir() -> PathBuf {
    std::env::temp_dir().join("skill-builder-attachments")
}

/// The roots every file command is confined to. The attachments folder (in the shared temp
/// dir) is included only while it does not exist or is a real folder owned by this user, so
/// another local user cannot redirect it with a symlink.
pub fn app_roots(app: &App) -> Vec<PathBuf> {
    let mut roots = vec![
        app.workspace_path(),
        app.skills_path(),
        app.paths.data_dir.clone(),
    ];
    let att = attachments_dir();
    if attachments_dir_trusted(&att) {
        roots.push(att);
    }
    roots
}

fn attachments_dir_trusted(dir: &Path) -> bool {
    match std::fs::symlink_metadata(dir) {
        Err(_) => true,
        Ok(m) if !m.is_dir() => false,
        Ok(_m) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::MetadataExt;
                // SAFETY: geteuid has no preconditions and cannot fail.
                _m.uid() == unsafe { libc::geteuid() }
            }
            #[cfg(not(unix))]
            true
        }
    }
}

/// Creates the attachments folder (private to the user on Unix) and checks it is trusted.
fn ensure_attachments_dir() -> Result<PathBuf> {
    let dir = attachments_dir();
    if std::fs::symlink_metadata(&dir).is_err() {
        let mut b = std::fs::DirBuilder::new();
        b.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
        b.create(&dir).with_path(&dir)?;
    }
    if !attachments_dir_trusted(&dir) {
        return Err(Error::io(format!(
            "{} is not a folder owned by this user; remove it and try again",
            dir.display()
        )));
    }
    Ok(dir)
}

fn guard_app(app: &App, path: &str, intent: Intent) -> Result<PathBuf> {
    refuse_trailing_separator(path)?;
    let p = path_guard::guard(path, &app_roots(app), intent)?;
    if intent == Intent::Write {
        refuse_app_files(app, &p)?;
    }
    Ok(p)
}

/// A trailing separator names a folder; the file commands take files only.
fn refuse_trailing_separator(path: &str) -> Result<()> {
    let trailing = path.ends_with('/') || (cfg!(windows) && path.ends_with('\\'));
    if trailing && path.len() > 1 {
        return Err(Error::invalid(format!(
            "{path:?} ends with a path separator, so it names a folder, not a file; remove the trailing separator"
        )));
    }
    Ok(())
}

/// Files the app alone writes: its database, its logs, and the skills repository's history.
fn refuse_app_files(app: &App, target: &Path) -> Result<()> {
    refuse_database(app, target)?;
    let logs = app.paths.log_dir();
    let logs = path_guard::resolve(&logs).unwrap_or(logs);
    if target.starts_with(&logs) {
        return Err(Error::invalid(format!(
            "refusing to write {}: it is in the app's log folder {}, which only the app writes",
            target.display(),
            logs.display()
        )));
    }
    let skills = app.skills_path();
    let skills = path_guard::resolve(&skills).unwrap_or(skills);
    let in_git = target.strip_prefix(&skills).ok().and_then(|rel| {
        rel.components()
            .next()
            .map(|c| c.as_os_str().eq_ignore_ascii_case(".git"))
    });
    if in_git == Some(true) {
        return Err(Error::invalid(format!(
            "refusing to write {}: it is in the skills repository's .git folder, which only the \
             app's history commands change",
            target.display()
        )));
    }
    Ok(())
}

/// The SQLite database (and its journal files) must not be replaced by a file command.
fn refuse_database(app: &App, target: &Path) -> Result<()> {
    let db = app.paths.db_file();
    let db = path_guard::resolve(&db).unwrap_or(db);
    let name = db.file_name().map(|n| n.to_string_lossy().into_owned());
    let same_dir = target.parent() == db.parent();
    let t = target.file_name().map(|n| n.to_string_lossy().into_owned());
    if let (true, Some(name), Some(t)) = (same_dir, name, t) {
        if [
            name.clone(),
            format!("{name}-wal"),
            format!("{name}-shm"),
            format!("{name}-journal"),
        ]
        .contains(&t)
        {
            return Err(Error::invalid(format!(
                "refusing to overwrite the app database: {}",
                target.display()
            )));
        }
    }
    Ok(())
}

fn check_write_size(len: usize, path: &str) -> Result<()> {
    if len > MAX_WRITE_BYTES {
        return Err(Error::invalid(format!(
            "content exceeds the 10 MB write limit ({len} bytes) for {path}"
        )));
    }
    Ok(())
}

/// Writes `bytes` to `target` atomically: a temporary sibling is written and renamed over the
/// target. `target` must come from the path guard (its parent must exist).
pub(crate) fn atomic_write(target: &Path, bytes: &[u8]) -> Result<()> {
    let dir = target
        .parent()
        .ok_or_else(|| Error::invalid(format!("cannot write to {}", target.display())))?;
    let name = target
        .file_name()
        .ok_or_else(|| Error::invalid(format!("cannot write to {}", target.display())))?;
    if target.is_dir() {
        return Err(Error::invalid(format!(
            "{} is a folder, not a file",
            target.display()
        )));
    }
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        uuid::Uuid::new_v4().simple()
    ));
    let result = (|| -> Result<()> {
        // create_new = O_EXCL: never follows or reuses an existing entry.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .with_path(&tmp)?;
        f.write_all(bytes).with_path(&tmp)?;
        f.sync_all().with_path(&tmp)?;
        if let Ok(m) = std::fs::symlink_metadata(target) {
            if m.is_file() {
                // keep the replaced file's permissions (best effort)
                let _ = std::fs::set_permissions(&tmp, m.permissions());
            }
        }
        std::fs::rename(&tmp, target).with_path(target)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Reads at most `limit` bytes; more is an error naming the path.
fn read_capped(path: &Path, limit: u64, too_big: impl Fn(u64) -> Error) -> Result<Vec<u8>> {
    let meta = std::fs::metadata(path).with_path(path)?;
    if meta.is_dir() {
        return Err(Error::invalid(format!(
            "{} is a folder, not a file",
            path.display()
        )));
    }
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let f = std::fs::File::open(path).with_path(path)?;
    let mut buf = Vec::with_capacity(meta.len() as usize);
    f.take(limit + 1).read_to_end(&mut buf).with_path(path)?;
    if buf.len() as u64 > limit {
        return Err(too_big(buf.len() as u64));
    }
    Ok(buf)
}

// ---------------------------------------------------------------------------------------------
// Commands

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SaveRawFileArgs {
    pub file_path: String,
    pub content: String,
}

/// `save_raw_file`: writes the text at the path; the parent folder must exist.
pub fn save_raw_file(app: &App, a: SaveRawFileArgs) -> Result<()> {
    check_write_size(a.content.len(), &a.file_path)?;
    let target = guard_app(app, &a.file_path, Intent::Write)?;
    match target.parent() {
        Some(parent) if parent.is_dir() => {}
        _ => {
            return Err(Error::not_found(format!(
                "the folder of {} does not exist",
                a.file_path
            )))
        }
    }
    atomic_write(&target, a.content.as_bytes())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListSkillFilesArgs {
    #[serde(default)]
    pub workspace_path: Option<String>,
    pub skill_name: String,
}

/// One entry of `list_skill_files`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SkillFileEntry {
    pub name: String,
    /// Relative to the skill folder, `/`-separated.
    pub relative_path: String,
    pub absolute_path: String,
    pub is_directory: bool,
    /// Always false (kept for the reference UI).
    pub is_readonly: bool,
    /// 0 for folders and symlinks.
    pub size_bytes: u64,
    /// A symlink, reported but never followed (ingestion.md §7.2).
    pub is_symlink: bool,
}

/// `list_skill_files`: recursive listing of `<workspacePath>/<skillName>`, sorted by
/// `relative_path`; `[]` when the folder is missing. `workspacePath` (default: the
/// workspace) must be one of the app roots itself.
pub fn list_skill_files(app: &App, a: ListSkillFilesArgs) -> Result<Vec<SkillFileEntry>> {
    let name = &a.skill_name;
    if name.is_empty() || name == "." || name.contains(['/', '\\', '\0']) || name.contains("..") {
        return Err(Error::invalid(format!(
            "invalid skill name {name:?}: it must not be empty or contain '/', '\\' or '..'"
        )));
    }
    let roots = app_roots(app);
    let base = match a.workspace_path.as_deref().filter(|s| !s.is_empty()) {
        Some(w) => {
            let w = crate::paths::normalize_user_path(w);
            let resolved = path_guard::guard(&w, &roots, Intent::Read)?;
            let is_root = roots
                .iter()
                .filter_map(|r| path_guard::resolve(r).ok())
                .any(|r| r == resolved);
            if !is_root {
                return Err(Error::invalid(format!(
                    "workspacePath must be one of the app roots, got {w} {}",
                    path_guard::roots_note(&roots)
                )));
            }
            resolved
        }
        None => app.workspace_path(),
    };
    let dir = base.join(name);
    let dir = path_guard::guard(&path_string(&dir)?, &roots, Intent::Read)?;
    match std::fs::symlink_metadata(&dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::from(e).context(dir.display())),
        Ok(m) if !m.is_dir() => {
            return Err(Error::invalid(format!("{} is not a folder", dir.display())))
        }
        Ok(_) => {}
    }
    let mut out = Vec::new();
    walk(&dir, "", &mut out)?;
    out.sort_by(|a, b| a.relative_path.cmp(&b.relative_path));
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<SkillFileEntry>) -> Result<()> {
    for entry in std::fs::read_dir(dir).with_path(dir)? {
        let entry = entry.with_path(dir)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        let path = entry.path();
        let ft = entry.file_type().with_path(&path)?;
        let abs = path_string(&path)?;
        if ft.is_symlink() {
            out.push(SkillFileEntry {
                name,
                relative_path: rel,
                absolute_path: abs,
                is_directory: false,
                is_readonly: false,
                size_bytes: 0,
                is_symlink: true,
            });
        } else if ft.is_dir() {
            out.push(SkillFileEntry {
                name,
                relative_path: rel.clone(),
                absolute_path: abs,
                is_directory: true,
                is_readonly: false,
                size_bytes: 0,
                is_symlink: false,
            });
            walk(&path, &rel, out)?;
        } else {
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            out.push(SkillFileEntry {
                name,
                relative_path: rel,
                absolute_path: abs,
                is_directory: false,
                is_readonly: false,
                size_bytes: size,
                is_symlink: false,
            });
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadFileArgs {
    pub file_path: String,
}

/// `read_file`: the file as UTF-8 text, at most 5 MiB.
pub fn read_file(app: &App, a: ReadFileArgs) -> Result<String> {
    let p = guard_app(app, &a.file_path, Intent::Read)?;
    let bytes = read_capped(&p, MAX_READ_BYTES, |n| {
        Error::invalid(format!(
            "File exceeds 5 MB limit: {} is {n} bytes (read_file returns at most {MAX_READ_BYTES})",
            a.file_path
        ))
    })?;
    String::from_utf8(bytes)
        .map_err(|_| Error::invalid(format!("{} is not valid UTF-8 text", a.file_path)))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteFileArgs {
    pub path: String,
    pub content: String,
}

/// `write_file`: creates missing parent folders (inside the root), then writes atomically.
pub fn write_file(app: &App, a: WriteFileArgs) -> Result<()> {
    check_write_size(a.content.len(), &a.path)?;
    let target = guard_app(app, &a.path, Intent::Write)?;
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).with_path(parent)?;
    }
    atomic_write(&target, a.content.as_bytes())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CopyFileArgs {
    pub src: String,
    pub dest: String,
}

/// `copy_file`: copies a file inside the app roots to `dest` (inside the app roots or the
/// user's home directory — the "save as" target). The parent of `dest` must exist.
pub fn copy_file(app: &App, a: CopyFileArgs) -> Result<()> {
    let src = guard_app(app, &a.src, Intent::Read)?;
    let mut dest_roots = app_roots(app);
    if let Some(home) = app.options.home_dir().filter(|h| h.parent().is_some()) {
        dest_roots.push(home);
    }
    refuse_trailing_separator(&a.dest)?;
    let dest = path_guard::guard(&a.dest, &dest_roots, Intent::Write)?;
    refuse_app_files(app, &dest)?;
    let in_app_roots = path_guard::guard(&a.dest, &app_roots(app), Intent::Write).is_ok();
    if !in_app_roots && !has_export_extension(&dest) {
        return Err(Error::invalid(format!(
            "outside the app folders, copy_file only saves .zip or .skill files: {}",
            a.dest
        )));
    }
    let meta = std::fs::metadata(&src).with_path(&src)?;
    if !meta.is_file() {
        return Err(Error::invalid(format!("{} is not a file", a.src)));
    }
    match dest.parent() {
        Some(parent) if parent.is_dir() => {}
        _ => {
            return Err(Error::not_found(format!(
                "the folder of {} does not exist",
                a.dest
            )))
        }
    }
    if src == dest {
        return Ok(());
    }
    // Copy to a temporary sibling of dest, then rename: dest is intact if anything fails.
    let dir = dest.parent().expect("checked above");
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        dest.file_name().unwrap_or_default().to_string_lossy(),
        uuid::Uuid::new_v4().simple()
    ));
    let result = (|| -> Result<()> {
        let mut from = std::fs::File::open(&src).with_path(&src)?;
        let mut to = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .with_path(&tmp)?;
        std::io::copy(&mut from, &mut to).with_path(&tmp)?;
        to.sync_all().with_path(&tmp)?;
        std::fs::rename(&tmp, &dest).with_path(&dest)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

fn has_export_extension(p: &Path) -> bool {
    p.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .is_some_and(|e| e == "zip" || e == "skill")
}

/// `read_file_as_base64`: standard base64 (with padding) of a file of at most 5 MiB.
pub fn read_file_as_base64(app: &App, a: ReadFileArgs) -> Result<String> {
    let p = guard_app(app, &a.file_path, Intent::Read)?;
    let bytes = read_capped(&p, MAX_READ_BYTES, |n| {
        Error::invalid(format!(
            "File exceeds 5 MB limit: {} is {n} bytes",
            a.file_path
        ))
    })
    .map_err(|e| {
        if e.message.starts_with("File exceeds") {
            e
        } else {
            Error::new(e.kind, format!("Cannot read file: {}", e.message))
        }
    })?;
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WriteBase64Args {
    pub file_name: String,
    pub base64_content: String,
}

/// `write_base64_to_temp_file`: decodes standard base64 into
/// `<temp dir>/skill-builder-attachments/<fileName>` (overwriting) and returns that path.
pub fn write_base64_to_temp_file(app: &App, a: WriteBase64Args) -> Result<String> {
    let n = &a.file_name;
    if n.is_empty() || n == "." || n.contains(['/', '\\', '\0']) || n.contains("..") {
        return Err(Error::invalid(format!(
            "Invalid file name: path traversal not allowed ({n:?})"
        )));
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(a.base64_content.trim())
        .map_err(|e| Error::invalid(format!("Invalid base64: {e}")))?;
    check_write_size(bytes.len(), n)?;
    let dir = ensure_attachments_dir()?;
    let target = path_string(&dir.join(n))?;
    let target = guard_app(app, &target, Intent::Write)?;
    atomic_write(&target, &bytes)?;
    path_string(&target)
}
