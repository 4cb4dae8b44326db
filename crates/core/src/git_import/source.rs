//! A repository fetched for one listing or import: the fetch into the destination's staging
//! area, the link rules, and the listing of its skills.

use crate::app::App;
use crate::error::{Error, Result};
use crate::github::import::Staging;
use crate::history::clone::{fetch_pinned, EntryKind, PinnedRepo, TreeLimits};
use crate::history::{redact_url, RemoteTarget};
use crate::ingest::repo_skills::{
    available_skills, candidates, check_manifest_paths, join, manifest_path, parse_manifest,
    plugin_json_name, AvailableSkill, SkillText, TreeEntry,
};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Largest catalog, `plugin.json` or SKILL.md read for a listing.
const MAX_TEXT_BYTES: u64 = 4 * 1024 * 1024;

/// A pinned repository in a staging folder, removed when dropped.
pub(super) struct Source {
    // Declared before `staging`, so the repository is closed before its folder is removed.
    pub(super) pinned: PinnedRepo,
    /// The entries as the discovery reads them (a GitHub-style tree).
    pub(super) tree: Vec<TreeEntry>,
    /// The URL without credentials: shown, and recorded.
    pub(super) url: String,
    by_path: HashMap<String, usize>,
    _staging: Staging,
}

/// The skills of a source, as listed.
pub(super) struct Listing {
    pub(super) skills: Vec<AvailableSkill>,
    pub(super) registry_name: Option<String>,
    pub(super) unsupported_sources: Vec<String>,
}

/// The tree limits: the ZIP limits of the settings (architecture.md), and a download of at
/// most twice the total (history and compression overhead of a full fetch).
fn limits(app: &App) -> Result<TreeLimits> {
    let z = crate::workspace_skills::zip_limits(app)?;
    Ok(TreeLimits {
        max_entries: z.max_entries,
        max_file_bytes: z.max_file_bytes,
        max_total_bytes: z.max_total_bytes,
        max_fetch_bytes: z.max_total_bytes.saturating_mul(2),
    })
}

/// Fetches `url` at `reference` into `root`'s staging area, checks the tree limits and the
/// links.
pub(super) fn open(app: &App, root: &Path, url: &str, reference: Option<&str>) -> Result<Source> {
    let url = crate::history::check_remote_url(url)?;
    let limits = limits(app)?;
    let token = crate::settings::load(app)?.github_oauth_token;
    std::fs::create_dir_all(root).map_err(|e| Error::from(e).context(root.display()))?;
    let staging = Staging::empty(root)?;
    let access = RemoteTarget {
        url,
        github_token: token.as_deref(),
    };
    let reference = reference.map(str::trim).filter(|r| !r.is_empty());
    let pinned = fetch_pinned(&staging.base.join("repo.git"), access, reference, &limits)?;
    let shown = redact_url(url);
    check_repo_links(&pinned, &shown)?;
    let tree = pinned.entries.iter().map(tree_entry).collect();
    let by_path = pinned
        .entries
        .iter()
        .enumerate()
        .map(|(i, e)| (e.path.clone(), i))
        .collect();
    tracing::info!(
        "fetched {shown} at {} ({} entries)",
        pinned.commit,
        pinned.entries.len()
    );
    Ok(Source {
        pinned,
        tree,
        url: shown,
        by_path,
        _staging: staging,
    })
}

fn tree_entry(e: &crate::history::clone::RepoEntry) -> TreeEntry {
    let (mode, kind) = match e.kind {
        EntryKind::File => ("100644", "blob"),
        EntryKind::Executable => ("100755", "blob"),
        EntryKind::Symlink(_) => ("120000", "blob"),
        EntryKind::Submodule => ("160000", "commit"),
    };
    TreeEntry {
        path: e.path.clone(),
        mode: mode.into(),
        kind: kind.into(),
        size: Some(e.size),
    }
}

