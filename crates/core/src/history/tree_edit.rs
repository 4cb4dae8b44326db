//! Commits built as objects, without moving HEAD or touching the work tree (publish builds what
//! it pushes this way, and only a successful push is brought into the library), and reads of a
//! commit's tree.

use super::commit::signature;
use super::repo::require_repo;
use super::GitContext;
use crate::error::{Error, Result};
use git2::{ObjectType, Oid, Repository, Tree};
use std::path::Path;

/// Mode of a folder entry in a git tree.
pub(super) const TREE_MODE: i32 = 0o040000;
/// Mode of a regular (not executable) file entry.
const BLOB_MODE: i32 = 0o100644;

/// A tree entry: its object and mode.
pub(super) type Entry = (Oid, i32);

/// The entry at `path` (`a` or `a/b`, `/`-separated) of `tree`, if any.
pub(super) fn entry_at(tree: Option<&Tree<'_>>, path: &str) -> Option<Entry> {
    let e = tree?.get_path(Path::new(path)).ok()?;
    Some((e.id(), e.filemode()))
}

/// `tree` with the entry at `parts` set to `entry` (`None` removes it); folders left empty
/// disappear, as git does not keep them. `None` when the whole tree ends up empty.
pub(super) fn with_entry(
    repo: &Repository,
    tree: Option<&Tree<'_>>,
    parts: &[&str],
    entry: Option<Entry>,
) -> Result<Option<Oid>> {
    let (first, rest) = parts
        .split_first()
        .ok_or_else(|| Error::internal("empty tree path"))?;
    let mut b = repo.treebuilder(tree).git("cannot edit a tree")?;
    let new_entry = if rest.is_empty() {
        entry
    } else {
        let sub = match tree.and_then(|t| t.get_name(first)) {
            Some(e) if e.kind() == Some(ObjectType::Tree) => Some(
                repo.find_tree(e.id())
                    .git(format!("cannot read {first}/"))?,
            ),
            _ => None,
        };
        with_entry(repo, sub.as_ref(), rest, entry)?.map(|id| (id, TREE_MODE))
    };
    match new_entry {
        Some((id, mode)) => {
            b.insert(first, id, mode).git("cannot edit a tree")?;
        }
        None => {
            if b.get(first).git("cannot edit a tree")?.is_some() {
                b.remove(first).git("cannot edit a tree")?;
            }
        }
    }
    if b.is_empty() {
        return Ok(None);
    }
    b.write().git("cannot write a tree").map(Some)
}

/// Writes an empty tree (the root of a repository with nothing in it).
pub(super) fn empty_tree(repo: &Repository) -> Result<Oid> {
    repo.treebuilder(None)
        .and_then(|b| b.write())
        .git("cannot write an empty tree")
}

fn commit_of<'r>(repo: &'r Repository, sha: &str) -> Result<git2::Commit<'r>> {
    let oid =
        Oid::from_str(sha).map_err(|_| Error::invalid(format!("'{sha}' is not a commit id")))?;
    repo.find_commit(oid)
        .map_err(|_| Error::not_found(format!("commit {sha} is not in the skills repository")))
}

/// A new commit on `parent` whose tree is `parent`'s with the file `path` set to `bytes`;
/// HEAD and the work tree are not touched. `None` when the file already has those bytes.
pub fn commit_file_on(
    root: &Path,
    parent: &str,
    path: &str,
    bytes: &[u8],
    message: &str,
) -> Result<Option<String>> {
    let repo = require_repo(root)?;
    let parent = commit_of(&repo, parent)?;
    let tree = parent.tree().git("cannot read the parent's tree")?;
    let blob = repo.blob(bytes).git("cannot store a file")?;
    if entry_at(Some(&tree), path) == Some((blob, BLOB_MODE)) {
        return Ok(None);
    }
    let parts: Vec<&str> = path.split('/').collect();
    let new_tree = match with_entry(&repo, Some(&tree), &parts, Some((blob, BLOB_MODE)))? {
        Some(id) => id,
        None => empty_tree(&repo)?,
    };
    let new_tree = repo.find_tree(new_tree).git("cannot read the new tree")?;
    let sig = signature(&repo)?;
    let oid = repo
        .commit(None, &sig, &sig, message, &new_tree, &[&parent])
        .git("cannot commit")?;
    Ok(Some(oid.to_string()))
}

/// The bytes of file `path` in commit `sha`; `None` when it has no such file.
pub fn file_at(root: &Path, sha: &str, path: &str) -> Result<Option<Vec<u8>>> {
    let repo = require_repo(root)?;
    let tree = commit_of(&repo, sha)?.tree().git("cannot read a tree")?;
    let Some((id, _)) = entry_at(Some(&tree), path) else {
        return Ok(None);
    };
    let bytes = repo.find_blob(id).ok().map(|b| b.content().to_vec());
    Ok(bytes)
}

/// Top-level folders of commit `sha` that hold a `SKILL.md` file, sorted.
pub fn skill_folders_at(root: &Path, sha: &str) -> Result<Vec<String>> {
    let repo = require_repo(root)?;
    let tree = commit_of(&repo, sha)?.tree().git("cannot read a tree")?;
    let mut out: Vec<String> = tree
        .iter()
        .filter(|e| e.kind() == Some(ObjectType::Tree))
        .filter_map(|e| e.name().map(str::to_string))
        .filter(|n| has_skill_md(&tree, n))
        .collect();
    out.sort();
    Ok(out)
}

pub(super) fn has_skill_md(tree: &Tree<'_>, folder: &str) -> bool {
    tree.get_path(Path::new(&format!("{folder}/SKILL.md")))
        .is_ok_and(|e| e.kind() == Some(ObjectType::Blob))
}

/// The git identity commits of the repository at `root` are made with: (name, email).
pub fn identity(root: &Path) -> Result<(String, String)> {
    let repo = require_repo(root)?;
    let sig = signature(&repo)?;
    Ok((
        sig.name().unwrap_or_default().to_string(),
        sig.email().unwrap_or_default().to_string(),
    ))
}
