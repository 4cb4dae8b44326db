//! The `{skills}/.trash/` folder: moving folders and files aside, and purging old entries.

use crate::error::{Error, IoContext, Result};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// Name of the trash folder inside `skills_path` (ignored by git).
pub const TRASH_DIR: &str = ".trash";
/// `.trash/` entries older than this are deleted at start-up.
pub const TRASH_RETENTION: Duration = Duration::from_secs(30 * 24 * 3600);
/// Message of the commit that records folders moved to `.trash` (contract first line).
pub const TRASH_COMMIT_MESSAGE: &str = "reconcile: move orphaned folders to .trash";

fn trash_root(skills: &Path) -> PathBuf {
    skills.join(TRASH_DIR)
}

/// Marks a trash entry as "trashed now" (a rename keeps the old mtime), for the purge.
fn touch(p: &Path) {
    if let Ok(f) = std::fs::File::open(p) {
        let _ = f.set_modified(SystemTime::now());
    }
}

fn move_path(from: &Path, to: &Path) -> Result<()> {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).with_path(parent)?;
    }
    match std::fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(_) if from.is_file() => {
            // Another file system (a legacy workspace copy): copy, then remove.
            std::fs::copy(from, to).with_path(to)?;
            std::fs::remove_file(from).with_path(from)
        }
        Err(e) => Err(Error::from(e).context(from.display())),
    }
}

fn remove_any(p: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(p),
        Ok(_) => std::fs::remove_file(p),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

/// Moves the whole folder `{skills}/{name}` to `{skills}/.trash/{name}`, replacing an older
/// entry of that name.
pub fn trash_folder(skills: &Path, name: &str) -> Result<PathBuf> {
    let root = trash_root(skills);
    std::fs::create_dir_all(&root).with_path(&root)?;
    let dest = root.join(name);
    remove_any(&dest).with_path(&dest)?;
    let src = skills.join(name);
    std::fs::rename(&src, &dest).with_path(&src)?;
    touch(&dest);
    Ok(dest)
}

/// Moves some files of a skill into a new entry `{skills}/.trash/{name}-{timestamp}/`
/// (never overwriting an older entry). Returns the entry's name, `None` when nothing moved.
pub(super) fn trash_files(
    skills: &Path,
    name: &str,
    files: &[(PathBuf, String)],
) -> Option<String> {
    if files.is_empty() {
        return None;
    }
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ").to_string();
    let root = trash_root(skills);
    let mut entry = format!("{name}-{stamp}");
    let mut n = 1;
    while root.join(&entry).exists() {
        n += 1;
        entry = format!("{name}-{stamp}-{n}");
    }
    let dest = root.join(&entry);
    let mut moved = 0;
    for (src, rel) in files {
        match move_path(src, &dest.join(rel)) {
            Ok(()) => moved += 1,
            Err(e) => tracing::warn!("could not move {} to the trash: {e}", src.display()),
        }
    }
    if moved == 0 {
        let _ = std::fs::remove_dir_all(&dest);
        return None;
    }
    touch(&dest);
    Some(entry)
}

/// Deletes `.trash/` entries whose mtime is older than `max_age`. Returns how many.
pub fn purge_trash(skills: &Path, max_age: Duration) -> usize {
    let Ok(rd) = std::fs::read_dir(trash_root(skills)) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut n = 0;
    for e in rd.flatten() {
        let old = e
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > max_age);
        if old && remove_any(&e.path()).is_ok() {
            n += 1;
        }
    }
    n
}

/// Appends `.trash/` to `{skills}/.gitignore` unless a (trimmed) line already names it.
pub(super) fn ensure_trash_ignored(skills: &Path) -> Result<()> {
    let path = skills.join(".gitignore");
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(Error::from(e).context(path.display())),
    };
    if text
        .lines()
        .map(str::trim)
        .any(|l| matches!(l, ".trash/" | ".trash" | "/.trash/" | "/.trash"))
    {
        return Ok(());
    }
    let mut out = text;
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(".trash/\n");
    std::fs::write(&path, out).with_path(&path)
}
