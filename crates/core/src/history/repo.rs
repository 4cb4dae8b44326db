//! The repository at `skills_path`: opening or creating it (first commit, `.gitignore`), HEAD.

use super::commit::{commit_scoped, Scope};
use super::{git_err, git_lock, GitContext};
use crate::error::{Error, IoContext, Result};
use git2::{ErrorCode, ObjectType, Repository};
use std::fs;
use std::path::Path;

/// The branch a new repo starts on.
pub const DEFAULT_BRANCH: &str = "main";
/// Message of the first commit of a new, empty repo.
pub const INITIAL_COMMIT_MESSAGE: &str = "Initial commit";
/// Message of the first commit when the folder already held skills.
pub const INITIAL_SNAPSHOT_MESSAGE: &str = "initial snapshot of existing skills";

/// The `.gitignore` a new repo gets: OS, editor and temp junk, then the app's own scratch
/// files (trash, staging folders, logs, packages, half-done deletes and moves).
pub const DEFAULT_GITIGNORE: &str = "\
# macOS
.DS_Store
._*

# Windows
Thumbs.db
Desktop.ini

# Editors
.idea/
.vscode/
*.swp
*.swo
*~

# Temporary files
*.tmp
*.bak

# Skill Builder
logs/
*.log
.trash/
.staging/
*.skill
.deleting-*
.*.moving-*
";

/// True when `root` has a `.git` (dir, or file for a worktree).
fn has_repo(root: &Path) -> bool {
    root.join(".git").exists()
}

/// Opens an existing repo; `None` when `root` has no `.git`.
pub(super) fn open_existing(root: &Path) -> Result<Option<Repository>> {
    if !has_repo(root) {
        return Ok(None);
    }
    Repository::open(root)
        .git(format!(
            "cannot open the git repository at {}",
            root.display()
        ))
        .map(Some)
}

/// Opens the repo at `root`, creating it on first use.
///
/// A new repo gets the default `.gitignore` (an existing `.gitignore` is kept; only a missing
/// `.trash/` line is appended) and a first commit: `Initial commit`, or
/// `initial snapshot of existing skills` (everything) when the folder already had content.
/// An existing repo whose HEAD is unborn gets the same first commit; a broken repo is an error.
pub fn ensure_repo(root: &Path) -> Result<Repository> {
    let _g = git_lock();
    ensure_repo_locked(root)
}

pub(super) fn ensure_repo_locked(root: &Path) -> Result<Repository> {
    let repo = match open_existing(root)? {
        Some(repo) => repo,
        None => {
            fs::create_dir_all(root).with_path(root)?;
            // `main` whatever the machine's git config says: publish pushes to `main` by default.
            let mut opts = git2::RepositoryInitOptions::new();
            opts.initial_head(DEFAULT_BRANCH).external_template(false);
            Repository::init_opts(root, &opts).git(format!(
                "cannot create a git repository at {}",
                root.display()
            ))?
        }
    };
    if head_commit(&repo)?.is_some() {
        return Ok(repo);
    }
    let had_content = has_visible_entries(root)?;
    write_gitignore(root)?;
    let message = if had_content {
        INITIAL_SNAPSHOT_MESSAGE
    } else {
        INITIAL_COMMIT_MESSAGE
    };
    let scope = if had_content {
        Scope::All
    } else {
        Scope::GitignoreOnly
    };
    commit_scoped(&repo, scope, message)?;
    Ok(repo)
}

/// Any entry not starting with `.` (a skill folder or other user file).
fn has_visible_entries(root: &Path) -> Result<bool> {
    for e in fs::read_dir(root).with_path(root)? {
        let e = e.with_path(root)?;
        if !e.file_name().to_string_lossy().starts_with('.') {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Writes the default `.gitignore`, or appends `.trash/` to an existing one that lacks it.
fn write_gitignore(root: &Path) -> Result<()> {
    let path = root.join(".gitignore");
    match fs::read(&path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let has_trash = text
                .lines()
                .map(str::trim)
                .any(|l| matches!(l, ".trash/" | ".trash" | "/.trash/" | "/.trash"));
            if !has_trash {
                let mut out = text.into_owned();
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(".trash/\n");
                fs::write(&path, out).with_path(&path)?;
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::write(&path, DEFAULT_GITIGNORE).with_path(&path)
        }
        Err(e) => Err(Error::from(e).context(path.display())),
    }
}

pub(super) fn head_commit(repo: &Repository) -> Result<Option<git2::Commit<'_>>> {
    match repo.head() {
        Ok(h) => h.peel_to_commit().git("cannot read HEAD").map(Some),
        Err(e) if matches!(e.code(), ErrorCode::UnbornBranch | ErrorCode::NotFound) => Ok(None),
        Err(e) => Err(git_err("cannot read HEAD", e)),
    }
}

/// Full sha of HEAD, or `None` without a repo or commit (stamps skill-test results).
pub fn head_sha(root: &Path) -> Option<String> {
    let repo = open_existing(root).ok()??;
    let head = repo.head().ok()?;
    head.target().map(|o| o.to_string())
}

/// True when HEAD's tree has `{skill}/` (the skill was committed at least once and not
/// deleted since). Lets callers pick `{name}: created` for a skill's first commit.
pub fn skill_in_head(root: &Path, skill: &str) -> bool {
    let Ok(Some(repo)) = open_existing(root) else {
        return false;
    };
    let Ok(Some(commit)) = head_commit(&repo) else {
        return false;
    };
    commit
        .tree()
        .ok()
        .and_then(|t| t.get_path(Path::new(skill)).ok())
        .is_some_and(|e| e.kind() == Some(ObjectType::Tree))
}

/// Names of the top-level folders in HEAD's tree (empty without a repository or a commit).
pub fn head_folders(root: &Path) -> std::collections::HashSet<String> {
    if !root.join(".git").exists() {
        return Default::default();
    }
    let Ok(repo) = Repository::open(root) else {
        return Default::default();
    };
    let Ok(Some(commit)) = head_commit(&repo) else {
        return Default::default();
    };
    let Ok(tree) = commit.tree() else {
        return Default::default();
    };
    tree.iter()
        .filter(|e| e.kind() == Some(ObjectType::Tree))
        .filter_map(|e| e.name().map(str::to_string))
        .collect()
}

/// Resolves a commit sha: malformed → `invalid_input`, unknown → `not_found`; both name it.
pub(super) fn resolve_commit<'r>(repo: &'r Repository, sha: &str) -> Result<git2::Commit<'r>> {
    let s = sha.trim();
    if s.len() < 4 || s.len() > 40 || !s.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Error::invalid(format!(
            "invalid commit sha '{sha}': expected 4 to 40 hexadecimal characters"
        )));
    }
    let obj = repo.revparse_single(s).map_err(|e| match e.code() {
        ErrorCode::Ambiguous => Error::invalid(format!("commit sha '{sha}' is ambiguous")),
        _ => Error::not_found(format!("commit '{sha}' not found in the skills repository")),
    })?;
    obj.peel_to_commit()
        .map_err(|_| Error::not_found(format!("'{sha}' is not a commit")))
}

pub(super) fn require_repo(root: &Path) -> Result<Repository> {
    open_existing(root)?
        .ok_or_else(|| Error::not_found(format!("no git repository at {}", root.display())))
}
