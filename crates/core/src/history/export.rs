//! Read-only export of a skill as it was at a commit (evals run an earlier version as their
//! baseline). Nothing in the repository or the skills folder changes.

use super::repo::{require_repo, resolve_commit};
use super::{git_err, GitContext};
use crate::error::{Error, IoContext, Result};
use crate::ingest::names::validate_skill_name;
use git2::{FileMode, ObjectType, TreeWalkMode, TreeWalkResult};
use std::path::{Component, Path};

/// Writes the regular files of `{skill}/` as they were in commit `sha` (4 to 40 hex digits)
/// into `dest` (created), and returns the commit's full sha. Symbolic links of that version
/// are left out: they never leave the skills folder. `not_found` when the commit or the skill
/// in it does not exist.
pub fn export_skill_version(root: &Path, skill: &str, sha: &str, dest: &Path) -> Result<String> {
    validate_skill_name(skill)?;
    let repo = require_repo(root)?;
    let commit = resolve_commit(&repo, sha)?;
    let full = commit.id().to_string();
    let tree = commit.tree().git(format!("tree of {sha}"))?;
    let sub = match tree.get_path(Path::new(skill)) {
        Ok(e) if e.kind() == Some(ObjectType::Tree) => {
            repo.find_tree(e.id()).git(format!("tree of {skill}/"))?
        }
        _ => {
            return Err(Error::not_found(format!(
                "skill '{skill}' does not exist in commit {full}"
            )))
        }
    };
    std::fs::create_dir_all(dest).with_path(dest)?;
    let mut failure: Option<Error> = None;
    sub.walk(TreeWalkMode::PreOrder, |dir, e| {
        if e.kind() != Some(ObjectType::Blob) || e.filemode() == i32::from(FileMode::Link) {
            return TreeWalkResult::Ok;
        }
        let rel = format!("{dir}{}", e.name().unwrap_or(""));
        let res = repo
            .find_blob(e.id())
            .map_err(|err| git_err(format!("cannot read {skill}/{rel}"), err))
            .and_then(|b| write_file(dest, &rel, b.content()));
        match res {
            Ok(()) => TreeWalkResult::Ok,
            Err(err) => {
                failure = Some(err);
                TreeWalkResult::Abort
            }
        }
    })
    .git(format!("cannot read {skill}/"))
    .or_else(|e| if failure.is_some() { Ok(()) } else { Err(e) })?;
    match failure {
        Some(e) => Err(e),
        None => Ok(full),
    }
}

/// `dest/rel`, refusing a tree path that would leave `dest` (git never stores one, but a
/// crafted repository could).
fn write_file(dest: &Path, rel: &str, data: &[u8]) -> Result<()> {
    let rel_path = Path::new(rel);
    if !rel_path
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return Err(Error::invalid(format!(
            "refusing to export '{rel}': the path leaves the skill folder"
        )));
    }
    let to = dest.join(rel_path);
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).with_path(parent)?;
    }
    std::fs::write(&to, data).with_path(&to)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skill_is_exported_as_it_was_and_the_repository_is_untouched() {
        let root = tempfile::tempdir().unwrap();
        super::super::ensure_repo(root.path()).unwrap();
        let skill = root.path().join("s");
        std::fs::create_dir_all(skill.join("references")).unwrap();
        std::fs::write(skill.join("SKILL.md"), "v1").unwrap();
        std::fs::write(skill.join("references/a.md"), "A1").unwrap();
        let v1 = super::super::commit_skill_at(root.path(), "s", "s: v1")
            .unwrap()
            .unwrap();
        std::fs::write(skill.join("SKILL.md"), "v2").unwrap();
        super::super::commit_skill_at(root.path(), "s", "s: v2").unwrap();
        std::fs::write(skill.join("SKILL.md"), "work in progress").unwrap();

        let out = tempfile::tempdir().unwrap();
        let dest = out.path().join("v1");
        let full = export_skill_version(root.path(), "s", &v1[..8], &dest).unwrap();
        assert_eq!(full, v1);
        assert_eq!(
            std::fs::read_to_string(dest.join("SKILL.md")).unwrap(),
            "v1"
        );
        assert_eq!(
            std::fs::read_to_string(dest.join("references/a.md")).unwrap(),
            "A1"
        );
        assert_eq!(
            std::fs::read_to_string(skill.join("SKILL.md")).unwrap(),
            "work in progress"
        );
        let e = export_skill_version(root.path(), "other", &v1, &out.path().join("x")).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::NotFound);
        let e =
            export_skill_version(root.path(), "s", "0000000", &out.path().join("y")).unwrap_err();
        assert_eq!(e.kind, crate::ErrorKind::NotFound);
    }
}
