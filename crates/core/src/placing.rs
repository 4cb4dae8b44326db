//! Placing a skill folder: the one way a staged skill folder (a ZIP upload, a GitHub import, a
//! bundled skill) takes its place — [`place_skill_folder`] — and the one journal of folder
//! renames, [`FolderMoves`], that every such change (and every move of a workspace skill)
//! goes through.
//!
//! A rename is written to a journal file in the staging folder (`journal-{uuid}.pid{owner}`)
//! before it is made. The caller then commits its rows and [`FolderMoves::keep`] removes the
//! folders that were set aside, or [`FolderMoves::undo`] puts everything back. A process killed
//! in between leaves the journal behind, and the start-up staging sweep runs [`recover`] on it
//! before it removes anything: a change that was not kept is undone (the previous folder goes
//! back to its place), one that was kept is finished. The commit of the rows is the point of
//! no return, so a kill in the instant between that commit and `keep` undoes a committed
//! change: the files are then older than their rows, never lost.
//!
//! Paths are journaled relative to the folder that holds the staging folder (the skills root),
//! so a recovery touches nothing outside that root, and still works after the user moved it.

use crate::error::{Error, IoContext, Result};
use serde::{Deserialize, Serialize};
use std::fs;
use std::path::{Component, Path, PathBuf};

/// Name prefix of a journal in a staging folder.
pub const JOURNAL_PREFIX: &str = "journal-";
/// Name prefix of a journal being rewritten (renamed over the journal once complete).
pub const JOURNAL_PART_PREFIX: &str = "journal-part-";
/// Name prefix of a folder set aside until its replacement is kept.
const ASIDE_PREFIX: &str = "trash-";

/// What the journal says; paths are relative to the skills root.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Record {
    /// Renames `(from, to)` in the order they were made; the last may not have happened.
    moves: Vec<(PathBuf, PathBuf)>,
    /// Folders set aside, removed once the change is kept.
    aside: Vec<PathBuf>,
    /// The caller's change is committed: a recovery finishes it instead of undoing it.
    kept: bool,
}

/// Folder renames done for one change, journaled on disk, undone unless kept (also when
/// dropped without [`keep`](FolderMoves::keep)).
pub struct FolderMoves {
    staging: PathBuf,
    root: PathBuf,
    journal: Option<PathBuf>,
    record: Record,
}

impl FolderMoves {
    /// Moves whose journal and set-aside folders go into `staging` (a `.staging` folder
    /// directly under the skills root every moved path is in).
    pub fn new(staging: PathBuf) -> FolderMoves {
        let root = staging.parent().map(Path::to_path_buf).unwrap_or_default();
        FolderMoves {
            staging,
            root,
            journal: None,
            record: Record::default(),
        }
    }

    /// Renames `from` to `to` (creating `to`'s parent), journaled first.
    pub fn rename(&mut self, from: &Path, to: &Path) -> Result<()> {
        let ctx = |e: std::io::Error| {
            Error::from(e).context(format!(
                "cannot move {} to {}",
                from.display(),
                to.display()
            ))
        };
        let entry = (self.relative(from)?, self.relative(to)?);
        if let Some(p) = to.parent() {
            fs::create_dir_all(p).map_err(ctx)?;
        }
        self.record.moves.push(entry);
        if let Err(e) = self.write_journal() {
            self.record.moves.pop();
            return Err(e);
        }
        if let Err(e) = fs::rename(from, to) {
            self.record.moves.pop();
            if let Err(j) = self.write_journal() {
                tracing::warn!("could not update the folder-move journal: {j}");
            }
            return Err(ctx(e));
        }
        Ok(())
    }

    /// Moves `p` out of the way, into the staging folder; removed once the change is kept.
    pub fn set_aside(&mut self, p: &Path) -> Result<()> {
        let aside = self.staging.join(crate::staging::unique_name(ASIDE_PREFIX));
        self.record.aside.push(self.relative(&aside)?);
        let res = self.rename(p, &aside);
        if res.is_err() {
            self.record.aside.pop();
        }
        res
    }

