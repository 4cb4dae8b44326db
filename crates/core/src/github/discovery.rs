//! Repository snapshots (G1 + G12 + G2) and skill discovery (ingestion.md §4.3–4.4 with the
//! backend rules): `marketplace.json` when present — string sources relative to
//! `metadata.pluginRoot`/`plugin_root`, each plugin's `skills` list honoured, object sources
//! reported — else every folder holding a SKILL.md. Every skill is listed exactly once.

use super::client::{encode_path, encode_segment, GitHub};
use crate::app::App;
use crate::error::{Error, Result};
use crate::ingest::frontmatter::parse_skill_md;
use crate::skill_meta::SkillMeta;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

/// Largest SKILL.md / manifest we download for a listing.
const MAX_TEXT_BYTES: u64 = 4 * 1024 * 1024;
/// Concurrent raw downloads.
pub const MAX_PARALLEL: usize = 8;

/// One entry of a recursive git tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    pub path: String,
    /// `100644`, `100755`, `120000` (symlink), `160000` (submodule), `040000` (tree).
    pub mode: String,
    /// `blob`, `tree` or `commit`.
    pub kind: String,
    pub size: Option<u64>,
}

impl TreeEntry {
    /// A regular file (symlinks and submodules are not files we import).
    pub fn is_file(&self) -> bool {
        self.kind == "blob" && (self.mode == "100644" || self.mode == "100755")
    }
    pub fn is_executable(&self) -> bool {
        self.mode == "100755"
    }
}

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
        self.tree.iter().filter(|e| e.is_file())
    }
    pub fn has_file(&self, path: &str) -> bool {
        self.files().any(|e| e.path == path)
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

/// A skill the repository offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AvailableSkill {
    /// Repo-relative skill folder: the import key.
    pub path: String,
    pub name: String,
    pub plugin_name: Option<String>,
    pub description: Option<String>,
    pub purpose: Option<String>,
    #[serde(flatten)]
    pub meta: SkillMeta,
    /// Every plugin listing this folder (the first one is `plugin_name`).
    #[serde(default)]
    pub plugins: Vec<String>,
    /// Why the SKILL.md could not be read (the entry stays listed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A listing: the skills, the registry name, and plugin sources we cannot follow.
#[derive(Debug, Clone)]
pub struct Listing {
    pub skills: Vec<AvailableSkill>,
    pub registry_name: Option<String>,
    pub unsupported_sources: Vec<String>,
    pub has_catalog: bool,
}

fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{a}/{b}"),
    }
}

/// `./x/`, `x`, `./` → a clean repo-relative path; `..` anywhere → None.
fn clean_rel(p: &str) -> Option<String> {
    let mut parts = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

pub fn manifest_path(subpath: Option<&str>) -> String {
    join(
        &subpath.and_then(clean_rel).unwrap_or_default(),
        ".claude-plugin/marketplace.json",
    )
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
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| {
        Error::invalid(format!(
            "marketplace.json at {path} in {owner}/{repo} is not valid JSON."
        ))
    })?;
    if !v.is_object() {
        return Err(Error::invalid(format!(
            "Failed to parse marketplace.json: expected an object at {path} in {owner}/{repo}"
        )));
    }
    Ok(Some(v))
}

struct Candidate {
    path: String,
    plugins: Vec<String>,
    plugin_description: Option<String>,
}

/// Skill folders of a plugin: its `skills` list (each entry a skill folder, or a folder of
/// skill folders) or, when absent, the folders one level below `{plugin}/skills/`.
fn plugin_skill_dirs(snap: &Snapshot, plugin_path: &str, skills: Option<&Value>) -> Vec<String> {
    let mut out = Vec::new();
    let children = |dir: &str| -> Vec<String> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let mut v: Vec<String> = snap
            .files()
            .filter_map(|e| {
                let rest = e.path.strip_prefix(&prefix)?;
                let (child, file) = rest.split_once('/')?;
                (file == "SKILL.md").then(|| join(dir, child))
            })
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let entries: Option<Vec<&str>> = match skills {
        Some(Value::String(s)) => Some(vec![s.as_str()]),
        Some(Value::Array(a)) => Some(a.iter().filter_map(Value::as_str).collect()),
        _ => None,
    };
    match entries {
        Some(list) => {
            for e in list {
                let Some(rel) = clean_rel(e) else {
                    tracing::warn!("marketplace skills entry '{e}' escapes the plugin; skipped");
                    continue;
                };
                let dir = join(plugin_path, &rel);
                if !dir.is_empty() && snap.has_file(&join(&dir, "SKILL.md")) {
                    out.push(dir);
                } else {
                    let kids = children(&dir);
                    if kids.is_empty() {
                        tracing::warn!("marketplace skills entry '{e}' holds no SKILL.md; skipped");
                    }
                    out.extend(kids);
                }
            }
        }
        None => out.extend(children(&join(plugin_path, "skills"))),
    }
    out
}