/// Where a link points, resolved lexically from its folder; `None` when that is outside the
/// repository (absolute, a drive, or `..` past the root).
fn link_destination(link: &str, target: &str) -> Option<String> {
    if target.starts_with(['/', '\\']) || target.as_bytes().get(1) == Some(&b':') {
        return None;
    }
    let mut parts: Vec<&str> = link.split('/').collect();
    parts.pop();
    for seg in target.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

/// A link out of the repository refuses it whole.
fn check_repo_links(pinned: &PinnedRepo, shown: &str) -> Result<()> {
    for e in &pinned.entries {
        if let EntryKind::Symlink(target) = &e.kind {
            if link_destination(&e.path, target).is_none() {
                return Err(Error::invalid(format!(
                    "refused the repository at {shown}: the link '{}' points to '{target}', outside the repository; nothing was imported",
                    e.path
                )));
            }
        }
    }
    Ok(())
}

impl Source {
    /// A link in the skill folder `dir` pointing out of it refuses the skill; links that stay
    /// inside are left out of the import.
    pub(super) fn check_skill_links(&self, dir: &str) -> Result<()> {
        let prefix = format!("{dir}/");
        for e in self
            .pinned
            .entries
            .iter()
            .filter(|e| e.path.starts_with(&prefix))
        {
            let EntryKind::Symlink(target) = &e.kind else {
                continue;
            };
            let inside = link_destination(&e.path, target)
                .is_some_and(|d| d.starts_with(&prefix) || d == dir);
            if !inside {
                return Err(Error::invalid(format!(
                    "refused skill '{dir}': the link '{}' points to '{target}', outside the skill folder; nothing of it was imported",
                    e.path
                )));
            }
            tracing::info!(
                "not importing the link {} (links are never imported)",
                e.path
            );
        }
        Ok(())
    }

    /// The bytes of the regular file `path` (refused above `max` bytes), `None` when absent.
    pub(super) fn read(&self, path: &str, max: u64) -> Result<Option<Vec<u8>>> {
        self.pinned.read(path, max)
    }

    /// The bytes of the file `path` of the tree (its size was checked with the tree).
    pub(super) fn read_file(&self, path: &str) -> Result<Vec<u8>> {
        let e = self
            .by_path
            .get(path)
            .map(|&i| &self.pinned.entries[i])
            .ok_or_else(|| Error::not_found(format!("'{path}' is not in {}", self.url)))?;
        self.pinned.read_entry(e)
    }

    /// The repository's catalog (`.claude-plugin/marketplace.json`), checked strictly.
    fn manifest(&self) -> Result<Option<serde_json::Value>> {
        let path = manifest_path(None);
        let Some(bytes) = self.read(&path, MAX_TEXT_BYTES)? else {
            return Ok(None);
        };
        let m = parse_manifest(&bytes, &path, &self.url)?;
        check_manifest_paths(&m)?;
        Ok(Some(m))
    }

    /// Every skill of the repository exactly once (the GitHub import's discovery).
    pub(super) fn listing(&self) -> Result<Listing> {
        let manifest = self.manifest()?;
        let mut unsupported = Vec::new();
        let cands = candidates(&self.tree, None, manifest.as_ref(), &mut unsupported)?;
        let mut plugin_names: BTreeMap<String, Option<String>> = BTreeMap::new();
        for pp in cands.iter().filter_map(|(_, pp)| pp.as_ref()) {
            if !plugin_names.contains_key(pp) {
                let file = join(pp, ".claude-plugin/plugin.json");
                let name = self
                    .read(&file, MAX_TEXT_BYTES)
                    .ok()
                    .flatten()
                    .and_then(|b| plugin_json_name(&b));
                plugin_names.insert(pp.clone(), name);
            }
        }
        let texts = cands
            .iter()
            .map(
                |(c, _)| match self.read(&join(&c.path, "SKILL.md"), MAX_TEXT_BYTES) {
                    Ok(Some(b)) => SkillText::Bytes(b),
                    Ok(None) => SkillText::Missing,
                    Err(e) => SkillText::Failed(e.message),
                },
            )
            .collect();
        Ok(Listing {
            skills: available_skills(cands, texts, &plugin_names),
            registry_name: manifest
                .as_ref()
                .and_then(|m| m.get("name"))
                .and_then(serde_json::Value::as_str)
                .map(str::to_string),
            unsupported_sources: unsupported,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_from_their_folder() {
        assert_eq!(link_destination("a/b/l", "c").as_deref(), Some("a/b/c"));
        assert_eq!(link_destination("a/b/l", "../c").as_deref(), Some("a/c"));
        assert_eq!(link_destination("a/l", "../../etc/passwd"), None);
        assert_eq!(link_destination("a/l", "/etc/passwd"), None);
        assert_eq!(link_destination("a/l", "C:\\x"), None);
        assert_eq!(link_destination("l", "..\\x"), None);
    }
}
