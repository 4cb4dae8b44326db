//! `import_marketplace_to_library` (Skills Library): `<skills_path>/<name>/`, placed and
//! recorded by [`super::place`].

use super::fetch::{clean_skill_path, download_into, fetch_skill, Staging};
use super::place::{library_owner_check, place_in_library, LibraryCandidate, LibrarySource};
use super::{lint_warnings, sha256_hex, MarketplaceImportResult, SkillMetadataOverride};
use crate::app::App;
use crate::error::{IoContext, Result};
use crate::github::client::GitHub;
use crate::github::discovery::{snapshot, Snapshot};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportMarketplaceToLibraryArgs {
    pub source_url: String,
    pub skill_paths: Vec<String>,
    #[serde(default)]
    pub metadata_overrides: Option<HashMap<String, SkillMetadataOverride>>,
}

/// Command `import_marketplace_to_library` (async): one result per path, in request order.
pub async fn import_marketplace_to_library(
    app: &App,
    args: ImportMarketplaceToLibraryArgs,
) -> Result<Vec<MarketplaceImportResult>> {
    let mut info = crate::github::url::parse_github_url(&args.source_url)?;
    if args.skill_paths.is_empty() {
        return Ok(Vec::new());
    }
    let gh = GitHub::from_app(app)?;
    if info.branch_explicit {
        (info.branch, info.subpath) = crate::github::discovery::split_tree_ref(
            &gh,
            &info.owner,
            &info.repo,
            &info.branch,
            info.subpath.as_deref(),
        )
        .await?;
    }
    let branch = info.branch_explicit.then_some(info.branch.as_str());
    let snap = snapshot(&gh, &info.owner, &info.repo, branch).await?;
    let root = app.skills_path();
    std::fs::create_dir_all(&root).with_path(&root)?;
    let overrides = args.metadata_overrides.unwrap_or_default();
    let mut out = Vec::new();
    for p in &args.skill_paths {
        let mut learned = None;
        let r = import_one_lib(
            app,
            &gh,
            &snap,
            &root,
            p,
            overrides.get(p),
            &args.source_url,
            &mut learned,
        )
        .await;
        out.push(r.unwrap_or_else(|e| {
            tracing::warn!("library import of '{p}' failed: {e}");
            MarketplaceImportResult::failed(p, learned.unwrap_or_else(|| p.clone()), &e)
        }));
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
async fn import_one_lib(
    app: &App,
    gh: &GitHub,
    snap: &Snapshot,
    root: &Path,
    raw_path: &str,
    ov: Option<&SkillMetadataOverride>,
    source_url: &str,
    learned: &mut Option<String>,
) -> Result<MarketplaceImportResult> {
    let path = clean_skill_path(raw_path)?;
    let f = fetch_skill(gh, snap, &path, ov).await?;
    *learned = Some(f.name.clone());
    let name = f.name.clone();
    // Decided before downloading anything: an import that cannot land costs no traffic.
    let existing = library_owner_check(app, root, &name, LibrarySource::Marketplace)?;
    let staging = Staging::new(root, &name)?;
    download_into(gh, snap, &f, &staging.dir).await?;
    let warnings = lint_warnings(&staging.dir, &f.fm);
    let placed = place_in_library(
        app,
        root,
        existing,
        &LibraryCandidate {
            name: &name,
            staged: &staging.dir,
            fm: &f.fm,
            skill_md_hash: sha256_hex(f.skill_md.as_bytes()),
            source: LibrarySource::Marketplace,
            source_url: Some(source_url),
            overrides: ov,
            commit_message: format!(
                "{name}: imported from {}/{}@{}",
                snap.owner,
                snap.repo,
                snap.short_sha()
            ),
        },
    )?;
    drop(staging);
    let row = &placed.row;
    Ok(MarketplaceImportResult {
        skill_name: name,
        success: true,
        error: None,
        status: placed.status,
        path,
        disk_path: Some(row.disk_path.clone()),
        version: row.meta.version.clone(),
        content_hash: row.content_hash.clone(),
        warnings,
    })
}
