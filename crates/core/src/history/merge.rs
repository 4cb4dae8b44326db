//! Bringing a fetched commit into the skills repository (issue 17, publish and pull), without
//! losing either side: changes are compared per top-level entry (a skill folder, `.gitignore`,
//! …) since the merge base. An entry changed on both sides stops the merge with `conflict`
//! before anything local changes; otherwise each side's entries are kept, as a fast-forward or
//! a merge commit with both parents. `.claude-plugin/marketplace.json` never conflicts: publish
//! regenerates it, so ours wins when both sides changed it.

use super::diff::delta_path;
use super::repo::{head_commit, require_repo};
use super::tree_edit::{empty_tree, entry_at, has_skill_md, with_entry, Entry};
use super::{git_lock, GitContext};
use crate::error::{Error, Result};
use git2::build::CheckoutBuilder;
use git2::{DiffOptions, ErrorCode, Oid, Repository, Tree};
use std::collections::BTreeSet;
use std::path::Path;

/// Written by publish on every run: never a conflict, ours wins.
pub const MARKETPLACE_PATH: &str = ".claude-plugin/marketplace.json";
/// Folder whose entries are compared one by one instead of as a whole.
const PLUGIN_DIR: &str = ".claude-plugin";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeKind {
    /// The fetched commit is already part of HEAD's history.
    UpToDate,
    /// HEAD is part of the fetched commit's history: HEAD moves to it.
    FastForward,
    /// Both sides have commits of their own: a merge commit with both parents.
    Merge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Modified,
    Deleted,
}

/// A top-level entry (or an entry of `.claude-plugin/`) that a merge changes in the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitChange {
    /// `my-skill`, `.gitignore`, `.claude-plugin/marketplace.json`.
    pub path: String,
    pub kind: ChangeKind,
    /// A folder with a `SKILL.md` (after the merge; before it for a deletion).
    pub is_skill: bool,
}

/// What bringing a commit in would do, computed without changing anything.
pub struct MergePlan {
    pub kind: MergeKind,
    /// HEAD when planned.
    pub head: String,
    pub theirs: String,
    /// What changes in the library (HEAD's tree → the result).
    pub changes: Vec<UnitChange>,
    tree: Oid,
}

/// The unit a changed path belongs to: its top-level entry, or `.claude-plugin/<entry>`.
fn unit_of(path: &str) -> String {
    let mut parts = path.split('/');
    let first = parts.next().unwrap_or("");
    match (first, parts.next()) {
        (PLUGIN_DIR, Some(second)) => format!("{PLUGIN_DIR}/{second}"),
        _ => first.to_string(),
    }
}

/// Units whose content differs between `old` and `new`.
fn changed_units(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: Option<&Tree<'_>>,
) -> Result<BTreeSet<String>> {
    let diff = repo
        .diff_tree_to_tree(old, new, None)
        .git("cannot compare two versions")?;
    Ok(diff
        .deltas()
        .filter_map(|d| delta_path(&d))
        .map(|p| unit_of(&p))
        .collect())
}

fn tree_of<'r>(repo: &'r Repository, commit: Oid) -> Result<Tree<'r>> {
    repo.find_commit(commit)
        .and_then(|c| c.tree())
        .git(format!("cannot read commit {commit}"))
}

