//! Repository snapshots (G1 + G12 + G2) and skill discovery over GitHub's REST API: the
//! catalog, `plugin.json` and SKILL.md files are downloaded here, the decisions are
//! [`crate::ingest::repo_skills`]'s (shared with the import from any git URL).

use super::client::{encode_path, encode_segment, GitHub};
use crate::app::App;
use crate::error::{Error, Result};
use crate::ingest::repo_skills::{
    available_skills, candidates, join, parse_manifest, plugin_json_name, SkillText,
};
pub use crate::ingest::repo_skills::{manifest_path, AvailableSkill, TreeEntry};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Largest SKILL.md / manifest we download for a listing.
const MAX_TEXT_BYTES: u64 = 4 * 1024 * 1024;
/// Concurrent raw downloads.
pub const MAX_PARALLEL: usize = 8;

/// One import = one snapshot: the branch pinned to a commit, and that commit's tree.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub owner: String,
    pub repo: String,
    pub branch: String,
    /// The commit SHA every later request uses (falls back to the branch name).
    pub reference: String,
    pub tree: Vec<TreeEntry>,
}

impl Snapshot {
    pub fn files(&self) -> impl Iterator<Item = &TreeEntry> {
        crate::ingest::repo_skills::files(&self.tree)
    }
    pub fn has_file(&self, path: &str) -> bool {
        crate::ingest::repo_skills::has_file(&self.tree, path)
    }
    pub fn short_sha(&self) -> &str {
        &self.reference[..self.reference.len().min(7)]
    }
}

/// The repository's default branch (G1).
pub async fn default_branch(gh: &GitHub, owner: &str, repo: &str) -> Result<String> {
    let v = gh
        .api_get_ok(&format!(
            "/repos/{}/{}",
            encode_segment(owner),
            encode_segment(repo)
        ))
        .await?;
    Ok(v.get("default_branch")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("main")
        .to_string())
}

/// Picks the branch (an explicit one is honoured — defect 6; an empty one or a `main`
/// placeholder that does not exist means the default branch) and pins it to a commit (G12).
pub async fn resolve_branch(
    gh: &GitHub,
    owner: &str,
    repo: &str,
    requested: Option<&str>,
) -> Result<(String, String)> {
    let default = default_branch(gh, owner, repo).await?;
    let requested = requested.map(str::trim).filter(|b| !b.is_empty());
    let first = requested.unwrap_or(&default).to_string();
    match branch_sha(gh, owner, repo, &first).await? {
        Some(sha) => Ok((first, sha)),
        None if requested == Some(super::url::PLACEHOLDER_BRANCH) && first != default => {
            match branch_sha(gh, owner, repo, &default).await? {
                Some(sha) => Ok((default, sha)),
                None => Ok((default.clone(), default)),
            }
        }
        None if requested.is_none() => Ok((first.clone(), first)),
        None => Err(Error::not_found(format!(
            "Branch '{first}' not found in {owner}/{repo}"
        ))),
    }
}

/// Splits a `/tree/` remainder when the branch itself contains `/` (D11): tries `branch`,
/// then `branch/<first subpath segment>`, … (shortest first, G12); the rest is the subpath.
/// When nothing matches, the input is returned unchanged (later steps report the error).
pub async fn split_tree_ref(
    gh: &GitHub,
    owner: &str,
    repo: &str,
    branch: &str,
    subpath: Option<&str>,
) -> Result<(String, Option<String>)> {
    let sub = subpath.map(str::to_string);
    let Some(rest) = subpath.filter(|s| !s.is_empty()) else {
        return Ok((branch.to_string(), sub));
    };
    if branch.is_empty() || branch_sha(gh, owner, repo, branch).await?.is_some() {
        return Ok((branch.to_string(), sub));
    }
    let segs: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    for i in 1..=segs.len() {
        let cand = format!("{branch}/{}", segs[..i].join("/"));
        if branch_sha(gh, owner, repo, &cand).await?.is_some() {
            let remainder = (i < segs.len()).then(|| segs[i..].join("/"));
            return Ok((cand, remainder));
        }
    }
    Ok((branch.to_string(), sub))
}

