//! Putting a copy in place without ever leaving a half-written skill where an agent looks:
//! the files are written into a staging folder beside the target and renamed into place;
//! a replaced copy is renamed aside first and removed after. Links are never followed: a
//! target that is a link is someone else's (the callers refuse it), and removals unlink.
//!
//! The staging and aside folders carry their owner (`staging::unique_name`), so the ones a
//! killed process left in an agent's skills folder are removed on the next install there.

use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::safe_fs;
use std::path::{Path, PathBuf};

const STAGING_PREFIX: &str = ".skill-builder-install-";
const ASIDE_PREFIX: &str = ".skill-builder-replaced-";

/// A staging folder that is removed unless it was renamed into place.
pub struct Staged {
    dir: PathBuf,
}

impl Staged {
    /// A new empty staging folder in `root` (the agent's skills folder, created if needed).
    pub fn new(root: &Path) -> Result<Staged> {
        std::fs::create_dir_all(root).with_path(root)?;
        sweep_leftovers(root);
        let dir = root.join(crate::staging::unique_name(STAGING_PREFIX));
        // `create_dir`, not `_all`: it fails rather than reuse anything already there.
        std::fs::create_dir(&dir).with_path(&dir)?;
        Ok(Staged { dir })
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Renames the staged folder to `target`; a real folder already there (the app's own
    /// earlier copy, checked by the caller) is replaced and removed.
    pub fn put_in_place(self, target: &Path) -> Result<()> {
        match std::fs::symlink_metadata(target) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::rename(&self.dir, target).with_path(target)
            }
            Err(e) => Err(Error::from(e).context(target.display())),
            Ok(m) if m.file_type().is_dir() => self.replace(target),
            Ok(_) => Err(Error::conflict(format!(
                "{} is not a folder the app installed; it is left as it is",
                target.display()
            ))),
        }
    }

    fn replace(&self, target: &Path) -> Result<()> {
        let parent = target.parent().unwrap_or(Path::new("."));
        let aside = parent.join(crate::staging::unique_name(ASIDE_PREFIX));
        std::fs::rename(target, &aside).with_path(target)?;
        if let Err(e) = std::fs::rename(&self.dir, target) {
            if let Err(back) = std::fs::rename(&aside, target) {
                tracing::error!(
                    "could not put {} back after a failed install ({back}); it is at {}",
                    target.display(),
                    aside.display()
                );
            }
            return Err(Error::from(e).context(target.display()));
        }
        if let Err(e) = safe_fs::remove_no_follow(&aside) {
            tracing::warn!(
                "could not remove the replaced copy {}: {e}",
                aside.display()
            );
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        // After a successful rename nothing is left at `dir`; otherwise this is the cleanup.
        if let Err(e) = safe_fs::remove_no_follow(&self.dir) {
            tracing::warn!(
                "could not remove the staging folder {}: {e}",
                self.dir.display()
            );
        }
    }
}

/// Whether a staging or aside name was made by a process that no longer runs.
fn owner_gone(rest: &str) -> bool {
    let Some((_, owner)) = rest.rsplit_once(".pid") else {
        return true;
    };
    let parsed = match owner.split_once('-') {
        Some((pid, start)) => pid.parse().ok().zip(start.parse().ok().map(Some)),
        None => owner.parse().ok().map(|pid| (pid, None)),
    };
    !parsed.is_some_and(|(pid, start)| crate::locks::holder_alive(pid, start))
}

/// Removes the staging and aside folders a killed process left in `root`. Only the app's
/// own names are touched; failures are logged.
fn sweep_leftovers(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let rest = name
            .strip_prefix(STAGING_PREFIX)
            .or_else(|| name.strip_prefix(ASIDE_PREFIX));
        if rest.is_some_and(owner_gone) {
            match safe_fs::remove_no_follow(&e.path()) {
                Ok(_) => tracing::info!("removed a stale install folder {}", e.path().display()),
                Err(err) => tracing::warn!("could not remove {}: {err}", e.path().display()),
            }
        }
    }
}