/// Plans bringing `theirs` into HEAD of `repo`. Fails with `conflict`, naming the entries,
/// when both sides changed the same one differently since their merge base.
fn plan_in(repo: &Repository, theirs: Oid) -> Result<MergePlan> {
    let head = head_commit(repo)?
        .ok_or_else(|| Error::not_found("the skills repository has no commit yet"))?;
    let ours = head.id();
    repo.find_commit(theirs)
        .map_err(|_| Error::not_found(format!("commit {theirs} was not fetched")))?;
    let ours_tree = head.tree().git("cannot read HEAD's tree")?;
    let plan = |kind, tree: Oid, changes| MergePlan {
        kind,
        head: ours.to_string(),
        theirs: theirs.to_string(),
        changes,
        tree,
    };
    if ours == theirs
        || repo
            .graph_descendant_of(ours, theirs)
            .git("cannot walk the history")?
    {
        return Ok(plan(MergeKind::UpToDate, ours_tree.id(), vec![]));
    }
    let base = match repo.merge_base(ours, theirs) {
        Ok(b) => Some(b),
        Err(e) if e.code() == ErrorCode::NotFound => None,
        Err(e) => return Err(super::git_err("cannot find the merge base", e)),
    };
    let theirs_tree = tree_of(repo, theirs)?;
    if base == Some(ours) {
        let changes = unit_changes(repo, &ours_tree, &theirs_tree)?;
        return Ok(plan(MergeKind::FastForward, theirs_tree.id(), changes));
    }
    let base_tree = base.map(|b| tree_of(repo, b)).transpose()?;
    let ours_units = changed_units(repo, base_tree.as_ref(), Some(&ours_tree))?;
    let theirs_units = changed_units(repo, base_tree.as_ref(), Some(&theirs_tree))?;
    let differs = |u: &str| entry_at(Some(&ours_tree), u) != entry_at(Some(&theirs_tree), u);
    let both: Vec<&String> = theirs_units
        .intersection(&ours_units)
        .filter(|u| u.as_str() != MARKETPLACE_PATH && differs(u))
        .collect();
    if !both.is_empty() {
        let names: Vec<&str> = both.iter().map(|s| s.as_str()).collect();
        return Err(Error::conflict(format!(
            "both the remote and this library changed {} since they last matched; nothing was \
             changed here. Keep one version: publish after restoring or renaming your copy, or \
             merge by hand with git in the skills folder",
            names.join(", ")
        )));
    }
    let mut merged = ours_tree.id();
    for u in theirs_units.iter().filter(|u| differs(u)) {
        if u == MARKETPLACE_PATH && ours_units.contains(u) {
            continue;
        }
        let current = repo.find_tree(merged).git("cannot read a tree")?;
        let parts: Vec<&str> = u.split('/').collect();
        merged = match with_entry(
            repo,
            Some(&current),
            &parts,
            entry_at(Some(&theirs_tree), u),
        )? {
            Some(id) => id,
            None => empty_tree(repo)?,
        };
    }
    let merged_tree = repo.find_tree(merged).git("cannot read the merged tree")?;
    let changes = unit_changes(repo, &ours_tree, &merged_tree)?;
    Ok(plan(MergeKind::Merge, merged, changes))
}

fn unit_changes(repo: &Repository, old: &Tree<'_>, new: &Tree<'_>) -> Result<Vec<UnitChange>> {
    let units = changed_units(repo, Some(old), Some(new))?;
    Ok(units
        .into_iter()
        .map(|path| {
            let before: Option<Entry> = entry_at(Some(old), &path);
            let after: Option<Entry> = entry_at(Some(new), &path);
            let kind = match (before, after) {
                (None, _) => ChangeKind::Added,
                (_, None) => ChangeKind::Deleted,
                _ => ChangeKind::Modified,
            };
            let is_skill = if after.is_some() {
                has_skill_md(new, &path)
            } else {
                has_skill_md(old, &path)
            };
            UnitChange {
                path,
                kind,
                is_skill,
            }
        })
        .collect())
}

fn parse_oid(sha: &str) -> Result<Oid> {
    Oid::from_str(sha).map_err(|_| Error::invalid(format!("'{sha}' is not a commit id")))
}

/// Plans bringing commit `theirs` into HEAD of the repository at `root`; nothing is changed.
pub fn plan_merge(root: &Path, theirs: &str) -> Result<MergePlan> {
    let repo = require_repo(root)?;
    plan_in(&repo, parse_oid(theirs)?)
}