async fn branch_sha(gh: &GitHub, owner: &str, repo: &str, branch: &str) -> Result<Option<String>> {
    let r = gh
        .api_get(&format!(
            "/repos/{}/{}/branches/{}",
            encode_segment(owner),
            encode_segment(repo),
            encode_path(branch)
        ))
        .await?;
    if r.status.as_u16() == 404 {
        return Ok(None);
    }
    let v = gh.ensure_ok(r)?;
    Ok(v.pointer("/commit/sha")
        .and_then(Value::as_str)
        .map(str::to_string))
}

/// G1 + G12 + G2: the snapshot every listing and import works from.
pub async fn snapshot(
    gh: &GitHub,
    owner: &str,
    repo: &str,
    branch: Option<&str>,
) -> Result<Snapshot> {
    let (branch, reference) = resolve_branch(gh, owner, repo, branch).await?;
    let v = gh
        .api_get_ok(&format!(
            "/repos/{}/{}/git/trees/{}?recursive=1",
            encode_segment(owner),
            encode_segment(repo),
            encode_path(&reference)
        ))
        .await
        .map_err(|e| e.context("Failed to fetch repo tree"))?;
    if v.get("truncated").and_then(Value::as_bool) == Some(true) {
        return Err(Error::invalid(format!(
            "repository tree too large: {owner}/{repo} has more files than GitHub lists in one tree"
        )));
    }
    let arr = v
        .get("tree")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::network("Invalid tree response: missing 'tree' array"))?;
    let tree = arr
        .iter()
        .filter_map(|e| {
            Some(TreeEntry {
                path: e.get("path")?.as_str()?.to_string(),
                mode: e
                    .get("mode")
                    .and_then(Value::as_str)
                    .unwrap_or("100644")
                    .to_string(),
                kind: e.get("type")?.as_str()?.to_string(),
                size: e.get("size").and_then(Value::as_u64),
            })
        })
        .collect();
    Ok(Snapshot {
        owner: owner.into(),
        repo: repo.into(),
        branch,
        reference,
        tree,
    })
}

/// A listing: the skills, the registry name, and plugin sources we cannot follow.
#[derive(Debug, Clone)]
pub struct Listing {
    pub skills: Vec<AvailableSkill>,
    pub registry_name: Option<String>,
    pub unsupported_sources: Vec<String>,
    pub has_catalog: bool,
}

/// Fetches and parses `[subpath/].claude-plugin/marketplace.json`; `Ok(None)` when absent.
pub async fn fetch_manifest(
    gh: &GitHub,
    owner: &str,
    repo: &str,
    reference: &str,
    subpath: Option<&str>,
) -> Result<Option<Value>> {
    let path = manifest_path(subpath);
    let Some(bytes) = gh
        .raw_get(owner, repo, reference, &path, MAX_TEXT_BYTES)
        .await?
    else {
        return Ok(None);
    };
    parse_manifest(&bytes, &path, &format!("{owner}/{repo}")).map(Some)
}

/// Lists the skills of a repository snapshot.
pub async fn list_snapshot(gh: &GitHub, snap: &Snapshot, subpath: Option<&str>) -> Result<Listing> {
    let manifest = fetch_manifest(gh, &snap.owner, &snap.repo, &snap.reference, subpath).await?;
    let mut unsupported = Vec::new();
    let cands = candidates(&snap.tree, subpath, manifest.as_ref(), &mut unsupported)?;
    let registry_name = manifest
        .as_ref()
        .and_then(|m| m.get("name"))
        .and_then(Value::as_str)
        .map(str::to_string);

    // plugin.json names (one request per distinct plugin folder that has one).
    let mut plugin_json_names: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (_, pp) in &cands {
        if let Some(pp) = pp {
            if plugin_json_names.contains_key(pp) {
                continue;
            }
            let file = join(pp, ".claude-plugin/plugin.json");
            let name = if snap.has_file(&file) {
                gh.raw_get(
                    &snap.owner,
                    &snap.repo,
                    &snap.reference,
                    &file,
                    MAX_TEXT_BYTES,
                )
                .await
                .ok()
                .flatten()
                .and_then(|b| plugin_json_name(&b))
            } else {
                None
            };
            plugin_json_names.insert(pp.clone(), name);
        }
    }

    // SKILL.md of every candidate, ≤ MAX_PARALLEL at a time.
    let sem = Arc::new(tokio::sync::Semaphore::new(MAX_PARALLEL));
    let mut set = tokio::task::JoinSet::new();
    for (i, (c, _)) in cands.iter().enumerate() {
        let gh = gh.clone();
        let sem = sem.clone();
        let (owner, repo, reference) = (
            snap.owner.clone(),
            snap.repo.clone(),
            snap.reference.clone(),
        );
        let path = join(&c.path, "SKILL.md");
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            (
                i,
                gh.raw_get(&owner, &repo, &reference, &path, MAX_TEXT_BYTES)
                    .await,
            )
        });
    }
    let mut texts: Vec<Option<Result<Option<Vec<u8>>>>> = (0..cands.len()).map(|_| None).collect();
    while let Some(j) = set.join_next().await {
        let (i, r) = j.map_err(|e| Error::internal(format!("listing task failed: {e}")))?;
        texts[i] = Some(r);
    }
    let mut bodies = Vec::with_capacity(texts.len());
    for text in texts {
        bodies.push(match text {
            Some(Ok(Some(bytes))) => SkillText::Bytes(bytes),
            Some(Ok(None)) => SkillText::Missing,
            Some(Err(e)) if e.message.starts_with("github_rate_limited") => return Err(e),
            Some(Err(e)) => SkillText::Failed(e.message),
            None => SkillText::Failed("SKILL.md was not fetched".into()),
        });
    }
    let skills = available_skills(cands, bodies, &plugin_json_names);
    Ok(Listing {
        skills,
        registry_name,
        unsupported_sources: unsupported,
        has_catalog: manifest.is_some(),
    })
}