    /// Puts every renamed folder back, newest first. A journal that could not be fully undone
    /// stays, so the next start-up retries.
    pub fn undo(&mut self) {
        if self.record.moves.is_empty() {
            self.forget_journal();
            return;
        }
        self.record.aside.clear();
        let complete = undo_moves(&self.root, &self.record.moves);
        self.record.moves.clear();
        if complete {
            self.forget_journal();
        } else {
            self.journal = None;
        }
    }

    /// The change is committed: removes the folders set aside, then the journal.
    pub fn keep(&mut self) {
        if !self.record.aside.is_empty() {
            if let Err(e) = self.mark_kept() {
                // Removing the set-aside folders without a kept journal could lose them
                // to a kill; they are left for the staging sweep instead.
                tracing::warn!("could not mark the folder moves as kept: {e}");
                self.record = Record::default();
                self.forget_journal();
                return;
            }
            remove_aside(&self.root, &self.record.aside);
        }
        self.record = Record::default();
        self.forget_journal();
    }

    fn mark_kept(&mut self) -> Result<()> {
        self.record.kept = true;
        self.write_journal()
    }

    fn relative(&self, p: &Path) -> Result<PathBuf> {
        p.strip_prefix(&self.root)
            .ok()
            .filter(|r| plain(r))
            .map(Path::to_path_buf)
            .ok_or_else(|| {
                Error::internal(format!(
                    "{} is outside {}, where this change's folders must be",
                    p.display(),
                    self.root.display()
                ))
            })
    }

    fn write_journal(&mut self) -> Result<()> {
        let path = match &self.journal {
            Some(p) => p.clone(),
            None => {
                fs::create_dir_all(&self.staging).with_path(&self.staging)?;
                let p = self
                    .staging
                    .join(crate::staging::unique_name(JOURNAL_PREFIX));
                self.journal = Some(p.clone());
                p
            }
        };
        write_record(&path, &self.record)
    }

    fn forget_journal(&mut self) {
        if let Some(j) = self.journal.take() {
            if let Err(e) = fs::remove_file(&j) {
                if e.kind() != std::io::ErrorKind::NotFound {
                    tracing::warn!("could not remove {}: {e}", j.display());
                }
            }
        }
    }
}

impl Drop for FolderMoves {
    fn drop(&mut self) {
        if !self.record.moves.is_empty() {
            self.undo();
        }
    }
}

/// Where a staged skill folder goes.
pub struct PlaceMeta<'a> {
    /// The skill's name, for messages.
    pub name: &'a str,
    /// The skill's folder once placed.
    pub dest: &'a Path,
    /// Whether a folder already at `dest` is replaced (set aside until the change is kept)
    /// rather than refused (`conflict`).
    pub replace: bool,
}

/// Moves `staged` to `meta.dest` through `moves`, setting an existing folder aside when
/// `meta.replace` says so. Nothing is final until `moves` is kept.
pub fn place_skill_folder(
    moves: &mut FolderMoves,
    staged: &Path,
    meta: &PlaceMeta<'_>,
) -> Result<()> {
    if fs::symlink_metadata(meta.dest).is_ok() {
        if !meta.replace {
            return Err(Error::conflict(format!(
                "Skill '{}' already exists at '{}'",
                meta.name,
                meta.dest.display()
            )));
        }
        moves.set_aside(meta.dest)?;
    }
    moves.rename(staged, meta.dest)
}

/// Finishes or undoes the change of the journal at `journal` (whose owner no longer runs):
/// `Ok(true)` when done and the journal removed, `Ok(false)` when something was in the way
/// (the journal stays, for a later retry). An unreadable journal is an error.
pub fn recover(journal: &Path) -> Result<bool> {
    let record = read_record(journal)?;
    let root = journal
        .parent()
        .and_then(Path::parent)
        .ok_or_else(|| Error::internal(format!("{} has no skills root", journal.display())))?;
    let complete = if record.kept {
        remove_aside(root, &record.aside)
    } else {
        undo_moves(root, &record.moves)
    };
    if complete {
        fs::remove_file(journal).with_path(journal)?;
        tracing::warn!(
            "{} an interrupted folder change ({})",
            if record.kept { "finished" } else { "undid" },
            journal.display()
        );
    }
    Ok(complete)
}

