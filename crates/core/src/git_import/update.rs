//! `check_git_updates`: the skills imported from a git URL whose remote ref has moved on.

use super::blocking;
use crate::app::App;
use crate::error::Result;
use crate::history::clone::{redact_url, remote_commit, RemoteAccess};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckGitUpdatesArgs {
    /// Only the skills imported from this URL (default: every git source).
    #[serde(default)]
    pub url: Option<String>,
}

/// A skill whose source has a newer commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GitUpdateInfo {
    pub name: String,
    /// Its folder in the repository: the `paths` entry that updates it.
    pub path: String,
    pub url: String,
    /// The ref it was imported from (`null`: the remote's HEAD).
    #[serde(rename = "ref")]
    pub ref_name: Option<String>,
    pub pinned_commit: String,
    pub remote_commit: String,
}

/// One remote asked: its current commit, or why it could not be asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GitSourceCheck {
    pub url: String,
    #[serde(rename = "ref")]
    pub ref_name: Option<String>,
    /// `null` when the ref is a commit id (it never moves) or the remote failed.
    pub remote_commit: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GitUpdateResult {
    pub library: Vec<GitUpdateInfo>,
    pub workspace: Vec<GitUpdateInfo>,
    pub sources: Vec<GitSourceCheck>,
}

/// A recorded source whose skill still names it.
struct Pinned {
    target: String,
    name: String,
    url: String,
    ref_name: Option<String>,
    commit: String,
    path: String,
}

fn pinned_sources(app: &App, url: Option<&str>) -> Result<Vec<Pinned>> {
    let conn = app.db.conn();
    let mut st = conn.prepare(
        "SELECT g.target, g.skill_name, g.url, g.ref_name, g.commit_sha, g.path FROM git_sources g
         WHERE (?1 IS NULL OR g.url = ?1) AND (
           (g.target = 'workspace' AND EXISTS (SELECT 1 FROM workspace_skills w
              WHERE w.skill_name = g.skill_name AND w.marketplace_source_url = g.url))
           OR (g.target = 'library' AND EXISTS (SELECT 1 FROM imported_skills i
              WHERE i.skill_name = g.skill_name AND i.marketplace_source_url = g.url)))
         ORDER BY g.url, g.ref_name, g.target, g.skill_name",
    )?;
    let rows = st
        .query_map([url], |r| {
            Ok(Pinned {
                target: r.get(0)?,
                name: r.get(1)?,
                url: r.get(2)?,
                ref_name: r.get(3)?,
                commit: r.get(4)?,
                path: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Command `check_git_updates` (async): asks each recorded remote (once per URL and ref, no
/// fetch) where its ref points now; a skill pinned to another commit is listed. A remote that
/// cannot be reached is reported in `sources`, never fails the check.
pub async fn check_git_updates(
    app: &Arc<App>,
    args: CheckGitUpdatesArgs,
) -> Result<GitUpdateResult> {
    let app = app.clone();
    blocking("checking git sources for updates", move || {
        let url = args.url.as_deref().map(redact_url);
        let rows = pinned_sources(&app, url.as_deref())?;
        let token = crate::settings::load(&app)?.github_oauth_token;
        let mut remotes: BTreeMap<(String, Option<String>), GitSourceCheck> = BTreeMap::new();
        for p in &rows {
            let key = (p.url.clone(), p.ref_name.clone());
            remotes.entry(key).or_insert_with(|| {
                let access = RemoteAccess {
                    url: &p.url,
                    github_token: token.as_deref(),
                };
                let (remote_commit, error) = match remote_commit(access, p.ref_name.as_deref()) {
                    Ok(c) => (c, None),
                    Err(e) => (None, Some(e.message)),
                };
                GitSourceCheck {
                    url: p.url.clone(),
                    ref_name: p.ref_name.clone(),
                    remote_commit,
                    error,
                }
            });
        }
        let mut res = GitUpdateResult {
            library: Vec::new(),
            workspace: Vec::new(),
            sources: Vec::new(),
        };
        for p in rows {
            let check = &remotes[&(p.url.clone(), p.ref_name.clone())];
            let Some(now) = check.remote_commit.clone().filter(|c| *c != p.commit) else {
                continue;
            };
            let info = GitUpdateInfo {
                name: p.name,
                path: p.path,
                url: p.url,
                ref_name: p.ref_name,
                pinned_commit: p.commit,
                remote_commit: now,
            };
            if p.target == "library" {
                res.library.push(info);
            } else {
                res.workspace.push(info);
            }
        }
        res.sources = remotes.into_values().collect();
        Ok(res)
    })
    .await
}
