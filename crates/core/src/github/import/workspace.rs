//! `import_github_skills` (Settings→Skills): `<workspace>/.claude/skills/<name>/` and its
//! `workspace_skills` row.

use super::fetch::{
    clean_skill_path, download_into, fetch_skill, same_files, Fetched, Staging, STAGING,
};
use super::update::{compare_versions, version_newer};
use super::{
    empty_none, lint_warnings, millis, sha256_hex, ImportStatus, ImportedSkill,
    WorkspaceSkillImportRequest,
};
use crate::app::App;
use crate::db::imports_store::{self, WorkspaceRow};
use crate::error::{Error, IoContext, Result};
use crate::github::client::GitHub;
use crate::github::discovery::{snapshot, Snapshot};
use crate::paths::path_string;
use crate::placing::{place_skill_folder, FolderMoves, PlaceMeta};
use crate::skill_meta::SkillMeta;
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq)]
struct WsRow {
    skill_id: String,
    skill_name: String,
    description: Option<String>,
    is_active: bool,
    is_bundled: bool,
    disk_path: String,
    imported_at: String,
    purpose: Option<String>,
    meta: SkillMeta,
    content_hash: Option<String>,
    marketplace_source_url: Option<String>,
}

/// The stored row, read by the one reader of `workspace_skills` rows.
fn ws_find(app: &App, name: &str) -> Result<Option<WsRow>> {
    Ok(crate::workspace_skills::find_by_name(app, name)?.map(|r| {
        let s = r.skill;
        WsRow {
            skill_id: s.skill_id,
            skill_name: s.skill_name,
            description: s.description,
            is_active: s.is_active,
            is_bundled: s.is_bundled,
            disk_path: s.disk_path,
            imported_at: s.imported_at,
            purpose: s.purpose,
            meta: s.meta,
            content_hash: r.content_hash,
            marketplace_source_url: s.marketplace_source_url,
        }
    }))
}

impl WsRow {
    fn result(
        &self,
        status: ImportStatus,
        path: &str,
        error: Option<String>,
        warnings: Vec<String>,
    ) -> ImportedSkill {
        ImportedSkill {
            skill_id: self.skill_id.clone(),
            skill_name: self.skill_name.clone(),
            description: self.description.clone(),
            is_active: self.is_active,
            is_bundled: self.is_bundled,
            disk_path: self.disk_path.clone(),
            imported_at: self.imported_at.clone(),
            purpose: self.purpose.clone(),
            meta: self.meta.clone(),
            marketplace_source_url: self.marketplace_source_url.clone(),
            status,
            path: path.to_string(),
            error,
            warnings,
        }
    }
}

fn failed_ws(path: &str, name: Option<&str>, e: &Error) -> ImportedSkill {
    let name = name
        .map(str::to_string)
        .unwrap_or_else(|| path.rsplit('/').next().unwrap_or(path).to_string());
    ImportedSkill::failed(path, name, e)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportGithubSkillsArgs {
    pub owner: String,
    pub repo: String,
    #[serde(default)]
    pub branch: String,
    pub skill_requests: Vec<WorkspaceSkillImportRequest>,
    #[serde(default)]
    pub source_url: Option<String>,
}

/// Command `import_github_skills` (async): one result per request, in order (`imported`,
/// `updated`, `skipped` carry the stored row; `failed` carries `error`). Error only when
/// every request failed.
pub async fn import_github_skills(
    app: &App,
    args: ImportGithubSkillsArgs,
) -> Result<Vec<ImportedSkill>> {
    if args.skill_requests.is_empty() {
        return Ok(Vec::new());
    }
    let gh = GitHub::from_app(app)?;
    let snap = snapshot(&gh, &args.owner, &args.repo, Some(&args.branch)).await?;
    let root = app.workspace_path().join(".claude").join("skills");
    std::fs::create_dir_all(&root).with_path(&root)?;
    let mut out = Vec::new();
    for req in &args.skill_requests {
        let mut learned_name = None;
        let r = import_one_ws(
            app,
            &gh,
            &snap,
            &root,
            req,
            args.source_url.as_deref(),
            &mut learned_name,
        )
        .await;
        out.push(match r {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(
                    "import of '{}' from {}/{} failed: {e}",
                    req.path,
                    args.owner,
                    args.repo
                );
                failed_ws(&req.path, learned_name.as_deref(), &e)
            }
        });
    }
    if out
        .iter()
        .any(|s| matches!(s.status, ImportStatus::Imported | ImportStatus::Updated))
    {
        if let Err(e) = crate::workflow::deploy::write_claude_md(app) {
            tracing::warn!("could not rebuild the workspace CLAUDE.md: {e}");
        }
    }
    if out.iter().all(|s| s.status == ImportStatus::Failed) {
        let detail: Vec<String> = out
            .iter()
            .map(|s| format!("{}: {}", s.path, s.error.clone().unwrap_or_default()))
            .collect();
        return Err(Error::invalid(format!(
            "All imports failed: {}",
            detail.join("; ")
        )));
    }
    Ok(out)
}

