//! Restoring a skill's folder to an earlier commit, as a new commit.

use super::commit::{commit_scoped, with_retry, Scope};
use super::repo::{head_commit, require_repo, resolve_commit};
use super::{git_err, git_lock, GitContext};
use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::ingest::names::validate_skill_name;
use git2::{FileMode, ObjectType, Repository, Tree, TreeWalkMode, TreeWalkResult};
use serde::Deserialize;
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreSkillVersionArgs {
    #[serde(default)]
    pub workspace_path: Option<String>,
    pub skill_name: String,
    pub sha: String,
}

/// A file of a commit's skill subtree.
struct TreeFile {
    rel: String,
    mode: i32,
    data: Vec<u8>,
}

/// Every blob under `{skill}/` of `tree`, paths relative to the skill folder.
fn skill_files(repo: &Repository, tree: &Tree<'_>, skill: &str) -> Result<Option<Vec<TreeFile>>> {
    let entry = match tree.get_path(Path::new(skill)) {
        Ok(e) if e.kind() == Some(ObjectType::Tree) => e,
        _ => return Ok(None),
    };
    let sub = repo
        .find_tree(entry.id())
        .git(format!("tree of {skill}/"))?;
    let mut found = Vec::new();
    let mut failure = None;
    sub.walk(TreeWalkMode::PreOrder, |dir, e| {
        if e.kind() != Some(ObjectType::Blob) {
            return TreeWalkResult::Ok;
        }
        let rel = format!("{dir}{}", e.name().unwrap_or(""));
        match repo.find_blob(e.id()) {
            Ok(b) => found.push(TreeFile {
                rel,
                mode: e.filemode(),
                data: b.content().to_vec(),
            }),
            Err(err) => {
                failure = Some(git_err(format!("cannot read {skill}/{rel}"), err));
                return TreeWalkResult::Abort;
            }
        }
        TreeWalkResult::Ok
    })
    .git(format!("cannot read {skill}/"))
    .or_else(|e| if failure.is_some() { Ok(()) } else { Err(e) })?;
    if let Some(e) = failure {
        return Err(e);
    }
    Ok(Some(found))
}

pub(super) fn join_rel(base: &Path, rel: &str) -> PathBuf {
    let mut p = base.to_path_buf();
    for c in rel.split('/').filter(|c| !c.is_empty()) {
        p.push(c);
    }
    p
}

fn remove_any(p: &Path) -> Result<()> {
    let meta = match fs::symlink_metadata(p) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::from(e).context(p.display())),
    };
    if meta.is_dir() {
        fs::remove_dir_all(p).with_path(p)
    } else {
        fs::remove_file(p).with_path(p)
    }
}

/// Empties `dir` except ignored files the version does not have (OS/editor junk, logs,
/// packages): those are not part of any version. Returns true when `dir` is left empty.
fn clean_dir(
    repo: &Repository,
    root: &Path,
    dir: &Path,
    may_keep: &dyn Fn(&str) -> bool,
) -> Result<bool> {
    let mut left = 0usize;
    for e in fs::read_dir(dir).with_path(dir)? {
        let e = e.with_path(dir)?;
        let p = e.path();
        let rel = p
            .strip_prefix(root)
            .unwrap_or(&p)
            .to_string_lossy()
            .replace('\\', "/");
        let meta = fs::symlink_metadata(&p).with_path(&p)?;
        let probe = if meta.is_dir() {
            format!("{rel}/")
        } else {
            rel.clone()
        };
        let ignored = repo.is_path_ignored(Path::new(&probe)).unwrap_or(false)
            && !repo_tracks(repo, &rel, meta.is_dir());
        if ignored && may_keep(&rel) {
            left += 1;
            continue;
        }
        if meta.is_dir() {
            if clean_dir(repo, root, &p, may_keep)? {
                fs::remove_dir(&p).with_path(&p)?;
            } else {
                left += 1;
            }
        } else {
            fs::remove_file(&p).with_path(&p)?;
        }
    }
    Ok(left == 0)
}

