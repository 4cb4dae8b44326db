//! `clear_workspace`, and the legacy root-level workspace files the app knows as its own.

use crate::app::App;
use crate::args::NoArgs;
use crate::error::Result;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Removes legacy root-level files of the workspace (lifecycle.md §1.1 e) that the app
/// recognises as its own, keeping everything else (the workspace may be a user's project):
/// files in `agents/` and `references/` that are byte-identical to a bundled file (a folder
/// goes only when that left it empty), an old database `skill-builder.db` with the app's
/// tables that no process has open, and a root `CLAUDE.md` written by an earlier version
/// whose `## Customization` text is in `.claude/CLAUDE.md`. A folder that is some skill's
/// workspace folder, and the app's own database, are kept. Returns what was removed
/// (workspace-relative).
pub fn remove_legacy_workspace_files(app: &App) -> Vec<String> {
    let ws = app.workspace_path();
    let mut removed = Vec::new();
    if ws == app.skills_path() {
        return removed;
    }
    let known: BTreeSet<String> = {
        let conn = app.db.conn();
        conn.prepare("SELECT name FROM skills")
            .and_then(|mut s| {
                s.query_map([], |r| r.get::<_, String>(0))?
                    .collect::<rusqlite::Result<BTreeSet<_>>>()
            })
            .unwrap_or_default()
    };
    for d in ["agents", "references"] {
        let p = ws.join(d);
        if known.contains(d) || !is_real_dir(&p) {
            continue;
        }
        if remove_bundled_copies(&ws, &p, &mut removed) > 0 && std::fs::remove_dir(&p).is_ok() {
            removed.push(format!("{d}/"));
        }
    }
    let db = ws.join("skill-builder.db");
    if db != app.db.path() && is_legacy_database(&db) && std::fs::remove_file(&db).is_ok() {
        removed.push("skill-builder.db".into());
    }
    let root_md = ws.join("CLAUDE.md");
    if is_real_file(&root_md) {
        let current = std::fs::read_to_string(ws.join(".claude/CLAUDE.md"));
        let text = std::fs::read_to_string(&root_md);
        if let (Ok(current), Ok(text)) = (current, text) {
            if crate::workflow::deploy::is_stale_app_claude_md(&text, &current)
                && std::fs::remove_file(&root_md).is_ok()
            {
                removed.push("CLAUDE.md".into());
            }
        }
    }
    removed
}

fn is_real_dir(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir())
}

fn is_real_file(p: &Path) -> bool {
    std::fs::symlink_metadata(p).is_ok_and(|m| m.is_file())
}

/// Removes the regular files under `dir` that are byte-identical to a bundled file, and the
/// sub-folders that left empty; links are never followed. Returns how many files went.
fn remove_bundled_copies(ws: &Path, dir: &Path, removed: &mut Vec<String>) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut n = 0;
    for e in rd.flatten() {
        let p = e.path();
        let Ok(ty) = e.file_type() else { continue };
        if ty.is_dir() {
            let inner = remove_bundled_copies(ws, &p, removed);
            if inner > 0 {
                let _ = std::fs::remove_dir(&p);
            }
            n += inner;
        } else if ty.is_file()
            && std::fs::read(&p).is_ok_and(|b| crate::workflow::deploy::is_bundled_content(&b))
            && std::fs::remove_file(&p).is_ok()
        {
            removed.push(relative_display(ws, &p));
            n += 1;
        }
    }
    n
}

fn relative_display(ws: &Path, p: &Path) -> String {
    p.strip_prefix(ws)
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// An old Skill Builder database left in the workspace: an SQLite file with the app's tables
/// and no `-wal`/`-shm` beside it (so no process has it open and nothing is unflushed).
fn is_legacy_database(p: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 16];
    let is_sqlite = is_real_file(p)
        && std::fs::File::open(p)
            .and_then(|mut f| f.read_exact(&mut head))
            .is_ok()
        && &head == b"SQLite format 3\0";
    let sidecar = |suffix: &str| {
        let mut s = p.as_os_str().to_owned();
        s.push(suffix);
        std::fs::symlink_metadata(PathBuf::from(s)).is_ok()
    };
    is_sqlite && !sidecar("-wal") && !sidecar("-shm") && has_app_tables(p)
}

/// Reads the schema without writing anything (SQLite's `immutable` mode creates no
/// journal or shared-memory file).
fn has_app_tables(p: &Path) -> bool {
    use rusqlite::OpenFlags;
    let Some(uri) = sqlite_immutable_uri(p) else {
        return false;
    };
    let Ok(conn) = rusqlite::Connection::open_with_flags(
        uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI,
    ) else {
        return false;
    };
    conn.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table'
         AND name IN ('skills', 'workflow_runs', 'workflow_steps', 'agent_runs')",
        [],
        |r| r.get::<_, i64>(0),
    )
    .is_ok_and(|n| n == 4)
}

fn sqlite_immutable_uri(p: &Path) -> Option<String> {
    let s = p.to_str()?.replace('\\', "/");
    let s = if s.starts_with('/') {
        s
    } else {
        format!("/{s}")
    };
    let mut uri = String::from("file:");
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~:".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.push_str("?immutable=1");
    Some(uri)
}

/// `clear_workspace`: removes the agent files the app deployed (only those still exactly as
/// it wrote them; files the user added or edited stay), redeploys the bundled agents,
/// rebuilds the app's section of `.claude/CLAUDE.md` (the user's text, including the
/// `## Customization` section, is kept) and removes legacy root-level files the app
/// recognises as its own. Skills and user data are not touched.
pub fn clear_workspace(app: &App, _: NoArgs) -> Result<()> {
    let ws = app.workspace_path();
    let r = crate::workflow::deploy::remove_deployed(&ws)?;
    if !r.kept_edited.is_empty() {
        tracing::warn!(
            "clear_workspace kept files you edited after Skill Builder wrote them: {}",
            r.kept_edited.join(", ")
        );
    }
    crate::workflow::deploy::deploy_agents(app)?;
    crate::workflow::deploy::write_claude_md(app)?;
    let removed = remove_legacy_workspace_files(app);
    if !removed.is_empty() {
        tracing::info!("removed legacy workspace files: {}", removed.join(", "));
    }
    Ok(())
}