async fn import_one_ws(
    app: &App,
    gh: &GitHub,
    snap: &Snapshot,
    root: &Path,
    req: &WorkspaceSkillImportRequest,
    source_url: Option<&str>,
    learned_name: &mut Option<String>,
) -> Result<ImportedSkill> {
    let path = clean_skill_path(&req.path)?;
    let ov = req.metadata_override.as_ref();
    let f = fetch_skill(gh, snap, &path, ov).await?;
    *learned_name = Some(f.name.clone());
    let target = match plan_workspace_import(app, root, &f, req, &path)? {
        WsPlan::Done(skipped) => return Ok(skipped),
        WsPlan::Place(t) => t,
    };
    let staging = Staging::new(root, &f.name)?;
    download_into(gh, snap, &f, &staging.dir).await?;
    place_workspace_import(app, root, &staging, &f, req, &path, source_url, target)
}

/// Where a workspace import goes, decided before anything is downloaded.
pub(crate) enum WsPlan {
    /// Nothing to do (the installed version is kept): the result says why.
    Done(ImportedSkill),
    Place(WsTarget),
}

/// The installed row (if any) and the folder the import replaces or creates.
pub(crate) struct WsTarget {
    existing: Option<WsRow>,
    dest: PathBuf,
}

/// Decides a workspace import of the checked skill `f` (from `path`): a bundled skill or an
/// untracked folder is a `conflict`; a version that is not newer than the installed one is
/// skipped; otherwise the destination folder (inactive skills stay inactive).
pub(crate) fn plan_workspace_import(
    app: &App,
    root: &Path,
    f: &Fetched,
    req: &WorkspaceSkillImportRequest,
    path: &str,
) -> Result<WsPlan> {
    let name = f.name.clone();
    let existing = ws_find(app, &name)?;
    if let Some(ex) = &existing {
        if ex.is_bundled {
            return Err(Error::conflict(format!(
                "Skill '{name}' is a bundled skill and cannot be replaced by an import"
            )));
        }
        let installed = ex.meta.version.as_deref().filter(|v| !v.trim().is_empty());
        if let (Some(want), Some(have)) = (
            req.version.as_deref().filter(|v| !v.trim().is_empty()),
            installed,
        ) {
            if !version_newer(want, have) {
                let mut r = ex.result(ImportStatus::Skipped, path, None, Vec::new());
                r.error = Some(format!("installed version {have} is not older than {want}"));
                return Ok(WsPlan::Done(r));
            }
        }
        match (empty_none(f.fm.version.clone()), installed) {
            (Some(new), Some(have))
                if compare_versions(&new, have) == Some(std::cmp::Ordering::Less) =>
            {
                let mut r = ex.result(ImportStatus::Skipped, path, None, Vec::new());
                r.error = Some(format!("installed version {have} is newer than {new}"));
                return Ok(WsPlan::Done(r));
            }
            (None, Some(have)) => {
                let mut r = ex.result(ImportStatus::Skipped, path, None, Vec::new());
                r.error = Some(format!(
                    "the incoming skill has no version; installed {have} kept"
                ));
                return Ok(WsPlan::Done(r));
            }
            _ => {}
        }
    }
    let active_dir = root.join(&name);
    let inactive_dir = root.join(".inactive").join(&name);
    let dest = match &existing {
        Some(ex) if !ex.is_active => inactive_dir.clone(),
        Some(_) => active_dir.clone(),
        None => {
            for d in [&active_dir, &inactive_dir] {
                if d.exists() {
                    return Err(Error::conflict(format!(
                        "A folder '{}' exists that is not a tracked workspace skill; remove it or rename the skill",
                        d.display()
                    )));
                }
            }
            active_dir.clone()
        }
    };
    Ok(WsPlan::Place(WsTarget { existing, dest }))
}