/// The commit HEAD would be at after the plan: HEAD, their commit, or a new merge commit
/// (created as an object; HEAD and the work tree are not touched).
pub fn merged_commit(root: &Path, plan: &MergePlan, message: &str) -> Result<String> {
    match plan.kind {
        MergeKind::UpToDate => Ok(plan.head.clone()),
        MergeKind::FastForward => Ok(plan.theirs.clone()),
        MergeKind::Merge => {
            let repo = require_repo(root)?;
            create_merge_commit(&repo, plan, message).map(|o| o.to_string())
        }
    }
}

fn create_merge_commit(repo: &Repository, plan: &MergePlan, message: &str) -> Result<Oid> {
    let ours = repo
        .find_commit(parse_oid(&plan.head)?)
        .git("cannot read HEAD")?;
    let theirs = repo
        .find_commit(parse_oid(&plan.theirs)?)
        .git("cannot read the fetched commit")?;
    let tree = repo
        .find_tree(plan.tree)
        .git("cannot read the merged tree")?;
    let sig = super::commit::signature(repo)?;
    repo.commit(None, &sig, &sig, message, &tree, &[&ours, &theirs])
        .git("cannot make the merge commit")
}

/// What [`bring_in`] did, enough to undo it.
#[derive(Debug, Clone)]
pub struct Applied {
    pub kind: MergeKind,
    /// HEAD before.
    pub previous: String,
    /// HEAD after.
    pub head: String,
    pub changes: Vec<UnitChange>,
}

/// Brings commit `theirs` into HEAD of the repository at `root` under the commit lock:
/// plans (a `conflict` stops here), lets `check` refuse the changes (locks, the database),
/// refuses when a changed entry has edits not yet committed, then moves HEAD (a fast-forward,
/// or a merge commit with `message`) and checks the result out. On any error HEAD and the work
/// tree are as before.
pub fn bring_in(
    root: &Path,
    theirs: &str,
    message: &str,
    check: impl FnOnce(&[UnitChange]) -> Result<()>,
) -> Result<Applied> {
    let _g = git_lock();
    let repo = require_repo(root)?;
    let plan = plan_in(&repo, parse_oid(theirs)?)?;
    let done = |head: String| Applied {
        kind: plan.kind,
        previous: plan.head.clone(),
        head,
        changes: plan.changes.clone(),
    };
    if plan.kind == MergeKind::UpToDate {
        return Ok(done(plan.head.clone()));
    }
    check(&plan.changes)?;
    refuse_uncommitted(&repo, &plan.changes)?;
    let branch = head_branch(&repo)?;
    let new = match plan.kind {
        MergeKind::Merge => create_merge_commit(&repo, &plan, message)?,
        _ => parse_oid(&plan.theirs)?,
    };
    let old = parse_oid(&plan.head)?;
    let units = paths_of(&plan.changes);
    let new_tree = tree_of(&repo, new)?;
    let mut co = CheckoutBuilder::new();
    co.safe();
    if let Err(e) = repo.checkout_tree(new_tree.as_object(), Some(&mut co)) {
        restore_units(&repo, old, &units);
        return Err(super::git_err("cannot write the merged skills", e));
    }
    let moved = repo.reference_matching(&branch, new, true, old, message);
    if let Err(e) = moved {
        restore_units(&repo, old, &units);
        return Err(super::git_err("cannot move HEAD to the merged commit", e));
    }
    reset_index(&repo, &new_tree);
    Ok(done(new.to_string()))
}

/// Undoes [`bring_in`] (HEAD back, the changed entries as they were) when HEAD has not moved
/// since; used when what follows a merge (the database) fails.
pub fn undo_bring_in(root: &Path, applied: &Applied) -> Result<()> {
    if applied.previous == applied.head {
        return Ok(());
    }
    let _g = git_lock();
    let repo = require_repo(root)?;
    let branch = head_branch(&repo)?;
    let (old, new) = (parse_oid(&applied.previous)?, parse_oid(&applied.head)?);
    repo.reference_matching(&branch, old, true, new, "undo publish merge")
        .git("cannot move HEAD back")?;
    restore_units(&repo, old, &paths_of(&applied.changes));
    reset_index(&repo, &tree_of(&repo, old)?);
    Ok(())
}

