//! Staging folders: the temporary folders the app makes while it extracts an upload
//! (`.zip-extract-*`), seeds bundled skills (`seed-*`), sets replaced skills aside (`trash-*`),
//! downloads a GitHub import (`{uuid}`) — all in a `.staging` folder — and copies a skills
//! folder being moved (`.{name}.moving-*`, beside it). A killed process leaves them behind;
//! [`sweep`] removes those whose owner no longer runs (start-up and `reconcile_startup`).
//!
//! A folder change that was interrupted (a skill folder placed, set aside or moved) leaves a
//! journal (`journal-{uuid}`, see [`crate::placing`]) in its `.staging`. The sweep first
//! recovers it — the previous folder goes back to its place, or a kept change is finished —
//! and never removes what a journal it could not finish still needs.
//!
//! The owner is in the name ([`unique_name`] appends `.pid{pid}-{start time}`), so ownership is
//! known from the moment the folder exists, without a second write a kill could miss. Names
//! from before this scheme have no owner and are stale. Only names the app makes are touched,
//! and links are never followed nor removed.

use crate::app::App;
use std::path::{Path, PathBuf};

/// Separates a staging name from its owner.
const OWNER_MARK: &str = ".pid";
/// Name prefixes of the entries of a `.staging` folder ("" = a GitHub import's UUID).
const STAGING_PREFIXES: [&str; 5] = [
    ".zip-extract-",
    "seed-",
    "trash-",
    crate::placing::JOURNAL_PART_PREFIX,
    "",
];

/// A fresh staging name: `{prefix}{uuid}.pid{pid}-{start}` (`.pid{pid}` where the start time
/// of a process is unknown).
pub fn unique_name(prefix: &str) -> String {
    let pid = std::process::id();
    let owner = match crate::locks::own_start_time() {
        Some(start) => format!("{pid}-{start}"),
        None => pid.to_string(),
    };
    format!("{prefix}{}{OWNER_MARK}{owner}", uuid::Uuid::new_v4())
}

/// `(name without owner, (pid, start time))`; no owner for a legacy name or an unreadable one.
fn split_owner(name: &str) -> (&str, Option<(u32, Option<i64>)>) {
    let Some((base, owner)) = name.rsplit_once(OWNER_MARK) else {
        return (name, None);
    };
    let parsed = match owner.split_once('-') {
        Some((pid, start)) => pid.parse().ok().zip(start.parse().ok().map(Some)),
        None => owner.parse().ok().map(|pid| (pid, None)),
    };
    match parsed {
        Some(o) => (base, Some(o)),
        None => (name, None),
    }
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36 && uuid::Uuid::parse_str(s).is_ok()
}

/// An entry of a `.staging` folder made by the app.
fn is_staging_entry(base: &str) -> bool {
    STAGING_PREFIXES
        .iter()
        .any(|p| base.strip_prefix(p).is_some_and(is_uuid))
}

/// A folder-move journal (its part file is an ordinary staging entry).
fn is_journal(base: &str) -> bool {
    base.strip_prefix(crate::placing::JOURNAL_PREFIX)
        .is_some_and(is_uuid)
}

/// A `.{name}.moving-{uuid}` copy made while moving a skills folder.
fn is_moving_copy(base: &str) -> bool {
    base.strip_prefix('.')
        .and_then(|rest| rest.rsplit_once(".moving-"))
        .is_some_and(|(name, id)| !name.is_empty() && is_uuid(id))
}

/// Whether the process named in a staging name still runs (never for a legacy name).
fn owner_alive(owner: Option<(u32, Option<i64>)>) -> bool {
    owner.is_some_and(|(pid, start)| crate::locks::holder_alive(pid, start))
}

fn is_real_dir(dir: &Path) -> bool {
    std::fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir())
}

/// Recovers the journals in `dir` whose owner is gone ([`crate::placing::recover`]). Returns
/// the entries that journals it could not finish still need, or `None` when one could not
/// even be read: nothing of `dir` may be swept then.
fn recover_journals(dir: &Path) -> Option<Vec<PathBuf>> {
    let mut needed = Vec::new();
    if !is_real_dir(dir) {
        return Some(needed);
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Some(needed);
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let (base, owner) = split_owner(name);
        if !is_journal(base) || owner_alive(owner) {
            continue;
        }
        let journal = e.path();
        let done = crate::placing::recover(&journal).and_then(|finished| {
            if finished {
                Ok(Vec::new())
            } else {
                crate::placing::needed_entries(&journal)
            }
        });
        match done {
            Ok(keep) => needed.extend(keep),
            Err(err) => {
                tracing::error!(
                    "could not recover the interrupted folder change {}: {err}; the staging \
                     folder {} is kept as it is",
                    journal.display(),
                    dir.display()
                );
                return None;
            }
        }
    }
    Some(needed)
}