/// Snapshot + listing.
pub async fn list_skills(
    gh: &GitHub,
    owner: &str,
    repo: &str,
    branch: Option<&str>,
    subpath: Option<&str>,
) -> Result<(Snapshot, Listing)> {
    let (branch, subpath) = match branch.filter(|b| !b.trim().is_empty()) {
        Some(b) => {
            let (b, s) = split_tree_ref(gh, owner, repo, b, subpath).await?;
            (Some(b), s)
        }
        None => (None, subpath.map(str::to_string)),
    };
    let snap = snapshot(gh, owner, repo, branch.as_deref()).await?;
    let listing = list_snapshot(gh, &snap, subpath.as_deref()).await?;
    Ok((snap, listing))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListGithubSkillsArgs {
    pub owner: String,
    pub repo: String,
    #[serde(default)]
    pub branch: String,
    #[serde(default)]
    pub subpath: Option<String>,
}

/// Command `list_github_skills` (async): every skill of the repository exactly once.
pub async fn list_github_skills(
    app: &App,
    args: ListGithubSkillsArgs,
) -> Result<Vec<AvailableSkill>> {
    let gh = GitHub::from_app(app)?;
    let (_, listing) = list_skills(
        &gh,
        &args.owner,
        &args.repo,
        Some(&args.branch),
        args.subpath.as_deref(),
    )
    .await?;
    for u in &listing.unsupported_sources {
        tracing::warn!(
            "{}/{}: plugin source not supported: {u}",
            args.owner,
            args.repo
        );
    }
    Ok(listing.skills)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckMarketplaceUrlArgs {
    pub url: String,
}

/// Command `check_marketplace_url` (async): the registry's display name.
pub async fn check_marketplace_url(app: &App, args: CheckMarketplaceUrlArgs) -> Result<String> {
    let mut info = super::url::parse_github_url(&args.url)?;
    let gh = GitHub::from_app(app)?;
    if info.branch_explicit {
        (info.branch, info.subpath) = split_tree_ref(
            &gh,
            &info.owner,
            &info.repo,
            &info.branch,
            info.subpath.as_deref(),
        )
        .await?;
    }
    let branch = info.branch_explicit.then_some(info.branch.as_str());
    let (_, reference) = resolve_branch(&gh, &info.owner, &info.repo, branch).await?;
    let path = manifest_path(info.subpath.as_deref());
    match fetch_manifest(
        &gh,
        &info.owner,
        &info.repo,
        &reference,
        info.subpath.as_deref(),
    )
    .await?
    {
        None => Err(Error::not_found(format!(
            "marketplace.json not found at {path} in {}/{}. Ensure the repository has this file.",
            info.owner, info.repo
        ))),
        Some(m) => Ok(m
            .get("name")
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}/{}", info.owner, info.repo))),
    }
}