/// The candidate skill folders of a snapshot (no network besides what the caller did).
fn candidates(
    snap: &Snapshot,
    subpath: Option<&str>,
    manifest: Option<&Value>,
    unsupported: &mut Vec<String>,
) -> Result<Vec<(Candidate, Option<String>)>> {
    let sub = subpath.and_then(clean_rel).unwrap_or_default();
    let mut found: Vec<(Candidate, Option<String>)> = Vec::new();
    let mut push = |path: String,
                    plugin: Option<String>,
                    desc: Option<String>,
                    plugin_path: Option<String>| {
        if let Some((c, _)) = found.iter_mut().find(|(c, _)| c.path == path) {
            if let Some(p) = plugin {
                if !c.plugins.contains(&p) {
                    c.plugins.push(p);
                }
            }
            return;
        }
        found.push((
            Candidate {
                path,
                plugins: plugin.into_iter().collect(),
                plugin_description: desc,
            },
            plugin_path,
        ));
    };
    let Some(m) = manifest else {
        let prefix = if sub.is_empty() {
            String::new()
        } else {
            format!("{sub}/")
        };
        let mut dirs: Vec<String> = snap
            .files()
            .filter_map(|e| {
                let dir = e.path.strip_suffix("/SKILL.md")?;
                dir.starts_with(&prefix).then(|| dir.to_string())
            })
            .collect();
        dirs.sort();
        for d in dirs {
            push(d, None, None, None);
        }
        return Ok(found);
    };
    let plugins = m.get("plugins").and_then(Value::as_array).ok_or_else(|| {
        Error::invalid("Failed to parse marketplace.json: missing 'plugins' array")
    })?;
    let meta = m.get("metadata");
    let plugin_root = meta
        .and_then(|md| md.get("pluginRoot").or_else(|| md.get("plugin_root")))
        .and_then(Value::as_str)
        .and_then(clean_rel)
        .unwrap_or_default();
    for (i, p) in plugins.iter().enumerate() {
        let pname = p.get("name").and_then(Value::as_str).map(str::to_string);
        let label = pname.clone().unwrap_or_else(|| format!("plugins[{i}]"));
        let src = match p.get("source") {
            Some(Value::String(s)) => s.as_str(),
            Some(other) => {
                let kind = other
                    .get("source")
                    .and_then(Value::as_str)
                    .unwrap_or("object");
                unsupported.push(format!("{label} ({kind})"));
                continue;
            }
            None => {
                unsupported.push(format!("{label} (no source)"));
                continue;
            }
        };
        let Some(rel) = clean_rel(src) else {
            unsupported.push(format!("{label} (source escapes the repository)"));
            continue;
        };
        let explicit_rel = src.starts_with("./") || src == "." || src.is_empty();
        let base = if explicit_rel {
            rel
        } else {
            join(&plugin_root, &rel)
        };
        let plugin_path = join(&sub, &base);
        let desc = p
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string);
        for dir in plugin_skill_dirs(snap, &plugin_path, p.get("skills")) {
            push(dir, pname.clone(), desc.clone(), Some(plugin_path.clone()));
        }
    }
    Ok(found)
}

/// Lists the skills of a repository snapshot.
pub async fn list_snapshot(gh: &GitHub, snap: &Snapshot, subpath: Option<&str>) -> Result<Listing> {
    let manifest = fetch_manifest(gh, &snap.owner, &snap.repo, &snap.reference, subpath).await?;
    let mut unsupported = Vec::new();
    let cands = candidates(snap, subpath, manifest.as_ref(), &mut unsupported)?;
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
                .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
                .and_then(|v| v.get("name").and_then(Value::as_str).map(str::to_string))
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
    let mut skills = Vec::new();
    let mut seen = HashSet::new();
    for ((c, pp), text) in cands.into_iter().zip(texts) {
        if !seen.insert(c.path.clone()) {
            continue;
        }
        let folder = c.path.rsplit('/').next().unwrap_or(&c.path).to_string();
        let plugin_name = pp
            .as_ref()
            .and_then(|p| plugin_json_names.get(p).cloned().flatten())
            .or_else(|| c.plugins.first().cloned());
        let mut s = AvailableSkill {
            path: c.path.clone(),
            name: folder,
            plugin_name,
            description: c.plugin_description.clone(),
            purpose: None,
            meta: SkillMeta::default(),
            plugins: c.plugins.clone(),
            error: None,
        };
        match text {
            Some(Ok(Some(bytes))) => match String::from_utf8(bytes) {
                Err(_) => s.error = Some("SKILL.md is not valid UTF-8".into()),
                Ok(t) => match parse_skill_md(&t) {
                    Err(e) => s.error = Some(e.message),
                    Ok(md) => {
                        let f = md.frontmatter;
                        match f.name {
                            Some(n) => s.name = n,
                            None => {
                                s.error = Some(format!(
                                    "SKILL.md at '{}' is missing the 'name' frontmatter field",
                                    c.path
                                ))
                            }
                        }
                        if f.description.is_some() {
                            s.description = f.description;
                        }
                        s.meta.version = f.version;
                        s.meta.model = f.model;
                        s.meta.argument_hint = f.argument_hint;
                        s.meta.user_invocable = f.user_invocable;
                        s.meta.disable_model_invocation = f.disable_model_invocation;
                    }
                },
            },
            Some(Ok(None)) => s.error = Some("SKILL.md not found".into()),
            Some(Err(e)) => {
                if e.message.starts_with("github_rate_limited") {
                    return Err(e);
                }
                s.error = Some(e.message)
            }
            None => s.error = Some("SKILL.md was not fetched".into()),
        }
        skills.push(s);
    }
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