/// The entries of the staging folder that the journal at `journal` still needs (its set-aside
/// folders and the staged folders its renames came from): a sweep must leave them.
pub fn needed_entries(journal: &Path) -> Result<Vec<PathBuf>> {
    let record = read_record(journal)?;
    let staging = journal.parent().unwrap_or(Path::new(""));
    let staging_name = staging.file_name().unwrap_or_default();
    let mut out = Vec::new();
    let paths = record
        .aside
        .iter()
        .chain(record.moves.iter().flat_map(|(a, b)| [a, b]));
    for rel in paths {
        let mut parts = rel.components();
        if parts.next().map(|c| c.as_os_str()) == Some(staging_name) {
            if let Some(entry) = parts.next() {
                out.push(staging.join(entry.as_os_str()));
            }
        }
    }
    Ok(out)
}

fn read_record(journal: &Path) -> Result<Record> {
    let bytes = fs::read(journal).with_path(journal)?;
    let record: Record = serde_json::from_slice(&bytes)
        .map_err(|e| Error::invalid(format!("{} is not a journal: {e}", journal.display())))?;
    let all_plain = record
        .aside
        .iter()
        .chain(record.moves.iter().flat_map(|(a, b)| [a, b]))
        .all(|p| plain(p));
    if !all_plain {
        return Err(Error::invalid(format!(
            "{} names a path outside its skills root; it is left alone",
            journal.display()
        )));
    }
    Ok(record)
}

/// Writes `record` to a part file first and renames it over `path`, so a kill never leaves a
/// half-written journal.
fn write_record(path: &Path, record: &Record) -> Result<()> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix(JOURNAL_PREFIX))
        .ok_or_else(|| Error::internal(format!("{} is not a journal name", path.display())))?;
    let part = path.with_file_name(format!("{JOURNAL_PART_PREFIX}{name}"));
    let bytes = serde_json::to_vec(record).map_err(|e| Error::internal(e.to_string()))?;
    fs::write(&part, bytes).with_path(&part)?;
    fs::rename(&part, path).with_path(path)
}

/// A relative path of plain names only (no `..`, not absolute, not empty).
fn plain(p: &Path) -> bool {
    p.components().next().is_some() && p.components().all(|c| matches!(c, Component::Normal(_)))
}