/// True when HEAD tracks `rel` (a file) or something under it (a dir): tracked files are
/// part of the version even when a pattern would ignore them.
fn repo_tracks(repo: &Repository, rel: &str, is_dir: bool) -> bool {
    let Ok(Some(head)) = head_commit(repo) else {
        return false;
    };
    let Ok(tree) = head.tree() else {
        return false;
    };
    match tree.get_path(Path::new(rel)) {
        Ok(e) => {
            if is_dir {
                e.kind() == Some(ObjectType::Tree)
            } else {
                e.kind() == Some(ObjectType::Blob)
            }
        }
        Err(_) => false,
    }
}

fn write_tree_file(path: &Path, mode: i32, data: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        // A leftover file (or link) where a folder must be.
        let mut anc = parent.to_path_buf();
        let mut chain = vec![];
        while !anc.exists() || fs::symlink_metadata(&anc).is_ok_and(|m| !m.is_dir()) {
            chain.push(anc.clone());
            if !anc.pop() {
                break;
            }
        }
        for a in chain {
            if fs::symlink_metadata(&a).is_ok_and(|m| !m.is_dir()) {
                remove_any(&a)?;
            }
        }
        fs::create_dir_all(parent).with_path(parent)?;
    }
    if fs::symlink_metadata(path).is_ok() {
        remove_any(path)?;
    }
    if mode == i32::from(FileMode::Link) {
        #[cfg(unix)]
        {
            let target = String::from_utf8_lossy(data).into_owned();
            return std::os::unix::fs::symlink(target, path).with_path(path);
        }
    }
    fs::write(path, data).with_path(path)?;
    #[cfg(unix)]
    if mode == i32::from(FileMode::BlobExecutable) {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).with_path(path)?;
    }
    Ok(())
}

/// Replaces `{root}/{skill}/` with the skill as it was in commit `sha` and commits
/// `{skill}: restored to {sha8}` as a new commit (`None` when that is the current version).
/// Ignored junk (logs, `.DS_Store`, packages) the old version lacks is kept; everything else
/// the old version lacks is removed. Modes (exec bit) and symlinks are restored.
pub fn restore_version(root: &Path, skill: &str, sha: &str) -> Result<Option<String>> {
    validate_skill_name(skill)?;
    let _g = git_lock();
    let repo = require_repo(root)?;
    let commit = resolve_commit(&repo, sha)?;
    let tree = commit.tree().git(format!("tree of {sha}"))?;
    let files = skill_files(&repo, &tree, skill)?.ok_or_else(|| {
        Error::not_found(format!(
            "skill '{skill}' does not exist in commit {}",
            commit.id()
        ))
    })?;
    let dir = root.join(skill);
    if fs::symlink_metadata(&dir).is_ok_and(|m| !m.is_dir()) {
        remove_any(&dir)?;
    }
    fs::create_dir_all(&dir).with_path(&dir)?;
    let wanted: Vec<String> = files.iter().map(|f| format!("{skill}/{}", f.rel)).collect();
    // An ignored entry survives only when the version has nothing at or under its path.
    let keep = |rel: &str| {
        let as_dir = format!("{rel}/");
        !wanted
            .iter()
            .any(|w| w == rel || w.starts_with(as_dir.as_str()))
    };
    clean_dir(&repo, root, &dir, &keep)?;
    for f in &files {
        write_tree_file(&join_rel(&dir, &f.rel), f.mode, &f.data)?;
    }
    let full = commit.id().to_string();
    let message = format!("{skill}: restored to {}", &full[..8]);
    with_retry(|| commit_scoped(&repo, Scope::Skill(skill), &message))
}

/// `restore_skill_version`: brings the skill's files back to `sha` as a new commit. Refused
/// while another live instance holds the skill's lock. The database is untouched.
pub fn restore_skill_version(app: &App, args: RestoreSkillVersionArgs) -> Result<()> {
    validate_skill_name(&args.skill_name)?;
    crate::locks::ensure_not_locked_by_other(app, &args.skill_name)?;
    restore_version(&app.skills_path(), &args.skill_name, &args.sha)?;
    crate::installs::after_library_change(app, &args.skill_name);
    Ok(())
}
