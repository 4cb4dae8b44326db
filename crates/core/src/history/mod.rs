//! Git history of the skills folder (lifecycle.md §3): the repo at `skills_path`, the
//! auto-commits, and the Git history commands (`get_skill_history`, `get_skill_diff`,
//! `restore_skill_version`) plus the HEAD → working-tree diff refine shows.
//!
//! Everything goes through libgit2 (`git2`); the git binary is never needed. History is only
//! ever appended to: a restore is a new commit, nothing is rewritten (the one exception: a merge
//! publish has just made is taken back when the database cannot follow it). Publish and pull
//! (`remote`, `merge`, `tree_edit`) fetch, merge per top-level entry and push.

mod auth;
pub mod clone;
mod commit;
mod diff;
mod export;
mod log;
mod merge;
mod remote;
mod repo;
mod restore;
mod tree_edit;

pub use auth::{check_remote_url, redact_url, RemoteTarget};
pub use commit::{
    commit_all, commit_paths, commit_repo, commit_skill, commit_skill_at, FALLBACK_AUTHOR_EMAIL,
    FALLBACK_AUTHOR_NAME,
};
pub use diff::{
    build_refine_diff, get_skill_diff, refine_diff, skill_diff, unified_diff, Contents, FileDiff,
    RefineDiff, RefineFileDiff, SkillDiff, SkillDiffArgs,
};
pub use export::export_skill_version;
pub use log::{
    get_skill_history, skill_history, SkillCommit, SkillHistoryArgs, DEFAULT_HISTORY_LIMIT,
};
pub use merge::{
    bring_in, ensure_committed, merged_commit, plan_merge, undo_bring_in, Applied, ChangeKind,
    MergeKind, MergePlan, UnitChange, MARKETPLACE_PATH,
};
pub use remote::{
    fetch_branch, origin_url, push_commit, set_origin_url, validate_branch, PushOutcome,
};
pub use repo::{
    ensure_repo, head_folders, head_sha, skill_in_head, DEFAULT_BRANCH, DEFAULT_GITIGNORE,
    INITIAL_COMMIT_MESSAGE, INITIAL_SNAPSHOT_MESSAGE,
};
pub use restore::{restore_skill_version, restore_version, RestoreSkillVersionArgs};
pub use tree_edit::{commit_file_on, file_at, identity, skill_folders_at};

use crate::error::{Error, Result};
use git2::ErrorCode;
use std::sync::Mutex;

/// Serialises this process's repo writes (index lock, HEAD update).
static GIT_LOCK: Mutex<()> = Mutex::new(());

fn git_lock() -> std::sync::MutexGuard<'static, ()> {
    GIT_LOCK.lock().unwrap_or_else(|p| p.into_inner())
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
