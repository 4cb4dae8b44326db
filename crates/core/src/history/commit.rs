//! Commits: scoped to the whole tree, one skill or some top-level paths, with retries and the
//! best-effort wrappers command handlers use.

use super::repo::{ensure_repo_locked, head_commit};
use super::{git_lock, GitContext};
use crate::app::App;
use crate::error::Result;
use crate::ingest::names::validate_skill_name;
use git2::{IndexAddOption, Repository, Signature};
use std::path::Path;

/// Author and committer when the user has no git identity configured.
pub const FALLBACK_AUTHOR_NAME: &str = "Skill Builder";
pub const FALLBACK_AUTHOR_EMAIL: &str = "noreply@skillbuilder.local";

pub(super) enum Scope<'a> {
    /// The whole work tree (honouring `.gitignore`), deletions included.
    All,
    /// Only `{skill}/` and `.gitignore`; the rest of the tree stays as in HEAD.
    Skill(&'a str),
    /// Only these top-level entries and `.gitignore` (reconciliation's batches).
    Paths(&'a [String]),
    GitignoreOnly,
}

pub(super) fn signature(repo: &Repository) -> Result<Signature<'static>> {
    if let Ok(sig) = repo.signature() {
        if !sig.name().unwrap_or("").trim().is_empty() && !sig.email().unwrap_or("").is_empty() {
            return Ok(sig.to_owned());
        }
    }
    Signature::now(FALLBACK_AUTHOR_NAME, FALLBACK_AUTHOR_EMAIL).git("cannot make a signature")
}

pub(super) fn commit_scoped(
    repo: &Repository,
    scope: Scope<'_>,
    message: &str,
) -> Result<Option<String>> {
    let head = head_commit(repo)?;
    let head_tree = match &head {
        Some(c) => Some(c.tree().git("cannot read HEAD's tree")?),
        None => None,
    };
    let mut index = repo.index().git("cannot open the git index")?;
    let specs: Vec<String> = match scope {
        Scope::All => vec!["*".into(), ".*".into()],
        Scope::Skill(s) => vec![s.to_string(), ".gitignore".into()],
        Scope::Paths(p) => p.iter().cloned().chain([".gitignore".into()]).collect(),
        Scope::GitignoreOnly => vec![".gitignore".into()],
    };
    if !matches!(scope, Scope::All) {
        // Start from HEAD so nothing outside the scope (e.g. someone's staged edits) slips in.
        match &head_tree {
            Some(t) => index.read_tree(t).git("cannot reset the git index")?,
            None => index.clear().git("cannot reset the git index")?,
        }
    }
    index
        .add_all(specs.iter(), IndexAddOption::DEFAULT, None)
        .git("cannot stage files")?;
    index
        .update_all(specs.iter(), None)
        .git("cannot stage deletions")?;
    let tree_id = index.write_tree().git("cannot write the tree")?;
    index.write().git("cannot write the git index")?;
    if let Some(t) = &head_tree {
        if t.id() == tree_id {
            return Ok(None);
        }
    }
    let tree = repo.find_tree(tree_id).git("cannot read the new tree")?;
    let sig = signature(repo)?;
    let parents: Vec<&git2::Commit<'_>> = head.iter().collect();
    let oid = repo
        .commit(Some("HEAD"), &sig, &sig, message, &tree, &parents)
        .git("cannot commit")?;
    Ok(Some(oid.to_string()))
}

/// Retries a commit a few times while another process holds the index lock.
pub(super) fn with_retry(mut f: impl FnMut() -> Result<Option<String>>) -> Result<Option<String>> {
    let mut tries = 0;
    loop {
        match f() {
            Err(e) if e.kind == crate::error::ErrorKind::Locked && tries < 20 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            r => return r,
        }
    }
}

/// Commits the whole repo at `root` (created if needed): stages everything, dotfiles
/// included and `.gitignore` honoured, records deletions. `None` when the tree equals HEAD's.
/// Use for repo-wide events (adoption, a moved skills folder, reconciliation).
pub fn commit_all(root: &Path, message: &str) -> Result<Option<String>> {
    with_retry(|| {
        let _g = git_lock();
        let repo = ensure_repo_locked(root)?;
        commit_scoped(&repo, Scope::All, message)
    })
}

/// Commits only `{skill}/` (and `.gitignore`) of the repo at `root`; files of other skills are
/// left out of the commit. `None` when nothing under the skill changed.
pub fn commit_skill_at(root: &Path, skill: &str, message: &str) -> Result<Option<String>> {
    validate_skill_name(skill)?;
    with_retry(|| {
        let _g = git_lock();
        let repo = ensure_repo_locked(root)?;
        commit_scoped(&repo, Scope::Skill(skill), message)
    })
}

/// Commits only the top-level entries `paths` (and `.gitignore`) of the repo at `root`,
/// deletions included, starting from HEAD's tree so nothing else slips in. `None` when
/// nothing under them changed.
pub fn commit_paths(root: &Path, paths: &[String], message: &str) -> Result<Option<String>> {
    with_retry(|| {
        let _g = git_lock();
        let repo = ensure_repo_locked(root)?;
        commit_scoped(&repo, Scope::Paths(paths), message)
    })
}

/// Best-effort skill commit for command handlers (create, delete, steps, refine, restore…):
/// commits `{skill}/` of `skills_path` with `message`; a failure is logged, never returned.
pub fn commit_skill(app: &App, skill: &str, message: &str) -> Option<String> {
    let root = app.skills_path();
    match commit_skill_at(&root, skill, message) {
        Ok(sha) => sha,
        Err(e) => {
            tracing::warn!("git commit '{message}' in {} failed: {e}", root.display());
            None
        }
    }
}

/// Best-effort whole-repo commit of `skills_path` (adoption, skills-path move, reconcile).
pub fn commit_repo(app: &App, message: &str) -> Option<String> {
    let root = app.skills_path();
    match commit_all(&root, message) {
        Ok(sha) => sha,
        Err(e) => {
            tracing::warn!("git commit '{message}' in {} failed: {e}", root.display());
            None
        }
    }
}