/// Recovers the interrupted folder changes of a `.staging` folder, then removes its entries
/// whose owner is gone; returns how many were removed.
pub(crate) fn sweep_staging(dir: &Path) -> usize {
    match recover_journals(dir) {
        Some(needed) => sweep_dir(dir, is_staging_entry, &needed),
        None => 0,
    }
}

/// Removes the staging entries of `dir` that `matches` accepts, whose owner is gone and that
/// are not `needed`; returns how many. A missing folder, or one that is a link, is left alone.
fn sweep_dir(dir: &Path, matches: fn(&str) -> bool, needed: &[PathBuf]) -> usize {
    if !is_real_dir(dir) {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let (base, owner) = split_owner(name);
        if !matches(base) || owner_alive(owner) || needed.contains(&e.path()) {
            continue;
        }
        if remove_entry(&e.path()) {
            tracing::info!("removed a stale staging folder: {}", e.path().display());
            removed += 1;
        }
    }
    removed
}

/// Removes a folder (its content never followed through links) or a file; a link is kept.
fn remove_entry(p: &Path) -> bool {
    let res = match std::fs::symlink_metadata(p) {
        Ok(m) if m.file_type().is_symlink() => return false,
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(p),
        Ok(_) => std::fs::remove_file(p),
        Err(_) => return false,
    };
    res.inspect_err(|e| tracing::warn!("could not remove {}: {e}", p.display()))
        .is_ok()
}

/// Removes every staging folder left by a process that no longer runs: in the workspace
/// skills' and the library's `.staging`, and the moving copies beside the skills folder and
/// in the data dir. Returns how many were removed; failures are logged.
pub fn sweep(app: &App) -> usize {
    let skills = app.skills_path();
    let mut n = sweep_staging(&crate::workspace_skills::staging_root(app));
    n += sweep_staging(&skills.join(".staging"));
    let mut beside: Vec<&Path> = vec![&app.paths.data_dir];
    if let Some(parent) = skills.parent().filter(|p| *p != app.paths.data_dir) {
        beside.push(parent);
    }
    for dir in beside {
        n += sweep_dir(dir, is_moving_copy, &[]);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_unique_name_names_this_process_as_its_owner() {
        let name = unique_name(".zip-extract-");
        let (base, owner) = split_owner(&name);
        assert!(is_staging_entry(base), "{name}");
        assert_eq!(owner.map(|o| o.0), Some(std::process::id()));
        assert!(owner_alive(owner));
    }

    #[test]
    fn only_the_apps_own_names_match() {
        let id = "0b8f2a4e-6c1d-4e2f-9a3b-5d7e8f9a0b1c";
        for ok in [
            format!(".zip-extract-{id}"),
            format!("seed-{id}"),
            format!("trash-{id}"),
            format!("journal-part-{id}"),
            id.to_string(),
        ] {
            assert!(is_staging_entry(&ok), "{ok}");
        }
        for not in [".gitignore", "notes", "seed-x", "trash-", "my-skill"] {
            assert!(!is_staging_entry(not), "{not}");
        }
        // A journal is recovered, never swept as such.
        assert!(!is_staging_entry(&format!("journal-{id}")));
        assert!(is_journal(&format!("journal-{id}")));
        assert!(is_moving_copy(&format!(".skills.moving-{id}")));
        assert!(!is_moving_copy(&format!("..moving-{id}")));
        assert!(!is_moving_copy(".skills.moving-later"));
    }

    #[test]
    fn legacy_and_garbled_owners_count_as_gone() {
        let id = "0b8f2a4e-6c1d-4e2f-9a3b-5d7e8f9a0b1c";
        assert_eq!(split_owner(id), (id, None));
        let garbled = format!("{id}.pidx-1");
        assert_eq!(split_owner(&garbled), (garbled.as_str(), None));
        let windows = format!("{id}.pid42");
        assert_eq!(split_owner(&windows), (id, Some((42, None))));
        assert!(!owner_alive(None));
    }
}
