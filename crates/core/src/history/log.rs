//! A skill's history: the commits that touched its folder, newest first.

use super::diff::{delta_path, diff_options, skill_prefix};
use super::repo::{head_commit, open_existing};
use super::GitContext;
use crate::app::App;
use crate::error::Result;
use crate::ingest::names::validate_skill_name;
use git2::Sort;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// `get_skill_history` limit when none is given.
pub const DEFAULT_HISTORY_LIMIT: usize = 100;

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

/// `get_skill_history`: commits touching the skill, newest first (no repo → `[]`).
pub fn get_skill_history(app: &App, args: SkillHistoryArgs) -> Result<Vec<SkillCommit>> {
    skill_history(
        &app.skills_path(),
        &args.skill_name,
        args.limit.unwrap_or(DEFAULT_HISTORY_LIMIT),
    )
}
