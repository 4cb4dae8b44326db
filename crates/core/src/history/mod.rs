//! Git history of the skills folder (lifecycle.md §3): the repo at `skills_path`, the
//! auto-commits, and the Git history commands (`get_skill_history`, `get_skill_diff`,
//! `restore_skill_version`) plus the HEAD → working-tree diff refine shows.
//!
//! Everything goes through libgit2 (`git2`); the git binary is never needed. History is only
//! ever appended to: a restore is a new commit, nothing is rewritten.

use crate::app::App;
use crate::error::{Error, IoContext, Result};
use crate::ingest::names::validate_skill_name;
use git2::{
    Delta, DiffOptions, ErrorCode, FileMode, IndexAddOption, ObjectType, Oid, Repository,
    Signature, Sort, Tree, TreeWalkMode, TreeWalkResult,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Author and committer when the user has no git identity configured.
pub const FALLBACK_AUTHOR_NAME: &str = "Skill Builder";
pub const FALLBACK_AUTHOR_EMAIL: &str = "noreply@skillbuilder.local";

/// Message of the first commit of a new, empty repo.
pub const INITIAL_COMMIT_MESSAGE: &str = "Initial commit";
/// Message of the first commit when the folder already held skills.
pub const INITIAL_SNAPSHOT_MESSAGE: &str = "initial snapshot of existing skills";

/// `get_skill_history` limit when none is given.
pub const DEFAULT_HISTORY_LIMIT: usize = 100;

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

/// Serialises this process's repo writes (index lock, HEAD update).
static GIT_LOCK: Mutex<()> = Mutex::new(());

fn git_lock() -> std::sync::MutexGuard<'static, ()> {
    GIT_LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

// ---- types ----

/// One commit of a skill's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillCommit {
    /// Full 40-hex sha.
    pub sha: String,
    /// Full commit message.
    pub message: String,
    /// Commit time, RFC 3339 in UTC (`+00:00`).
    pub timestamp: String,
}

/// Tree diff between two commits, limited to one skill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillDiff {
    pub files: Vec<FileDiff>,
}

/// One changed file: whole texts, not a patch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileDiff {
    /// Repo-relative, e.g. `my-skill/SKILL.md`.
    pub path: String,
    /// `added` | `modified` | `deleted`.
    pub status: String,
    /// Text in the old version; `None` when absent there or binary.
    pub old_content: Option<String>,
    /// Text in the new version; `None` when absent there or binary.
    pub new_content: Option<String>,
}

/// What refine changed, as unified diffs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefineDiff {
    /// `no changes`, `no git repository`, or
    /// `<n> file(s) changed, <i> insertion(s)(+), <d> deletion(s)(-)`.
    pub stat: String,
    pub files: Vec<RefineFileDiff>,
}

/// One file of a [`RefineDiff`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefineFileDiff {
    /// Repo-relative, e.g. `my-skill/references/x.md`.
    pub path: String,
    /// `added` | `modified` | `deleted`.
    pub status: String,
    /// Unified diff body: `@@ … @@` hunk headers and ` `/`+`/`-` lines, no file headers.
    pub diff: String,
}

