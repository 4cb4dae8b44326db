//! `list_git_skills` and `import_git_skills`.

use super::source::{self, Source};
use super::update::{with_pins, GitListedSkill};
use super::{blocking, Target};
use crate::app::App;
use crate::db::imports_store::{self, GitSourceRow};
use crate::error::{Error, Result};
use crate::github::import::{
    check_skill_md, clean_skill_path, library_owner_check, lint_warnings, place_in_library,
    place_workspace_import, plan_workspace_import, sha256_hex, skill_files, write_file, Fetched,
    LibraryCandidate, LibrarySource, Staging, WorkspaceSkillImportRequest, WsPlan,
};
use crate::github::{ImportStatus, ImportedSkill, MarketplaceImportResult};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

const MAX_SKILL_MD_BYTES: u64 = crate::ingest::frontmatter::MAX_SKILL_MD_BYTES as u64;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListGitSkillsArgs {
    pub url: String,
    /// A branch, a tag or a commit id; default: the remote's HEAD.
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
}

/// The skills of a repository at one commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GitSkillListing {
    /// The URL without credentials.
    pub url: String,
    /// The commit listed (full id).
    pub commit: String,
    /// What the ref resolved to: `refs/heads/main`, `refs/tags/v1`, or the commit id.
    #[serde(rename = "ref")]
    pub resolved_ref: String,
    pub registry_name: Option<String>,
    /// Each with where it is already imported from this URL and whether this commit updates it.
    pub skills: Vec<GitListedSkill>,
    /// Plugins of the catalog whose source is not in the repository (object sources).
    pub unsupported_sources: Vec<String>,
}