fn present(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

/// Undoes `moves` newest first: a folder found at its `to` goes back to its `from`. A move that
/// never happened (nothing at `to`) is skipped; one whose `from` is taken again is left, and
/// makes the result `false`.
fn undo_moves(root: &Path, moves: &[(PathBuf, PathBuf)]) -> bool {
    let mut complete = true;
    for (from, to) in moves.iter().rev() {
        let (from, to) = (root.join(from), root.join(to));
        if !present(&to) {
            continue;
        }
        if present(&from) {
            tracing::error!(
                "cannot move {} back to {}: something is there again",
                to.display(),
                from.display()
            );
            complete = false;
            continue;
        }
        let res = match from.parent() {
            Some(p) => fs::create_dir_all(p).and_then(|_| fs::rename(&to, &from)),
            None => fs::rename(&to, &from),
        };
        if let Err(e) = res {
            tracing::error!(
                "could not move {} back to {}: {e}",
                to.display(),
                from.display()
            );
            complete = false;
        }
    }
    complete
}

/// Removes the set-aside folders (without following links); `false` if one could not be.
fn remove_aside(root: &Path, aside: &[PathBuf]) -> bool {
    let mut complete = true;
    for rel in aside {
        let p = root.join(rel);
        if let Err(e) = crate::safe_fs::remove_no_follow(&p) {
            tracing::warn!("could not remove {}: {e}", p.display());
            complete = false;
        }
    }
    complete
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::staging::sweep_staging;

    struct Fx {
        _tmp: tempfile::TempDir,
        staging: PathBuf,
        /// `<root>/my-skill`: the installed (old) copy, when there is one.
        dest: PathBuf,
        /// `<root>/.staging/{uuid}.pid…/my-skill`: the new copy.
        staged: PathBuf,
    }

    const OLD: [(&str, &str); 2] = [("SKILL.md", "old"), ("references/a.md", "old ref")];
    const NEW: [(&str, &str); 2] = [("SKILL.md", "new"), ("references/b.md", "new ref")];

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (rel, text) in files {
            let p = dir.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        }
    }

    /// Every file below `dir`, relative, with its text.
    fn files(dir: &Path) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for rel in crate::safe_fs::deployable_files(dir).unwrap().files {
            let text = fs::read_to_string(dir.join(&rel)).unwrap();
            out.push((crate::safe_fs::slash_path(&rel), text));
        }
        out
    }

    fn owned(files: &[(&str, &str)]) -> Vec<(String, String)> {
        files
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    fn fixture(installed: bool) -> Fx {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("skills");
        let staging = root.join(".staging");
        let dest = root.join("my-skill");
        let staged = staging
            .join(crate::staging::unique_name(""))
            .join("my-skill");
        if installed {
            write(&dest, &OLD);
        }
        write(&staged, &NEW);
        Fx {
            _tmp: tmp,
            staging,
            dest,
            staged,
        }
    }

    fn meta(f: &Fx) -> PlaceMeta<'_> {
        PlaceMeta {
            name: "my-skill",
            dest: &f.dest,
            replace: true,
        }
    }

    /// What a kill leaves: the journal and folders of `moves` as they are, owned by a process
    /// that no longer runs (the owner is dropped from every name; a name without one is gone).
    fn killed(moves: FolderMoves, staging: &Path) {
        std::mem::forget(moves);
        let probe = crate::staging::unique_name("");
        let owner = &probe[probe.find(".pid").unwrap()..];
        for e in fs::read_dir(staging).unwrap().flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.contains(owner) {
                let to = staging.join(name.replace(owner, ""));
                fs::rename(e.path(), &to).unwrap();
                if name.starts_with(JOURNAL_PREFIX) {
                    let text = fs::read_to_string(&to).unwrap();
                    fs::write(&to, text.replace(owner, "")).unwrap();
                }
            }
        }
    }

    fn staging_names(staging: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(staging)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_kill_between_setting_aside_and_placing_puts_the_old_folder_back() {
        let f = fixture(true);
        let mut moves = FolderMoves::new(f.staging.clone());
        moves.set_aside(&f.dest).unwrap();
        assert!(!f.dest.exists());
        killed(moves, &f.staging);

        sweep_staging(&f.staging);
        assert_eq!(files(&f.dest), owned(&OLD), "the old copy is back, whole");
        assert_eq!(staging_names(&f.staging), Vec::<String>::new());
    }

    #[test]
    fn a_kill_after_placing_but_before_keep_undoes_the_change() {
        let f = fixture(true);
        let mut moves = FolderMoves::new(f.staging.clone());
        place_skill_folder(&mut moves, &f.staged, &meta(&f)).unwrap();
        assert_eq!(files(&f.dest), owned(&NEW));
        killed(moves, &f.staging);

        sweep_staging(&f.staging);
        assert_eq!(files(&f.dest), owned(&OLD));
        assert_eq!(staging_names(&f.staging), Vec::<String>::new());
    }

    #[test]
    fn a_kill_once_the_change_was_kept_finishes_it() {
        let f = fixture(true);
        let mut moves = FolderMoves::new(f.staging.clone());
        place_skill_folder(&mut moves, &f.staged, &meta(&f)).unwrap();
        moves.mark_kept().unwrap();
        killed(moves, &f.staging);

        sweep_staging(&f.staging);
        assert_eq!(files(&f.dest), owned(&NEW), "the new copy stays, whole");
        assert_eq!(staging_names(&f.staging), Vec::<String>::new());
    }

    #[test]
    fn a_first_placement_killed_before_keep_leaves_no_untracked_folder() {
        let f = fixture(false);
        let mut moves = FolderMoves::new(f.staging.clone());
        place_skill_folder(&mut moves, &f.staged, &meta(&f)).unwrap();
        killed(moves, &f.staging);

        sweep_staging(&f.staging);
        assert!(fs::symlink_metadata(&f.dest).is_err());
        assert_eq!(staging_names(&f.staging), Vec::<String>::new());
    }

    #[test]
    fn a_journal_that_cannot_be_finished_keeps_the_folders_it_needs() {
        let f = fixture(true);
        let mut moves = FolderMoves::new(f.staging.clone());
        place_skill_folder(&mut moves, &f.staged, &meta(&f)).unwrap();
        // Something took the staged folder's place: the new copy cannot go back there, so
        // the old one cannot return to `dest` either.
        write(&f.staged, &[("SKILL.md", "someone else's")]);
        killed(moves, &f.staging);

        sweep_staging(&f.staging);
        let names = staging_names(&f.staging);
        assert!(
            names.iter().any(|n| n.starts_with(JOURNAL_PREFIX)),
            "{names:?}"
        );
        let aside = names.iter().find(|n| n.starts_with(ASIDE_PREFIX));
        let aside = f.staging.join(aside.expect("the old copy is kept"));
        assert_eq!(files(&aside), owned(&OLD));
        assert_eq!(files(&f.dest), owned(&NEW));
    }

    #[test]
    fn an_unreadable_journal_stops_the_sweep_of_its_folder() {
        let f = fixture(true);
        let mut moves = FolderMoves::new(f.staging.clone());
        moves.set_aside(&f.dest).unwrap();
        killed(moves, &f.staging);
        let journal = staging_names(&f.staging)
            .into_iter()
            .find(|n| n.starts_with(JOURNAL_PREFIX))
            .unwrap();
        fs::write(f.staging.join(&journal), "{\"moves\": [[\"../x\"").unwrap();

        assert_eq!(sweep_staging(&f.staging), 0);
        let aside = staging_names(&f.staging)
            .into_iter()
            .find(|n| n.starts_with(ASIDE_PREFIX))
            .unwrap();
        assert_eq!(files(&f.staging.join(aside)), owned(&OLD));
    }

    #[test]
    fn kept_moves_remove_the_old_copy_and_the_journal() {
        let f = fixture(true);
        let mut moves = FolderMoves::new(f.staging.clone());
        place_skill_folder(&mut moves, &f.staged, &meta(&f)).unwrap();
        moves.keep();
        drop(moves);
        assert_eq!(files(&f.dest), owned(&NEW));
        let left = staging_names(&f.staging);
        assert_eq!(left.len(), 1, "only the emptied staged folder: {left:?}");
        assert!(!left[0].starts_with(JOURNAL_PREFIX) && !left[0].starts_with(ASIDE_PREFIX));
    }

    #[test]
    fn dropped_moves_put_everything_back() {
        let f = fixture(true);
        let mut moves = FolderMoves::new(f.staging.clone());
        place_skill_folder(&mut moves, &f.staged, &meta(&f)).unwrap();
        drop(moves);
        assert_eq!(files(&f.dest), owned(&OLD));
        assert_eq!(files(&f.staged), owned(&NEW));
        assert_eq!(staging_names(&f.staging).len(), 1);
    }

    #[test]
    fn an_existing_folder_is_refused_unless_replaced() {
        let f = fixture(true);
        let mut moves = FolderMoves::new(f.staging.clone());
        let refuse = PlaceMeta {
            replace: false,
            ..meta(&f)
        };
        let e = place_skill_folder(&mut moves, &f.staged, &refuse).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Conflict);
        assert_eq!(files(&f.dest), owned(&OLD));
    }

    #[test]
    fn paths_outside_the_skills_root_are_refused() {
        let f = fixture(true);
        let elsewhere = f._tmp.path().join("elsewhere");
        let mut moves = FolderMoves::new(f.staging.clone());
        let e = moves.rename(&f.dest, &elsewhere).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::Internal);
        assert!(f.dest.exists());
    }
}