/// Moves `folder` (a copy changed by hand) to
/// `<data dir>/install-backups/<timestamp>/<agent>/<skill>` and returns where it went.
pub fn move_to_backup(app: &App, folder: &Path, agent: &str, skill: &str) -> Result<PathBuf> {
    let base = app.paths.data_dir.join("install-backups");
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ").to_string();
    let mut dest = base.join(&stamp).join(agent).join(skill);
    let mut n = 1;
    while std::fs::symlink_metadata(&dest).is_ok() {
        n += 1;
        dest = base.join(format!("{stamp}-{n}")).join(agent).join(skill);
    }
    if let Some(parent) = dest.parent() {
        crate::paths::create_private_dir_all(&base).with_path(&base)?;
        std::fs::create_dir_all(parent).with_path(parent)?;
    }
    move_tree(folder, &dest)?;
    tracing::info!(
        "moved the hand-changed copy {} to {}",
        folder.display(),
        dest.display()
    );
    Ok(dest)
}

/// Renames `from` to `to`, or copies then removes it when they are on different file systems.
fn move_tree(from: &Path, to: &Path) -> Result<()> {
    if std::fs::rename(from, to).is_ok() {
        return Ok(());
    }
    copy_tree(from, to)?;
    safe_fs::remove_no_follow(from).with_path(from)?;
    Ok(())
}

/// Copies everything, links as links: a backup keeps what the user had, as it was.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    let meta = std::fs::symlink_metadata(from).with_path(from)?;
    let ft = meta.file_type();
    if ft.is_symlink() {
        return copy_link(from, to);
    }
    if !ft.is_dir() {
        std::fs::copy(from, to).with_path(from)?;
        return Ok(());
    }
    std::fs::create_dir(to).with_path(to)?;
    for e in std::fs::read_dir(from).with_path(from)? {
        let e = e.with_path(from)?;
        copy_tree(&e.path(), &to.join(e.file_name()))?;
    }
    Ok(())
}

#[cfg(unix)]
fn copy_link(from: &Path, to: &Path) -> Result<()> {
    let target = std::fs::read_link(from).with_path(from)?;
    std::os::unix::fs::symlink(target, to).with_path(to)
}

#[cfg(not(unix))]
fn copy_link(from: &Path, _to: &Path) -> Result<()> {
    Err(Error::io(format!(
        "cannot back up the symbolic link {} across drives; move it yourself and retry",
        from.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_of_dead_owners_are_swept_and_live_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        let dead = root.join(format!(
            "{STAGING_PREFIX}0b8f2a4e-6c1d-4e2f-9a3b-5d7e8f9a0b1c.pid{}",
            u32::MAX - 1
        ));
        let live = root.join(crate::staging::unique_name(ASIDE_PREFIX));
        let other = root.join(".hidden-skill");
        for d in [&dead, &live, &other] {
            std::fs::create_dir(d).unwrap();
        }
        sweep_leftovers(root);
        assert!(!dead.exists());
        assert!(live.exists());
        assert!(other.exists());
    }

    #[test]
    fn a_failed_stage_leaves_nothing_behind() {
        let tmp = tempfile::tempdir().unwrap();
        let staged = Staged::new(tmp.path()).unwrap();
        std::fs::write(staged.path().join("SKILL.md"), "x").unwrap();
        drop(staged);
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn put_in_place_replaces_a_real_folder_and_refuses_a_file() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("s");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("old.md"), "old").unwrap();
        let staged = Staged::new(tmp.path()).unwrap();
        std::fs::write(staged.path().join("SKILL.md"), "new").unwrap();
        staged.put_in_place(&target).unwrap();
        assert!(!target.join("old.md").exists());
        assert_eq!(
            std::fs::read_to_string(target.join("SKILL.md")).unwrap(),
            "new"
        );
        let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no staging or aside folder is left");

        let file = tmp.path().join("f");
        std::fs::write(&file, "mine").unwrap();
        let staged = Staged::new(tmp.path()).unwrap();
        assert!(staged.put_in_place(&file).is_err());
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    }
}