fn paths_of(changes: &[UnitChange]) -> Vec<String> {
    changes.iter().map(|c| c.path.clone()).collect()
}

/// `refs/heads/…` HEAD points to; a detached HEAD is refused (there is no branch to move).
fn head_branch(repo: &Repository) -> Result<String> {
    let head = repo.find_reference("HEAD").git("cannot read HEAD")?;
    head.symbolic_target()
        .filter(|t| t.starts_with("refs/heads/"))
        .map(str::to_string)
        .ok_or_else(|| {
            Error::invalid(
                "the skills repository is not on a branch (detached HEAD); check out a branch in the skills folder, then try again",
            )
        })
}

/// Puts `units` back as they are in commit `commit` (files the merge added are removed).
fn restore_units(repo: &Repository, commit: Oid, units: &[String]) {
    if units.is_empty() {
        return;
    }
    let restored = tree_of(repo, commit).and_then(|tree| {
        let mut co = CheckoutBuilder::new();
        co.force().remove_untracked(true);
        for u in units {
            co.path(u);
        }
        repo.checkout_tree(tree.as_object(), Some(&mut co))
            .git("cannot restore the skills folder")
    });
    if let Err(e) = restored {
        tracing::error!(
            "could not restore {} after a failed merge: {e}",
            units.join(", ")
        );
    }
}

fn reset_index(repo: &Repository, tree: &Tree<'_>) {
    let r = repo
        .index()
        .and_then(|mut i| i.read_tree(tree).and_then(|_| i.write()));
    if let Err(e) = r {
        tracing::warn!("could not refresh the git index: {}", e.message());
    }
}

/// Refuses (`conflict`, naming them) when entries that `changes` would change have edits in
/// the work tree that are not committed (checked before anything is pushed or merged).
pub fn ensure_committed(root: &Path, changes: &[UnitChange]) -> Result<()> {
    refuse_uncommitted(&require_repo(root)?, changes)
}

/// Refuses (`conflict`, naming them) when entries the merge changes differ from HEAD in the
/// work tree: those edits are not in the history and would be overwritten.
fn refuse_uncommitted(repo: &Repository, changes: &[UnitChange]) -> Result<()> {
    let Some(head) = head_commit(repo)? else {
        return Ok(());
    };
    if changes.is_empty() {
        return Ok(());
    }
    let tree = head.tree().git("cannot read HEAD's tree")?;
    let mut o = DiffOptions::new();
    o.include_untracked(true).recurse_untracked_dirs(true);
    for c in changes {
        o.pathspec(&c.path);
    }
    let diff = repo
        .diff_tree_to_workdir(Some(&tree), Some(&mut o))
        .git("cannot compare the skills folder with the history")?;
    let touched: BTreeSet<String> = diff
        .deltas()
        .filter_map(|d| delta_path(&d))
        .map(|p| unit_of(&p))
        .collect();
    let dirty: Vec<&str> = changes
        .iter()
        .map(|c| c.path.as_str())
        .filter(|p| touched.contains(*p))
        .collect();
    if dirty.is_empty() {
        return Ok(());
    }
    Err(Error::conflict(format!(
        "{} ha{} changes not yet in the history, and the remote changed {} too; nothing was \
         changed here. Finish or undo that work (or wait for its agent), then try again",
        dirty.join(", "),
        if dirty.len() == 1 { "s" } else { "ve" },
        if dirty.len() == 1 { "it" } else { "them" },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_top_level_entries_but_plugin_files_count_alone() {
        assert_eq!(unit_of("my-skill/SKILL.md"), "my-skill");
        assert_eq!(unit_of("my-skill/references/a.md"), "my-skill");
        assert_eq!(unit_of(".gitignore"), ".gitignore");
        assert_eq!(unit_of(".claude-plugin/marketplace.json"), MARKETPLACE_PATH);
        assert_eq!(unit_of(".claude-plugin/x/y"), ".claude-plugin/x");
    }
}
