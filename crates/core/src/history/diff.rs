//! Diffs of a skill: between two commits (whole texts) and HEAD → working tree for refine.

use super::repo::{head_commit, open_existing, require_repo, resolve_commit};
use super::restore::join_rel;
use super::GitContext;
use crate::app::App;
use crate::error::Result;
use crate::ingest::names::validate_skill_name;
use git2::{Delta, DiffOptions, Oid, Repository};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

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

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SkillDiffArgs {
    #[serde(default)]
    pub workspace_path: Option<String>,
    pub skill_name: String,
    pub sha_a: String,
    pub sha_b: String,
}

pub(super) fn skill_prefix(skill: &str) -> String {
    format!("{skill}/")
}

pub(super) fn diff_options(skill: &str) -> DiffOptions {
    let mut o = DiffOptions::new();
    o.pathspec(skill);
    o
}

pub(super) fn delta_path(d: &git2::DiffDelta<'_>) -> Option<String> {
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

/// `get_skill_diff`: tree diff `shaA` → `shaB` of the skill's files.
pub fn get_skill_diff(app: &App, args: SkillDiffArgs) -> Result<SkillDiff> {
    skill_diff(
        &app.skills_path(),
        &args.skill_name,
        &args.sha_a,
        &args.sha_b,
    )
}