/// Places the skill staged in `staging.dir` at the planned folder and writes its
/// `workspace_skills` row in one step (a DB failure puts the previous folder back); identical
/// files and row → `skipped`, nothing changes.
#[allow(clippy::too_many_arguments)]
pub(crate) fn place_workspace_import(
    app: &App,
    root: &Path,
    staging: &Staging,
    f: &Fetched,
    req: &WorkspaceSkillImportRequest,
    path: &str,
    source_url: Option<&str>,
    target: WsTarget,
) -> Result<ImportedSkill> {
    let WsTarget { existing, dest } = target;
    let name = f.name.clone();
    let ov = req.metadata_override.as_ref();
    let warnings = lint_warnings(&staging.dir, &f.fm);
    let hash = sha256_hex(f.skill_md.as_bytes());
    let fm = &f.fm;
    let ex = existing.as_ref();
    let pick = |new: &Option<String>, old: Option<&Option<String>>| -> Option<String> {
        empty_none(new.clone()).or_else(|| old.cloned().flatten())
    };
    let row = WsRow {
        skill_id: ex
            .map(|e| e.skill_id.clone())
            .unwrap_or_else(|| format!("imp-{name}-{}", millis())),
        skill_name: name.clone(),
        description: pick(&fm.description, ex.map(|e| &e.description)),
        is_active: ex.map(|e| e.is_active).unwrap_or(true),
        is_bundled: false,
        disk_path: path_string(&dest)?,
        imported_at: ex
            .map(|e| e.imported_at.clone())
            .unwrap_or_else(crate::db::now),
        purpose: req
            .purpose
            .clone()
            .or_else(|| ov.and_then(|o| o.purpose.clone()))
            .or_else(|| ex.and_then(|e| e.purpose.clone())),
        meta: SkillMeta {
            version: pick(&fm.version, ex.map(|e| &e.meta.version)),
            model: if ov
                .and_then(|o| o.meta.model.as_deref())
                .is_some_and(|m| m.trim().is_empty())
            {
                None
            } else {
                pick(&fm.model, ex.map(|e| &e.meta.model))
            },
            argument_hint: pick(&fm.argument_hint, ex.map(|e| &e.meta.argument_hint)),
            user_invocable: fm.user_invocable.or(ex.and_then(|e| e.meta.user_invocable)),
            disable_model_invocation: fm
                .disable_model_invocation
                .or(ex.and_then(|e| e.meta.disable_model_invocation)),
        },
        content_hash: Some(hash),
        marketplace_source_url: source_url
            .map(str::to_string)
            .or_else(|| ex.and_then(|e| e.marketplace_source_url.clone())),
    };
    let files_same = dest.exists() && same_files(&staging.dir, &dest);
    if files_same && ex == Some(&row) {
        return Ok(row.result(ImportStatus::Skipped, path, None, warnings));
    }
    let mut moves = FolderMoves::new(root.join(STAGING));
    if !files_same {
        let meta = PlaceMeta {
            name: &name,
            dest: &dest,
            replace: existing.is_some(),
        };
        place_skill_folder(&mut moves, &staging.dir, &meta)?;
    }
    let db = app.db.write(|tx| {
        imports_store::upsert_workspace_import(
            tx,
            &WorkspaceRow {
                skill_id: &row.skill_id,
                skill_name: &row.skill_name,
                description: row.description.as_deref(),
                is_active: row.is_active,
                is_bundled: row.is_bundled,
                disk_path: &row.disk_path,
                imported_at: &row.imported_at,
                purpose: row.purpose.as_deref(),
                meta: &row.meta,
                content_hash: row.content_hash.as_deref(),
                marketplace_source_url: row.marketplace_source_url.as_deref(),
            },
        )
    });
    if let Err(e) = db {
        moves.undo();
        return Err(e);
    }
    moves.keep();
    let stored = ws_find(app, &name)?.ok_or_else(|| Error::internal("imported row vanished"))?;
    let status = if existing.is_some() {
        ImportStatus::Updated
    } else {
        ImportStatus::Imported
    };
    Ok(stored.result(status, path, None, warnings))
}