/// Command `list_git_skills` (async): every skill of the repository exactly once, each with
/// its pins (the update check).
pub async fn list_git_skills(app: &Arc<App>, args: ListGitSkillsArgs) -> Result<GitSkillListing> {
    let app = app.clone();
    blocking("listing a git repository", move || {
        let root = Target::Library.root(&app);
        let src = source::open(&app, &root, &args.url, args.reference.as_deref())?;
        let listing = src.listing()?;
        Ok(GitSkillListing {
            url: src.url.clone(),
            commit: src.pinned.commit.clone(),
            resolved_ref: src.pinned.resolved_ref.clone(),
            registry_name: listing.registry_name,
            skills: with_pins(&app, &src, listing.skills)?,
            unsupported_sources: listing.unsupported_sources,
        })
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportGitSkillsArgs {
    pub url: String,
    /// A branch, a tag or a commit id; default: the remote's HEAD.
    #[serde(default, rename = "ref")]
    pub reference: Option<String>,
    /// Skill folders of the repository (the `path` of `list_git_skills`).
    #[serde(default)]
    pub paths: Vec<String>,
    /// Every skill the repository lists.
    #[serde(default)]
    pub all: bool,
    /// `"workspace"` (default: Settings→Skills) or `"library"`.
    #[serde(default)]
    pub target: Option<String>,
}

/// Per-skill results in the shape of the GitHub import into the same destination.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum GitImportResults {
    /// `import_github_skills`'s results (Settings→Skills).
    Workspace(Vec<ImportedSkill>),
    /// `import_marketplace_to_library`'s results (Skills Library).
    Library(Vec<MarketplaceImportResult>),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GitImportResult {
    pub url: String,
    /// The commit every skill was imported from.
    pub commit: String,
    #[serde(rename = "ref")]
    pub resolved_ref: String,
    /// `workspace` or `library`.
    pub target: String,
    /// One per skill, in request order (`all`: listing order).
    pub results: GitImportResults,
}

/// Command `import_git_skills` (async): imports the chosen skills of one commit; a skill that
/// fails never stops the others. Error only when the repository is refused or every skill
/// failed.
pub async fn import_git_skills(
    app: &Arc<App>,
    args: ImportGitSkillsArgs,
) -> Result<GitImportResult> {
    let app = app.clone();
    blocking("importing from a git repository", move || {
        import_blocking(&app, args)
    })
    .await
}

fn import_blocking(app: &App, args: ImportGitSkillsArgs) -> Result<GitImportResult> {
    let target = Target::parse(args.target.as_deref())?;
    match (args.all, args.paths.is_empty()) {
        (true, false) => return Err(Error::invalid("give either all or paths, not both")),
        (false, true) => {
            return Err(Error::invalid(
                "choose what to import: all, or paths (skill folders from list_git_skills)",
            ))
        }
        _ => {}
    }
    let root = target.root(app);
    let src = source::open(app, &root, &args.url, args.reference.as_deref())?;
    // Also checks the catalog: a hostile one refuses the import before anything is written.
    let listing = src.listing()?;
    let paths: Vec<String> = if args.all {
        listing.skills.iter().map(|s| s.path.clone()).collect()
    } else {
        args.paths.clone()
    };
    if paths.is_empty() {
        return Err(Error::not_found(format!(
            "no skills found in {} at {}",
            src.url, src.pinned.commit
        )));
    }
    let reference = args
        .reference
        .as_deref()
        .map(str::trim)
        .filter(|r| !r.is_empty());
    let mut outcomes = Vec::new();
    for p in &paths {
        let mut learned = None;
        let r = import_one(app, &src, &root, target, p, &mut learned);
        if let Ok(o) = &r {
            if o.record {
                if let Err(e) = record_source(app, &src, target, reference, o) {
                    tracing::warn!("could not record where '{}' came from: {e}", o.name);
                }
            }
        }
        outcomes.push((p.clone(), learned, r));
    }
    let results = collect(target, outcomes)?;
    if target == Target::Workspace {
        if let GitImportResults::Workspace(rs) = &results {
            if rs
                .iter()
                .any(|s| matches!(s.status, ImportStatus::Imported | ImportStatus::Updated))
            {
                if let Err(e) = crate::workflow::deploy::write_claude_md(app) {
                    tracing::warn!("could not rebuild the workspace CLAUDE.md: {e}");
                }
            }
        }
    }
    Ok(GitImportResult {
        url: src.url.clone(),
        commit: src.pinned.commit.clone(),
        resolved_ref: src.pinned.resolved_ref.clone(),
        target: target.as_str().into(),
        results,
    })
}

/// What importing one skill did.
struct Outcome {
    name: String,
    path: String,
    /// The skill now holds this commit's files (imported, updated, or identical): its source
    /// is recorded. A skill kept at another version is not.
    record: bool,
    result: OneResult,
}

enum OneResult {
    Workspace(ImportedSkill),
    Library(MarketplaceImportResult),
}

fn import_one(
    app: &App,
    src: &Source,
    root: &Path,
    target: Target,
    raw_path: &str,
    learned: &mut Option<String>,
) -> Result<Outcome> {
    let path = clean_skill_path(raw_path)?;
    src.check_skill_links(&path)?;
    let files = skill_files(&src.tree, &path)?;
    let md_path = format!("{path}/SKILL.md");
    let md = src
        .read(&md_path, MAX_SKILL_MD_BYTES)?
        .ok_or_else(|| Error::not_found(format!("SKILL.md not found at '{md_path}'")))?;
    let f = check_skill_md(md, &path, None, files)?;
    *learned = Some(f.name.clone());
    match target {
        Target::Workspace => import_to_workspace(app, src, root, &path, &f),
        Target::Library => import_to_library(app, src, root, &path, &f),
    }
}

fn import_to_workspace(
    app: &App,
    src: &Source,
    root: &Path,
    path: &str,
    f: &Fetched,
) -> Result<Outcome> {
    let req = WorkspaceSkillImportRequest {
        path: path.to_string(),
        purpose: None,
        metadata_override: None,
        version: None,
    };
    let outcome = |record, r| Outcome {
        name: f.name.clone(),
        path: path.to_string(),
        record,
        result: OneResult::Workspace(r),
    };
    let t = match plan_workspace_import(app, root, f, &req, path)? {
        WsPlan::Done(kept) => return Ok(outcome(false, kept)),
        WsPlan::Place(t) => t,
    };
    let staging = Staging::new(root, &f.name)?;
    write_skill(src, f, &staging.dir)?;
    let r = place_workspace_import(app, root, &staging, f, &req, path, Some(&src.url), t)?;
    Ok(outcome(true, r))
}

fn import_to_library(
    app: &App,
    src: &Source,
    root: &Path,
    path: &str,
    f: &Fetched,
) -> Result<Outcome> {
    let name = f.name.clone();
    let existing = library_owner_check(app, root, &name, LibrarySource::Marketplace)?;
    let staging = Staging::new(root, &name)?;
    write_skill(src, f, &staging.dir)?;
    let warnings = lint_warnings(&staging.dir, &f.fm);
    let commit = &src.pinned.commit;
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
            source_url: Some(&src.url),
            overrides: None,
            commit_message: format!(
                "{name}: imported from {}@{}",
                src.url,
                &commit[..7.min(commit.len())]
            ),
        },
    )?;
    let row = &placed.row;
    Ok(Outcome {
        name: name.clone(),
        path: path.to_string(),
        record: true,
        result: OneResult::Library(MarketplaceImportResult {
            skill_name: name,
            success: true,
            error: None,
            status: placed.status,
            path: path.to_string(),
            disk_path: Some(row.disk_path.clone()),
            version: row.meta.version.clone(),
            content_hash: row.content_hash.clone(),
            warnings,
        }),
    })
}

/// Writes the skill's files from the object database into `dir`, keeping the executable
/// bit; SKILL.md from its checked text.
fn write_skill(src: &Source, f: &Fetched, dir: &Path) -> Result<()> {
    for (rel, entry) in &f.files {
        if rel
            .split('/')
            .any(|s| s.is_empty() || s == "." || s == ".." || s.contains('\\'))
        {
            return Err(Error::invalid(format!(
                "Unsafe file path '{}' in the repository",
                entry.path
            )));
        }
        if rel == "SKILL.md" {
            continue;
        }
        let bytes = src.read_file(&entry.path)?;
        write_file(&dir.join(rel), &bytes, entry.is_executable())?;
    }
    write_file(&dir.join("SKILL.md"), f.skill_md.as_bytes(), false)
}

/// Records where the skill came from, unless the same source is already recorded.
fn record_source(
    app: &App,
    src: &Source,
    target: Target,
    reference: Option<&str>,
    o: &Outcome,
) -> Result<()> {
    let tree = src.pinned.folder_tree(&o.path);
    let same: Option<bool> = app
        .db
        .conn()
        .query_row(
            "SELECT url = ?3 AND ref_name IS ?4 AND commit_sha = ?5 AND path = ?6
                AND tree_sha IS ?7
             FROM git_sources WHERE target = ?1 AND skill_name = ?2",
            rusqlite::params![
                target.as_str(),
                o.name,
                src.url,
                reference,
                src.pinned.commit,
                o.path,
                tree
            ],
            |r| r.get(0),
        )
        .optional()?;
    if same == Some(true) {
        return Ok(());
    }
    app.db.write(|tx| {
        imports_store::upsert_git_source(
            tx,
            &GitSourceRow {
                target: target.as_str(),
                skill_name: &o.name,
                url: &src.url,
                ref_name: reference,
                commit_sha: &src.pinned.commit,
                path: &o.path,
                tree_sha: tree.as_deref(),
                imported_at: &crate::db::now(),
            },
        )
    })
}

/// The per-skill results; an error when every skill failed.
fn collect(
    target: Target,
    outcomes: Vec<(String, Option<String>, Result<Outcome>)>,
) -> Result<GitImportResults> {
    let mut failures = Vec::new();
    let mut ws = Vec::new();
    let mut lib = Vec::new();
    let n = outcomes.len();
    for (path, learned, r) in outcomes {
        match r {
            Ok(Outcome {
                result: OneResult::Workspace(s),
                ..
            }) => ws.push(s),
            Ok(Outcome {
                result: OneResult::Library(s),
                ..
            }) => lib.push(s),
            Err(e) => {
                tracing::warn!("git import of '{path}' failed: {e}");
                failures.push((path.clone(), e.clone()));
                let name =
                    learned.unwrap_or_else(|| path.rsplit('/').next().unwrap_or(&path).to_string());
                match target {
                    Target::Workspace => ws.push(ImportedSkill::failed(&path, name, &e)),
                    Target::Library => lib.push(MarketplaceImportResult::failed(&path, name, &e)),
                }
            }
        }
    }
    if failures.len() == n {
        let kind = failures
            .iter()
            .map(|(_, e)| e.kind)
            .reduce(|a, b| {
                if a == b {
                    a
                } else {
                    crate::ErrorKind::InvalidInput
                }
            })
            .unwrap_or(crate::ErrorKind::InvalidInput);
        let detail: Vec<String> = failures
            .iter()
            .map(|(p, e)| format!("{p}: {}", e.message))
            .collect();
        return Err(Error::new(
            kind,
            format!("All imports failed: {}", detail.join("; ")),
        ));
    }
    Ok(match target {
        Target::Workspace => GitImportResults::Workspace(ws),
        Target::Library => GitImportResults::Library(lib),
    })
}