// ---- arguments ----

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillHistoryArgs {
    /// Accepted for compatibility with the reference UI; the repo is `skills_path`.
    #[serde(default)]
    pub workspace_path: Option<String>,
    pub skill_name: String,
    #[serde(default)]
    pub limit: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillDiffArgs {
    #[serde(default)]
    pub workspace_path: Option<String>,
    pub skill_name: String,
    pub sha_a: String,
    pub sha_b: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreSkillVersionArgs {
    #[serde(default)]
    pub workspace_path: Option<String>,
    pub skill_name: String,
    pub sha: String,
}

// ---- errors ----

fn git_err(what: impl std::fmt::Display, e: git2::Error) -> Error {
    let msg = format!("{what}: {}", e.message());
    match e.code() {
        ErrorCode::NotFound => Error::not_found(msg),
        ErrorCode::Locked => Error::locked(msg),
        ErrorCode::Ambiguous | ErrorCode::InvalidSpec => Error::invalid(msg),
        _ => match e.class() {
            git2::ErrorClass::Os => Error::io(msg),
            _ => Error::internal(msg),
        },
    }
}

trait GitContext<T> {
    fn git(self, what: impl std::fmt::Display) -> Result<T>;
}

impl<T> GitContext<T> for std::result::Result<T, git2::Error> {
    fn git(self, what: impl std::fmt::Display) -> Result<T> {
        self.map_err(|e| git_err(what, e))
    }
}

// ---- repo ----

/// True when `root` has a `.git` (dir, or file for a worktree).
fn has_repo(root: &Path) -> bool {
    root.join(".git").exists()
}

/// Opens an existing repo; `None` when `root` has no `.git`.
fn open_existing(root: &Path) -> Result<Option<Repository>> {
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

fn ensure_repo_locked(root: &Path) -> Result<Repository> {
    let repo = match open_existing(root)? {
        Some(repo) => repo,
        None => {
            fs::create_dir_all(root).with_path(root)?;
            Repository::init(root).git(format!(
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

fn head_commit(repo: &Repository) -> Result<Option<git2::Commit<'_>>> {
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

// ---- commits ----

enum Scope<'a> {
    /// The whole work tree (honouring `.gitignore`), deletions included.
    All,
    /// Only `{skill}/` and `.gitignore`; the rest of the tree stays as in HEAD.
    Skill(&'a str),
    /// Only these top-level entries and `.gitignore` (reconciliation's batches).
    Paths(&'a [String]),
    GitignoreOnly,
}

fn signature(repo: &Repository) -> Result<Signature<'static>> {
    if let Ok(sig) = repo.signature() {
        if !sig.name().unwrap_or("").trim().is_empty() && !sig.email().unwrap_or("").is_empty() {
            return Ok(sig.to_owned());
        }
    }
    Signature::now(FALLBACK_AUTHOR_NAME, FALLBACK_AUTHOR_EMAIL).git("cannot make a signature")
}

fn commit_scoped(repo: &Repository, scope: Scope<'_>, message: &str) -> Result<Option<String>> {
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
fn with_retry(mut f: impl FnMut() -> Result<Option<String>>) -> Result<Option<String>> {
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

// ---- history, diff, restore ----

fn skill_prefix(skill: &str) -> String {
    format!("{skill}/")
}

fn diff_options(skill: &str) -> DiffOptions {
    let mut o = DiffOptions::new();
    o.pathspec(skill);
    o
}

fn delta_path(d: &git2::DiffDelta<'_>) -> Option<String> {
    d.new_file()
        .path()
        .or_else(|| d.old_file().path())
        .map(|p| p.to_string_lossy().replace('\\', "/"))
}

fn status_name(s: Delta) -> &'static str {
    match s {
        Delta::Added | Delta::Untracked => "added",
        Delta::Deleted => "deleted",
        _ => "modified",
    }
}

/// Resolves a commit sha: malformed → `invalid_input`, unknown → `not_found`; both name it.
fn resolve_commit<'r>(repo: &'r Repository, sha: &str) -> Result<git2::Commit<'r>> {
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

fn require_repo(root: &Path) -> Result<Repository> {
    open_existing(root)?
        .ok_or_else(|| Error::not_found(format!("no git repository at {}", root.display())))
}

/// Commits that touched `{skill}/` (diff against the first parent; a root commit against the
/// empty tree), newest first, at most `limit`.
pub fn skill_history(root: &Path, skill: &str, limit: usize) -> Result<Vec<SkillCommit>> {
    validate_skill_name(skill)?;
    let Some(repo) = open_existing(root)? else {
        return Ok(vec![]);
    };
    if limit == 0 || head_commit(&repo)?.is_none() {
        return Ok(vec![]);
    }
    let prefix = skill_prefix(skill);
    let mut walk = repo.revwalk().git("cannot walk the history")?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)
        .git("cannot walk the history")?;
    walk.push_head().git("cannot walk the history")?;
    let mut out = Vec::new();
    for oid in walk {
        let oid = oid.git("cannot walk the history")?;
        let commit = repo.find_commit(oid).git(format!("commit {oid}"))?;
        let tree = commit.tree().git(format!("tree of commit {oid}"))?;
        let parent_tree = match commit.parent(0) {
            Ok(p) => Some(p.tree().git(format!("parent of commit {oid}"))?),
            Err(_) => None,
        };
        let diff = repo
            .diff_tree_to_tree(
                parent_tree.as_ref(),
                Some(&tree),
                Some(&mut diff_options(skill)),
            )
            .git(format!("diff of commit {oid}"))?;
        let touches = diff
            .deltas()
            .any(|d| delta_path(&d).is_some_and(|p| p.starts_with(&prefix)));
        if touches {
            out.push(SkillCommit {
                sha: oid.to_string(),
                message: commit.message_raw().unwrap_or("").to_string(),
                timestamp: rfc3339_utc(commit.time().seconds()),
            });
            if out.len() >= limit {
                break;
            }
        }
    }
    Ok(out)
}

fn rfc3339_utc(secs: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp(secs, 0)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn blob_text(repo: &Repository, id: Oid) -> Option<String> {
    if id.is_zero() {
        return None;
    }
    let blob = repo.find_blob(id).ok()?;
    if blob.is_binary() {
        return None;
    }
    Some(String::from_utf8_lossy(blob.content()).into_owned())
}

/// Tree diff `sha_a` → `sha_b` limited to `{skill}/`, whole file texts.
pub fn skill_diff(root: &Path, skill: &str, sha_a: &str, sha_b: &str) -> Result<SkillDiff> {
    validate_skill_name(skill)?;
    let repo = require_repo(root)?;
    let a = resolve_commit(&repo, sha_a)?;
    let b = resolve_commit(&repo, sha_b)?;
    let ta = a.tree().git(format!("tree of {sha_a}"))?;
    let tb = b.tree().git(format!("tree of {sha_b}"))?;
    let diff = repo
        .diff_tree_to_tree(Some(&ta), Some(&tb), Some(&mut diff_options(skill)))
        .git("cannot diff the commits")?;
    let prefix = skill_prefix(skill);
    let mut files = Vec::new();
    for d in diff.deltas() {
        let Some(path) = delta_path(&d).filter(|p| p.starts_with(&prefix)) else {
            continue;
        };
        let status = status_name(d.status());
        let old_content = match d.status() {
            Delta::Added => None,
            _ => blob_text(&repo, d.old_file().id()),
        };
        let new_content = match d.status() {
            Delta::Deleted => None,
            _ => blob_text(&repo, d.new_file().id()),
        };
        files.push(FileDiff {
            path,
            status: status.into(),
            old_content,
            new_content,
        });
    }
    files.sort_by(|x, y| x.path.cmp(&y.path));
    Ok(SkillDiff { files })
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

fn join_rel(base: &Path, rel: &str) -> PathBuf {
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

// ---- refine diff ----

/// Unified diff body of one file (`None` = absent on that side): hunk headers plus
/// context/`+`/`-` lines, and the insertion/deletion counts. Binary content gives the single
/// line `Binary files differ` and no counts.
pub fn unified_diff(old: Option<&[u8]>, new: Option<&[u8]>) -> (String, usize, usize) {
    let is_bin = |b: Option<&[u8]>| {
        b.is_some_and(|b| b[..b.len().min(8000)].contains(&0) || std::str::from_utf8(b).is_err())
    };
    if is_bin(old) || is_bin(new) {
        return ("Binary files differ\n".into(), 0, 0);
    }
    let old = std::str::from_utf8(old.unwrap_or_default()).unwrap_or_default();
    let new = std::str::from_utf8(new.unwrap_or_default()).unwrap_or_default();
    let diff = similar::TextDiff::from_lines(old, new);
    let mut out = String::new();
    let (mut ins, mut del) = (0, 0);
    for hunk in diff.unified_diff().context_radius(3).iter_hunks() {
        out.push_str(&hunk.header().to_string());
        out.push('\n');
        for change in hunk.iter_changes() {
            let sign = match change.tag() {
                similar::ChangeTag::Equal => ' ',
                similar::ChangeTag::Insert => {
                    ins += 1;
                    '+'
                }
                similar::ChangeTag::Delete => {
                    del += 1;
                    '-'
                }
            };
            out.push(sign);
            out.push_str(change.value());
            if !change.value().ends_with('\n') {
                out.push('\n');
            }
        }
    }
    (out, ins, del)
}

/// Old and new bytes of one file (`None` = absent on that side).
pub type Contents = (Option<Vec<u8>>, Option<Vec<u8>>);

/// Builds a [`RefineDiff`] from `(repo-relative path, old bytes, new bytes)` triples
/// (`None` = absent): unchanged files are dropped, the rest sorted by path, stat computed.
/// Also serves snapshot → current diffs of refine sessions.
pub fn build_refine_diff<I>(changes: I) -> RefineDiff
where
    I: IntoIterator<Item = (String, Option<Vec<u8>>, Option<Vec<u8>>)>,
{
    let mut sorted: BTreeMap<String, Contents> = BTreeMap::new();
    for (p, o, n) in changes {
        sorted.insert(p, (o, n));
    }
    let (mut ins, mut del) = (0, 0);
    let mut files = Vec::new();
    for (path, (old, new)) in sorted {
        let status = match (&old, &new) {
            (None, None) => continue,
            (Some(a), Some(b)) if a == b => continue,
            (None, Some(_)) => "added",
            (Some(_), None) => "deleted",
            _ => "modified",
        };
        let (diff, i, d) = unified_diff(old.as_deref(), new.as_deref());
        ins += i;
        del += d;
        files.push(RefineFileDiff {
            path,
            status: status.into(),
            diff,
        });
    }
    let stat = if files.is_empty() {
        "no changes".to_string()
    } else {
        format!(
            "{} file(s) changed, {ins} insertion(s)(+), {del} deletion(s)(-)",
            files.len()
        )
    };
    RefineDiff { stat, files }
}

/// HEAD → working tree (index included) for `{skill}/`, untracked files included, as one
/// unified diff per file. No repo → stat `no git repository`.
pub fn refine_diff(root: &Path, skill: &str) -> Result<RefineDiff> {
    validate_skill_name(skill)?;
    let Some(repo) = open_existing(root)? else {
        return Ok(RefineDiff {
            stat: "no git repository".into(),
            files: vec![],
        });
    };
    let head_tree = match head_commit(&repo)? {
        Some(c) => Some(c.tree().git("cannot read HEAD's tree")?),
        None => None,
    };
    let mut opts = diff_options(skill);
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .show_untracked_content(true)
        .include_typechange(false);
    let diff = repo
        .diff_tree_to_workdir_with_index(head_tree.as_ref(), Some(&mut opts))
        .git("cannot diff the working tree")?;
    let prefix = skill_prefix(skill);
    let mut changes = Vec::new();
    for d in diff.deltas() {
        let Some(path) = delta_path(&d).filter(|p| p.starts_with(&prefix)) else {
            continue;
        };
        let old = match d.status() {
            Delta::Added | Delta::Untracked => None,
            _ => repo
                .find_blob(d.old_file().id())
                .ok()
                .map(|b| b.content().to_vec()),
        };
        let new = match d.status() {
            Delta::Deleted => None,
            _ => read_work_file(&join_rel(root, &path)),
        };
        changes.push((path, old, new));
    }
    Ok(build_refine_diff(changes))
}

fn read_work_file(p: &Path) -> Option<Vec<u8>> {
    let meta = fs::symlink_metadata(p).ok()?;
    if meta.file_type().is_symlink() {
        return fs::read_link(p)
            .ok()
            .map(|t| t.to_string_lossy().into_owned().into_bytes());
    }
    fs::read(p).ok()
}

// ---- commands ----

/// `get_skill_history`: commits touching the skill, newest first (no repo → `[]`).
pub fn get_skill_history(app: &App, args: SkillHistoryArgs) -> Result<Vec<SkillCommit>> {
    skill_history(
        &app.skills_path(),
        &args.skill_name,
        args.limit.unwrap_or(DEFAULT_HISTORY_LIMIT),
    )
}

/// `get_skill_diff`: tree diff `shaA` → `shaB` of the skill's files.
pub fn get_skill_diff(app: &App, args: SkillDiffArgs) -> Result<SkillDiff> {
    skill_diff(
        &app.skills_path(),
        &args.skill_name,
        &args.sha_a,
        &args.sha_b,
    )
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
